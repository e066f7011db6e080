"""Core models <-> JSON bodies, the ``body`` column of the database's rows (schema.py).

A body holds a model's fields by name and leaves out those equal to their default (a plain
text message is a handful of keys) and those the caller keeps in columns (``omit``: the row's
key). Enums go by value and tuples as lists; the free-form values (content, meta, data,
settings) are JSON already, parse.py made them so. ``decode(encode(x))`` equals ``x``, field
for field and type for type.

Decoding checks every value as ``apply_update`` does (updatable.py): a row of an older or
damaged file can never put a value into the store that breaks it later. Such a row raises
CodecError, and the cache skips it. Strings the store interns (ids, types, senders) are
interned again, so a million restored messages share them as loaded ones do.
"""

from __future__ import annotations

import enum
import json
import sys
import typing
from collections.abc import Callable, Collection, Mapping
from dataclasses import MISSING, fields
from operator import attrgetter
from typing import Any, TypeVar

from crisp_console.core import parse as p
from crisp_console.core.models import Conversation, Message, Operator, Person, Website
from crisp_console.core.parse import PayloadError

M = TypeVar("M", Website, Operator, Person, Conversation, Message)
MODELS: tuple[type[Any], ...] = (Website, Operator, Person, Conversation, Message)
_NO_DEFAULT = object()
# One encoder for every row: json.dumps with options builds a new one per call.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)

# Fields whose few distinct values the store interns (models.py, parse.interned).
_INTERNED = frozenset(("website_id", "type", "origin", "user_id", "nickname", "avatar", "read",
                       "delivered", "last_from", "last_type", "state", "availability", "role"))


class CodecError(ValueError):
    """A body that does not make a valid model (damaged, or from an incompatible version)."""


class _Spec:
    """What the codec needs to know of one model class, built once."""

    __slots__ = ("defaults", "enums", "identity", "interned", "placeholders", "tuples")

    def __init__(self, cls: type[Any]) -> None:
        hints = typing.get_type_hints(cls)
        self.identity: tuple[str, ...] = cls.IDENTITY
        self.defaults: list[tuple[str, Any]] = []  # (name, default or _NO_DEFAULT)
        self.enums: dict[str, type[enum.Enum]] = {}
        self.tuples: set[str] = set()
        self.placeholders: dict[str, Any] = {}  # required non-identity fields, until checked
        for f in fields(cls):
            hint = hints[f.name]
            kind = typing.get_origin(hint) or hint
            if isinstance(kind, type) and issubclass(kind, enum.Enum):
                self.enums[f.name] = kind
            elif kind is tuple:
                self.tuples.add(f.name)
            if f.default is not MISSING:
                default = f.default
            elif f.default_factory is not MISSING:
                default = f.default_factory()
            else:
                default = _NO_DEFAULT
                if f.name not in self.identity:
                    self.placeholders[f.name] = kind()
            self.defaults.append((f.name, default))
        self.interned = _INTERNED & {name for name, _ in self.defaults}


_SPECS: dict[type[Any], _Spec] = {cls: _Spec(cls) for cls in MODELS}


# What to_body reads of a class, per set of omitted fields: one attrgetter call per object,
# then (name, default, its type, conversion) per value. Encoding runs on the loop thread.
_Plan = tuple[Callable[[Any], tuple[Any, ...]], list[tuple[str, Any, type, int]]]
_PLANS: dict[tuple[type[Any], frozenset[str]], _Plan] = {}
_AS_IS, _ENUM, _TUPLE = 0, 1, 2


def _plan(cls: type[Any], omit: frozenset[str]) -> _Plan:
    plan = _PLANS.get((cls, omit))
    if plan is None:
        spec = _SPECS[cls]
        kept = [(name, default) for name, default in spec.defaults if name not in omit]
        steps = [(name, default, type(default),
                  _ENUM if name in spec.enums else _TUPLE if name in spec.tuples else _AS_IS)
                 for name, default in kept]
        names = [name for name, _ in kept]
        getter = attrgetter(*names)
        read: Callable[[Any], tuple[Any, ...]] = (
            getter if len(names) > 1 else lambda obj: (getter(obj),))
        plan = _PLANS[(cls, omit)] = (read, steps)
    return plan


def to_body(obj: Website | Operator | Person | Conversation | Message, *,
            omit: Collection[str] = ()) -> dict[str, Any]:
    """The model's fields as a JSON-ready dict, defaults and ``omit`` left out."""
    read, steps = _plan(type(obj), frozenset(omit))
    out: dict[str, Any] = {}
    for (name, default, kind, how), value in zip(steps, read(obj), strict=True):
        if type(value) is kind and value == default:
            continue
        if how == _ENUM:
            value = value.value
        elif how == _TUPLE:
            value = list(value)
        out[name] = value
    return out


def encode(obj: Website | Operator | Person | Conversation | Message, *,
           omit: Collection[str] = ()) -> str:
    """``to_body`` as compact JSON text (UTF-8 kept as is: parse.py made it encodable)."""
    return _ENCODER.encode(to_body(obj, omit=omit))


def from_body(cls: type[M], body: Mapping[str, Any], **known: Any) -> M:
    """The model ``body`` describes; ``known`` gives the fields kept in columns (and wins
    over the body). Unknown keys are ignored (a field a later version dropped). Raises
    CodecError when a value is missing, of the wrong type or out of range."""
    spec = _SPECS[cls]
    if not isinstance(body, Mapping):
        raise CodecError(f"{cls.__name__}: the body is not an object")
    values = {**body, **known}
    identity: dict[str, Any] = {}
    for name in spec.identity:
        value = values.pop(name, None)
        if not _identity_ok(name, value, cls is Message):
            raise CodecError(f"{cls.__name__}.{name}: missing or malformed")
        identity[name] = sys.intern(value) if name in spec.interned else value
    for name in spec.placeholders:
        if name not in values:
            raise CodecError(f"{cls.__name__}.{name}: missing")
    for name, kind in spec.enums.items():
        if name in values:
            try:
                values[name] = kind(values[name])
            except ValueError:
                raise CodecError(f"{cls.__name__}.{name}: unknown value") from None
    for name in spec.tuples:
        if type(values.get(name)) is list:
            values[name] = tuple(values[name])
    for name in spec.interned:
        value = values.get(name)
        if type(value) is str:
            values[name] = sys.intern(value)
    obj = cls(**identity, **spec.placeholders)
    try:
        obj.apply_update(values)  # checks every value before it sets any
    except PayloadError as exc:
        raise CodecError(str(exc)) from None
    return obj


def decode(cls: type[M], text: str | bytes, **known: Any) -> M:
    """``from_body`` of JSON text; CodecError for text that is not JSON."""
    try:
        body = json.loads(text)
    except (ValueError, RecursionError):
        raise CodecError(f"{cls.__name__}: the body is not JSON") from None
    return from_body(cls, body, **known)


def _identity_ok(name: str, value: Any, message: bool) -> bool:
    if name == "fingerprint":
        return p.is_int(value) and 0 <= value <= p.MAX_FINGERPRINT
    # A message's ids may be empty (from_payload lets a payload lack them); the others not.
    shortest = 0 if message else 1
    return isinstance(value, str) and shortest <= len(value) <= p.MAX_ID
