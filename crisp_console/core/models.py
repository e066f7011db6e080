"""Domain objects: slotted dataclasses built from wire payloads and updated in place.

``from_payload()`` builds an object (PayloadError when an identity field is missing or out
of range); ``fields_from_payload()`` gives only the fields a (partial) payload carries, which
is what ``apply_update()`` takes. Every value goes through parse.py's limits first.
``apply_update()`` returns the names of the fields that really changed, so observers repaint
only those; it checks each value's type and range first (updatable.py).
"""

from __future__ import annotations

import enum
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from crisp_console.core import parse as p
from crisp_console.core.sharing import Sharer
from crisp_console.core.updatable import Updatable, model

STATES = frozenset(("pending", "unresolved", "resolved"))
SENDERS = frozenset(("user", "operator"))
EXCERPT_LENGTH = p.MAX_EXCERPT


def excerpt_of(kind: str, content: Any) -> str:
    """The short text Crisp shows in lists for a message of any type (as the sandbox does)."""
    if isinstance(content, str):
        text = content
    elif kind in ("animation", "audio") or not isinstance(content, Mapping):
        text = f"[{kind}]"
    elif kind == "file":
        text = f"[file] {_str_of(content.get('name'))}"
    elif kind == "event":
        text = f"[event] {_str_of(content.get('namespace'))}"
    else:
        value = content.get("text")
        text = value if isinstance(value, str) else f"[{kind}]"
    return p.text(text, EXCERPT_LENGTH)


def _str_of(value: Any) -> str:
    """A string from content, "" for anything else (str() of a hostile object is unbounded)."""
    return value[:EXCERPT_LENGTH] if isinstance(value, str) else ""


def compose_excerpt(atom: Any) -> str | None:
    """A REST ``compose`` atom as our field: its excerpt, "" when typing without one."""
    if not isinstance(atom, Mapping) or atom.get("type") == "stop":
        return None
    return p.opt_str(atom, "excerpt", limit=EXCERPT_LENGTH)


# ---- websites, operators, people -------------------------------------------------------------


@model("website_id")
class Website(Updatable):
    website_id: str
    name: str = ""
    domain: str = ""
    settings: dict[str, Any] = field(default_factory=dict)
    subscribed: bool = True
    visitors_count: int = 0
    logo: str = ""

    @classmethod
    def fields_from_payload(cls, payload: Mapping[str, Any]) -> dict[str, Any]:
        """Get A Website gives name/domain/logo, Connect Websites gives settings: merge both."""
        out: dict[str, Any] = {}
        for key in ("name", "domain"):
            if isinstance(payload.get(key), str):
                out[key] = p.opt_str(payload, key)
        if isinstance(payload.get("logo"), str):
            out["logo"] = p.opt_url(payload, "logo")
        if isinstance(payload.get("settings"), Mapping):
            out["settings"] = p.json_object(payload["settings"])
        if isinstance(payload.get("subscribed"), bool):
            out["subscribed"] = payload["subscribed"]
        if "visitors_count" in payload:
            out["visitors_count"] = p.opt_count(payload, "visitors_count")
        return out

    @classmethod
    def from_payload(cls, payload: Any) -> Website:
        payload = p.obj(payload)
        return cls(p.req_id(payload, "website_id"), **cls.fields_from_payload(payload))


