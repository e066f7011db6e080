"""Defensive readers for wire payloads, and the limits of what the store keeps.

Required values of the wrong type raise PayloadError (the store drops the item and reports
it); optional values of the wrong type, or null, fall back to a default, because Crisp omits
or nulls empty fields and one odd field must not cost us the whole object.

Valid JSON can still hold values no Crisp server sends and the UI cannot show (Qt converts
ints only up to 2**63, ``datetime`` stops at year 9999, a megabyte nickname freezes a row's
layout), so every value is checked against the limits below before it is stored:
- identities (ids, fingerprints) and a message's timestamp: out of range drops the item;
- other timestamps: out of range is treated as missing (0); counters are clamped;
- strings are cut to their field's length (see the MAX_* constants); message text keeps up to
  MAX_TEXT characters, far above what Crisp accepts, so no real message loses content;
- free-form JSON (meta, data, settings, structured content): see ``json_value``.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping
from typing import Any, TypeGuard

MAX_TIMESTAMP = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z in epoch ms: datetime's end
MAX_FINGERPRINT = 2**53 - 1  # JavaScript's Number.MAX_SAFE_INTEGER (Crisp's node types)
MAX_SAFE_INT = 2**53 - 1  # ints in free-form JSON: a JavaScript server cannot send more
MAX_COUNT = 2**31 - 1  # counters (unread, visitors, score), clamped: a Qt int
MAX_ID = 128  # ids are UUIDs ("session_" + a UUID is 44): anything longer is not an id
MAX_NAME = 256  # nicknames, names, emails, titles, segments, vocabulary words
MAX_EXCERPT = 200  # one line of a list (what Crisp's own excerpts are)
MAX_URL = 2048  # a longer URL is dropped, not cut: a cut URL points elsewhere
MAX_STRING = 10_000  # strings inside free-form JSON (a user agent is ~200)
MAX_TEXT = 100_000  # message text and notepads; Crisp's own limits are far lower
MAX_ITEMS = 1_000  # entries per free-form object or array; more are dropped
MAX_LIST = 100  # segments, mentions
MAX_ERROR = 1_000  # why a send failed (server text): a line or two
MAX_DEPTH = 16  # free-form nesting; deeper values become null


class PayloadError(ValueError):
    """A payload lacks a required value or has one of the wrong type or range."""


def obj(value: Any, what: str = "payload") -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise PayloadError(f"{what} is not an object")
    return value


def is_int(value: Any) -> TypeGuard[int]:
    """An int that is not a bool (JSON's ``true`` is no number)."""
    return isinstance(value, int) and not isinstance(value, bool)


# ---- strings ---------------------------------------------------------------------------------


def text(value: str, limit: int) -> str:
    """``value`` cut to ``limit`` characters, lone surrogates (valid JSON, unencodable in
    UTF-8: the log file, the database) replaced by U+FFFD."""
    if len(value) > limit:
        value = value[:limit]
    if not value.isascii():  # O(1) for ASCII strings: the common case costs nothing
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            value = value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return value


def req_str(d: Mapping[str, Any], key: str, limit: int = MAX_NAME) -> str:
    value = d.get(key)
    if not isinstance(value, str) or not value:
        raise PayloadError(f"{key} must be a non-empty string")
    if len(value) > limit:
        raise PayloadError(f"{key} is longer than {limit} characters")
    return text(value, limit)


def req_id(d: Mapping[str, Any], key: str) -> str:
    """An identity string: never cut (two cut ids could collide), too long is malformed."""
    return req_str(d, key, MAX_ID)


def opt_str(d: Mapping[str, Any], key: str, default: str = "", limit: int = MAX_NAME) -> str:
    value = d.get(key)
    return text(value, limit) if isinstance(value, str) else default


def opt_id(value: Any) -> str:
    """An optional id: "" unless a string of at most MAX_ID characters."""
    return text(value, MAX_ID) if isinstance(value, str) and len(value) <= MAX_ID else ""


def opt_str_or_none(value: Any) -> str | None:
    """An optional id that may be null: None unless a non-empty id."""
    return opt_id(value) or None


def opt_url(d: Mapping[str, Any], key: str) -> str:
    value = d.get(key)
    return text(value, MAX_URL) if isinstance(value, str) and len(value) <= MAX_URL else ""


def req_choice(d: Mapping[str, Any], key: str, choices: frozenset[str]) -> str:
    value = d.get(key)
    if not isinstance(value, str) or value not in choices:  # a list would not even hash
        raise PayloadError(f"{key} must be one of {sorted(choices)}")
    return sys.intern(value)


def interned(value: str) -> str:
    """Small vocabularies (states, types, origins) repeat in every row: share one copy."""
    return sys.intern(value) if len(value) <= 32 else value


def str_list(value: Any, limit: int = MAX_NAME, items: int = MAX_LIST) -> list[str]:
    """The strings of a list (other items dropped, at most ``items``); [] for a non-list."""
    if not isinstance(value, list):
        return []
    return [text(v, limit) for v in value if isinstance(v, str)][:items]


def id_list(value: Any) -> list[str]:
    """The ids of a list (strings of at most MAX_ID; other items dropped, never cut)."""
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, str) and 0 < len(v) <= MAX_ID
            and text(v, MAX_ID) is v][:MAX_LIST]


# ---- numbers ---------------------------------------------------------------------------------


