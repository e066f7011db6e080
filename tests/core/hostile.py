"""Hostile input for the store: a seeded generator of JSON-like junk and of real payload
shapes with a field mutated, and the checks that what the store keeps stays within limits.

Only valid JSON values (what a peer can really send) plus the odd non-JSON object a local
caller might pass: null, bools, edge ints (2**53, 2**63, 10**30, year-10000 timestamps),
1e308, inf, nan, deep nesting, long strings, lone surrogates, control characters, lists where
objects belong and the other way round. Every container is built fresh for each use: the
store may keep a value it was given, so the generator never mutates anything it handed out.
"""

from __future__ import annotations

import json
import math
import random
from typing import Any

from crisp_console.core import Store
from crisp_console.core import parse as p
from tests.core import factories as f

MAX_TS, MAX_FP = p.MAX_TIMESTAMP, p.MAX_FINGERPRINT
EDGE_INTS = [0, -1, 1, 7, 2**31 - 1, 2**31, MAX_FP, MAX_FP + 1, 2**63 - 1, 2**63, 2**64,
             -(2**63), 10**30, -(10**30), MAX_TS, MAX_TS + 1, f.BASE_TIME]
EDGE_FLOATS = [0.5, -0.0, 1.0, 1e308, -1e308, math.inf, -math.inf, math.nan,
               float(f.BASE_TIME), 2.0**63, 1e20]
LONG = "y" * 300_000  # immutable: sharing one copy is safe and keeps the test fast
WORDS = ["", "x", "\x00\n2024-01-01 ERROR forged\u2028", "\ud800", "\udfff x", "😀",
         "pending", "unresolved", "resolved", "user", "operator", "start", "stop", "text",
         "note", "file", "event", "online", "away", "chat", "website", "<b>html</b>", LONG,
         "z" * 129, "w" * 2049]


class Junk:
    """Random values; ``ids``/``fps`` hold real session ids and fingerprints, so that some
    junk lands on existing objects instead of bouncing off as UNKNOWN_TARGET."""

    def __init__(self, rng: random.Random, ids: list[str], fps: list[int]) -> None:
        self.rng = rng
        self.ids = ids
        self.fps = fps

    def scalar(self) -> Any:
        rng = self.rng
        pick = rng.randrange(9)
        if pick == 0:
            return None
        if pick == 1:
            return rng.random() < 0.5
        if pick == 2:
            return rng.choice(EDGE_INTS)
        if pick == 3:
            return rng.choice(EDGE_FLOATS)
        if pick == 4 and self.ids:
            return rng.choice(self.ids)
        if pick == 5 and self.fps:
            return rng.choice(self.fps)
        return rng.choice(WORDS)

    def value(self, depth: int = 0) -> Any:
        rng = self.rng
        roll = rng.random()
        if roll < 0.03:
            return deep(rng.randrange(20, 400), rng.random() < 0.5)
        if depth >= 3 or roll < 0.6:
            return self.scalar()
        if roll < 0.8:
            return [self.value(depth + 1) for _ in range(rng.randrange(4))]
        return {rng.choice(["a", "type", "text", "session_id", "fingerprint", "user_id", ""]):
                self.value(depth + 1) for _ in range(rng.randrange(4))}

    def mutate(self, payload: Any, times: int | None = None) -> Any:
        """``payload`` (freshly built, ours to change) with 1-3 nodes replaced, deleted, or
        turned from object to array and back; the root may be replaced too."""
        rng = self.rng
        for _ in range(times or rng.randint(1, 3)):
            parent, key = self._node(payload)
            if parent is None:
                payload = self.value() if rng.random() < 0.5 else [payload]
                continue
            roll = rng.random()
            current = parent[key]
            if roll < 0.2 and isinstance(parent, dict):
                del parent[key]
            elif roll < 0.3 and isinstance(current, dict):
                parent[key] = list(current.values())
            elif roll < 0.4 and isinstance(current, list):
                parent[key] = {str(i): v for i, v in enumerate(current)}
            else:
                parent[key] = self.value()
        return payload

    def _node(self, payload: Any) -> tuple[Any, Any]:
        """A random (container, key) inside ``payload``; (None, None) for the root."""
        rng = self.rng
        if rng.random() < 0.05 or not isinstance(payload, dict | list) or not payload:
            return None, None
        parent: Any = payload
        while True:
            key = rng.choice(list(parent)) if isinstance(parent, dict) else rng.randrange(
                len(parent))
            child = parent[key]
            if not isinstance(child, dict | list) or not child or rng.random() < 0.5:
                return parent, key
            parent = child


