"""Read state that sticks (issue 15), end to end, keyboard only: "mark unread" on the open
conversation leaves it unread, a visitor message arriving meanwhile too, until the operator
acts in it (types in its reply box, opens it again); resolving moves on as the after_resolve
preference says and marks a neighbour read only for next_read.

"Nothing was marked read" is checked once the console is idle: every task it started (a
read mark is one) has ended, so Crisp (the sandbox) has what the console asked for."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from crisp_console.sandbox.server import Sandbox
from crisp_console.ui.console import Console
from tests.e2e.conftest import e2e, focused, press, until
from tests.e2e.test_keyboard_flow import open_next, visitor_says
from tests.keyboard import type_text

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


async def idle(console: Console) -> None:
    """Every task the console started has ended (loads, read marks, commands)."""
    console.panes.list_pane.flush()
    await until(lambda: len(console.tasks) == 0, what="the console to be idle")


def unread(sandbox: Sandbox, sid: str) -> int:
    return sandbox.state.conversations[sid].unread_operator


@e2e()
async def test_mark_unread_sticks_until_the_operator_acts_in_it(console: Console,
                                                                sandbox: Sandbox) -> None:
    store, lp = console.client.store, console.panes.list_pane
    editor = console.panes.composer.editor
    sid = await open_next(console)
    await until(lambda: unread(sandbox, sid) == 0, what="read while open")
    press(editor, Qt.Key.Key_U, CTRL)
    await until(lambda: unread(sandbox, sid) > 0, what="unread in Crisp")
    await idle(console)
    assert unread(sandbox, sid) > 0 and store.conversations[sid].unread_operator > 0
    # A visitor message in the open conversation: still unread (the operator said so).
    visitor_says(sandbox, sid, "one more thing")
    await until(lambda: any(m.content == "one more thing" for m in store.messages(sid)),
                what="the message on screen")
    await idle(console)
    assert unread(sandbox, sid) > 0 and console.controller.session_id == sid
    # The window coming back to the front is no act in it either.
    console.controller.mark_read_if_seen()
    await idle(console)
    assert unread(sandbox, sid) > 0
    # Typing in its reply box is: read.
    type_text("O")
    await until(lambda: unread(sandbox, sid) == 0, what="read once typed in")
    # From then on it is read while on screen, as before.
    visitor_says(sandbox, sid, "thanks")
    await until(lambda: any(m.content == "thanks" for m in store.messages(sid)),
                what="the next message on screen")
    await until(lambda: unread(sandbox, sid) == 0, what="read at once again")
    # Unread again, then opened again from the list (Esc, Enter): read.
    press(editor, Qt.Key.Key_U, CTRL)
    await until(lambda: unread(sandbox, sid) > 0, what="unread again")
    await idle(console)
    press(editor, Qt.Key.Key_Escape)
    assert focused() is lp.view
    press(lp.view, Qt.Key.Key_Return)
    await until(lambda: unread(sandbox, sid) == 0, what="read when opened again")


async def neighbours_unread(console: Console, sandbox: Sandbox) -> tuple[str, str, str]:
    """Open the second row; its neighbours above and below are unread in Crisp and on
    screen. Returns (above, open, below)."""
    await open_next(console)
    sid = await open_next(console)
    lp, store = console.panes.list_pane, console.client.store
    lp.flush()
    row = lp.model.row_of(sid)
    above, below = lp.model.session_id_at(row - 1), lp.model.session_id_at(row + 1)
    for other in (above, below):
        sandbox.state.mark_unread(sandbox.state.conversations[other], from_="operator")
    await until(lambda: all(store.conversations[o].unread_operator > 0 for o in (above, below)),
                what="the neighbours unread on screen")
    lp.flush()
    assert [lp.model.session_id_at(r) for r in (row - 1, row, row + 1)] == [above, sid, below]
    await idle(console)
    return above, sid, below


@pytest.mark.parametrize("after", ["stay", "next", "previous", "next_read"])
def test_resolve_moves_on_as_the_preference_says(after: str, qloop: object,
                                                 tmp_path: object) -> None:
    @e2e(after_resolve=after)
    async def scenario(console: Console, sandbox: Sandbox) -> None:
        above, sid, below = await neighbours_unread(console, sandbox)
        was_unread = {s for s, c in sandbox.state.conversations.items()
                      if c.unread_operator > 0}
        press(focused(), Qt.Key.Key_E, CTRL | SHIFT)
        await until(lambda: sandbox.state.conversations[sid].state == "resolved",
                    what="resolved in Crisp")
        expected = {"stay": sid, "next": below, "next_read": below, "previous": above}[after]
        assert console.controller.session_id == expected
        if after == "next_read":
            await until(lambda: unread(sandbox, below) == 0, what="the next one read")
            was_unread.discard(below)
        await idle(console)
        # Nothing else was marked read, the neighbour opened included.
        assert {s for s, c in sandbox.state.conversations.items()
                if c.unread_operator > 0} == was_unread
        if after in ("next", "previous"):
            # It is read once the operator acts in it: types in its reply box.
            type_text("Hello")
            await until(lambda: unread(sandbox, expected) == 0, what="read once typed in")

    scenario(qloop, tmp_path)
