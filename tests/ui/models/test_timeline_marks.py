"""TimelineModel's MARK role (the find's and a reveal's highlights): read from the mark source,
changed with one ``dataChanged`` of that role per run of rows, and the model valid under
live changes while marks are set (Qt's model tester watches every signal)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QAbstractItemModel

from crisp_console.core import Store
from crisp_console.present.find_text import FindResults, Mark
from crisp_console.ui.models import MessageRole, TimelineModel
from tests.core import factories as f
from tests.present.seeded import T
from tests.ui.conftest import SignalLog
from tests.ui.models.test_timeline import page

MARK = int(MessageRole.MARK)
Attach = Callable[[QAbstractItemModel], Any]


def marked(model: TimelineModel) -> dict[int, Mark]:
    values = {row: model.index(row).data(MARK) for row in range(model.rowCount())}
    return {row: mark for row, mark in values.items() if mark is not None}


@pytest.fixture
def sid(store: Store) -> str:
    sid = store.conversation_ids()[0]
    store.upsert_messages(sid, page(sid, 10, T))
    return sid


def test_marks_come_from_the_source_and_change_in_runs(store: Store, sid: str,
                                                       qtmodeltester: Any) -> None:
    model = TimelineModel(store)
    model.bind(sid)
    assert marked(model) == {}
    chosen: set[int] = set()
    model.set_mark_source(lambda fp: Mark("m", found=True) if fp in chosen else None)
    log = SignalLog(model)
    fps = [model.message_at(r).fingerprint for r in (2, 3, 4, 8)]
    chosen.update(fps)
    model.marks_changed(fps)
    assert log.of("dataChanged") == [(2, 4, [MARK]), (8, 8, [MARK])]
    assert set(marked(model)) == {2, 3, 4, 8}
    log.clear()
    model.marks_changed([123])  # not a row of this thread
    model.marks_changed([])
    assert len(log) == 0
    model.set_mark_source(None)  # every row's mark changes
    assert log.of("dataChanged") == [(0, 9, [MARK])] and marked(model) == {}
    qtmodeltester.check(model)


@pytest.mark.parametrize("coalesce", [False, True])
def test_a_find_over_live_changes_keeps_the_model_valid(
        store: Store, sid: str, qtmodeltester: Any, live_tester: Attach,
        coalesce: bool) -> None:
    model = TimelineModel(store, coalesce=coalesce)
    model.bind(sid)
    qtmodeltester.check(model)
    live_tester(model)
    find = FindResults()
    model.set_mark_source(find.mark)

    def follow(*_args: Any) -> None:
        before = set(find.matches)
        find.refresh(model.messages())
        model.marks_changed(before | set(find.matches))

    for signal in (model.rowsInserted, model.rowsRemoved, model.rowsMoved):
        signal.connect(follow)
    find.search("refund", model.messages())
    assert marked(model) == {}
    for i in range(6):  # live: every other one matches
        store.apply("message:send", f.message_event(
            sid, timestamp=T + 1000 + i, content="refund?" if i % 2 else "hi"))
    model.flush()
    assert sorted(marked(model)) == [11, 13, 15]
    oldest = store.messages(sid)[0].timestamp
    store.upsert_messages(sid, [f.message(sid, timestamp=oldest - 500, content="REFUND")])
    model.flush()  # an older page: one more match, the rows shift
    assert sorted(marked(model)) == [0, 12, 14, 16]
    gone = model.message_at(14).fingerprint
    store.apply("message:removed", f.session_event(sid, fingerprint=gone))
    model.flush()
    assert sorted(marked(model)) == [0, 12, 15]
    model.marks_changed([find.step(older=True) or 0])
    assert marked(model)[15] == Mark("refund", found=True, current=True)
    model.bind(store.conversation_ids()[1])  # another thread: a reset, no stale rows
    assert marked(model) == {}
    qtmodeltester.check(model)
