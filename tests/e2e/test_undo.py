"""Undo (issue 15), end to end, keyboard only: resolve, assign, unassign and mark unread each
show the undo bar, and Ctrl+Z puts back exactly what was there, in Crisp (the sandbox); the
undo ends after its seconds (an injected clock); a second action replaces the first's; in
the reply box, typing done since the action is undone first."""

from __future__ import annotations

from PySide6.QtCore import Qt

from crisp_console.present.undo import UNDO_SECONDS
from crisp_console.sandbox.server import Sandbox
from crisp_console.ui.console import Console
from tests.clock import VirtualClock
from tests.e2e.conftest import e2e, focused, press, until
from tests.e2e.test_actions import picker_open
from tests.e2e.test_keyboard_flow import open_next
from tests.keyboard import type_text

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def bar_text(console: Console) -> str:
    bar = console.undo.bar
    assert bar is not None
    return bar.text()


async def undo_offered(console: Console, words: str) -> None:
    await until(lambda: words in bar_text(console), what=f"the undo bar to say {words!r}")


async def status_says(console: Console, words: str) -> None:
    await until(lambda: words in console.window.statusBar().currentMessage(),
                what=f"the status bar to say {words!r}")


@e2e()
async def test_ctrl_z_reopens_a_resolved_conversation_as_it_was(console: Console,
                                                               sandbox: Sandbox) -> None:
    sid = await open_next(console)
    conv = sandbox.state.conversations[sid]
    before = conv.state
    assert before != "resolved"
    press(focused(), Qt.Key.Key_E, CTRL | SHIFT)
    await until(lambda: conv.state == "resolved", what="resolved in Crisp")
    name = console.client.store.conversations[sid].nickname
    await undo_offered(console, f"Resolved “{name}”")
    assert focused() is console.panes.composer.editor  # nothing typed since: the action's
    press(focused(), Qt.Key.Key_Z, CTRL)
    await until(lambda: conv.state == before, what=f"back to {before} in Crisp")
    assert bar_text(console) == ""
    assert console.client.store.conversations[sid].state == before
    # Undone once: a second Ctrl+Z has nothing left.
    press(focused(), Qt.Key.Key_Z, CTRL)
    await status_says(console, "Nothing to undo")
    assert conv.state == before


@e2e()
async def test_undo_puts_the_assignee_back_and_unassign_is_undone_too(
        console: Console, sandbox: Sandbox) -> None:
    sid = await open_next(console)
    conv = sandbox.state.conversations[sid]
    me = console.client.me
    press(focused(), Qt.Key.Key_A, CTRL | SHIFT)  # the picker: me first
    await picker_open(console)
    press(focused(), Qt.Key.Key_Return)
    await until(lambda: conv.assigned == me, what="assigned to me")
    # Another operator now: Ctrl+Z gives it back to me, not to nobody.
    press(focused(), Qt.Key.Key_A, CTRL | SHIFT)
    await picker_open(console)
    colleague = console.panes.palette.results()[1].item
    press(focused(), Qt.Key.Key_Down)
    press(focused(), Qt.Key.Key_Return)
    await until(lambda: conv.assigned == colleague.key, what="assigned to the colleague")
    await undo_offered(console, "Assigned")
    await until(lambda: focused() is console.panes.composer.editor, what="back from the picker")
    press(focused(), Qt.Key.Key_Z, CTRL)
    await until(lambda: conv.assigned == me, what="assigned to me again")
    # Unassign (a choice of the picker): undone, it is mine again.
    press(focused(), Qt.Key.Key_A, CTRL | SHIFT)
    await picker_open(console)
    palette = console.panes.palette
    unassign = next(i for i, r in enumerate(palette.results())
                    if r.item.title.startswith("Unassign"))
    for _ in range(unassign):
        press(focused(), Qt.Key.Key_Down)
    press(focused(), Qt.Key.Key_Return)
    await until(lambda: conv.assigned is None, what="unassigned")
    await undo_offered(console, "Unassigned")
    await until(lambda: focused() is console.panes.composer.editor, what="back from the picker")
    press(focused(), Qt.Key.Key_Z, CTRL)
    await until(lambda: conv.assigned == me, what="mine again")


