"""Reading the cache's rows back into models: shared by the warm start's snapshot
(cache.py) and the first frame's top of the list (first_screen.py)."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from crisp_console.core import Operator, Website
from crisp_console.storage.codec import CodecError, decode

log = logging.getLogger("crisp_console.storage")


class Decoder:
    """``rows(cls, rows, key)``: each row's model (``row[0]`` its id ``key``, ``row[-1]`` its
    JSON body); a row that does not decode is skipped and counted by class in ``skipped``,
    and logged once per class when ``report`` (a later full read reports it instead)."""

    def __init__(self, *, report: bool = True) -> None:
        self.skipped: dict[str, int] = {}
        self._report = report

    def rows(self, cls: type[Any], rows: Iterable[Sequence[Any]], key: str,
             **known: Any) -> Iterator[Any]:
        for row in rows:
            try:
                yield decode(cls, row[-1], **{key: row[0]}, **known)
            except CodecError as exc:
                name = cls.__name__
                if self._report and name not in self.skipped:
                    log.warning("cache: a %s row does not decode (%s); skipped", name, exc)
                self.skipped[name] = self.skipped.get(name, 0) + 1

    def total(self) -> int:
        return sum(self.skipped.values())


def directory(conn: sqlite3.Connection,
              decoder: Decoder) -> tuple[list[Website], list[Operator]]:
    """The websites and the operators, in the order they were saved."""
    q = conn.execute
    sites = list(decoder.rows(Website, q("SELECT website_id, body FROM websites ORDER BY rowid"),
                              "website_id"))
    ops = list(decoder.rows(Operator, q("SELECT user_id, body FROM operators ORDER BY rowid"),
                            "user_id"))
    return sites, ops
