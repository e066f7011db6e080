"""Conversations and their message histories for the seeded dataset.

Messages are built directly (not through ``SandboxState.add_message``, which emits events and
moves counters one message at a time), so this module keeps the invariants itself:

- timestamps strictly increase within a conversation; ``updated_at`` is the last activity;
- ``pending`` conversations have no operator reply (notes aside);
- ``unread.operator`` counts the visitor's trailing unread messages and ``unread.visitor`` the
  operator's, exactly the countable messages (not notes/events) whose ``read`` is empty;
- ``waiting_since`` is the first of the visitor's trailing messages, when the conversation is
  not resolved and its last non-note message is the visitor's; 0 otherwise;
- ``files`` lists every file message; ``mentions`` every operator a note mentions.
"""

from __future__ import annotations

import random
from typing import Any

from crisp_console.sandbox import dataset_chat as chat
from crisp_console.sandbox import dataset_text as text
from crisp_console.sandbox.dataset_people import WINDOW_MS, NewPerson, Pools, visitor_meta
from crisp_console.sandbox.model import Conversation, Message, Operator

FP_BASE = 100_000_000_000_000  # 15-digit fingerprints, far below 2**53
READ = "chat"  # the acknowledging origin (UNCONFIRMED meaning; see crisp-api.md 2.2)
AUTOMATED = frozenset(("picker", "field", "carousel", "event"))
VISITOR_RICH = ("file", "animation", "audio")
OPERATOR_RICH = ("file", "animation", "audio", "picker", "field", "carousel")
# The index of the first conversation allowed to carry a forced feature.
NEED_FROM = {"inbox": 3, "online": 1, "blocked": 5, "mention": 2, "verified": 1}
RICH_CONTENT: dict[str, tuple[dict[str, Any], ...]] = {
    "file": chat.FILE_CONTENTS, "animation": chat.ANIMATION_CONTENTS,
    "audio": chat.AUDIO_CONTENTS, "picker": chat.PICKER_CONTENTS,
    "field": chat.FIELD_CONTENTS, "carousel": chat.CAROUSEL_CONTENTS,
}


class Site:
    """What conversations need of a website while the dataset is built."""

    __slots__ = ("inboxes", "pages", "website_id")

    def __init__(self, website_id: str, domain: str, inboxes: list[str]) -> None:
        self.website_id = website_id
        self.inboxes = inboxes
        self.pages = [(title, f"https://{domain}{path}") for title, path in text.PAGES]


