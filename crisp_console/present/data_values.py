"""Custom data values as the people panel shows and edits them: one-line text, and back to a
typed value (string, number or boolean, as Crisp stores them) without losing the type.

Pure (no Qt); the values come from visitors' sessions, so anything unexpected is shown as
text rather than raised.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from typing import Any

from crisp_console.present.plain import one_line

_INT = re.compile(r"-?(?:0|[1-9]\d{0,14})")  # longer digit runs (phones, cards) stay text
_FLOAT = re.compile(r"-?(?:0|[1-9]\d*)\.\d+")
_TRUE, _FALSE = frozenset(("true", "yes")), frozenset(("false", "no"))

_MISSING: Any = object()


def format_value(value: Any) -> str:
    """A data value as the one-line text the table shows and edits."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return one_line(value, 2000)
    if value is None:
        return ""
    try:  # lists/objects are not Crisp data values, but a payload may still carry them
        return one_line(json.dumps(value, ensure_ascii=False, default=str), 2000)
    except (TypeError, ValueError):
        return ""


def kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "yes/no"
    if isinstance(value, int | float):
        return "number"
    return "text"


def _infer(text: str) -> Any:
    """A new value's type: "true"/"false" are booleans, canonical numbers are numbers
    ("42", "-3.5"); anything else ("007", "1e3", "+1") stays text."""
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text):
        number = float(text)
        return number if math.isfinite(number) else text
    return text


def parse_value(text: str, original: Any = _MISSING) -> Any:
    """The value for edited ``text``: the original itself when the text is unchanged (its
    type and full content kept), else the original's type when the text fits it, else the
    type ``text`` reads as."""
    if original is _MISSING:
        return _infer(text)
    if text == format_value(original):
        return original
    if isinstance(original, str):
        return text
    stripped = text.strip().lower()
    if isinstance(original, bool):
        if stripped in _TRUE or stripped in _FALSE:
            return stripped in _TRUE
    elif isinstance(original, int | float):
        try:
            number = float(stripped) if isinstance(original, float) else int(stripped)
        except ValueError:
            try:
                number = float(stripped)
            except ValueError:
                return text
        if isinstance(number, float) and not math.isfinite(number):
            return text
        return number
    return _infer(text)


def key_error(key: str, keys: Iterable[str], current: str | None = None) -> str | None:
    """Why ``key`` can't name a field (empty, or another field's), or None."""
    if not key.strip():
        return "A field needs a name."
    if key != current and key in set(keys):
        return f"There is already a field named “{one_line(key, 60)}”."
    return None
