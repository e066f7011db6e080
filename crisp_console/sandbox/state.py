"""The sandbox's in-memory world and every mutation of it.

Each mutation emits the RTM events Crisp would send for it, whoever made it (a REST call, the
simulator, an admin route), so the event stream and the REST view can never disagree.
Events go to ``emit(name, payload)``, which the RTM server filters per socket.
"""

from __future__ import annotations

import itertools
import random
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from crisp_console.sandbox.model import Conversation, Message, Operator, Person, Website

Emit = Callable[[str, dict[str, Any]], None]

# Meta fields whose change Crisp announces with its own `session:set_<field>` event.
META_EVENTS = ("email", "nickname", "phone", "address", "subject", "avatar", "origin")
# The start of the note a due reminder leaves in its conversation (U+23F0 ALARM CLOCK).
REMINDER_PREFIX = "\u23f0 Reminder: "


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass(slots=True)
class PluginToken:
    identifier: str
    key: str
    plugin_id: str
    tier: str = "plugin"


@dataclass
class SandboxState:
    token: PluginToken
    plugin_schema: dict[str, Any]
    websites: dict[str, Website] = field(default_factory=dict)
    operators: list[Operator] = field(default_factory=list)
    people: dict[str, Person] = field(default_factory=dict)
    conversations: dict[str, Conversation] = field(default_factory=dict)
    # people_id by (website_id, lower-cased email), for "email already taken" checks.
    people_by_email: dict[tuple[str, str], str] = field(default_factory=dict)
    # (session_id, fingerprint) of every client-fingerprinted send, kept after a removal so a
    # retried send never resurrects a message (idempotency, see sandbox/README.md).
    client_fingerprints: set[tuple[str, int]] = field(default_factory=set)
    # Websites whose subscription was removed, with the time, for Connect Websites Since.
    removed_websites: dict[str, int] = field(default_factory=dict)
    # Websites (re)bound while the sandbox ran, with the time: Connect Websites Since reports
    # them as "added" even when the website itself is older than `date_since`.
    bound_websites: dict[str, int] = field(default_factory=dict)
    emit: Emit = field(default=lambda name, payload: None, repr=False)
    clock: Callable[[], int] = field(default=now_ms, repr=False)
    rng: random.Random = field(default_factory=lambda: random.Random(0), repr=False)
    _fp_counter: Iterator[int] = field(default_factory=itertools.count, repr=False)

    # ---- identifiers ----------------------------------------------------------------------

    def new_fingerprint(self) -> int:
        """A fresh 15-digit fingerprint (below 2**53, as Crisp's are)."""
        return 100_000_000_000_000 + self.clock() % 10**12 * 100 + next(self._fp_counter) % 100

    def uuid(self) -> str:
        # Seeded so that simulator runs are reproducible when the clock is.
        return seeded_uuid(self.rng)

    # ---- lookups --------------------------------------------------------------------------

    def subscribed_website_ids(self) -> list[str]:
        return [w.website_id for w in self.websites.values() if w.subscribed]

    def operator(self, user_id: str) -> Operator | None:
        return next((o for o in self.operators if o.user_id == user_id), None)

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
        conv.updated_at = self.clock()
        self._session_event("message:updated", conv, fingerprint=msg.fingerprint, content=content)

    def remove_message(self, conv: Conversation, msg: Message) -> None:
        conv.drop(msg)
        conv.updated_at = self.clock()
        self._session_event("message:removed", conv, fingerprint=msg.fingerprint)

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
        conv.updated_at = self.clock()
        if state == "resolved":
            conv.waiting_since = 0
        self._session_event("session:set_state", conv, state=state)

    def set_routing(self, conv: Conversation, user_id: str | None) -> None:
        previous = conv.assigned
        conv.assigned = user_id
        conv.updated_at = self.clock()
        # UNCONFIRMED: Crisp names the target `routing_id`; we also give `assigned` so a
        # consumer need not guess what the id means.
        self._session_event("session:set_routing", conv, routing_id=user_id,
                            previous_routing_id=previous,
                            assigned={"user_id": user_id} if user_id else None)

    def set_block(self, conv: Conversation, blocked: bool) -> None:
        conv.is_blocked = blocked
        conv.updated_at = self.clock()
        self._session_event("session:set_block", conv, is_blocked=blocked)

    def set_inbox(self, conv: Conversation, inbox_id: str | None) -> None:
        previous = conv.inbox_id
        conv.inbox_id = inbox_id
        conv.updated_at = self.clock()
        self._session_event("session:set_inbox", conv, inbox_id=inbox_id,
                            previous_inbox_id=previous)

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

    # ---- people -------------------------------------------------------------------------

    def _people_event(self, name: str, person: Person, **extra: Any) -> None:
        payload: dict[str, Any] = {"website_id": person.website_id, "people_id": person.people_id}
        payload.update(extra)
        self.emit(name, payload)

    def add_person(self, person: Person) -> None:
        self.people[person.people_id] = person
        if person.email:
            self.people_by_email[(person.website_id, person.email.lower())] = person.people_id
        self._people_event("people:profile:created", person, email=person.email)

    def update_person(self, person: Person, fields: dict[str, Any], *, replace: bool) -> None:
        if person.email:
            self.people_by_email.pop((person.website_id, person.email.lower()), None)
        for key in ("email", "segments", "notepad", "company"):
            if key in fields:
                setattr(person, key, fields[key])
            elif replace and key in ("segments", "notepad", "company"):
                setattr(person, key, [] if key == "segments" else {} if key == "company" else "")
        if "person" in fields:
            person.person = fields["person"] if replace else {**person.person, **fields["person"]}
        if "active" in fields and isinstance(fields["active"], dict):
            person.active_last = int(fields["active"].get("last", person.active_last))
        if person.email:
            self.people_by_email[(person.website_id, person.email.lower())] = person.people_id
        person.updated_at = self.clock()
        self._people_event("people:profile:updated", person, email=person.email,
                           update={"updated_at": person.updated_at, "person": person.person})

    def remove_person(self, person: Person) -> None:
        del self.people[person.people_id]
        if person.email:
            self.people_by_email.pop((person.website_id, person.email.lower()), None)
        self._people_event("people:profile:removed", person, email=person.email)

    def set_person_data(self, person: Person, data: dict[str, Any], *, replace: bool) -> None:
        person.data = dict(data) if replace else {**person.data, **data}
        person.updated_at = self.clock()
        self._people_event("people:profile:updated", person, email=person.email,
                           update={"updated_at": person.updated_at, "data": person.data})

    def add_person_event(self, person: Person, event: dict[str, Any]) -> dict[str, Any]:
        """Append ``{text, data, color}`` stamped now. Crisp sends no RTM event for this."""
        stamped = {**event, "timestamp": self.clock()}
        person.events.append(stamped)
        return stamped

    # ---- websites and plugin --------------------------------------------------------------

    def save_settings(self, website: Website, settings: dict[str, Any]) -> None:
        website.settings = settings
        website.updated_at = self.clock()
        self.emit("plugin:settings:saved", {"website_id": website.website_id,
                                            "plugin_id": self.token.plugin_id,
                                            "settings": settings})

    def set_subscribed(self, website: Website, bound: bool) -> None:
        if website.subscribed == bound:
            return
        now = self.clock()
        website.subscribed = bound
        website.updated_at = now
        if bound:
            self.removed_websites.pop(website.website_id, None)
            self.bound_websites[website.website_id] = now
        else:
            self.bound_websites.pop(website.website_id, None)
            self.removed_websites[website.website_id] = now
        self.emit("plugin:subscription:updated", {"website_id": website.website_id,
                                                  "plugin_id": self.token.plugin_id,
                                                  "bound": bound,
                                                  "target": website.website_id})

    def set_visitors_count(self, website: Website, count: int) -> None:
        website.visitors_count = count
        self.emit("website:update_visitors_count", {"website_id": website.website_id,
                                                    "visitors_count": count})

    def set_operator_availability(self, website_id: str, op: Operator, availability: str) -> None:
        op.availability = availability
        op.availability_since = self.clock()
        self.emit("website:update_operators_availability",
                  {"website_id": website_id, "user_id": op.user_id,
                   "availability": {"type": availability}})


def seeded_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))
