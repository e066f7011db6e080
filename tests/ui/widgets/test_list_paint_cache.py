"""The conversation list in a real pane keeps its painted rows: a repaint reuses every
unchanged row, a live change repaints only what it changed, and the pixels are those of a
paint without the cache (light and dark, with the console's style sheet)."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from crisp_console.core import Store
from crisp_console.ui.theme import style_sheet
from crisp_console.ui.widgets.list_pane import ListPane
from tests.core import factories as f
from tests.ui.widgets.list_pane_helpers import make_pane


@pytest.fixture
def pane(qtbot: QtBot, store: Store) -> ListPane:
    return make_pane(qtbot, store)


def shown(pane: ListPane) -> QImage:
    pane.flush()
    return pane.view.viewport().grab().toImage()


def visible_rows(pane: ListPane) -> int:
    view = pane.view
    return sum(1 for row in range(pane.model.rowCount())
               if view.visualRect(pane.model.index(row, 0)).intersects(view.viewport().rect()))


def test_a_repaint_reuses_every_unchanged_row(pane: ListPane, store: Store) -> None:
    d = pane.view.delegate
    rows = visible_rows(pane)
    assert rows >= 3
    shown(pane)
    hits, misses = d.row_hits, d.row_misses
    shown(pane)
    assert (d.row_hits - hits, d.row_misses - misses) == (rows, 0)
    # A live change to one row: only that row paints afresh.
    sid = pane.model.session_id_at(1)
    store.apply("session:set_nickname", f.session_event(
        sid, website_id=store.conversations[sid].website_id, nickname="Renamed"))
    hits, misses = d.row_hits, d.row_misses
    shown(pane)
    assert d.row_misses - misses == 1


@pytest.mark.parametrize("sheet", [False, True], ids=["plain", "style-sheet"])
def test_kept_rows_are_the_pixels_of_a_paint(pane: ListPane, sheet: bool) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = app.styleSheet()
    if sheet:
        app.setStyleSheet(style_sheet() or "QWidget {}")
    try:
        pane.view.selectRow(1)
        cached = shown(pane)
        again = shown(pane)
        pane.view.delegate.cache_rows = False
        direct = shown(pane)
    finally:
        app.setStyleSheet(before)
    assert cached == direct
    assert again == direct


def test_a_theme_or_font_change_paints_every_row_afresh(pane: ListPane) -> None:
    from PySide6.QtGui import QPalette

    from tests.ui.delegates.delegate_helpers import DARK, palette

    d = pane.view.delegate
    rows = visible_rows(pane)
    shown(pane)
    misses = d.row_misses
    pane.view.setPalette(palette(DARK))
    dark = shown(pane)
    assert d.row_misses - misses == rows
    assert dark.pixelColor(pane.view.viewport().width() - 2, 2) == palette(DARK).color(
        QPalette.ColorRole.Base)  # the rows are the dark ones, not the light ones kept
    misses = d.row_misses
    font = pane.view.font()
    font.setPointSizeF(font.pointSizeF() + 3)
    pane.view.setFont(font)
    shown(pane)
    assert d.row_misses - misses == visible_rows(pane)
