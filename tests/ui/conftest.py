"""Shared fixtures of the Qt tests: the seeded Store (tests/present/seeded.py), Qt's own model
tester kept attached while the store changes, and a recorder of model signals.

The model tester runs in Warning mode: a contract violation is a Qt warning, and
``qt_log_level_fail = WARNING`` turns it into a clean test failure (Fatal would abort the
whole process).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import QAbstractItemModel, QModelIndex
from PySide6.QtTest import QAbstractItemModelTester

from crisp_console.client.tasks import TaskOwner
from crisp_console.core import Store
from tests.present.seeded import seeded_store


def pending(model: Any) -> bool:
    """``model.pending``, read through a call (mypy would keep a narrowed property)."""
    return bool(model.pending)


async def tasks_done(tasks: TaskOwner, turns: int = 1000) -> None:
    """Let the loop turn until ``tasks`` has nothing running (each task here ends by itself
    within a few turns; one that does not fails the test)."""
    for _ in range(turns):
        if len(tasks) == 0:
            return
        await asyncio.sleep(0)
    raise AssertionError(f"{len(tasks)} task(s) still running")


@pytest.fixture
def store() -> Store:
    return seeded_store()


@pytest.fixture
def live_tester(qapp: Any) -> Iterator[Callable[[QAbstractItemModel], QAbstractItemModelTester]]:
    """``live_tester(model)`` attaches Qt's QAbstractItemModelTester for the rest of the
    test: it re-checks the model on every signal, so a contract violation *during* live
    changes fails the test (as a Qt warning)."""
    testers: list[QAbstractItemModelTester] = []

    def attach(model: QAbstractItemModel) -> QAbstractItemModelTester:
        tester = QAbstractItemModelTester(
            model, QAbstractItemModelTester.FailureReportingMode.Warning)
        testers.append(tester)
        return tester

    yield attach
    testers.clear()


SIGNALS = ("rowsAboutToBeInserted", "rowsInserted", "rowsAboutToBeMoved", "rowsMoved",
           "rowsAboutToBeRemoved", "rowsRemoved", "dataChanged", "modelAboutToBeReset",
           "modelReset", "layoutAboutToBeChanged", "layoutChanged")


def _plain(name: str, args: tuple[Any, ...]) -> tuple[Any, ...]:
    """Signal arguments without indexes: (first, last) rows, (start, end, row) for moves,
    (top, bottom, roles) for dataChanged."""
    if name == "dataChanged":
        top, bottom, roles = args
        return (top.row(), bottom.row(), sorted(int(r) for r in roles))
    if name in ("rowsAboutToBeMoved", "rowsMoved"):
        return (args[1], args[2], args[4])
    return tuple(a for a in args if not isinstance(a, QModelIndex))


class SignalLog:
    """Records every row/reset/data signal of a model, in order."""

    def __init__(self, model: QAbstractItemModel) -> None:
        self.events: list[tuple[str, tuple[Any, ...]]] = []
        for name in SIGNALS:
            getattr(model, name).connect(self._recorder(name))

    def _recorder(self, name: str) -> Callable[..., None]:
        def record(*args: Any) -> None:
            self.events.append((name, _plain(name, args)))
        return record

    def counts(self) -> Counter[str]:
        return Counter(name for name, _ in self.events)

    def of(self, name: str) -> list[tuple[Any, ...]]:
        return [args for n, args in self.events if n == name]

    def __len__(self) -> int:
        return len(self.events)

    def clear(self) -> None:
        self.events.clear()