@e2e()
async def test_undo_of_mark_unread_reads_it_again(console: Console, sandbox: Sandbox) -> None:
    sid = await open_next(console)
    conv = sandbox.state.conversations[sid]
    await until(lambda: conv.unread_operator == 0, what="read while open")
    press(focused(), Qt.Key.Key_U, CTRL)
    await until(lambda: conv.unread_operator > 0, what="unread in Crisp")
    await undo_offered(console, "unread")
    press(focused(), Qt.Key.Key_Z, CTRL)
    await until(lambda: conv.unread_operator == 0, what="read again in Crisp")
    await until(lambda: console.client.store.conversations[sid].unread_operator == 0,
                what="and on screen")


@e2e()
async def test_the_undo_ends_after_its_seconds_and_a_second_action_replaces_it(
        console: Console, sandbox: Sandbox) -> None:
    clock = VirtualClock()
    console.undo.clock = clock.monotonic
    first = await open_next(console)
    conv = sandbox.state.conversations[first]
    press(focused(), Qt.Key.Key_E, CTRL | SHIFT)
    await until(lambda: conv.state == "resolved", what="resolved")
    await undo_offered(console, "Resolved")
    clock.advance(UNDO_SECONDS - 0.1)
    console.undo.check()  # what the bar's timer does when it fires
    assert "Resolved" in bar_text(console)
    clock.advance(0.1)
    console.undo.check()
    assert bar_text(console) == ""
    press(focused(), Qt.Key.Key_Z, CTRL)
    await status_says(console, "Nothing to undo")
    assert conv.state == "resolved"
    # Two actions: Ctrl+Z undoes the second only.
    second = await open_next(console)
    other = sandbox.state.conversations[second]
    press(focused(), Qt.Key.Key_E, CTRL | SHIFT)
    await until(lambda: other.state == "resolved", what="the second resolved")
    press(focused(), Qt.Key.Key_U, CTRL)
    await until(lambda: other.unread_operator > 0, what="then marked unread")
    await undo_offered(console, "unread")
    press(focused(), Qt.Key.Key_Z, CTRL)
    await until(lambda: other.unread_operator == 0, what="the unread undone")
    await until(lambda: len(console.tasks) == 0, what="the console's tasks to end")
    assert other.state == "resolved"


@e2e()
async def test_in_the_reply_box_typing_done_since_the_action_is_undone_first(
        console: Console, sandbox: Sandbox) -> None:
    sid = await open_next(console)
    conv = sandbox.state.conversations[sid]
    editor = console.panes.composer.editor
    before = conv.state
    press(editor, Qt.Key.Key_E, CTRL | SHIFT)
    await until(lambda: conv.state == "resolved", what="resolved")
    await undo_offered(console, "Resolved")
    type_text("thanks!")
    press(editor, Qt.Key.Key_Z, CTRL)  # the typing came last: it goes first
    assert editor.toPlainText() == "" and conv.state == "resolved"
    assert "Resolved" in bar_text(console)
    press(editor, Qt.Key.Key_Z, CTRL)  # no typing left to undo: the action
    await until(lambda: conv.state == before, what="reopened")
    # A click on the bar's Undo does the same (the one mouse use here: it is the button).
    press(editor, Qt.Key.Key_E, CTRL | SHIFT)
    await until(lambda: conv.state == "resolved", what="resolved again")
    await undo_offered(console, "Resolved")
    bar = console.undo.bar
    assert bar is not None
    bar.button.click()
    await until(lambda: conv.state == before, what="reopened by the button")
    assert focused() is editor  # the bar takes no focus


@e2e(after_resolve="next")
async def test_undoing_resolve_and_next_goes_back_to_it(console: Console,
                                                      sandbox: Sandbox) -> None:
    """Resolved, the console moved on to the next one; Ctrl+Z reopens the first and opens it
    again, where the operator was (its row back in Unresolved)."""
    sid = await open_next(console)
    conv = sandbox.state.conversations[sid]
    before = conv.state
    press(focused(), Qt.Key.Key_E, CTRL | SHIFT)
    await until(lambda: conv.state == "resolved", what="resolved")
    assert console.controller.session_id not in (None, sid)  # moved on
    await undo_offered(console, "Resolved")
    press(focused(), Qt.Key.Key_Z, CTRL)
    await until(lambda: conv.state == before, what="reopened in Crisp")
    await until(lambda: console.controller.session_id == sid, what="back on it")
    lp = console.panes.list_pane
    assert lp.current_session_id() == sid and lp.model.row_of(sid) >= 0
    assert lp.filter().value == "unresolved"  # the operator's view is left as it was
