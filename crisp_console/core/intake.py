"""The store's intake of wire data: parse an item or a list, or check an update, and count
what had to be dropped instead of raising.

One ``Intake`` is shared by the store's parts, so every drop lands on the same ``reporter``
(log.py's ThrottledReporter: one WARNING line per kind, then counts, never a traceback per
item).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from crisp_console.core.parse import PayloadError
from crisp_console.core.updatable import Updatable
from crisp_console.log import ThrottledReporter

T = TypeVar("T")
REPORTER_LOGGER = "crisp_console.core"


class Intake:
    """Attributes:
        reporter: counts the input the store dropped, by kind ("rest:conversation",
            "rtm:message:send", …); ``reporter.counts()`` for the UI and tests.
    """

    __slots__ = ("reporter",)

    def __init__(self, reporter: ThrottledReporter | None = None) -> None:
        self.reporter = reporter or ThrottledReporter(REPORTER_LOGGER)

    def parse_item(self, kind: str, parse: Callable[[Any], T], payload: Any) -> T | None:
        """``parse(payload)``, or None once the failure is counted under ``kind``. Parsing
        mutates nothing, so even a bug (not a PayloadError) only costs the item."""
        try:
            return parse(payload)
        except PayloadError as exc:
            self.reporter.report(kind, str(exc))
        except Exception as exc:  # noqa: BLE001 - a parser bug: its traceback once, then counts
            self.reporter.report(f"bug:{kind}", repr(type(exc)), exc_info=exc)
        return None

    def parse_list(self, kind: str, parse: Callable[[Any], T], payloads: Any, *,
                   whole: bool = False) -> list[T] | None:
        """Every item that parses (the others counted under ``kind``); None for a non-list,
        and (``whole``: the list replaces a collection) for a list of which none parsed."""
        if not isinstance(payloads, list):
            self.reporter.report(kind, "not a list")
            return None
        parsed = (self.parse_item(kind, parse, payload) for payload in payloads)
        items = [item for item in parsed if item is not None]
        return None if whole and payloads and not items else items

    def checked_update(self, kind: str, target: Updatable, partial: Any) -> frozenset[str]:
        """``target.apply_update(partial)``; a value of the wrong type or range is counted
        under ``kind`` and nothing changes."""
        if not isinstance(partial, Mapping):
            self.reporter.report(kind, "not an object")
            return frozenset()
        try:
            changed = target.apply_update(partial)
        except PayloadError as exc:
            self.reporter.report(kind, str(exc))
            return frozenset()
        return changed
