"""The list does not move under the mouse (issue 15), against the sandbox: with the pointer
on a row, three visitors start conversations; the row under the pointer is the same
conversation at the same place and the pill says "3 new ↑"; Alt+Home ("Scroll the list to the
newest conversations") shows them; with the pointer elsewhere, new rows show at the top.

The pointer is the one thing moved with the mouse here (a hand resting on the list); every
action is a key. It moves as the window system says so: a mouse-move event delivered to the
window at once. QTest's mouse functions would process events re-entrantly inside the running
task (qtestmouse's waitForEvents), which qasync does not survive: sockets stall."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QCursor, QMouseEvent
from PySide6.QtWidgets import QApplication, QWidget

from crisp_console.sandbox.server import Sandbox
from crisp_console.ui.console import Console
from tests.e2e.conftest import e2e, focused, press, until
from tests.e2e.test_keyboard_flow import open_next

ALT = Qt.KeyboardModifier.AltModifier


def point_at(widget: QWidget, pos: QPoint) -> None:
    """The pointer to ``pos`` on ``widget``: Qt sends enter and leave events from it."""
    top = widget.window()
    local, where = QPointF(widget.mapTo(top, pos)), QPointF(widget.mapToGlobal(pos))
    QCursor.setPos(where.toPoint())
    QApplication.sendEvent(top.windowHandle(), QMouseEvent(
        QEvent.Type.MouseMove, local, local, where, Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier))


@e2e()
async def test_rows_under_the_pointer_stay_and_the_pill_counts_new_ones(
        console: Console, sandbox: Sandbox) -> None:
    lp = console.panes.list_pane
    view, model, hold = lp.view, lp.model, lp.view.hold
    await until(lambda: view.verticalScrollBar().maximum() > 3 * view.rowHeight(0),
                what="a list longer than its pane")
    opened = await open_next(console)
    editor = console.panes.composer.editor
    assert focused() is editor
    row = view.rowAt(0) + 3
    y = view.rowViewportPosition(row)
    point_at(view.viewport(), QPoint(60, y + view.rowHeight(row) // 2))
    assert view.underMouse()
    hovered = model.session_id_at(row)
    count = model.rowCount()
    new = [(await sandbox.simulator.act("conversation"))["session_id"] for _ in range(3)]
    await until(lambda: all(model.row_of(s) >= 0 for s in new), what="the three new rows")
    assert model.rowCount() == count + 3
    assert sorted(model.row_of(s) for s in new) == [0, 1, 2]  # the model's order: on top
    assert model.session_id_at(view.rowAt(y + 5)) == hovered  # the same conversation…
    assert view.rowViewportPosition(model.row_of(hovered)) == y  # …at the same place
    assert hold.pill.isVisible() and hold.pill.text() == "3 new ↑"
    assert console.controller.session_id == opened, (opened, hovered, new)  # still open
    press(focused(), Qt.Key.Key_Home, ALT)
    await until(lambda: view.verticalScrollBar().value() == 0, what="Alt+Home to the top")
    assert not hold.pill.isVisible() and hold.count() == 0
    assert {model.session_id_at(view.rowAt(r * view.rowHeight(0) + 2)) for r in range(3)} \
        == set(new)
    assert focused() is editor and console.controller.session_id == opened

    # The pointer leaves for the thread, the list is at its top: new rows show at once.
    point_at(console.panes.thread, QPoint(80, 80))
    assert not view.underMouse()
    later = (await sandbox.simulator.act("conversation"))["session_id"]
    await until(lambda: model.row_of(later) >= 0, what="the next new row")
    assert model.row_of(later) < 4  # among the newest (equal times sort by id)
    assert view.verticalScrollBar().value() == 0  # the list did not move: it shows
    assert hold.count() == 0 and not hold.pill.isVisible()
