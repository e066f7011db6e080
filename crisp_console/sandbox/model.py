"""Sandbox entities: slotted records with ``to_payload()`` producing Crisp's wire shapes.

They are slotted because the sandbox keeps up to a million messages in memory; shared
strings (contents drawn from a phrase pool, user dicts per participant) keep the rest small.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from crisp_console.types import (
    ConversationPayload,
    MessagePayload,
    OperatorPayload,
    PeopleProfilePayload,
    WebsitePayload,
)

# Crisp's numeric mirror of the state (UNCONFIRMED; see sandbox/README.md).
STATE_STATUS = {"pending": 0, "unresolved": 1, "resolved": 2}
Shape = TypeVar("Shape")


def wire(record: object, shape: type[Shape], **values: Any) -> Shape:
    """The payload ``shape`` (a TypedDict of types/) of ``record``: each key it declares, in its
    order, from ``values`` or else from the record's attribute of that name, so the TypedDict
    is the one list of what the payload carries."""
    keys = shape.__annotations__
    return cast(Shape, {key: values[key] if key in values else getattr(record, key)
                        for key in keys})


@dataclass(slots=True)
class Website:
    website_id: str
    name: str
    domain: str
    logo: str
    subscribed: bool
    settings: dict[str, Any]
    created_at: int
    updated_at: int
    plan: dict[str, Any]
    visitors_count: int = 0
    verified: bool = True
    token: str = ""

    def to_payload(self) -> WebsitePayload:
        return wire(self, WebsitePayload, institutional=False)


@dataclass(slots=True)
class Operator:
    user_id: str
    email: str
    first_name: str
    last_name: str
    avatar: str
    role: str
    title: str
    availability: str = "online"
    availability_since: int = 0

    @property
    def nickname(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def user(self) -> dict[str, Any]:
        return {"type": "website", "user_id": self.user_id, "nickname": self.nickname,
                "avatar": self.avatar}

    def to_payload(self) -> OperatorPayload:
        return {
            "type": "sandbox",
            "details": {
                "user_id": self.user_id,
                "email": self.email,
                "avatar": self.avatar,
                "first_name": self.first_name,
                "last_name": self.last_name,
                "role": self.role,
                "title": self.title,
                "availability": self.availability,
                "has_token": False,
            },
        }


@dataclass(slots=True, kw_only=True)
class Person:
    # Where and when first, then the profile's card (always built by keyword).
    people_id: str
    website_id: str
    created_at: int
    updated_at: int
    active_last: int
    score: int
    email: str
    notepad: str
    segments: list[str]
    person: dict[str, Any]
    company: dict[str, Any]
    data: dict[str, Any] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    sessions: list[str] = field(default_factory=list)

    def to_payload(self) -> PeopleProfilePayload:
        return wire(self, PeopleProfilePayload, segments=list(self.segments),
                    active={"now": False, "last": self.active_last})


@dataclass(slots=True, kw_only=True, eq=False)
class Message:
    """One message. ``eq=False``: messages compare by identity (``Conversation.drop`` removes
    this one, never an equal twin); the read/delivered marks and flags start unset."""

    type: str
    from_: str
    origin: str
    content: Any
    fingerprint: int
    timestamp: int
    user: dict[str, Any]
    mentions: list[str] | None = None
    automated: bool = False
    translated: bool = False
    references: list[dict[str, Any]] | None = None
    properties: dict[str, Any] | None = None
    read: str = field(default="", init=False)
    delivered: str = field(default="", init=False)
    edited: bool = field(default=False, init=False)
    stamped: bool = field(default=True, init=False)

    def to_payload(self, website_id: str, session_id: str) -> MessagePayload:
        payload: MessagePayload = {
            "session_id": session_id,
            "website_id": website_id,
            "type": self.type,
            "from": self.from_,  # type: ignore[typeddict-item]
            "origin": self.origin,
            "content": self.content,
            "fingerprint": self.fingerprint,
            "timestamp": self.timestamp,
            "user": self.user,  # type: ignore[typeddict-item]
            "read": self.read,
            "delivered": self.delivered,
            "edited": self.edited,
            "translated": self.translated,
            "automated": self.automated,
            "stamped": self.stamped,
            "mentions": list(self.mentions or ()),
        }
        if self.references:
            payload["references"] = self.references
        if self.properties:
            payload["properties"] = self.properties
        return payload

    def excerpt(self) -> str:
        return excerpt_of(self.type, self.content)


def excerpt_of(kind: str, content: Any) -> str:
    """The short text Crisp shows in lists for a message of any type."""
    if isinstance(content, str):
        text = content
    elif kind == "file":
        text = f"[file] {content.get('name', '')}"
    elif kind == "animation":
        text = "[animation]"
    elif kind == "audio":
        text = "[audio]"
    elif kind == "event":
        text = f"[event] {content.get('namespace', '')}"
    elif isinstance(content, dict):
        text = str(content.get("text", f"[{kind}]"))
    else:
        text = f"[{kind}]"
    return text[:200]


def index_fingerprints(messages: list[Message]) -> dict[int, Message]:
    """``Conversation.by_fp`` for an ordered history: fingerprint -> the FIRST message in
    history order that has it (two may share one under duplicate_fingerprints)."""
    return {m.fingerprint: m for m in reversed(messages)}


@dataclass(slots=True)
class Conversation:
    session_id: str
    website_id: str
    people_id: str
    state: str
    created_at: int
    updated_at: int
    meta: dict[str, Any]
    inbox_id: str | None = None
    is_verified: bool = False
    is_blocked: bool = False
    availability: str = "offline"
    active_last: int = 0
    topic: str = ""
    assigned: str | None = None
    waiting_since: int = 0
    unread_operator: int = 0
    unread_visitor: int = 0
    mentions: list[str] = field(default_factory=list)
    compose: dict[str, dict[str, Any]] = field(default_factory=dict)
    messages: list[Message] = field(default_factory=list)
    # fingerprint -> message; with twins, the first in history order (index_fingerprints)
    by_fp: dict[int, Message] = field(default_factory=dict)
    pages: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    files: list[dict[str, Any]] = field(default_factory=list)
    visitor: dict[str, Any] = field(default_factory=dict)
    # Schedule A Reminder: {date, note, user, origin, created_at, fired_at} (sandbox/reminders.py)
    reminders: list[dict[str, Any]] = field(default_factory=list)

    def last(self) -> Message | None:
        return self.messages[-1] if self.messages else None

    def index(self, msg: Message) -> None:
        """Name a message just added to ``messages`` in ``by_fp``, unless a twin with its
        fingerprint comes earlier in history order (duplicate_fingerprints)."""
        first = self.by_fp.get(msg.fingerprint)
        if first is None or first.timestamp > msg.timestamp:
            self.by_fp[msg.fingerprint] = msg

    def drop(self, msg: Message) -> None:
        """Remove a message and its file entry; a twin, if any, takes its place in by_fp."""
        fp = msg.fingerprint
        self.messages.remove(msg)  # by identity: Message is eq=False
        if self.by_fp.get(fp) is msg:
            twin = next((m for m in self.messages if m.fingerprint == fp), None)
            if twin is None:
                del self.by_fp[fp]
            else:
                self.by_fp[fp] = twin
        entry = next((f for f in self.files
                      if f["fingerprint"] == fp and f["timestamp"] == msg.timestamp), None)
        if entry is not None:  # this message's entry only: a twin keeps its own
            self.files.remove(entry)

    def to_payload(self) -> ConversationPayload:
        last = self.last()
        payload: ConversationPayload = {
            "session_id": self.session_id,
            "website_id": self.website_id,
            "inbox_id": self.inbox_id,
            "people_id": self.people_id,
            "state": self.state,  # type: ignore[typeddict-item]
            "status": STATE_STATUS[self.state],
            "is_verified": self.is_verified,
            "is_blocked": self.is_blocked,
            "availability": self.availability,  # type: ignore[typeddict-item]
            "active": {"now": self.availability == "online", "last": self.active_last},
            "last_message": last.excerpt() if last else "",
            "topic": self.topic,
            "verifications": [],
            "participants": [],
            "mentions": list(self.mentions),
            "compose": dict(self.compose),  # type: ignore[arg-type]
            "unread": {"operator": self.unread_operator, "visitor": self.unread_visitor},
            "assigned": {"user_id": self.assigned} if self.assigned else {},
            "meta": self.meta,  # type: ignore[typeddict-item]
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }
        if last is not None:
            payload["preview_message"] = {
                "type": last.type,
                "from": last.from_,  # type: ignore[typeddict-item]
                "excerpt": last.excerpt(),
                "fingerprint": last.fingerprint,
            }
        if self.waiting_since:
            payload["waiting_since"] = self.waiting_since
        return payload
