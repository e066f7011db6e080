"""Saved views: the owner and its memories, the filter bar's tabs for them, the dialog, and
the counts' "+" while a view is not read to its end."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from crisp_console.core.views import SavedKind, SavedView
from crisp_console.present.filters import Filter
from crisp_console.ui.saved_views import SavedViews, SettingsSavedViews
from crisp_console.ui.widgets.filter_bar import FilterBar
from crisp_console.ui.widgets.saved_view_dialog import SavedViewDialog

SEG = SavedView("VIP", SavedKind.SEGMENT, "vip")
FILT = SavedView("Open FR", SavedKind.FILTER,
                 json.dumps([{"criterion": "country", "operator": "eq", "query": ["FR"],
                              "model": "session"}]), "or")


class Memory:
    def __init__(self, views: list[Any]) -> None:
        self.views, self.writes = views, 0

    def get(self) -> list[Any]:
        return self.views

    def set(self, views: list[dict[str, str]]) -> None:
        self.views, self.writes = views, self.writes + 1


def test_bad_entries_are_dropped_once_and_good_ones_kept(caplog: pytest.LogCaptureFixture,
                                                         qapp: Any) -> None:
    memory = Memory([SEG.to_json(), {"name": "x"}, 7, {"name": "y", "kind": "filter",
                                                         "query": "not json"},
                     FILT.to_json(), SEG.to_json()])
    views = SavedViews(memory)
    assert views.views() == [SEG, FILT]
    assert "3 entries did not parse" in caplog.text
    views.remove("VIP")
    assert memory.views == [FILT.to_json()]
    views.add(SavedView("Open FR", SavedKind.SEGMENT, "fr"))  # same name: replaced
    assert [v.query for v in views.views()] == ["fr"]


def test_settings_keep_them_across_runs(tmp_path: Path, qapp: Any) -> None:
    path = str(tmp_path / "window.ini")
    SavedViews(SettingsSavedViews(QSettings(path, QSettings.Format.IniFormat))).add(FILT)
    again = SavedViews(SettingsSavedViews(QSettings(path, QSettings.Format.IniFormat)))
    assert again.views() == [FILT]
    broken = QSettings(path, QSettings.Format.IniFormat)
    broken.setValue("view/saved", "{not json")
    assert SavedViews(SettingsSavedViews(broken)).views() == []


@pytest.fixture
def bar(qtbot: QtBot) -> FilterBar:
    bar = FilterBar(debounce_ms=50)
    qtbot.addWidget(bar)
    bar.resize(480, 160)
    bar.show()
    qtbot.waitExposed(bar)
    return bar


def test_saved_views_are_tabs_after_the_quick_filters(bar: FilterBar, qtbot: QtBot) -> None:
    chosen: list[object] = []
    bar.saved_chosen.connect(chosen.append)
    bar.set_saved_views([SEG, FILT])
    assert bar.button_for(SEG).text() == "VIP"
    bar.set_filter(Filter.ALL)
    bar.activateWindow()
    bar.button(Filter.ALL).setFocus()
    qtbot.waitUntil(bar.button(Filter.ALL).hasFocus)
    qtbot.keyClick(bar.button(Filter.ALL), Qt.Key.Key_Right)
    assert bar.saved() == SEG and chosen == [SEG]
    assert bar.button_for(SEG).hasFocus()
    bar.set_saved_count(12, exact=False)
    assert bar.button_for(SEG).text() == "VIP 12+"
    qtbot.keyClick(bar.button_for(SEG), Qt.Key.Key_End)
    assert bar.saved() == FILT
    bar.set_saved_views([SEG])  # the shown one removed: back to the quick filter
    assert bar.saved() is None and chosen[-1] is None
    assert bar.button(Filter.ALL).isChecked()


def test_inexact_counts_say_plus_and_as_of(bar: FilterBar) -> None:
    bar.set_counts({Filter.UNRESOLVED: 50, Filter.ALL: 100},
                   {Filter.ALL: "14:02"})
    assert bar.button(Filter.UNRESOLVED).text() == "Unresolved 50"
    assert bar.button(Filter.ALL).text() == "All 100+"
    assert "at least 100 conversations as of 14:02" in bar.button(Filter.ALL).toolTip()


def test_the_dialog_makes_a_segment_or_a_filter_view(qtbot: QtBot) -> None:
    dialog = SavedViewDialog(["vip", "billing"], ["plan"])
    qtbot.addWidget(dialog)
    dialog.segment.setCurrentText("billing")
    dialog._check()  # noqa: SLF001 - the Save button's slot
    assert dialog.view() == SavedView("billing", SavedKind.SEGMENT, "billing")

    dialog = SavedViewDialog([], ["plan"])
    qtbot.addWidget(dialog)
    dialog.filter_kind.setChecked(True)
    dialog._check()  # noqa: SLF001
    assert dialog.view() is None  # a criterion without a value: said in words
    assert "criterion 1 (segments) needs a value" in dialog.error.text()
    field, operator, value = dialog._rows[0]  # noqa: SLF001
    field.setCurrentText("data.plan")
    operator.setCurrentIndex(2)  # contains
    value.setText("pro")
    dialog.name.setText("Pro plans")
    dialog._check()  # noqa: SLF001
    view = dialog.view()
    assert view is not None and view.kind is SavedKind.FILTER and view.name == "Pro plans"
    assert json.loads(view.query) == [{"criterion": "data.plan", "operator": "has",
                                       "query": ["pro"], "model": "session"}]
