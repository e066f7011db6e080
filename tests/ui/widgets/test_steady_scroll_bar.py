"""The list's scroll bar repaints when its pixels change, not on every change of range.

Whether the bar was repainted is read in the window's next paint pass: a widget marked dirty
is painted in the same pass as any other of its window, so each step below marks a probe
widget dirty too and waits for the probe's paint (an event, not a time)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QListView, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from crisp_console.ui.widgets.steady_scroll_bar import SteadyScrollBar


class Paints(QObject):
    def __init__(self, *widgets: QWidget) -> None:
        super().__init__()
        self.count = {w: 0 for w in widgets}
        for widget in widgets:
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and watched in self.count:
            self.count[watched] += 1  # type: ignore[index]
        return False


def build(qtbot: QtBot, rows: int) -> tuple[QWidget, QListView, QStandardItemModel,
                                             SteadyScrollBar, QWidget, Paints]:
    window = QWidget()
    layout = QVBoxLayout(window)
    view = QListView()
    bar = SteadyScrollBar(Qt.Orientation.Vertical, view)
    view.setVerticalScrollBar(bar)
    model = QStandardItemModel()
    for i in range(rows):
        model.appendRow(QStandardItem(f"row {i}"))
    view.setModel(model)
    probe = QWidget()
    probe.setFixedHeight(4)
    layout.addWidget(view)
    layout.addWidget(probe)
    window.resize(240, 300)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    paints = Paints(bar, probe)
    return window, view, model, bar, probe, paints


def paint_pass(qtbot: QtBot, probe: QWidget, paints: Paints) -> None:
    """Mark the probe dirty and wait for its paint: the pass that paints whatever is dirty."""
    before = paints.count[probe]
    probe.update()
    qtbot.waitUntil(lambda: paints.count[probe] > before)


def test_rows_added_below_a_bar_at_its_shortest_paint_nothing(qtbot: QtBot) -> None:
    _window, _view, model, bar, probe, paints = build(qtbot, 5000)
    paint_pass(qtbot, probe, paints)
    assert paints.count[bar] >= 1  # painted once at least when shown
    shown, skipped = paints.count[bar], bar.skipped
    for i in range(20):
        model.appendRow(QStandardItem(f"new {i}"))  # the range grows; the handle stays put
    paint_pass(qtbot, probe, paints)
    assert paints.count[bar] == shown and bar.skipped > skipped
    bar.setValue(bar.maximum() // 2)  # the handle moves: painted
    paint_pass(qtbot, probe, paints)
    assert paints.count[bar] == shown + 1


def test_a_change_that_moves_the_handle_or_an_end_repaints(qtbot: QtBot) -> None:
    _window, _view, model, bar, probe, paints = build(qtbot, 30)
    paint_pass(qtbot, probe, paints)
    shown = paints.count[bar]
    model.appendRow(QStandardItem("one more"))  # a short list: the handle shrinks
    paint_pass(qtbot, probe, paints)
    assert paints.count[bar] == shown + 1
    bar.setValue(bar.maximum())  # at the end: the arrow there is drawn disabled
    paint_pass(qtbot, probe, paints)
    assert paints.count[bar] == shown + 2
    assert bar.looks()[5] is True
