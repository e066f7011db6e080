"""Coalescing store notifications into fewer Qt model signals (style-anchors.md §5.8).

The store applies every event at once and tells its observers synchronously. A model that
forwarded each Change would make the view relayout once per event: a reconnect backlog of
thousands of events would freeze the window. So the models keep their *own* copy of the
rows, which is exactly what the view has been told, and bring it up to date on a single-shot
timer (at most one flush per interval, 8 ms by default, the first at once), or at the end of a
frame of live events (``Store.end_frame``: client/batch.py applied one), emitting the Qt signals
then:

- ``Coalescer`` is that timer, plus an "immediate" mode that flushes after every change
  (``coalesce=False``: the signals are then one-to-one with the store's Changes). The
  immediate mode emits from inside the store's notification, where nothing may change the
  store (changes.py): slots that react to rows by changing the store (mark read, answer)
  need the timer, which flushes from the event loop.
- ``ReplayQueue`` holds row operations to replay in order (the timeline), merging an insert
  that lands inside or right after the previous insert into one range, and adjacent removals.
- ``changed_runs`` groups the rows of ``dataChanged`` into ranges of rows with equal roles.

Between two flushes the model's rows are the store's rows as they were at the last flush;
``data()`` reads the live objects, which is always safe (see each model for how rows that
left the store keep answering until the removal is replayed).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from PySide6.QtCore import QObject, Qt, QTimer

from crisp_console.core import Change, Store
from crisp_console.ui.models.roles import ALL_ROLES

MAX_INTERVAL_MS = 16  # one frame at 60 Hz: a burst shows up within a frame
# Half a frame, for changes that are not live events (REST answers, the operator's own):
# 8 ms between flushes costs ~5% more CPU than 16 ms (scripts/bench_ui.py). Live events
# do not wait for it: the frame that applied them flushes (StoreCoalescer's ``frames``).
DEFAULT_INTERVAL_MS = 8
T = TypeVar("T")


class Coalescer(QObject):
    """Calls ``flush`` at most once per ``interval_ms``, and as early as that allows.

    The first change after a quiet period flushes on the next turn of the event loop (a
    0 ms timer: the rest of the same burst still joins it); changes arriving sooner than
    ``interval_ms`` after the last flush wait for the rest of that interval. A fixed delay
    from the first change would add up to a whole frame to every isolated event (measured
    by scripts/bench_ui.py: p99 event-to-paint 28 ms with a fixed 16 ms delay).

    With ``enabled=False`` every ``request()`` flushes at once. ``clock`` (monotonic seconds)
    measures the time since the last flush.
    """

    def __init__(self, flush: Callable[[], None], interval_ms: int = DEFAULT_INTERVAL_MS, *,
                 enabled: bool = True, parent: QObject | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(parent)
        if not 0 <= interval_ms <= MAX_INTERVAL_MS:
            raise ValueError(f"interval_ms must be within 0..{MAX_INTERVAL_MS}")
        self._flush = flush
        self.enabled = enabled
        self._interval = interval_ms
        self._clock = clock
        self._last = -1e9  # clock seconds of the last flush
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._fire)

    @property
    def interval_ms(self) -> int:
        return self._interval

    @property
    def pending(self) -> bool:
        return self._timer.isActive()

    @property
    def scheduled_ms(self) -> int:
        """The delay the waiting flush was given (-1: none waiting)."""
        return self._timer.interval() if self._timer.isActive() else -1

    def request(self) -> None:
        if not self.enabled:
            self._flush()
        elif not self._timer.isActive():
            since_ms = (self._clock() - self._last) * 1000
            self._timer.start(max(0, math.ceil(self._interval - since_ms)))

    def _fire(self) -> None:
        self._last = self._clock()
        self._flush()

    def flush_pending(self) -> None:
        """Flush now if a flush waits (its timer is stopped): the caller knows a batch of
        changes is complete, so the rest of the interval would be waited for nothing."""
        if self._timer.isActive():
            self._timer.stop()
            self._fire()

    def cancel(self) -> None:
        self._timer.stop()


class StoreCoalescer(Coalescer):
    """A Coalescer for what follows the store: it subscribes ``on_change`` to the store's
    Changes (which note what to flush, then ``request()``); ``detach()`` stops both.

    With ``frames``, the end of each frame of live events (``Store.end_frame``) flushes what
    waits at once: a live event then waits for the client's batch only (client/batch.py,
    at most one interval), not for the batch and then this timer, and a burst is still one
    flush. Secondary followers (the filter counts) leave it off and keep their own pace."""

    def __init__(self, store: Store, on_change: Callable[[Change], None],
                 flush: Callable[[], None], interval_ms: int, *, enabled: bool,
                 parent: QObject | None, frames: bool = False) -> None:
        super().__init__(flush, interval_ms, enabled=enabled, parent=parent)
        self._unsubscribe: list[Callable[[], None]] = [store.subscribe(on_change)]
        if frames:
            self._unsubscribe.append(store.subscribe_frames(self.flush_pending))

    def detach(self) -> None:
        self.cancel()
        while self._unsubscribe:
            self._unsubscribe.pop()()


# ---- ordered replay (the timeline) -------------------------------------------------------


@dataclass(slots=True)
class Insert(Generic[T]):
    first: int
    items: list[T]

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1


@dataclass(slots=True)
class Move:
    """One row from ``first`` to Qt's ``destinationChild`` ``dest``."""

    first: int
    dest: int


