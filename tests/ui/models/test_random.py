"""A seeded random walk over every kind of store operation (the core's walk), with every model
attached to the store under Qt's model tester, flushed at random moments.

After every operation: the one-to-one models equal the store, every row of the coalesced
models still answers ``data()`` (also rows whose removal is not flushed yet), and the counts
equal a recount. After every flush: the coalesced models equal the store too.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QAbstractItemModel

from crisp_console.core import Store
from crisp_console.present.filters import ConversationFilter, Filter
from crisp_console.ui.models import (
    ITEM_ROLE,
    ConversationListModel,
    FilterCounts,
    TimelineModel,
)
from tests.core import factories as f
from tests.core.test_random_qt_mirror import SITES, WEIGHTS, Walk
from tests.present.seeded import ME, recount
from tests.ui.conftest import SignalLog

Attach = Callable[[QAbstractItemModel], Any]


def list_rows(model: QAbstractItemModel) -> list[str]:
    return [model.index(r, 0).data(ITEM_ROLE).session_id for r in range(model.rowCount())]


def timeline_rows(model: TimelineModel) -> list[int]:
    return [model.index(r).data(ITEM_ROLE).fingerprint for r in range(model.rowCount())]


def every_row_answers(model: QAbstractItemModel) -> bool:
    return all(model.index(r, 0).data(ITEM_ROLE) is not None for r in range(model.rowCount()))


class Models:
    """Everything the console builds on one store."""

    def __init__(self, store: Store, rng: random.Random, attach: Attach) -> None:
        self.store, self.rng = store, rng
        self.exact = ConversationListModel(store, coalesce=False, block_size=4)
        self.merged = ConversationListModel(store, block_size=4)
        self.flt = ConversationFilter(Filter.UNRESOLVED, ME)
        self.filtered = ConversationListModel(store, accept=self.flt)
        self.timeline_exact = TimelineModel(store, coalesce=False)
        self.timeline_merged = TimelineModel(store)
        self.counts = FilterCounts(store, ME)
        self.coalesced: list[ConversationListModel | TimelineModel] = [
            self.merged, self.filtered, self.timeline_merged]
        self.all: list[QAbstractItemModel] = [self.exact, self.merged, self.filtered,
                                              self.timeline_exact, self.timeline_merged]
        self.logs = [SignalLog(m) for m in self.all]
        for model in self.all:
            attach(model)

    def rebind(self) -> None:
        ids = self.store.conversation_ids()
        sid = self.rng.choice(ids) if ids and self.rng.random() < 0.9 else None
        self.timeline_exact.bind(sid)
        self.timeline_merged.bind(sid)

    def switch_filter(self) -> None:
        rng = self.rng
        self.flt = ConversationFilter(rng.choice(list(Filter)), ME,
                                      rng.choice(["", "x", "grace", "HELLO", "zzz"]))
        self.filtered.set_accept(self.flt)

    def flush(self) -> None:
        for model in self.coalesced:
            model.flush()

    def check_live(self) -> None:
        store = self.store
        assert list_rows(self.exact) == store.conversation_ids()
        sid = self.timeline_exact.session_id
        truth = [m.fingerprint for m in store.messages(sid)] if sid else []
        assert timeline_rows(self.timeline_exact) == truth
        for model in (self.merged, self.filtered, self.timeline_merged):
            assert every_row_answers(model)
        assert self.counts.counts() == recount(store, ME)

    def check_flushed(self) -> None:
        store = self.store
        ids = store.conversation_ids()
        assert list_rows(self.merged) == ids
        assert list_rows(self.filtered) == [s for s in ids if self.flt(store.conversations[s])]
        assert timeline_rows(self.timeline_merged) == timeline_rows(self.timeline_exact)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_walk_with_every_model_attached(seed: int, qapp: Any, qtmodeltester: Any,
                                               live_tester: Attach) -> None:
    rng = random.Random(seed)
    store = Store(block_size=4)
    store.set_websites([f.website(s) for s in SITES])
    models = Models(store, rng, live_tester)
    walk = Walk(store, rng)
    names = list(WEIGHTS)
    weights = [WEIGHTS[n] for n in names]
    ops: Counter[str] = Counter()
    for step in range(400):
        name = rng.choices(names, weights)[0]
        ops[name] += 1
        getattr(walk, name)()
        if step % 25 == 0 or models.timeline_exact.session_id not in store.conversations:
            models.rebind()
        if rng.random() < 0.03:
            models.switch_filter()
        models.check_live()
        roll = rng.random()
        if roll < 0.3:
            models.flush()
            models.check_flushed()
        elif roll < 0.4:
            qapp.processEvents()  # the timers flush whatever waited long enough
    models.flush()
    models.check_flushed()
    for model in models.all:
        qtmodeltester.check(model)
    # The walk exercised every kind of Qt signal on the models.
    seen = Counter(name for log in models.logs for name, _ in log.events)
    for signal in ("rowsInserted", "rowsMoved", "rowsRemoved", "dataChanged", "modelReset"):
        assert seen[signal] > 0, (signal, seen)
    assert min(ops.values()) > 0
