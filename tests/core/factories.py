"""Payload factories shaped exactly like the sandbox's (sandbox/model.py ``to_payload()`` and
the ``emit(...)`` calls of sandbox/state.py), so core tests need no server.

Every factory takes keyword overrides; ``None`` values are kept (to test nulls), and a key
can be dropped with ``drop=("key", ...)``.
"""

from __future__ import annotations

import itertools
from typing import Any

WEBSITE = "8c842203-7ed8-4e29-a608-7cf78a7d2fcc"
OTHER_WEBSITE = "d8a06c5c-60a8-4cd0-8d54-3a1e4b4f7e8b"
OPERATOR = "f5b9e1d4-3c1a-4a0e-9a53-5e9f3ad1c2b7"
BASE_TIME = 1_700_000_000_000

_fp = itertools.count(100_000_000_000_000)
_sid = itertools.count(1)


def fingerprint() -> int:
    return next(_fp)


def session_id() -> str:
    return f"session_{next(_sid):08d}-0000-4000-8000-000000000000"


def _finish(payload: dict[str, Any], overrides: dict[str, Any],
            drop: tuple[str, ...]) -> dict[str, Any]:
    payload.update(overrides)
    for key in drop:
        payload.pop(key, None)
    return payload


def operator_user(user_id: str = OPERATOR, nickname: str = "Ada Lovelace") -> dict[str, Any]:
    return {"type": "website", "user_id": user_id, "nickname": nickname,
            "avatar": "https://avatars.example/ada.png"}


def visitor_user(sid: str, nickname: str = "visitor1") -> dict[str, Any]:
    return {"type": "participant", "user_id": sid, "nickname": nickname}


def conversation(sid: str | None = None, *, drop: tuple[str, ...] = (),
                 **overrides: Any) -> dict[str, Any]:
    """A REST Conversation (List Conversations item / Get A Conversation)."""
    sid = sid or session_id()
    last_fp = fingerprint()
    return _finish({
        "session_id": sid,
        "website_id": WEBSITE,
        "inbox_id": None,
        "people_id": "3c1f2b6e-6f0a-4c8e-b5d2-8a9e0c1d2e3f",
        "state": "unresolved",
        "status": 1,
        "is_verified": False,
        "is_blocked": False,
        "availability": "offline",
        "active": {"now": False, "last": BASE_TIME},
        "last_message": "Hello, I have a question",
        "topic": "",
        "verifications": [],
        "participants": [],
        "mentions": [],
        "compose": {},
        "unread": {"operator": 1, "visitor": 0},
        "assigned": {},
        "meta": {
            "nickname": "Grace Hopper",
            "email": "grace@example.com",
            "phone": "+33600000000",
            "avatar": "https://avatars.example/grace.png",
            "ip": "10.1.2.3",
            "subject": "Billing",
            "origin": "chat",
            "segments": ["customer", "vip"],
            "data": {"cart_total": 42},
            "device": {
                "capabilities": ["browsing", "call"],
                "geolocation": {"country": "FR", "region": "IDF", "city": "Paris",
                                "coordinates": {"latitude": 48.85, "longitude": 2.35}},
                "system": {"os": {"name": "Linux", "version": "6"},
                           "engine": {"name": "Blink", "version": "120"},
                           "browser": {"name": "Chrome", "version": "120", "major": "120"},
                           "useragent": "Mozilla/5.0 (X11; Linux x86_64)"},
                "timezone": -60,
                "locales": ["fr", "en"],
            },
            "connection": {"isp": "Orange", "asn": "AS3215"},
        },
        "created_at": BASE_TIME - 3_600_000,
        "updated_at": BASE_TIME,
        "preview_message": {"type": "text", "from": "user",
                            "excerpt": "Hello, I have a question", "fingerprint": last_fp},
        "waiting_since": BASE_TIME,
    }, overrides, drop)


def message(sid: str, *, drop: tuple[str, ...] = (), **overrides: Any) -> dict[str, Any]:
    """A REST ConversationMessage; ``from_`` picks the sender (``user`` by default)."""
    sender = overrides.pop("from_", "user")
    user = visitor_user(sid) if sender == "user" else operator_user()
    return _finish({
        "session_id": sid,
        "website_id": WEBSITE,
        "type": "text",
        "from": sender,
        "origin": "chat",
        "content": "Hello, I have a question",
        "fingerprint": fingerprint(),
        "timestamp": BASE_TIME,
        "user": user,
        "read": "",
        "delivered": "",
        "edited": False,
        "translated": False,
        "automated": False,
        "stamped": True,
        "mentions": [],
    }, overrides, drop)


def message_event(sid: str, *, drop: tuple[str, ...] = (), **overrides: Any) -> dict[str, Any]:
    """``message:send``/``message:received``: the stored message plus ``inbox_id``."""
    payload = message(sid, **overrides)
    payload.setdefault("inbox_id", None)
    for key in drop:
        payload.pop(key, None)
    return payload


def session_event(sid: str, *, website_id: str = WEBSITE, **extra: Any) -> dict[str, Any]:
    """Any ``session:*`` / ``message:*`` event of ``SandboxState._session_event``."""
    return {"website_id": website_id, "session_id": sid, "inbox_id": None, **extra}


