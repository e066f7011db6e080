"""Team controls end to end, keyboard only: Unassign (the picker, ``/unassign``), the
console's availability switch (the palette, the status bar, what it mutes), Crisp's
availability of "me" live, and "Signed in as …" in the Console menu and the status bar."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from crisp_console.sandbox.server import Sandbox
from crisp_console.ui.console import Console
from tests.e2e.conftest import e2e, focused, press, until
from tests.e2e.test_actions import picker_open
from tests.e2e.test_keyboard_flow import open_next

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def listed(console: Console) -> list[str]:
    lp = console.panes.list_pane
    lp.flush()
    return [lp.model.session_id_at(r) for r in range(lp.model.rowCount())]


async def assign_from_picker(console: Console, typed: str) -> None:
    """Ctrl+Shift+A, type ``typed``, Enter on the first match."""
    press(focused(), Qt.Key.Key_A, CTRL | SHIFT)
    await picker_open(console)
    QTest.keyClicks(focused(), typed)
    console.panes.palette.flush()
    press(focused(), Qt.Key.Key_Return)


@e2e()
async def test_unassign_from_the_picker(console: Console, sandbox: Sandbox) -> None:
    sid = await open_next(console)
    me = console.client.me
    await assign_from_picker(console, "(me)")
    await until(lambda: sandbox.state.conversations[sid].assigned == me, what="assigned to me")
    press(focused(), Qt.Key.Key_3, CTRL)  # Mine
    await until(lambda: sid in listed(console), what="the conversation under Mine")

    await assign_from_picker(console, "unassign")
    await until(lambda: sandbox.state.conversations[sid].assigned is None,
                what="nobody assigned in the sandbox")
    assert console.client.store.conversations[sid].assigned is None
    await until(lambda: sid not in listed(console), what="gone from Mine, live")
    press(focused(), Qt.Key.Key_4, CTRL)  # Unassigned
    await until(lambda: sid in listed(console), what="the conversation under Unassigned")


@e2e()
async def test_slash_unassign_in_the_reply_box(console: Console, sandbox: Sandbox) -> None:
    press(focused(), Qt.Key.Key_4, CTRL)  # Unassigned: watch the row come back live
    sid = await open_next(console)
    conv = sandbox.state.conversations[sid]
    colleague = next(op for op in sandbox.state.operators if op.user_id != console.client.me)
    sandbox.state.set_routing(conv, colleague.user_id)  # a teammate took it, elsewhere
    await until(lambda: sid not in listed(console), what="it leaves Unassigned, live")
    editor = console.panes.composer.editor
    editor.setFocus()
    QTest.keyClicks(editor, "/unassign")
    press(editor, Qt.Key.Key_Return)
    await until(lambda: conv.assigned is None, what="/unassign in the sandbox")
    assert editor.toPlainText() == ""  # the command is not sent to the visitor
    assert not any(m.content == "/unassign" for m in conv.messages)
    await until(lambda: sid in listed(console), what="back under Unassigned, live")