@model("user_id")
class Operator(Updatable):
    user_id: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    avatar: str = ""
    role: str = ""
    availability: str = "offline"
    title: str = ""

    @property
    def nickname(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @classmethod
    def from_payload(cls, payload: Any) -> Operator:
        """From a List Website Operators item ``{type, details}`` (or the bare details)."""
        payload = p.obj(payload)
        details = p.obj(payload.get("details", payload), "details")
        return cls(
            user_id=p.req_id(details, "user_id"),
            first_name=p.opt_str(details, "first_name"),
            last_name=p.opt_str(details, "last_name"),
            email=p.opt_str(details, "email"),
            avatar=p.opt_url(details, "avatar"),
            role=p.interned(p.opt_str(details, "role")),
            title=p.opt_str(details, "title"),
            availability=p.interned(p.opt_str(details, "availability", "offline")),
        )


@dataclass(slots=True, kw_only=True)
class Contact(Updatable):
    """Who someone is, as the console shows them: a people profile's card, and the one a
    conversation lifts out of its meta (LIFTED_META). Keyword-only, after the subclass's own
    fields."""

    nickname: str = ""
    email: str = ""
    avatar: str = ""
    segments: tuple[str, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)


# Meta keys the Conversation lifts into fields of their own; the rest stays in ``meta``.
LIFTED_META = tuple(f.name for f in fields(Contact))


@model("people_id")
class Person(Contact):
    people_id: str
    website_id: str = ""
    company: dict[str, Any] = field(default_factory=dict)
    person: dict[str, Any] = field(default_factory=dict)
    notepad: str = ""
    score: int = 0
    active_last: int = 0
    created_at: int = 0
    updated_at: int = 0

    @classmethod
    def fields_from_payload(cls, payload: Mapping[str, Any]) -> dict[str, Any]:
        """The fields a (partial) People Profile carries, e.g. an event's ``update`` object."""
        out: dict[str, Any] = {}
        if isinstance(payload.get("website_id"), str):
            out["website_id"] = p.opt_id(payload["website_id"])
        if isinstance(payload.get("email"), str):
            out["email"] = p.opt_str(payload, "email")
        if isinstance(payload.get("notepad"), str):
            out["notepad"] = p.opt_str(payload, "notepad", limit=p.MAX_TEXT)
        if "score" in payload:
            out["score"] = p.opt_count(payload, "score", -p.MAX_COUNT)
        for key in ("created_at", "updated_at"):
            if key in payload:
                out[key] = p.opt_timestamp(payload, key)
        if "segments" in payload:
            out["segments"] = tuple(p.str_list(payload["segments"]))
        for key in ("data", "company", "person"):
            if isinstance(payload.get(key), Mapping):
                out[key] = p.json_object(payload[key])
        if "person" in out:
            out["nickname"] = p.opt_str(out["person"], "nickname")
            out["avatar"] = p.opt_url(out["person"], "avatar")
        if isinstance(payload.get("active"), Mapping):
            out["active_last"] = p.opt_timestamp(payload["active"], "last")
        return out

    @classmethod
    def from_payload(cls, payload: Any, website_id: str = "") -> Person:
        payload = p.obj(payload)
        values = cls.fields_from_payload(payload)
        values.setdefault("website_id", p.opt_id(website_id))
        return cls(p.req_id(payload, "people_id"), **values)


# ---- messages --------------------------------------------------------------------------------


class MessageStatus(enum.Enum):
    SENT = "sent"  # the server has it (any message that came from the server)
    PENDING = "pending"  # local echo, waiting for the server's echo
    FAILED = "failed"  # local echo whose send failed; ``error`` says why
    # Local echo waiting for the connection (REST unreachable, quota spent): it goes out by
    # itself when the connection is back; ``error`` may say why it waits. Not a failure.
    QUEUED = "queued"


# Message keys with a field of their own; other truthy keys go to ``extra``.
_MESSAGE_KEYS = frozenset((
    "session_id", "website_id", "inbox_id", "type", "from", "origin", "content", "fingerprint",
    "timestamp", "user", "read", "delivered", "edited", "automated", "stamped", "translated",
))


@model("fingerprint", "session_id", "website_id")
class Message(Updatable):
    fingerprint: int
    session_id: str
    website_id: str
    type: str
    from_: str
    origin: str = "chat"
    content: Any = ""
    timestamp: int = 0
    user_id: str = ""
    nickname: str = ""
    edited: bool = False
    read: str = ""  # the acknowledging origin ("chat"), "" until read
    delivered: str = ""
    status: MessageStatus = MessageStatus.SENT
    error: str | None = None  # why a FAILED local echo failed (or a QUEUED one waits)
    avatar: str = ""
    automated: bool = False
    # Rarely set keys (mentions, references, properties, preview, original, translated).
    extra: dict[str, Any] | None = None

    @property
    def is_pending(self) -> bool:
        return self.status is not MessageStatus.SENT

    @property
    def counts_as_unread(self) -> bool:
        """Notes and events move no unread counter (sandbox/state.py add_message)."""
        return self.type not in ("note", "event")

    def excerpt(self) -> str:
        return excerpt_of(self.type, self.content)

    def sort_key(self) -> tuple[bool, int]:
        """Timeline order: sent messages by timestamp, then unsent local echoes (pending or
        failed), so they stay at the bottom. Equal keys keep the server's order (arrival
        order; REST pages are oldest first): a fingerprint says nothing about order."""
        return (self.status is not MessageStatus.SENT, self.timestamp)

    @classmethod
    def fields_from_payload(cls, payload: Mapping[str, Any]) -> dict[str, Any]:
        """Every field but the identity (fingerprint, session_id, website_id)."""
        user = payload.get("user")
        user = user if isinstance(user, Mapping) else {}
        extra = p.json_object({k: payload[k] for k in payload.keys() - _MESSAGE_KEYS
                               if isinstance(k, str) and payload[k]})
        return {
            "type": p.interned(p.req_str(payload, "type")),
            "from_": p.req_choice(payload, "from", SENDERS),
            "origin": p.interned(p.opt_str(payload, "origin", "chat")),
            "content": content_of(payload.get("content", "")),
            "timestamp": p.req_timestamp(payload),
            # A conversation's messages come from a handful of people: one copy each.
            "user_id": sys.intern(p.opt_id(user.get("user_id"))),
            "nickname": sys.intern(p.opt_str(user, "nickname")),
            "avatar": sys.intern(p.opt_url(user, "avatar")),
            "edited": p.opt_bool(payload, "edited"),
            "automated": p.opt_bool(payload, "automated"),
            "read": p.interned(p.opt_str(payload, "read")),
            "delivered": p.interned(p.opt_str(payload, "delivered")),
            "extra": extra or None,
        }

    def field_values(self) -> dict[str, Any]:
        """The server-given fields (no identity, no local status), for ``apply_update()``."""
        return {name: getattr(self, name) for name in _MESSAGE_VALUES}

    @classmethod
    def from_payload(cls, payload: Any, session_id: str = "", website_id: str = "") -> Message:
        """From a REST ConversationMessage or an RTM ``message:send``/``received`` payload;
        ``session_id``/``website_id`` fill in for payloads that lack them."""
        payload = p.obj(payload)
        return cls(
            fingerprint=p.req_fingerprint(payload),
            session_id=p.opt_id(payload.get("session_id")) or p.opt_id(session_id),
            website_id=p.opt_id(payload.get("website_id")) or p.opt_id(website_id),
            **cls.fields_from_payload(payload),
        )


def content_of(value: Any) -> Any:
    """A message's content as kept: text up to MAX_TEXT characters, structured content
    (file, picker, event…) as safe free-form JSON with strings up to MAX_TEXT too."""
    return p.json_value(value, p.MAX_TEXT)


_MESSAGE_VALUES = tuple(f.name for f in fields(Message)
                        if f.name not in (*Message.IDENTITY, "status", "error"))


# ---- conversations ---------------------------------------------------------------------------


@model("session_id")
class Conversation(Contact):
    session_id: str
    website_id: str
    people_id: str = ""
    inbox_id: str | None = None
    state: str = "pending"
    last_message: str = ""  # excerpt of the last message
    last_from: str = ""  # "user" | "operator" | ""
    last_type: str = ""
    last_fingerprint: int = 0
    created_at: int = 0
    updated_at: int = 0
    waiting_since: int = 0  # 0: not waiting for an operator
    unread_operator: int = 0  # visitor messages operators have not read
    unread_visitor: int = 0  # operator messages the visitor has not read
    assigned: str | None = None  # user_id of the assigned operator
    is_blocked: bool = False
    availability: str = "offline"  # the visitor's: "online" | "offline"
    mentions: tuple[str, ...] = ()
    compose_visitor: str | None = None  # None: not typing; else the excerpt ("" if unknown)
    compose_operator: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)  # the other meta keys (phone, ip, …)

    @classmethod
    def from_payload(cls, payload: Any, sharer: Sharer | None = None) -> Conversation:
        """From a REST Conversation (List Conversations / Get A Conversation); ``sharer``
        shares the heavy meta values (device, connection) with other conversations."""
        payload = p.obj(payload)
        meta = p.json_object(payload.get("meta"))  # one walk for every meta value
        preview = payload.get("preview_message")
        preview = preview if isinstance(preview, Mapping) else {}
        unread = payload.get("unread")
        unread = unread if isinstance(unread, Mapping) else {}
        assigned = payload.get("assigned")
        compose = payload.get("compose")
        compose = compose if isinstance(compose, Mapping) else {}
        state = payload.get("state")
        return cls(
            session_id=p.req_id(payload, "session_id"),
            website_id=sys.intern(p.req_id(payload, "website_id")),
            people_id=p.opt_id(payload.get("people_id")),
            inbox_id=p.opt_str_or_none(payload.get("inbox_id")),
            state=sys.intern(state) if isinstance(state, str) and state in STATES else "pending",
            nickname=p.opt_str(meta, "nickname"),
            email=p.opt_str(meta, "email"),
            avatar=p.opt_url(meta, "avatar"),
            segments=tuple(p.str_list(meta.get("segments"))),
            data=meta["data"] if isinstance(meta.get("data"), dict) else {},
            last_message=p.opt_str(payload, "last_message", limit=EXCERPT_LENGTH),
            last_from=p.interned(p.opt_str(preview, "from")),
            last_type=p.interned(p.opt_str(preview, "type")),
            last_fingerprint=p.opt_fingerprint(preview),
            created_at=p.opt_timestamp(payload, "created_at"),
            updated_at=p.opt_timestamp(payload, "updated_at"),
            waiting_since=p.opt_timestamp(payload, "waiting_since"),
            unread_operator=p.opt_count(unread, "operator"),
            unread_visitor=p.opt_count(unread, "visitor"),
            assigned=(p.opt_str_or_none(assigned.get("user_id"))
                      if isinstance(assigned, Mapping) else None),
            is_blocked=p.opt_bool(payload, "is_blocked"),
            availability=p.interned(p.opt_str(payload, "availability", "offline")),
            mentions=tuple(p.id_list(payload.get("mentions"))),
            compose_visitor=compose_excerpt(compose.get("visitor")),
            compose_operator=compose_excerpt(compose.get("operator")),
            meta=_rest_of_meta(meta, sharer),
        )

    def field_values(self) -> dict[str, Any]:
        """Every field but the identity, as ``apply_update()`` takes them."""
        return {name: getattr(self, name) for name in _CONVERSATION_VALUES}


def _rest_of_meta(meta: Mapping[str, Any], sharer: Sharer | None) -> dict[str, Any]:
    rest = {k: v for k, v in meta.items() if k not in LIFTED_META}
    if isinstance(rest.get("origin"), str):
        rest["origin"] = p.interned(rest["origin"])
    return sharer.meta(rest) if sharer is not None else rest


_CONVERSATION_VALUES = tuple(f.name for f in fields(Conversation) if f.name != "session_id")
