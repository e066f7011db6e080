"""Defensive readers for wire payloads.

Required values of the wrong type raise PayloadError (the store turns it into MALFORMED);
optional values of the wrong type, or null, fall back to a default, because Crisp omits or
nulls empty fields and one odd field must not cost us the whole object.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any


class PayloadError(ValueError):
    """A payload lacks a required value or has one of the wrong type."""


def obj(value: Any, what: str = "payload") -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise PayloadError(f"{what} is not an object")
    return value


def req_str(d: Mapping[str, Any], key: str) -> str:
    value = d.get(key)
    if not isinstance(value, str) or not value:
        raise PayloadError(f"{key} must be a non-empty string")
    return value


def req_int(d: Mapping[str, Any], key: str) -> int:
    value = d.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise PayloadError(f"{key} must be an integer")
    return value


def req_bool(d: Mapping[str, Any], key: str) -> bool:
    value = d.get(key)
    if not isinstance(value, bool):
        raise PayloadError(f"{key} must be a boolean")
    return value


def req_choice(d: Mapping[str, Any], key: str, choices: frozenset[str]) -> str:
    value = d.get(key)
    if value not in choices:
        raise PayloadError(f"{key} must be one of {sorted(choices)}")
    return sys.intern(value)  # a member of choices, hence a str


def opt_str(d: Mapping[str, Any], key: str, default: str = "") -> str:
    value = d.get(key)
    return value if isinstance(value, str) else default


def opt_str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def opt_int(d: Mapping[str, Any], key: str, default: int = 0) -> int:
    value = d.get(key)
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return default


def opt_bool(d: Mapping[str, Any], key: str, default: bool = False) -> bool:
    value = d.get(key)
    return value if isinstance(value, bool) else default


def opt_dict(d: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = d.get(key)
    return dict(value) if isinstance(value, Mapping) else {}


def str_list(value: Any) -> list[str]:
    """The strings of a list (other items dropped); [] for anything that is not a list."""
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, str)]


def int_list(value: Any) -> list[int] | None:
    """A list of integers, or None when ``value`` is not one."""
    if not isinstance(value, list):
        return None
    if any(isinstance(v, bool) or not isinstance(v, int) for v in value):
        return None
    return value


def interned(value: str) -> str:
    """Small vocabularies (states, types, origins) repeat in every row: share one copy."""
    return sys.intern(value) if len(value) <= 32 else value
