"""``apply_update()`` for the slotted domain dataclasses, with a check of every value.

The store's ordering and the UI rely on each field's type and range (an int sort key, a
timestamp ``datetime`` can show, an int Qt can convert, a string short enough to lay out),
so ``apply_update`` checks every value against the field's annotation and parse.py's limits
before it sets anything: no caller, public or handler, can leave a value in the store that
breaks it later. Values built by parse.py pass by construction; the check is cheap (free-form
values are walked, which only ``meta``/``data``/``settings`` updates and edits pay for).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, TypeVar, dataclass_transform

from crisp_console.core import parse as p
from crisp_console.core.parse import PayloadError

# Limits by field name (the same in every class). Ints not listed are counters.
_INT_RANGES: dict[str, tuple[int, int]] = {
    **dict.fromkeys(("timestamp", "created_at", "updated_at", "waiting_since", "active_last"),
                    (0, p.MAX_TIMESTAMP)),
    **dict.fromkeys(("fingerprint", "last_fingerprint"), (0, p.MAX_FINGERPRINT)),
    "score": (-p.MAX_COUNT, p.MAX_COUNT),
}
_COUNTER_RANGE = (0, p.MAX_COUNT)
# Strings not listed: MAX_NAME.
_STRING_LIMITS: dict[str, int] = {
    **dict.fromkeys(("website_id", "people_id", "user_id", "inbox_id", "assigned"), p.MAX_ID),
    **dict.fromkeys(("last_message", "compose_visitor", "compose_operator"), p.MAX_EXCERPT),
    **dict.fromkeys(("avatar", "logo"), p.MAX_URL),
    "notepad": p.MAX_TEXT,
    "error": p.MAX_ERROR,
}
Check = Callable[[Any], bool]
M = TypeVar("M", bound="Updatable")
_CHECKS: dict[type, dict[str, Check]] = {}


def _check_of(name: str, hint: Any) -> Check:
    """What a value of field ``name`` (annotated ``hint``) must be, as a predicate."""
    options = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    kinds = [typing.get_origin(o) or o for o in options if o is not type(None)]
    if hint is Any:  # a message's content: free-form JSON
        base = _json(p.MAX_TEXT)
    elif kinds == [int]:
        base = _int(*_INT_RANGES.get(name, _COUNTER_RANGE))
    elif kinds == [str]:
        base = _str(_STRING_LIMITS.get(name, p.MAX_NAME))
    elif kinds == [dict]:
        base = _json(p.MAX_STRING, dict)
    elif kinds == [tuple]:  # segments, mentions
        base = _strings
    else:  # bool, enums: the class says it all
        (kind,) = kinds
        base = _instance(kind)
    if type(None) not in options:
        return base
    return lambda value: value is None or base(value)


def _int(low: int, high: int) -> Check:
    return lambda value: p.is_int(value) and low <= value <= high


def _str(limit: int) -> Check:
    # text() returns its argument itself when it is short enough and encodable.
    return lambda value: isinstance(value, str) and p.text(value, limit) is value


def _json(limit: int, kind: type = object) -> Check:
    # json_value() returns its argument itself when it is already safe.
    return lambda value: isinstance(value, kind) and p.json_value(value, limit) is value


def _strings(value: Any) -> bool:
    return isinstance(value, tuple) and len(value) <= p.MAX_LIST and all(
        isinstance(v, str) and p.text(v, p.MAX_NAME) is v for v in value)


def _instance(kind: type) -> Check:
    return lambda value: isinstance(value, kind)


def _checks(cls: type) -> dict[str, Check]:
    """The settable fields of ``cls`` (identity excepted) and their checks, built once."""
    checks = _CHECKS.get(cls)
    if checks is None:
        hints = typing.get_type_hints(cls)
        identity: tuple[str, ...] = getattr(cls, "IDENTITY", ())
        checks = _CHECKS[cls] = {
            f.name: _check_of(f.name, hints[f.name])
            for f in fields(cls) if f.name not in identity}
    return checks


class Updatable:
    """``apply_update()`` for slotted dataclasses."""

    __slots__ = ()
    IDENTITY: ClassVar[tuple[str, ...]] = ()  # fields apply_update never changes

    def apply_update(self, partial: Mapping[str, Any]) -> frozenset[str]:
        """Set the known fields of ``partial`` that differ (identity fields and unknown keys
        are ignored); returns their names. A differing value of the wrong type or range
        raises PayloadError before anything is set. An equal one changes nothing and is not
        checked again: a REST page re-read (the backfill) spent most of its time checking
        meta it already held (scripts/bench_events.py, a page's stall of the loop)."""
        checks = _checks(type(self))
        updates = [(name, value) for name, value in partial.items()
                   if name in checks and getattr(self, name) != value]
        for name, value in updates:
            if not checks[name](value):
                raise PayloadError(f"{type(self).__name__}.{name}: wrong type or range")
        for name, value in updates:
            setattr(self, name, value)
        return frozenset(name for name, _ in updates)


@dataclass_transform(field_specifiers=(field,))
def model(*identity: str) -> Callable[[type[M]], type[M]]:
    """A domain model: a slotted dataclass (a million messages fit in memory) whose
    ``identity`` fields name it and ``apply_update()`` never changes."""

    def make(cls: type[M]) -> type[M]:
        cls.IDENTITY = identity
        return dataclass(slots=True)(cls)

    return make
