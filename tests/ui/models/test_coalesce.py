"""The coalescing machinery on its own: the replay queue's merges, the dataChanged runs and
the timer."""

from __future__ import annotations

import random

import pytest
from pytestqt.qtbot import QtBot

from crisp_console.core.ordering import moved_index
from crisp_console.ui.models.coalesce import (
    DEFAULT_INTERVAL_MS,
    MAX_INTERVAL_MS,
    Coalescer,
    Insert,
    Move,
    Remove,
    ReplayQueue,
    RowOp,
    changed_runs,
)
from crisp_console.ui.models.roles import ALL_ROLES
from tests.ui.conftest import pending


def apply(rows: list[int], op: RowOp[int]) -> None:
    """One operation with Qt's row arithmetic."""
    if isinstance(op, Insert):
        rows[op.first:op.first] = op.items
    elif isinstance(op, Move):
        rows.insert(moved_index(op.first, op.dest), rows.pop(op.first))
    else:
        del rows[op.first:op.last + 1]


@pytest.mark.parametrize("seed", range(20))
def test_merged_replay_equals_the_operations_one_by_one(seed: int) -> None:
    rng = random.Random(seed)
    truth = list(range(10))
    start = list(truth)
    queue: ReplayQueue[int] = ReplayQueue()
    made = 0
    fresh = 100
    near = 0  # the previous operation's row: the next one often lands next to it (merges)
    for _ in range(60):
        n = len(truth)
        roll = rng.random()

        def row(top: int, near: int = near) -> int:
            spot = near + rng.randint(-2, 2) if rng.random() < 0.7 else rng.randint(0, top)
            return max(0, min(top, spot))

        if roll < 0.45 or n < 2:
            first = row(n)
            items = list(range(fresh, fresh + rng.randint(1, 3)))
            fresh += len(items)
            op: RowOp[int] = Insert(first, items)
            queue.insert(first, items)
        elif roll < 0.85:
            first = row(n - 1)
            last = min(n - 1, first + rng.randint(0, 2))
            op = Remove(first, last)
            queue.remove(first, last)
        else:
            first = rng.randint(0, n - 1)
            dest = rng.choice([d for d in range(n + 1) if d not in (first, first + 1)])
            op = Move(first, dest)
            queue.move(first, dest)
        near = first
        apply(truth, op)
        made += 1
    replayed = list(start)
    ops = queue.take()
    for op in ops:
        if isinstance(op, Insert):
            assert op.items and 0 <= op.first <= len(replayed)
        elif isinstance(op, Remove):
            assert 0 <= op.first <= op.last < len(replayed)
        apply(replayed, op)
    assert replayed == truth
    assert len(ops) < made and len(queue) == 0


def test_what_merges_and_what_does_not() -> None:
    q: ReplayQueue[str] = ReplayQueue()
    q.insert(5, ["a", "b"])
    q.insert(7, ["c"])  # right after
    q.insert(5, ["z"])  # at its start
    q.insert(6, ["y"])  # inside
    q.insert(11, ["far"])  # the block is rows 5..9: row 11 leaves a gap
    assert q.take() == [Insert(5, ["z", "y", "a", "b", "c"]), Insert(11, ["far"])]
    q.remove(3, 4)
    q.remove(3, 3)  # the row that followed
    q.remove(1, 2)  # the rows just before
    q.remove(0, 0)  # and the one before those
    q.remove(5, 5)  # old row 11: not adjacent
    assert q.take() == [Remove(0, 5), Remove(5, 5)]
    q.insert(0, ["a"])
    q.move(0, 2)
    q.insert(1, ["b"])  # after a move: a new range
    assert len(q.take()) == 3


def test_changed_runs_group_consecutive_rows_with_equal_roles() -> None:
    a, b = frozenset((1, 2)), frozenset((1,))
    rows = [(4, a), (3, a), (5, b), (9, a), (9, b), (10, frozenset((ALL_ROLES,)))]
    assert changed_runs(rows) == [(3, 4, [1, 2]), (5, 5, [1]), (9, 9, [1, 2]), (10, 10, [])]
    assert changed_runs([]) == []


def test_the_coalescer_flushes_once_per_burst(qtbot: QtBot) -> None:
    calls: list[int] = []
    timer = Coalescer(lambda: calls.append(1), 5)
    for _ in range(100):
        timer.request()
    assert timer.pending and calls == []
    qtbot.waitUntil(lambda: calls == [1], timeout=1000)
    assert not pending(timer) and timer.interval_ms == 5
    timer.request()
    timer.cancel()
    assert not pending(timer)  # no timer left to flush
    assert calls == [1]


def test_the_first_change_after_a_quiet_spell_flushes_at_once_the_next_waits(
        qtbot: QtBot) -> None:
    now = [0.0]  # the coalescer's clock, moved by hand in binary fractions of a second
    calls: list[float] = []
    timer = Coalescer(lambda: calls.append(now[0]), 16, clock=lambda: now[0])
    timer.request()
    assert timer.scheduled_ms == 0 and calls == []  # never inside the store's notification
    qtbot.waitUntil(lambda: len(calls) == 1, timeout=1000)
    timer.request()  # right after a flush: waits for the whole interval
    assert timer.scheduled_ms == 16
    timer.cancel()
    now[0] += 1 / 256  # 3.9 ms later
    timer.request()  # waits for the rest of the interval: at most one flush per interval
    assert timer.scheduled_ms == 13
    qtbot.waitUntil(lambda: len(calls) == 2, timeout=1000)
    assert calls == [0.0, 1 / 256]
    now[0] += 1 / 64  # 15.6 ms after the last flush: not quite an interval
    timer.request()
    assert timer.scheduled_ms == 1
    timer.cancel()
    now[0] += 1 / 256  # a quiet spell longer than the interval
    timer.request()
    assert timer.scheduled_ms == 0


def test_flush_pending_flushes_now_only_what_waits() -> None:
    now = [0.0]
    calls: list[int] = []
    timer = Coalescer(lambda: calls.append(1), 16, clock=lambda: now[0])
    timer.flush_pending()
    assert calls == []  # nothing waited
    timer.request()
    timer.flush_pending()
    assert calls == [1] and not pending(timer)
    timer.request()  # right after that flush: the whole interval, as after a timed one
    assert timer.scheduled_ms == 16
    timer.cancel()


def test_the_coalescer_modes() -> None:
    calls: list[int] = []
    immediate = Coalescer(lambda: calls.append(2), enabled=False)
    immediate.request()
    assert calls == [2] and not immediate.pending
    assert Coalescer(lambda: None).interval_ms == DEFAULT_INTERVAL_MS == 8
    assert MAX_INTERVAL_MS == 16
    for bad in (-1, 17):
        with pytest.raises(ValueError, match="interval_ms"):
            Coalescer(lambda: None, bad)
