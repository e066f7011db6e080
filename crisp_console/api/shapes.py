"""Checks of what Crisp answered: valid JSON of the wrong shape becomes one ProtocolError.

``json`` accepts ``Infinity``, ``NaN`` and ``1e400`` (a float infinity), and any nesting, so
nothing here converts a number without checking it first: no OverflowError or ValueError
can come out. Lists keep their readable items; the others are dropped and counted, logged
at WARNING once per route (a peer sending junk must not flood the log).
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from typing import Any

from crisp_console.errors import ProtocolError

log = logging.getLogger("crisp_console.api")

Json = dict[str, Any]
SAFE_INTEGER = 2**53 - 1  # JavaScript's Number.MAX_SAFE_INTEGER: node's types expect it


# JSON's kinds in words, the first that fits (bool before int: a bool is an int).
_KINDS: tuple[tuple[type | tuple[type, ...], str], ...] = (
    (type(None), "null"), (bool, "a boolean"), ((int, float), "a number"), (str, "a string"),
    (list, "a list"), (dict, "an object"))


def kind(value: object) -> str:
    """What a JSON value is, in words (for error messages; never the value itself)."""
    return next((words for types, words in _KINDS if isinstance(value, types)),
                type(value).__name__)


def obj(data: Any, where: str, what: str = "the answer") -> Json:
    """``data`` if it is an object."""
    if not isinstance(data, dict):
        raise ProtocolError(f"{what} should be an object, not {kind(data)}", where=where)
    return data


def text(data: Json, key: str, where: str, *, parent: str = "") -> str:
    """``data[key]``, a non-empty string."""
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise ProtocolError(f"{parent}{key} should be a non-empty string, not {kind(value)}",
                            where=where)
    return value


def safe_int(value: Any) -> int | None:
    """``value`` if it is an integer within JavaScript's safe range (bools are not)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if -SAFE_INTEGER <= value <= SAFE_INTEGER else None


def timestamp(value: Any) -> int | None:
    """An epoch-ms timestamp as an int, or None when it is not a finite number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return int(value)
    return None


class ShapeLog:
    """Drops the unreadable items of list answers, counting them per route."""

    def __init__(self) -> None:
        self.dropped: Counter[str] = Counter()

    def objects(self, data: Any, route: str, where: str) -> list[Json]:
        """The object items of a list answer."""
        return self._keep(data, dict, route, where, "objects")

    def strings(self, data: Any, route: str, where: str) -> list[str]:
        """The string items of a list answer."""
        return self._keep(data, str, route, where, "strings")

    def _keep(self, data: Any, item: type[Any], route: str, where: str,
              what: str) -> list[Any]:
        if not isinstance(data, list):
            raise ProtocolError(f"the answer should be a list, not {kind(data)}", where=where)
        kept = [x for x in data if isinstance(x, item)]
        dropped = len(data) - len(kept)
        if dropped:
            first = route not in self.dropped
            self.dropped[route] += dropped
            log.log(logging.WARNING if first else logging.DEBUG,
                    "%s: dropped %d list item(s) that are not %s (%d on this route so far; "
                    "further drops here are logged at debug level)", route, dropped, what,
                    self.dropped[route])
        return kept
