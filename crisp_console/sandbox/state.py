"""The sandbox's in-memory world and every mutation of it: the conversations and their
messages here, the websites, operators and people in world.py.

Each mutation emits the RTM events Crisp would send for it, whoever made it (a REST call, the
simulator, an admin route), so the event stream and the REST view can never disagree.
Events go to ``emit(name, payload)``, which the RTM server filters per socket.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from crisp_console.sandbox.model import Conversation, Message
from crisp_console.sandbox.world import World

# Meta fields whose change Crisp announces with its own `session:set_<field>` event.
META_EVENTS = ("email", "nickname", "phone", "address", "subject", "avatar", "origin")
# The start of the note a due reminder leaves in its conversation (U+23F0 ALARM CLOCK).
REMINDER_PREFIX = "\u23f0 Reminder: "


@dataclass
class SandboxState(World):
    conversations: dict[str, Conversation] = field(default_factory=dict)
    # (session_id, fingerprint) of every client-fingerprinted send, kept after a removal so a
    # retried send never resurrects a message (idempotency, see sandbox/README.md).
    client_fingerprints: set[tuple[str, int]] = field(default_factory=set)
    _fp_counter: Iterator[int] = field(default_factory=itertools.count, repr=False)
    _fp_last: int = field(default=0, repr=False)

    # ---- identifiers ----------------------------------------------------------------------

    def new_fingerprint(self) -> int:
        """A fresh 15-digit fingerprint (below 2**53, as Crisp's are), never one issued
        before: past 100 in one millisecond the time part alone would repeat."""
        fp = 100_000_000_000_000 + self.clock() % 10**12 * 100 + next(self._fp_counter) % 100
        self._fp_last = max(fp, self._fp_last + 1)
        return self._fp_last

    # ---- lookups --------------------------------------------------------------------------

    def website_conversations(self, website_id: str) -> Iterable[Conversation]:
        return (c for c in self.conversations.values() if c.website_id == website_id)

    # ---- conversations --------------------------------------------------------------------

    def _session_event(self, name: str, conv: Conversation, **extra: Any) -> None:
        payload: dict[str, Any] = {
            "website_id": conv.website_id,
            "session_id": conv.session_id,
            "inbox_id": conv.inbox_id,
        }
        payload.update(extra)
        self.emit(name, payload)

    def _touched(self, name: str, conv: Conversation, **extra: Any) -> None:
        """The conversation changed now: stamp it and announce ``name``."""
        conv.updated_at = self.clock()
        self._session_event(name, conv, **extra)

    def create_conversation(
        self, website_id: str, *, people_id: str | None = None, meta: dict[str, Any] | None = None
    ) -> Conversation:
        now = self.clock()
        session_id = f"session_{self.uuid()}"
        conv = Conversation(
            session_id=session_id,
            website_id=website_id,
            people_id=people_id or "",
            state="pending",
            created_at=now,
            updated_at=now,
            meta=meta if meta is not None else {"segments": [], "data": {}},
            active_last=now,
        )
        conv.visitor = {"type": "participant", "user_id": session_id,
                        "nickname": conv.meta.get("nickname", "visitor")}
        self.conversations[session_id] = conv
        if people_id and people_id in self.people:
            self.people[people_id].sessions.append(session_id)
        return conv

    def remove_conversation(self, conv: Conversation) -> None:
        del self.conversations[conv.session_id]
        person = self.people.get(conv.people_id)
        if person and conv.session_id in person.sessions:
            person.sessions.remove(conv.session_id)
        self._session_event("session:removed", conv)

    def add_message(
        self,
        conv: Conversation,
        *,
        type: str,
        from_: str,
        origin: str,
        content: Any,
        user: dict[str, Any],
        fingerprint: int | None = None,
        timestamp: int | None = None,
        mentions: list[str] | None = None,
        automated: bool = False,
        translated: bool = False,
        references: list[dict[str, Any]] | None = None,
        properties: dict[str, Any] | None = None,
        stealth: bool = False,
    ) -> Message:
        now = self.clock()
        msg = Message(
            type=type,
            from_=from_,
            origin=origin,
            content=content,
            fingerprint=fingerprint if fingerprint is not None else self.new_fingerprint(),
            timestamp=timestamp if timestamp is not None else now,
            user=user,
            mentions=mentions,
            automated=automated,
            translated=translated,
            references=references,
            properties=properties,
        )
        self._append(conv, msg)
        conv.updated_at = now
        if type == "file" and isinstance(content, dict):
            conv.files.append({"name": content.get("name", ""), "type": content.get("type", ""),
                               "url": content.get("url", ""), "fingerprint": msg.fingerprint,
                               "timestamp": msg.timestamp})
        if mentions:
            conv.mentions = sorted(set(conv.mentions) | set(mentions))
        event = "message:send" if from_ == "user" else "message:received"
        if not stealth:
            # §4: every session-scoped event carries inbox_id; the stored message does not.
            payload: dict[str, Any] = dict(msg.to_payload(conv.website_id, conv.session_id))
            payload["inbox_id"] = conv.inbox_id
            self.emit(event, payload)
        if type in ("note", "event"):
            return msg
        if from_ == "user":
            conv.unread_operator += 1
            conv.waiting_since = conv.waiting_since or msg.timestamp
            if conv.state == "resolved":
                self.set_state(conv, "unresolved")
        else:
            conv.unread_visitor += 1
            conv.waiting_since = 0
            if conv.state == "pending":
                self.set_state(conv, "unresolved")
        return msg

    @staticmethod
    def _append(conv: Conversation, msg: Message) -> None:
        msgs = conv.messages
        if msgs and msgs[-1].timestamp > msg.timestamp:
            # Rare (a client-supplied past timestamp): keep the history ordered.
            idx = next(i for i, m in enumerate(msgs) if m.timestamp > msg.timestamp)
            msgs.insert(idx, msg)
        else:
            msgs.append(msg)
        conv.index(msg)

    def update_message(self, conv: Conversation, msg: Message, content: Any) -> None:
        msg.content = content
        msg.edited = True
        self._touched("message:updated", conv, fingerprint=msg.fingerprint, content=content)

    def remove_message(self, conv: Conversation, msg: Message) -> None:
        conv.drop(msg)
        self._touched("message:removed", conv, fingerprint=msg.fingerprint)

    def compose(self, conv: Conversation, *, kind: str, from_: str, excerpt: str | None,
                user: dict[str, Any] | None = None, automated: bool = False,
                stealth: bool = False) -> None:
        now = self.clock()
        side = "visitor" if from_ == "user" else "operator"
        atom: dict[str, Any] = {"type": kind, "timestamp": now, "automated": automated}
        if excerpt is not None:
            atom["excerpt"] = excerpt
        if user:
            atom["user"] = user
        if kind == "stop":
            conv.compose.pop(side, None)
        else:
            conv.compose[side] = atom
        if stealth:
            return
        extra: dict[str, Any] = {"type": kind, "timestamp": now, "automated": automated}
        if excerpt is not None:
            extra["excerpt"] = excerpt
        if from_ == "user":
            self._session_event("message:compose:send", conv, **extra)
        else:
            extra["user"] = user or {}
            self._session_event("message:compose:receive", conv, **extra)

    def acknowledge(self, conv: Conversation, *, kind: str, from_: str, origin: str,
                    fingerprints: list[int] | None) -> list[int]:
        """Mark messages read or delivered; returns the fingerprints acknowledged."""
        # Operators acknowledge the visitor's messages and vice versa.
        sender = "user" if from_ == "operator" else "operator"
        targets = [m for m in conv.messages if m.from_ == sender
                   and (fingerprints is None or m.fingerprint in fingerprints)]
        for m in targets:
            setattr(m, kind, origin)
            if kind == "read":
                m.delivered = m.delivered or origin
        fps = [m.fingerprint for m in targets]
        if kind == "read":
            if from_ == "operator":
                conv.unread_operator = 0
                name = "message:acknowledge:read:received"
            else:
                conv.unread_visitor = 0
                name = "message:acknowledge:read:send"
        else:
            name = "message:acknowledge:delivered"
        self._session_event(name, conv, origin=origin, fingerprints=fps)
        return fps

    def mark_unread(self, conv: Conversation, *, from_: str) -> None:
        last = next((m for m in reversed(conv.messages) if m.from_ == "user"), None)
        if from_ == "operator":
            conv.unread_operator = max(conv.unread_operator, 1)
        else:
            conv.unread_visitor = max(conv.unread_visitor, 1)
        fps = [last.fingerprint] if last else []
        self._session_event("message:acknowledge:unread:send", conv, origin="chat",
                            fingerprints=fps)

    def set_state(self, conv: Conversation, state: str) -> None:
        if conv.state == state:
            return
        conv.state = state
        if state == "resolved":
            conv.waiting_since = 0
        self._touched("session:set_state", conv, state=state)

    def set_routing(self, conv: Conversation, user_id: str | None) -> None:
        previous, conv.assigned = conv.assigned, user_id
        # UNCONFIRMED: Crisp names the target `routing_id`; we also give `assigned` so a
        # consumer need not guess what the id means.
        self._touched("session:set_routing", conv, routing_id=user_id,
                      previous_routing_id=previous,
                      assigned={"user_id": user_id} if user_id else None)

    def set_block(self, conv: Conversation, blocked: bool) -> None:
        conv.is_blocked = blocked
        self._touched("session:set_block", conv, is_blocked=blocked)

    def set_inbox(self, conv: Conversation, inbox_id: str | None) -> None:
        previous, conv.inbox_id = conv.inbox_id, inbox_id
        self._touched("session:set_inbox", conv, inbox_id=inbox_id, previous_inbox_id=previous)

    def update_meta(self, conv: Conversation, patch: dict[str, Any]) -> None:
        meta = conv.meta
        for key, value in patch.items():
            meta[key] = value
            if key in META_EVENTS:
                self._session_event(f"session:set_{key}", conv, **{key: value})
            elif key == "segments":
                self._session_event("session:set_segments", conv, segments=value)
            elif key == "data":
                self._session_event("session:set_data", conv, data=value)
            elif key == "device":
                self._session_event("session:sync:geolocation", conv,
                                    geolocation=value.get("geolocation", {}))
        if "nickname" in patch:
            conv.visitor = {**conv.visitor, "nickname": patch["nickname"]}
        conv.updated_at = self.clock()

    def set_availability(self, conv: Conversation, availability: str) -> None:
        conv.availability = availability
        conv.active_last = self.clock()
        self._session_event("session:update_availability", conv, availability=availability)

    def sync_pages(self, conv: Conversation, pages: list[dict[str, Any]]) -> None:
        conv.pages.extend(pages)
        self._session_event("session:sync:pages", conv, pages=pages)

    # ---- reminders ----------------------------------------------------------------------

    def add_reminder(self, conv: Conversation, *, date: int, note: str, user: dict[str, Any],
                     origin: str) -> dict[str, Any]:
        """Keep a reminder on the conversation. Crisp announces none over RTM: silent."""
        reminder = {"date": date, "note": note, "user": user, "origin": origin,
                    "created_at": self.clock(), "fired_at": 0}
        conv.reminders.append(reminder)
        return reminder

    def fire_reminder(self, conv: Conversation, reminder: dict[str, Any]) -> Message:
        """A due reminder becomes an operator note mentioning its author (UNCONFIRMED shape,
        see sandbox/reminders.py), emitted as ``message:received`` like any note."""
        reminder["fired_at"] = self.clock()
        author = reminder["user"].get("user_id")
        return self.add_message(conv, type="note", from_="operator", origin="chat",
                                content=REMINDER_PREFIX + reminder["note"],
                                user=reminder["user"], mentions=[author] if author else None)