def deep(depth: int, as_dict: bool) -> Any:
    """``depth`` levels of nesting, built without recursion."""
    value: Any = "bottom"
    for _ in range(depth):
        value = {"k": value} if as_dict else [value]
    return value


# ---- what the store keeps --------------------------------------------------------------------


def _in(value: Any, low: int, high: int, what: str) -> None:
    assert type(value) is int and low <= value <= high, (what, value)


def _string(value: Any, limit: int, what: str) -> None:
    assert isinstance(value, str) and len(value) <= limit, (what, len(value))
    value.encode("utf-8")  # no lone surrogate


def _json(value: Any, limit: int, what: str, depth: int = 0) -> None:
    """A free-form value within json_value's limits (and valid strict JSON)."""
    assert depth <= p.MAX_DEPTH + 1, what
    if isinstance(value, str):
        _string(value, limit, what)
    elif isinstance(value, bool) or value is None:
        pass
    elif isinstance(value, int):
        assert abs(value) <= p.MAX_SAFE_INT, (what, value)
    elif isinstance(value, float):
        assert math.isfinite(value), (what, value)
    elif isinstance(value, dict):
        assert len(value) <= p.MAX_ITEMS, what
        for key, item in value.items():
            _string(key, p.MAX_NAME, what)
            _json(item, limit, what, depth + 1)
    else:
        assert isinstance(value, list) and len(value) <= p.MAX_ITEMS, (what, type(value))
        for item in value:
            _json(item, limit, what, depth + 1)
    if depth == 0:
        json.dumps(value, allow_nan=False)


def assert_within_limits(store: Store) -> None:
    """Every value the store keeps is one the UI can show: timestamps in 1970..9999,
    fingerprints and ints Qt and JavaScript can hold, bounded strings, safe JSON."""
    for sid, c in store.conversations.items():
        _string(sid, p.MAX_ID, "session_id")
        for name in ("created_at", "updated_at", "waiting_since"):
            _in(getattr(c, name), 0, MAX_TS, name)
        _in(c.last_fingerprint, 0, MAX_FP, "last_fingerprint")
        _in(c.unread_operator, 0, p.MAX_COUNT, "unread_operator")
        _in(c.unread_visitor, 0, p.MAX_COUNT, "unread_visitor")
        _string(c.last_message, p.MAX_EXCERPT, "last_message")
        for name in ("nickname", "email", "state", "last_from", "last_type", "availability"):
            _string(getattr(c, name), p.MAX_NAME, name)
        _string(c.avatar, p.MAX_URL, "avatar")
        for typing in (c.compose_visitor, c.compose_operator):
            assert typing is None or len(typing) <= p.MAX_EXCERPT
        assert len(c.segments) <= p.MAX_LIST and len(c.mentions) <= p.MAX_LIST
        _json(c.meta, p.MAX_STRING, "meta")
        _json(c.data, p.MAX_STRING, "data")
        for m in store.messages(sid):
            _in(m.fingerprint, 0, MAX_FP, "fingerprint")
            _in(m.timestamp, 0, MAX_TS, "timestamp")
            _json(m.content, p.MAX_TEXT, "content")
            _json(m.extra, p.MAX_STRING, "extra")
            _string(m.excerpt(), p.MAX_EXCERPT, "excerpt")
            _string(m.nickname, p.MAX_NAME, "message nickname")
            assert m.error is None or len(m.error) <= 1000
    for w in store.websites.values():
        _in(w.visitors_count, 0, p.MAX_COUNT, "visitors_count")
        _json(w.settings, p.MAX_STRING, "settings")
        _string(w.name, p.MAX_NAME, "website name")
        _string(w.logo, p.MAX_URL, "logo")
    for o in store.operators.values():
        for name in ("first_name", "last_name", "email", "role", "title", "availability"):
            _string(getattr(o, name), p.MAX_NAME, name)
    for person in store.people.values():
        for name in ("created_at", "updated_at", "active_last"):
            _in(getattr(person, name), 0, MAX_TS, name)
        _in(person.score, -p.MAX_COUNT, p.MAX_COUNT, "score")
        _string(person.notepad, p.MAX_TEXT, "notepad")
        _string(person.nickname, p.MAX_NAME, "person nickname")
        for name in ("data", "company", "person"):
            _json(getattr(person, name), p.MAX_STRING, name)
