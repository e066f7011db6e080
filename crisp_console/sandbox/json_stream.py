"""A top-level JSON object read member by member, one big array's items one at a time, so
that a reader can convert each item as it comes and never hold the whole parsed document
(a sandbox snapshot of a million messages: snapshot.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any


class NotAnObject(ValueError):
    """The text is JSON (or not), but not an object."""


_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def _skip(text: str, i: int) -> int:
    """Past the JSON whitespace at ``i``."""
    match = _WS.match(text, i)
    return match.end() if match else i


def parse_object(text: str, field: Callable[[str, Any], None], streamed: str) -> None:
    """Parse a top-level JSON object, handing each member to ``field``; the items of the
    ``streamed`` array are handed one by one as ``(streamed + "[]", item)``."""
    decode = _DECODER.raw_decode
    i = _skip(text, 0)
    if text[i:i + 1] != "{":
        raise NotAnObject("not a JSON object")
    i = _skip(text, i + 1)
    more = text[i:i + 1] != "}"
    if not more:
        i += 1
    while more:
        key, i = decode(text, i)
        i = _skip(text, i)
        if not isinstance(key, str) or text[i:i + 1] != ":":
            raise ValueError(f"expected a member name and ':' at character {i}")
        i = _skip(text, i + 1)
        if key == streamed and text[i:i + 1] == "[":
            i = _parse_items(text, _skip(text, i + 1), lambda item: field(streamed + "[]", item))
        else:
            value, i = decode(text, i)
            field(key, value)
        i, more = _separator(text, _skip(text, i), "}")
    if _skip(text, i) < len(text):
        raise ValueError(f"extra data after the object at character {i}")


def _parse_items(text: str, i: int, item_of: Callable[[Any], None]) -> int:
    more = text[i:i + 1] != "]"
    if not more:
        return i + 1
    while more:
        item, i = _DECODER.raw_decode(text, i)
        item_of(item)
        i, more = _separator(text, _skip(text, i), "]")
    return i


def _separator(text: str, i: int, closing: str) -> tuple[int, bool]:
    """After a member or item: (where the next one starts, whether there is one)."""
    sep = text[i:i + 1]
    if sep == closing:
        return i + 1, False
    if sep != ",":
        raise ValueError(f"expected ',' or {closing!r} at character {i}")
    return _skip(text, i + 1), True