class HistoryBuilder:
    def __init__(self, rng: random.Random, pools: Pools, operators: list[Operator],
                 base: int) -> None:
        self.rng = rng
        self.pools = pools
        self.base = base
        self.op_ids = [op.user_id for op in operators]
        # One user dict per operator, shared by all of that operator's messages.
        self.op_users = [op.user() for op in operators]
        self.mention_notes = [tuple(t.format(name=op.first_name) for t in chat.MENTION_NOTES)
                              for op in operators]
        # Coverage: the first conversations that can carry these get them, so even the
        # tiny test world holds every state, message type and flag.
        self.missing_types = ["file", "animation", "audio", "picker", "field", "carousel"]
        self.need_states = ["unresolved", "pending", "resolved"]
        self.need = {"note", "event", "mention", "blocked", "inbox", "online", "assigned",
                     "unread_operator", "unread_visitor", "edited", "topic", "verified"}
        self.visitor_no = 0

    def _needs(self, what: str) -> bool:
        """Whether a rare feature is still missing and this conversation should carry it.

        Features are forced from a given conversation on, not all onto the first one, which
        stays an ordinary conversation that tests can pick without surprises.
        """
        if what in self.need and self.visitor_no > NEED_FROM.get(what, 0):
            self.need.discard(what)
            return True
        return False

    def _chance(self, odds: float, what: str) -> bool:
        if self.rng.random() < odds:
            self.need.discard(what)
            return True
        return self._needs(what)

    # ---- one conversation -----------------------------------------------------------------

    def conversation(self, session_id: str, site: Site, person: NewPerson | None,
                     n: int) -> Conversation:
        rng = self.rng
        base = self.base
        end = base - int(WINDOW_MS * rng.random() ** 2)  # recent activity is likelier
        state = self._state(n, base - end)
        topic = chat.TOPICS[rng.randrange(len(chat.TOPICS))]
        self.visitor_no += 1
        meta = visitor_meta(rng, self.pools, person, self.visitor_no,
                            topic.subject if rng.random() < 0.3 else None)
        conv = Conversation(session_id=session_id, website_id=site.website_id,
                            people_id=person.record.people_id if person else "", state=state,
                            created_at=end, updated_at=end, meta=meta, active_last=end)
        conv.visitor = {"type": "participant", "user_id": session_id,
                        "nickname": meta["nickname"]}
        if self._chance(0.4, "topic"):
            conv.topic = topic.name
        if person is not None and self._chance(0.3, "verified"):
            conv.is_verified = True
        if site.inboxes and self._chance(0.05, "inbox"):
            conv.inbox_id = site.inboxes[rng.randrange(len(site.inboxes))]
        if self._chance(0.01, "blocked"):
            conv.is_blocked = True
        if state != "resolved" and self._chance(0.08, "online"):
            conv.availability = "online"
        op = rng.randrange(len(self.op_ids))
        if n:
            self._history(conv, n, topic, op, person.first if person else "", end)
        if (state != "pending" and rng.random() < 0.6) or rng.random() < 0.1 \
                or self._needs("assigned"):
            conv.assigned = self.op_ids[op]
        if conv.availability == "online":
            conv.active_last = base - rng.randrange(0, 300_000)
        self._pages(conv, site)
        if rng.random() < 0.15:
            label, data, color = text.SESSION_EVENTS[rng.randrange(len(text.SESSION_EVENTS))]
            conv.events = [{"text": label, "data": data, "color": color,
                            "timestamp": conv.created_at + (conv.updated_at - conv.created_at)
                            // 2}]
        return conv

    def _state(self, n: int, age: int) -> str:
        if n >= 3 and self.need_states:
            return self.need_states.pop(0)
        if n == 0:
            return "pending"
        r = self.rng.random()
        if age < 86_400_000:
            return "pending" if r < 0.3 else "unresolved" if r < 0.8 else "resolved"
        if age < 7 * 86_400_000:
            return "pending" if r < 0.12 else "unresolved" if r < 0.5 else "resolved"
        return "pending" if r < 0.03 else "unresolved" if r < 0.15 else "resolved"

    def _slots(self, n: int, state: str) -> list[str]:
        """Who speaks: V visitor, O operator, N note, E event."""
        rng = self.rng
        if state == "pending":
            slots = ["V"] * n
        else:
            slots = []
            side = "V"
            while len(slots) < n:
                run = 1 + (rng.random() < 0.35) + (side == "V" and rng.random() < 0.2)
                slots.extend(side * run)
                side = "O" if side == "V" else "V"
            del slots[n:]
        if n >= 3 and self._chance(0.25 if state == "pending" else 0.15, "note"):
            slots[1 + rng.randrange(n - 1)] = "N"
        if state == "resolved" and n >= 2 and self._chance(0.5, "event"):
            slots[-1] = "E"
        return slots

    def _timeline(self, n: int, end: int) -> list[int]:
        """n strictly increasing timestamps ending at ``end`` (or earlier), within the window."""
        rng = self.rng
        gaps = [0] * n
        for i in range(1, n):
            u = rng.random()
            if u < 0.04:  # the visitor left and came back hours later
                gaps[i] = 3_600_000 + int(u * 1_700_000_000)
            elif u < 0.3:
                gaps[i] = 60_000 + int(u * 2_000_000)
            else:
                gaps[i] = 8_000 + int(u * 120_000)
        total = sum(gaps)
        earliest = self.base - WINDOW_MS
        start = end - total
        if start < earliest:
            start = earliest
            room = self.base - start
            if total > room:  # too long for the window: squeeze the gaps
                gaps = [max(1, g * room // total) for g in gaps]
        stamps = []
        ts = start
        for g in gaps:
            ts += g
            stamps.append(ts)
        return stamps

    # ---- the history ----------------------------------------------------------------------

    def _history(self, conv: Conversation, n: int, topic: chat.Topic, op: int, first: str,
                 end: int) -> None:
        rng = self.rng
        state = conv.state
        slots = self._slots(n, state)
        stamps = self._timeline(n, end)
        visitor = conv.visitor
        op_user = self.op_users[op]
        last_o = max((i for i, s in enumerate(slots) if s == "O"), default=-1) \
            if state == "resolved" else -1
        greeted = closed = False
        salt = rng.randrange(100)
        msgs: list[Message] = []
        files: list[dict[str, Any]] = []
        mentions: list[str] = []
        content: Any
        for i, kind in enumerate(slots):
            ts = stamps[i]
            fp = FP_BASE + ts % 1_000_000_000_000 * 100 + (i + salt) % 100
            if kind == "V":
                if i == 0:
                    typ, content = "text", topic.openers[rng.randrange(len(topic.openers))]
                elif closed:
                    typ, content = "text", chat.VISITOR_THANKS[rng.randrange(4)]
                else:
                    typ, content = self._visitor_content(topic)
                m = Message(type=typ, from_="user", origin="chat", content=content,
                            fingerprint=fp, timestamp=ts, user=visitor)
                m.read = m.delivered = READ
            elif kind == "O":
                if not greeted:
                    greeted = True
                    typ, content = "text", self._greeting(first)
                elif i == last_o:
                    closed = True
                    typ = "text"
                    content = chat.OPERATOR_CLOSINGS[rng.randrange(len(chat.OPERATOR_CLOSINGS))]
                else:
                    typ, content = self._operator_content(topic)
                m = Message(type=typ, from_="operator", origin="chat", content=content,
                            fingerprint=fp, timestamp=ts, user=op_user,
                            automated=typ in AUTOMATED)
                m.read = m.delivered = READ
                if typ == "text" and (fp % 97 == 0 or self._needs("edited")):
                    m.edited = True
            elif kind == "N":
                typ = "note"
                author = rng.randrange(len(self.op_ids))
                target = None
                if self._chance(0.35, "mention"):
                    target = (author + 1) % len(self.op_ids)
                    mentions.append(self.op_ids[target])
                    notes = self.mention_notes[target]
                    content = notes[rng.randrange(len(notes))]
                else:
                    content = chat.NOTES[rng.randrange(len(chat.NOTES))]
                m = Message(type="note", from_="operator", origin="chat", content=content,
                            fingerprint=fp, timestamp=ts, user=self.op_users[author],
                            mentions=None if target is None else [self.op_ids[target]])
            else:
                typ = "event"
                m = Message(type="event", from_="operator", origin="chat",
                            content=chat.RESOLVED_EVENT, fingerprint=fp, timestamp=ts,
                            user=op_user, automated=True)
            if typ == "file":
                files.append({"name": content["name"], "type": content["type"],
                              "url": content["url"], "fingerprint": fp, "timestamp": ts})
            msgs.append(m)
        conv.messages = msgs
        conv.by_fp = {m.fingerprint: m for m in msgs}
        conv.files = files
        if mentions:
            conv.mentions = sorted(set(mentions))
        conv.created_at = stamps[0] - rng.randrange(500, 5_000)
        conv.updated_at = conv.active_last = stamps[-1]
        self._counters(conv)

    def _counters(self, conv: Conversation) -> None:
        """Unread counters, read marks and waiting_since from the end of the history."""
        msgs = conv.messages
        trail_v = trail_o = 0  # the trailing run of countable messages from one side
        first_waiting = 0
        for m in reversed(msgs):
            if m.type == "note" or m.type == "event":
                continue
            if m.from_ == "user":
                if trail_o:
                    break
                trail_v += 1
                first_waiting = m.timestamp
            else:
                if trail_v:
                    break
                trail_o += 1
        state = conv.state
        if trail_v and state != "resolved":
            conv.waiting_since = first_waiting
            odds = 0.85 if state == "pending" else 0.6
            if self._chance(odds, "unread_operator"):
                conv.unread_operator = trail_v
        if trail_o and conv.availability == "offline" \
                and self._chance(0.4, "unread_visitor"):
            conv.unread_visitor = trail_o
        unread_op, unread_vis = conv.unread_operator, conv.unread_visitor
        for m in reversed(msgs):
            if not (unread_op or unread_vis):
                break
            if m.type == "note" or m.type == "event":
                continue
            if m.from_ == "user" and unread_op:
                m.read = m.delivered = ""
                unread_op -= 1
            elif m.from_ == "operator" and unread_vis:
                m.read = ""  # delivered to the visitor's device, not read yet
                unread_vis -= 1

    def _greeting(self, first: str) -> str:
        rng = self.rng
        if first and rng.random() < 0.3:
            template = chat.NAMED_GREETINGS[rng.randrange(len(chat.NAMED_GREETINGS))]
            return template.format(name=first)
        return chat.OPERATOR_GREETINGS[rng.randrange(len(chat.OPERATOR_GREETINGS))]

    def _visitor_content(self, topic: chat.Topic) -> tuple[str, Any]:
        rng = self.rng
        if self.missing_types:
            for kind in VISITOR_RICH:
                if kind in self.missing_types:
                    self.missing_types.remove(kind)
                    return kind, RICH_CONTENT[kind][0]
        u = rng.random()
        if u < 0.05:
            kind = "file" if u < 0.03 else "animation" if u < 0.04 else "audio"
            pool = RICH_CONTENT[kind]
            return kind, pool[rng.randrange(len(pool))]
        if u < 0.6:
            return "text", topic.visitor[rng.randrange(len(topic.visitor))]
        return "text", chat.VISITOR_GENERIC[rng.randrange(len(chat.VISITOR_GENERIC))]

    def _operator_content(self, topic: chat.Topic) -> tuple[str, Any]:
        rng = self.rng
        if self.missing_types:
            kind = self.missing_types.pop(0)
            return kind, RICH_CONTENT[kind][0]
        u = rng.random()
        if u < 0.075:
            kind = OPERATOR_RICH[min(5, int(u / 0.0125))]
            pool = RICH_CONTENT[kind]
            return kind, pool[rng.randrange(len(pool))]
        if u < 0.65:
            return "text", topic.operator[rng.randrange(len(topic.operator))]
        return "text", chat.OPERATOR_GENERIC[rng.randrange(len(chat.OPERATOR_GENERIC))]

    def _pages(self, conv: Conversation, site: Site) -> None:
        """Pages browsed before the first message; each page refers to the previous one."""
        rng = self.rng
        if rng.random() < 0.4:
            return
        count = 1 + rng.randrange(3)
        stamps = [conv.created_at]
        for _ in range(count):
            stamps.append(stamps[-1] - rng.randrange(5_000, 240_000))
        referrer = text.REFERRERS[rng.randrange(len(text.REFERRERS))]
        pages = []
        for ts in reversed(stamps[1:]):
            title, url = site.pages[rng.randrange(len(site.pages))]
            pages.append({"page_title": title, "page_url": url, "page_referrer": referrer,
                          "timestamp": ts})
            referrer = url
        conv.pages = pages
