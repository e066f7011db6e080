"""JSON Schemas of the conversation and message request bodies (crisp-api.md §2.1, §2.2).

Crisp validates every body against a per-route schema and names the offending field in its
``invalid_data`` message; ``web.validate`` produces the same ajv-style wording from these.
Message contents are checked in a second step against ``CONTENT_SCHEMAS[type]`` (rooted at
``data.content``), which gives a cleaner message than an if/then chain inside one schema.

UNCONFIRMED choices (see sandbox/README.md): unknown top-level keys are rejected
(``additionalProperties: false``) so a typo in the console fails loudly; ``user.type`` accepts
``participant`` and ``website``; text and note contents must be non-empty.
"""

from __future__ import annotations

from typing import Any

MAX_FINGERPRINT = 2**53 - 1
MESSAGE_TYPES = ("text", "note", "file", "animation", "audio", "picker", "field", "carousel",
                 "event")
SENDERS = ("user", "operator")
STATES = ("pending", "unresolved", "resolved")

_STRING: dict[str, Any] = {"type": "string"}
_NONEMPTY: dict[str, Any] = {"type": "string", "minLength": 1}
_BOOL: dict[str, Any] = {"type": "boolean"}
_SCALAR: dict[str, Any] = {"type": ["string", "number", "boolean"]}
# chat, email, or a plugin URN such as urn:acme:crm:0.
_ORIGIN: dict[str, Any] = {"type": "string", "pattern": r"^(chat|email|urn:\S+)$"}


def _object(needed: tuple[str, ...], /, **properties: Any) -> dict[str, Any]:
    """A closed object schema (no keys beyond ``properties``); ``needed`` are required."""
    return {"type": "object", "required": list(needed), "properties": properties,
            "additionalProperties": False}


_PICKER_CHOICE = _object(
    ("value", "label", "selected"),
    value=_NONEMPTY, label=_STRING, selected=_BOOL, icon=_STRING,
    action=_object(("type", "target"), type=_STRING, target=_STRING),
)
_CAROUSEL_TARGET = _object(
    ("title", "description", "actions"),
    title=_STRING, description=_STRING, image=_STRING,
    actions={"type": "array", "items": _object(("label", "url"), label=_STRING, url=_STRING)},
)

CONTENT_SCHEMAS: dict[str, dict[str, Any]] = {
    "text": _NONEMPTY,
    "note": _NONEMPTY,
    "file": _object(("name", "url", "type"), name=_NONEMPTY, url=_NONEMPTY, type=_NONEMPTY),
    "animation": _object(("url", "type"), url=_NONEMPTY, type=_NONEMPTY),
    "audio": _object(("url", "type", "duration"), url=_NONEMPTY, type=_NONEMPTY,
                     duration={"type": "number", "minimum": 0}),
    "picker": _object(("id", "text", "choices"), id=_NONEMPTY, text=_STRING,
                      choices={"type": "array", "minItems": 1, "items": _PICKER_CHOICE},
                      required=_BOOL),
    "field": _object(("id", "text", "explain"), id=_NONEMPTY, text=_STRING, explain=_STRING,
                     value=_STRING, required=_BOOL),
    "carousel": _object(("text", "targets"), text=_STRING,
                        targets={"type": "array", "minItems": 1, "items": _CAROUSEL_TARGET}),
    "event": _object(("namespace",), namespace=_NONEMPTY, text=_STRING),
}

_MESSAGE_USER = _object(
    (),
    type={"enum": ["participant", "website"]},
    nickname=_STRING, avatar=_STRING, user_id=_NONEMPTY,
)