@dataclass(slots=True)
class Remove:
    first: int
    last: int


RowOp = Insert[T] | Move | Remove


@dataclass(slots=True)
class ReplayQueue(Generic[T]):
    """Row operations in the order the store made them, merged where Qt allows one signal.

    Rows of each operation are in the list as it is after the operations before it, which
    is how replaying them in order onto the model's rows reproduces the store's list.
    """

    ops: list[RowOp[T]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.ops)

    def insert(self, first: int, items: list[T]) -> None:
        prev = self.ops[-1] if self.ops else None
        # Inside or right after the previous range: still one contiguous block of new rows.
        if isinstance(prev, Insert) and prev.first <= first <= prev.last + 1:
            at = first - prev.first
            prev.items[at:at] = items
            return
        self.ops.append(Insert(first, list(items)))

    def move(self, first: int, dest: int) -> None:
        self.ops.append(Move(first, dest))

    def remove(self, first: int, last: int) -> None:
        prev = self.ops[-1] if self.ops else None
        if isinstance(prev, Remove):
            count = last - first + 1
            if first == prev.first:  # the rows that followed the previous range
                prev.last += count
                return
            if last + 1 == prev.first:  # the rows just before it
                prev.first = first
                return
        self.ops.append(Remove(first, last))

    def take(self) -> list[RowOp[T]]:
        ops, self.ops = self.ops, []
        return ops


def changed_runs(rows: Iterable[tuple[int, frozenset[int]]]) -> list[tuple[int, int, list[int]]]:
    """``(row, roles)`` pairs as ``(first, last, roles)`` runs of consecutive rows with the
    same roles, sorted (a row listed twice gets the union). An ``ALL_ROLES`` marker in a
    set gives ``[]``, which Qt reads as "every role"."""
    by_row: dict[int, frozenset[int]] = {}
    for row, roles in rows:
        by_row[row] = by_row.get(row, frozenset()) | roles
    out: list[tuple[int, int, list[int]]] = []
    last_roles: frozenset[int] | None = None
    for row in sorted(by_row):
        roles = by_row[row]
        if out and last_roles == roles and out[-1][1] == row - 1:
            out[-1] = (out[-1][0], row, out[-1][2])
            continue
        out.append((row, row, [] if ALL_ROLES in roles else sorted(roles)))
        last_roles = roles
    return out