def compose_event(sid: str, kind: str = "start", excerpt: str | None = "Hel",
                  operator: bool = False) -> dict[str, Any]:
    extra: dict[str, Any] = {"type": kind, "timestamp": BASE_TIME, "automated": False}
    if excerpt is not None:
        extra["excerpt"] = excerpt
    if operator:
        extra["user"] = operator_user()
    return session_event(sid, **extra)


def ack_event(sid: str, fingerprints: list[int], origin: str = "chat") -> dict[str, Any]:
    return session_event(sid, origin=origin, fingerprints=fingerprints)


def website(website_id: str = WEBSITE, **overrides: Any) -> dict[str, Any]:
    """Get A Website."""
    return {"website_id": website_id, "name": "Acme", "domain": "acme.example",
            "logo": "https://logos.example/acme.png", "verified": True,
            "institutional": False, **overrides}


def connect_website(website_id: str = WEBSITE, **overrides: Any) -> dict[str, Any]:
    """A List All Connect Websites item."""
    return {"website_id": website_id, "token": "t0k3n", "settings": {"greeting": "hi"},
            **overrides}


def operator(user_id: str = OPERATOR, **details: Any) -> dict[str, Any]:
    """A List Website Operators item."""
    return {"type": "sandbox", "details": {
        "user_id": user_id, "email": "ada@team.example", "avatar": "", "first_name": "Ada",
        "last_name": "Lovelace", "role": "owner", "title": "CTO", "availability": "online",
        "has_token": False, **details}}


def profile(people_id: str = "3c1f2b6e-6f0a-4c8e-b5d2-8a9e0c1d2e3f",
            **overrides: Any) -> dict[str, Any]:
    """A People Profile (REST)."""
    return {
        "people_id": people_id,
        "email": "grace@example.com",
        "person": {"nickname": "Grace Hopper", "avatar": "https://avatars.example/g.png",
                   "geolocation": {"country": "US"}},
        "company": {"name": "Navy"},
        "segments": ["customer"],
        "notepad": "",
        "active": {"now": False, "last": BASE_TIME},
        "score": 3,
        "created_at": BASE_TIME - 10,
        "updated_at": BASE_TIME,
        **overrides,
    }


def event_payloads(sid: str, fp: int) -> dict[str, dict[str, Any]]:
    """A valid payload of every RTM event the store handles, about conversation ``sid`` and
    its message ``fp`` (the world of test_malformed.py: WEBSITE, OPERATOR, person "p")."""
    ack = ack_event(sid, [fp])
    return {
        "message:send": message_event(sid, timestamp=BASE_TIME + 5),
        "message:received": message_event(sid, from_="operator", timestamp=BASE_TIME + 6),
        "message:updated": session_event(sid, fingerprint=fp, content="x"),
        "message:removed": session_event(sid, fingerprint=fp),
        "message:compose:send": compose_event(sid),
        "message:compose:receive": compose_event(sid, operator=True),
        "message:acknowledge:read:send": ack,
        "message:acknowledge:read:received": ack,
        "message:acknowledge:delivered": ack,
        "message:acknowledge:unread:send": ack,
        "session:set_state": session_event(sid, state="resolved"),
        "session:set_routing": session_event(sid, routing_id=OPERATOR),
        "session:set_block": session_event(sid, is_blocked=True),
        "session:set_inbox": session_event(sid, inbox_id="i"),
        **{f"session:set_{k}": session_event(sid, **{k: "v"}) for k in (
            "email", "nickname", "phone", "address", "subject", "avatar", "origin")},
        "session:set_segments": session_event(sid, segments=["s"]),
        "session:set_data": session_event(sid, data={"k": 1}),
        "session:removed": session_event(sid),
        "session:update_availability": session_event(sid, availability="online"),
        "session:sync:pages": session_event(sid, pages=[]),
        "session:sync:geolocation": session_event(sid, geolocation={"country": "FR"}),
        "session:sync:system": session_event(sid, system={"os": {"name": "Linux"}}),
        "session:sync:timezone": session_event(sid, timezone={"offset": 60}),
        "session:sync:locales": session_event(sid, locales={"locales": ["fr", "en"]}),
        "session:sync:network": session_event(sid, network={"ip": "192.0.2.1"}),
        "session:request:initiated": session_event(sid),
        "people:profile:created": {"website_id": WEBSITE, "people_id": "p", "email": "e"},
        "people:profile:updated": {"website_id": WEBSITE, "people_id": "p",
                                   "update": {"person": {"nickname": "n"}}},
        "people:profile:removed": {"website_id": WEBSITE, "people_id": "p"},
        "website:update_visitors_count": {"website_id": WEBSITE, "visitors_count": 2},
        "website:update_operators_availability": {"website_id": WEBSITE,
                                                  "user_id": OPERATOR,
                                                  "availability": {"type": "away"}},
        "plugin:settings:saved": {"website_id": WEBSITE, "plugin_id": "x",
                                  "settings": {"a": 1}},
        "plugin:subscription:updated": {"website_id": WEBSITE, "plugin_id": "x",
                                        "bound": True, "target": WEBSITE},
        "bucket:url:upload:generated": {"id": "x", "url": {"signed": "s"}},
    }
