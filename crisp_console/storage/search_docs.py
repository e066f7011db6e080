"""What the local search index holds of a row: the readable text of a message, and the card of
a conversation (its visitor's fields with those of their people profile).

Pure functions of the rows' JSON bodies (codec.py's, as the cache keeps them), so that the
migration's backfill and ``cache.save_rows`` index the same text. Only text an operator
reads is kept: no ids, urls, types or flags. The snippet markers (search.py's private-use
HIT_START/HIT_END) are replaced by spaces in what is indexed, so that a marker in a snippet
is always ours; nothing else of the visitor's text is changed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

HIT_START, HIT_END = "\ue000", "\ue001"  # snippet markers around matched text

# A message document's kind (the ``kind`` column) and the LocalHit field it becomes.
MESSAGE, NOTE, FILE = 0, 1, 2
KIND_FIELDS = ("message", "note", "file")

# The card's columns, in the FTS table's order, with the LocalHit field each one becomes.
CARD_COLUMNS = ("name", "email", "phone", "subject", "segment", "data", "notepad", "last")
CARD_FIELDS = ("name", "email", "phone", "subject", "segment", "data", "notepad", "message")

MAX_INDEXED = 20_000  # characters of one document: a pasted log is found by its start
_NO_TEXT = frozenset(("event", "animation", "audio"))  # notices and media: nothing to read
# Keys of structured content (picker, field, carousel...) whose strings are read by people.
_READABLE = frozenset(("text", "explain", "label", "title", "description", "name"))
_DEPTH = 4
_SEPARATOR = "\n"
_CLEAN = str.maketrans({HIT_START: " ", HIT_END: " ", "\x00": " "})


class Undecodable(ValueError):
    """A body that is not a JSON object."""


def body_of(text: str | bytes) -> Mapping[str, Any]:
    """A row's JSON body; Undecodable when it is not a JSON object."""
    try:
        body = json.loads(text)
    except (ValueError, RecursionError):
        raise Undecodable("not JSON") from None
    if not isinstance(body, Mapping):
        raise Undecodable("not an object")
    return body


def clean(text: str) -> str:
    """``text`` bounded, the markers (and NUL) made spaces."""
    return text[:MAX_INDEXED].translate(_CLEAN)


def message_text(body: Mapping[str, Any]) -> tuple[int, str] | None:
    """(kind, text) of a message body; None when it carries nothing to read (an event, a
    sound, an animation, an empty text)."""
    kind = body.get("type")
    content = body.get("content", "")
    if not isinstance(kind, str) or kind in _NO_TEXT:
        return None
    if isinstance(content, str):
        text = content
    elif not isinstance(content, Mapping):
        return None
    elif kind == "file":
        name = content.get("name")
        text = name if isinstance(name, str) else ""
    else:
        parts = list(_readable(content, _DEPTH))
        if kind == "field" and isinstance(content.get("value"), str):
            parts.append(content["value"])  # the visitor's answer
        text = _SEPARATOR.join(parts)
    text = clean(text)
    if not text.strip():
        return None
    return (NOTE if kind == "note" else FILE if kind == "file" else MESSAGE), text


def _readable(value: Any, depth: int) -> Iterator[str]:
    if depth <= 0:
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if isinstance(item, str):
                if key in _READABLE and item:
                    yield item
            elif isinstance(item, Mapping | list):
                yield from _readable(item, depth - 1)
    elif isinstance(value, list):
        for item in value:
            yield from _readable(item, depth - 1)


def card(conversation: Mapping[str, Any],
         person: Mapping[str, Any] | None) -> tuple[str, ...] | None:
    """The card columns (CARD_COLUMNS) of a conversation body and its people profile's body
    (None: no profile cached); None when there is nothing to search in it."""
    person = person or {}
    profile = person.get("person")
    profile = profile if isinstance(profile, Mapping) else {}
    meta = conversation.get("meta")
    meta = meta if isinstance(meta, Mapping) else {}
    company = person.get("company")
    company = company if isinstance(company, Mapping) else {}
    columns = (
        _join(conversation.get("nickname"), person.get("nickname")),
        _join(conversation.get("email"), person.get("email")),
        _join(meta.get("phone"), profile.get("phone")),
        _join(meta.get("subject")),
        _join(*_strings(conversation.get("segments")), *_strings(person.get("segments"))),
        _join(*_values(conversation.get("data"), _DEPTH), *_values(person.get("data"), _DEPTH),
              company.get("name")),
        _join(person.get("notepad")),
        _join(conversation.get("last_message")),
    )
    return columns if any(columns) else None


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _values(value: Any, depth: int) -> Iterator[str]:
    """The scalar values of free-form data (custom data): strings and numbers, not keys."""
    if depth <= 0:
        return
    if isinstance(value, Mapping):
        value = list(value.values())
    if isinstance(value, list):
        for item in value:
            if isinstance(item, str):
                yield item
            elif isinstance(item, int | float) and not isinstance(item, bool):
                yield str(item)
            else:
                yield from _values(item, depth - 1)


def _join(*values: Any) -> str:
    """Distinct non-empty strings, one a line, cleaned."""
    seen: list[str] = []
    for value in values:
        if isinstance(value, str) and value.strip() and value not in seen:
            seen.append(value)
    return clean(_SEPARATOR.join(seen))
