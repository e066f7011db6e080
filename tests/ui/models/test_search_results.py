"""The search results model under Qt's model tester: a query's rows replaced whole, a later
answer updating rows in place and adding the new ones after them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtTest import QAbstractItemModelTester

from crisp_console.present.search_rows import SearchRow
from crisp_console.ui.models.roles import ITEM_ROLE
from crisp_console.ui.models.search_results import SearchResultsModel
from tests.ui.conftest import SignalLog

Tester = Callable[[QAbstractItemModel], QAbstractItemModelTester]


def row(sid: str, fp: int | None = 1, *, text: str = "the VAT", sources: tuple[str, ...] = (
        "saved",), field: str = "message") -> SearchRow:
    return SearchRow(sid, "w", fp, 1000, f"Name {sid}", text, ((4, 7),), "", sources, field)


def test_a_query_replaces_the_rows(qapp: Any, live_tester: Tester) -> None:
    model = SearchResultsModel()
    live_tester(model)
    log = SignalLog(model)
    model.replace([row("a"), row("b")])
    model.replace([row("c")])
    model.clear()
    model.clear()  # nothing to clear: no signal
    assert log.counts() == {"modelAboutToBeReset": 3, "modelReset": 3}
    assert model.rowCount() == 0


def test_a_later_answer_updates_in_place_and_appends(qapp: Any, live_tester: Tester,
                                                     qtmodeltester: Any) -> None:
    model = SearchResultsModel()
    live_tester(model)
    model.replace([row("a"), row("b")])
    log = SignalLog(model)
    crisp = ("saved", "Crisp")
    model.update([row("a"), row("b", sources=crisp), row("c", None, field="conversation")])
    assert log.events == [("dataChanged", (1, 1, [])), ("rowsAboutToBeInserted", (2, 2)),
                          ("rowsInserted", (2, 2))]
    assert [r.session_id for r in model.rows()] == ["a", "b", "c"]
    assert model.data(model.index(1), ITEM_ROLE).sources == crisp
    log.clear()
    # A conversation Crisp named gives its place to a message of it: still in place.
    model.update([row("a"), row("b", sources=crisp), row("c", 5)])
    assert log.events == [("dataChanged", (2, 2, []))]
    qtmodeltester.check(model)
    log.clear()
    model.update([row("b"), row("a")])  # fewer rows, or others first: a reset
    assert log.counts() == {"modelAboutToBeReset": 1, "modelReset": 1}


def test_roles(qapp: Any) -> None:
    model = SearchResultsModel(describe=lambda r: f"said {r.session_id}")
    hostile = SearchRow("s", "w", 1, 1, "<b>Eve</b>", "<img src=file:///etc/passwd> vat",
                        ((29, 32),), "Note", ("saved",), "note")
    model.replace([hostile])
    index = model.index(0)
    assert model.data(index, ITEM_ROLE) is hostile
    assert model.data(index) == "<b>Eve</b>"
    tip = model.data(index, Qt.ItemDataRole.ToolTipRole)
    assert "&lt;img src=file:///etc/passwd&gt;" in tip and "<img" not in tip
    assert model.data(index, Qt.ItemDataRole.AccessibleTextRole) == "said s"
    assert model.data(model.index(3), ITEM_ROLE) is None
    assert model.row_of(hostile.key) == 0 and model.row_of(("x", 1, "message")) == -1
