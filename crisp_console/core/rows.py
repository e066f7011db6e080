"""Row containers in arrival order, and the row arithmetic shared with sortedrows.py.

``mutate`` hooks run between the ``-ING`` and the ``-ED`` notification, so the store's dicts
change in the same window as the rows: an observer never sees one without the other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from crisp_console.core.changes import Change, ChangeKind

Emit = Callable[[Change], None]
Hook = Callable[[], object] | None


def runs(rows: Iterable[int]) -> list[tuple[int, int]]:
    """Distinct rows as sorted inclusive ``(first, last)`` ranges of consecutive rows."""
    out: list[tuple[int, int]] = []
    for row in sorted(set(rows)):
        if out and out[-1][1] == row - 1:
            out[-1] = (out[-1][0], row)
        else:
            out.append((row, row))
    return out


class InsertionRows:
    """Ids in arrival order (websites, operators, people): appends are O(1), removals
    renumber the rows after the removed one (rare)."""

    __slots__ = ("_emit", "collection", "ids", "rows")

    def __init__(self, emit: Emit, collection: str) -> None:
        self._emit = emit
        self.collection = collection
        self.ids: list[str] = []
        self.rows: dict[str, int] = {}

    def append(self, item_id: str, mutate: Hook = None) -> None:
        row, ids = len(self.ids), (item_id,)
        self._emit(Change(ChangeKind.INSERTING, self.collection, first=row, last=row, ids=ids))
        if mutate is not None:
            mutate()
        self.ids.append(item_id)
        self.rows[item_id] = row
        self._emit(Change(ChangeKind.INSERTED, self.collection, first=row, last=row, ids=ids))

    def remove(self, item_id: str, mutate: Hook = None) -> None:
        row = self.rows.get(item_id, -1)
        if row < 0:
            return
        ids = (item_id,)
        self._emit(Change(ChangeKind.REMOVING, self.collection, first=row, last=row, ids=ids))
        if mutate is not None:
            mutate()
        del self.ids[row]
        del self.rows[item_id]
        for i, other in enumerate(self.ids[row:], start=row):
            self.rows[other] = i
        self._emit(Change(ChangeKind.REMOVED, self.collection, first=row, last=row, ids=ids))

    def changed(self, item_id: str, fields: frozenset[str]) -> None:
        row = self.rows.get(item_id, -1)
        if row >= 0 and fields:
            self._emit(Change(ChangeKind.CHANGED, self.collection, first=row, last=row,
                              fields=fields, ids=(item_id,)))

    def replace(self, item_ids: list[str]) -> None:
        """Replace every row (no notification: the caller emits RESET when done)."""
        self.ids = list(item_ids)
        self.rows = {i: n for n, i in enumerate(self.ids)}