def req_int(d: Mapping[str, Any], key: str, low: int = -MAX_SAFE_INT,
            high: int = MAX_SAFE_INT) -> int:
    value = d.get(key)
    if not is_int(value):
        raise PayloadError(f"{key} must be an integer")
    if not low <= value <= high:
        raise PayloadError(f"{key} is out of range")
    return int(value)


def req_fingerprint(d: Mapping[str, Any], key: str = "fingerprint") -> int:
    return req_int(d, key, 0, MAX_FINGERPRINT)


def req_timestamp(d: Mapping[str, Any], key: str = "timestamp") -> int:
    return req_int(d, key, 0, MAX_TIMESTAMP)


def opt_int(d: Mapping[str, Any], key: str, default: int = 0) -> int:
    """An int (or an integral float) as it is, whatever its size; ``default`` otherwise."""
    value = d.get(key)
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return default


def opt_timestamp(d: Mapping[str, Any], key: str) -> int:
    """Epoch milliseconds, 0 (missing) when absent or outside 1970..9999."""
    value = opt_int(d, key)
    return value if 0 <= value <= MAX_TIMESTAMP else 0


def opt_fingerprint(d: Mapping[str, Any], key: str = "fingerprint") -> int:
    value = opt_int(d, key)
    return value if 0 <= value <= MAX_FINGERPRINT else 0


def opt_count(d: Mapping[str, Any], key: str, low: int = 0, high: int = MAX_COUNT) -> int:
    """A counter clamped into ``low..high`` (a huge unread count still shows as huge)."""
    return min(max(opt_int(d, key), low), high)


def opt_bool(d: Mapping[str, Any], key: str, default: bool = False) -> bool:
    value = d.get(key)
    return value if isinstance(value, bool) else default


def req_bool(d: Mapping[str, Any], key: str) -> bool:
    value = d.get(key)
    if not isinstance(value, bool):
        raise PayloadError(f"{key} must be a boolean")
    return value


def fingerprint_list(value: Any) -> list[int] | None:
    """A list of fingerprints, or None when ``value`` is not one (a non-int, or out of range)."""
    if not isinstance(value, list):
        return None
    if any(not is_int(v) or not 0 <= v <= MAX_FINGERPRINT for v in value):
        return None
    return value


# ---- free-form JSON --------------------------------------------------------------------------


def json_value(value: Any, limit: int = MAX_STRING, depth: int = MAX_DEPTH) -> Any:
    """A free-form JSON value made safe to keep: strings cut to ``limit``, non-finite floats
    and ints beyond JavaScript's safe range become null, objects and arrays keep their first
    MAX_ITEMS entries (object keys: strings of at most MAX_NAME), nesting deeper than
    ``depth`` becomes null, anything that is not JSON becomes null. Returns ``value`` itself
    (no copy) when it is already safe, which is the common case."""
    kind = type(value)  # exact types first: this runs for every value of every row's meta
    if kind is str:
        return value if len(value) <= limit and value.isascii() else text(value, limit)
    if value is None or kind is bool:
        return value
    if kind is int:
        return value if -MAX_SAFE_INT <= value <= MAX_SAFE_INT else None
    if kind is float:
        return value if math.isfinite(value) else None
    if depth <= 0:
        return None
    if kind is dict:
        return _json_object(value, limit, depth - 1)
    if kind is list:
        return _json_array(value, limit, depth - 1)
    return _json_other(value, limit, depth)


def _json_object(value: Mapping[str, Any], limit: int, depth: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    same = type(value) is dict and len(value) <= MAX_ITEMS
    for key, item in value.items():
        if len(out) >= MAX_ITEMS:
            break
        if type(key) is not str or len(key) > MAX_NAME:
            same = False
            continue
        if type(item) is str and len(item) <= limit and item.isascii():
            clean = item  # the common leaf, without a call
        else:
            clean = json_value(item, limit, depth)
            same = same and clean is item
        if not key.isascii():
            safe = text(key, MAX_NAME)
            same = same and safe is key
            key = safe
        out[key] = clean
    return value if same and isinstance(value, dict) else out


def _json_array(value: list[Any] | tuple[Any, ...], limit: int, depth: int) -> list[Any]:
    items = [json_value(v, limit, depth) for v in value[:MAX_ITEMS]]
    same = type(value) is list and len(items) == len(value) and all(
        a is b for a, b in zip(items, value, strict=True))
    return value if same and isinstance(value, list) else items


def _json_other(value: Any, limit: int, depth: int) -> Any:
    """Subclasses and non-JSON objects (a local caller's): copied as plain JSON, or null."""
    if isinstance(value, str):
        return text(str(value), limit)
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return json_value(int(value), limit, depth)
    if isinstance(value, float):
        return json_value(float(value), limit, depth)
    if isinstance(value, Mapping):
        return _json_object(value, limit, depth - 1)
    if isinstance(value, list | tuple):
        return _json_array(value, limit, depth - 1)
    return None


def json_object(value: Any, limit: int = MAX_STRING) -> dict[str, Any]:
    """A free-form JSON object (``{}`` for anything else), made safe by ``json_value``: the
    object itself when it already was, so the result is read-only like every stored value."""
    if not isinstance(value, Mapping):
        return {}
    clean = json_value(value, limit)
    return clean if isinstance(clean, dict) else {}