SEND_MESSAGE: dict[str, Any] = _object(
    ("type", "from", "origin", "content"),
    type={"enum": list(MESSAGE_TYPES)},
    **{"from": {"enum": list(SENDERS)}},
    origin=_ORIGIN,
    content={},  # shape checked per type against CONTENT_SCHEMAS
    fingerprint={"type": "integer", "minimum": 1, "maximum": MAX_FINGERPRINT},
    user=_MESSAGE_USER,
    mentions={"type": "array", "items": _NONEMPTY},
    references={"type": "array",
                "items": _object(("type", "name", "target"), type=_STRING, name=_STRING,
                                 target=_STRING)},
    original=_object(("original_id",), original_id=_NONEMPTY),
    properties={"type": "object", "additionalProperties": _SCALAR},
    timestamp={"type": "integer", "minimum": 0},
    stealth=_BOOL,
    translated=_BOOL,
    automated=_BOOL,
)

UPDATE_MESSAGE: dict[str, Any] = _object(("content",), content={})

CREATE_CONVERSATION: dict[str, Any] = {"type": "object"}  # node and python send {}

COMPOSE: dict[str, Any] = _object(
    ("type", "from"),
    type={"enum": ["start", "stop"]},
    **{"from": {"enum": list(SENDERS)}},
    excerpt=_STRING, stealth=_BOOL, automated=_BOOL,
)

ACKNOWLEDGE: dict[str, Any] = _object(
    ("from", "origin"),
    **{"from": {"enum": list(SENDERS)}},
    origin=_ORIGIN,
    fingerprints={"type": "array",
                  "items": {"type": "integer", "minimum": 1, "maximum": MAX_FINGERPRINT}},
)

MARK_UNREAD: dict[str, Any] = _object(("from",), **{"from": {"enum": list(SENDERS)}})

_ACTOR = _object((), type=_STRING, user_id=_STRING, nickname=_STRING, avatar=_STRING)

CHANGE_STATE: dict[str, Any] = _object(("state",), state={"enum": list(STATES)}, user=_ACTOR,
                                       origin=_STRING)

ASSIGN_ROUTING: dict[str, Any] = _object(
    ("assigned",),
    assigned={"oneOf": [{"type": "null"}, _object(("user_id",), user_id=_NONEMPTY)]},
    silent=_BOOL,
)

BLOCK: dict[str, Any] = _object(("blocked",), blocked=_BOOL, user=_ACTOR, origin=_STRING)

MAX_REMINDER_NOTE = 1000
# node crisp-api sends {date, note, user?, origin?}; `date` is parsed in sandbox/reminders.py.
REMINDER: dict[str, Any] = _object(
    ("date", "note"),
    date=_NONEMPTY,
    note={"type": "string", "minLength": 1, "maxLength": MAX_REMINDER_NOTE},
    user=_ACTOR, origin=_STRING,
)

UPDATE_INBOX: dict[str, Any] = _object(("inbox_id",),
                                       inbox_id={"type": ["string", "null"], "minLength": 1})

_DEVICE = {"type": "object"}  # free-form: geolocation, system, timezone, locales, capabilities

UPDATE_META: dict[str, Any] = _object(
    (),
    nickname=_STRING,
    # Deliberately loose (one @, a dot in the domain): Crisp's exact rule is unknown.
    email={"type": "string", "pattern": r"^[^@\s]+@[^@\s]+\.[^@\s]+$"},
    avatar=_STRING, ip=_STRING, phone=_STRING, address=_STRING, subject=_STRING,
    origin=_STRING,
    segments={"type": "array", "items": _NONEMPTY},
    data={"type": "object", "additionalProperties": _SCALAR},
    device=_DEVICE,
)

# search_query of search_type=filter, once parsed from JSON.
FILTER_OPERATORS = ("eq", "neq", "gt", "gte", "lt", "lte", "has", "has_not")
SEARCH_FILTER: dict[str, Any] = {
    "type": "array",
    "items": _object(
        ("criterion", "operator", "query"),
        criterion=_NONEMPTY,
        operator={"enum": list(FILTER_OPERATORS)},
        query={"type": "array", "items": _SCALAR},
        model=_STRING,
    ),
}
