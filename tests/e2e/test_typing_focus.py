"""No accidental actions and a predictable focus (issue 15), end to end, keyboard only
(one test clicks, because clicking a row is what it checks): typing in the list never runs
a command and never lands in the filter; opening a conversation by any path puts the focus
in its reply box; navigating the list keeps it there; a palette pick moves the focus where
the pick implies."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

from crisp_console.sandbox.server import Sandbox
from crisp_console.ui.console import Console
from tests.e2e.conftest import e2e, focused, press, until
from tests.e2e.test_keyboard_flow import open_next
from tests.keyboard import type_text

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def states(sandbox: Sandbox) -> dict[str, tuple[str, str | None, int]]:
    """Every conversation's state, assignee and unread count, as Crisp has them."""
    return {sid: (c.state, c.assigned, c.unread_operator)
            for sid, c in sandbox.state.conversations.items()}


async def send_and_wait(console: Console, sandbox: Sandbox, sid: str) -> str:
    """Send what the reply box holds and wait for Crisp to have it: any command a key had
    started before would have reached Crisp by then. Returns the text sent."""
    editor = console.panes.composer.editor
    text = editor.toPlainText().strip()
    press(editor, Qt.Key.Key_Return)
    await until(lambda: any(m.content == text for m in sandbox.state.conversations[sid].messages),
                what=f"the reply {text!r} in the sandbox")
    return text


def within(widget: QWidget | None, pane: QWidget) -> bool:
    return widget is not None and (widget is pane or pane.isAncestorOf(widget))


@e2e()
async def test_typing_ever_into_the_list_types_a_reply_and_runs_nothing(
        console: Console, sandbox: Sandbox) -> None:
    """Single-key mode is off by default: "ever" typed in the list, first key included,
    goes to the open conversation's reply box; E resolves nothing, nothing else opens, the
    filter stays empty."""
    assert console.prefs.single_key is False
    lp, editor = console.panes.list_pane, console.panes.composer.editor
    sid = await open_next(console)
    before = states(sandbox)
    press(editor, Qt.Key.Key_Escape)  # back to the list
    assert focused() is lp.view
    type_text("ever")
    assert focused() is editor and editor.toPlainText() == "ever"
    assert console.controller.session_id == sid and lp.filter_bar.search.text() == ""
    # Down in the list opens the next one and keeps the focus there; typing then answers it.
    press(editor, Qt.Key.Key_Escape)
    press(lp.view, Qt.Key.Key_Down)
    await until(lambda: console.controller.session_id not in (None, sid), what="Down")
    second = console.controller.session_id
    assert second is not None and focused() is lp.view
    type_text("Über déjà vu? ")
    assert focused() is editor and editor.toPlainText() == "Über déjà vu? "
    await send_and_wait(console, sandbox, second)
    after = states(sandbox)  # nothing resolved, assigned or opened by a key
    assert {k: v[1] for k, v in after.items()} == {k: v[1] for k, v in before.items()}
    assert [k for k, v in after.items() if v[0] == "resolved"] == [
        k for k, v in before.items() if v[0] == "resolved"]
    assert lp.filter_bar.search.text() == "" and lp.text() == ""
    assert console.panes.drafts.get(sid) is not None  # "ever" kept as the first's draft


@e2e()
async def test_clicking_a_row_then_typing_replies_there(console: Console,
                                                        sandbox: Sandbox) -> None:
    lp, editor = console.panes.list_pane, console.panes.composer.editor
    lp.view.setFocus()
    target = lp.model.session_id_at(2)
    row = lp.view.visualRect(lp.model.index(2, 0))
    QTest.mouseClick(lp.view.viewport(), Qt.MouseButton.LeftButton, pos=row.center())
    await until(lambda: console.controller.session_id == target, what="the click to open it")
    assert focused() is editor
    type_text("ever")
    await send_and_wait(console, sandbox, target)
    assert sandbox.state.conversations[target].state != "resolved"


@e2e(single_key=True)
async def test_single_key_mode_types_what_is_not_a_command(console: Console,
                                                           sandbox: Sandbox) -> None:
    """Single-key mode on: J/K move and keep the focus in the list, E resolves; any other
    printable key goes to the reply box and types there."""
    lp, editor = console.panes.list_pane, console.panes.composer.editor
    lp.view.setFocus()
    press(lp.view, Qt.Key.Key_J)
    first = lp.model.session_id_at(0)
    await until(lambda: console.controller.session_id == first, what="J")
    press(lp.view, Qt.Key.Key_J)
    second = lp.model.session_id_at(1)
    await until(lambda: console.controller.session_id == second, what="J again")
    assert focused() is lp.view
    type_text("hi 你好")  # h, i, space and CJK are no commands
    assert focused() is editor and editor.toPlainText() == "hi 你好"
    press(editor, Qt.Key.Key_Escape)
    press(lp.view, Qt.Key.Key_K)
    await until(lambda: console.controller.session_id == first, what="K")
    assert focused() is lp.view
    press(lp.view, Qt.Key.Key_E)
    await until(lambda: sandbox.state.conversations[first].state == "resolved", what="E")
    assert console.panes.drafts.get(second) is not None


@e2e()
async def test_every_way_of_opening_focuses_the_reply_box(console: Console,
                                                          sandbox: Sandbox) -> None:
    """Enter on a row, the palette, a notification, the people panel's past conversations
    (the controller's jump_to): the reply box, in the conversation's own mode (a note
    drafted stays a note)."""
    p, lp, editor = console.panes, console.panes.list_pane, console.panes.composer.editor
    sid = await open_next(console)
    press(editor, Qt.Key.Key_N, CTRL | SHIFT)  # a private note
    type_text("internal: check the invoice")
    press(editor, Qt.Key.Key_Escape)
    press(lp.view, Qt.Key.Key_Down)
    await until(lambda: console.controller.session_id not in (None, sid), what="Down")
    press(lp.view, Qt.Key.Key_Up)
    await until(lambda: console.controller.session_id == sid, what="Up")
    assert focused() is lp.view  # moving in the list keeps the focus there
    press(lp.view, Qt.Key.Key_Return)
    assert focused() is editor and p.composer.mode() == "note"
    others = [lp.model.session_id_at(r) for r in (3, 4, 5)]
    # A notification's click is show_window() (raise(): offscreen warns) + jump_to().
    ways: list[Callable[[str], object]] = [
        console.controller.jump_to, lambda sid: p.people.conversation_requested.emit(sid, ""),
        p.palette.conversation_chosen.emit]
    for open_it, other in zip(ways, others, strict=True):
        lp.view.setFocus()
        open_it(other)
        await until(lambda sid=other: console.controller.session_id == sid,  # type: ignore[misc]
                    what=f"{other} to open")
        assert focused() is editor


async def pick_command(console: Console, title: str, *, window: bool = True) -> None:
    """Ctrl+K, ">" and the command's title, Enter; ``window``: the window is active again
    then (not when the pick opens a dialog)."""
    palette = console.panes.palette
    press(focused(), Qt.Key.Key_K, CTRL)
    await until(lambda: palette.isVisible() and focused() is palette.line_edit,
                what="the palette")
    type_text(f">{title}")
    palette.flush()
    item = palette.current_item()
    assert item is not None and item.title == title, (title, item)
    press(palette.line_edit, Qt.Key.Key_Return)
    await until(lambda: not palette.isVisible()
                and (console.window.isActiveWindow() or not window),
                what="the palette to close")


@e2e()
async def test_a_palette_pick_moves_the_focus_where_it_implies(console: Console,
                                                               sandbox: Sandbox) -> None:
    p = console.panes
    editor, lp = p.composer.editor, p.list_pane
    sid = await open_next(console)
    await pick_command(console, "Show Mine")  # a view: the list
    assert focused() is lp.view and lp.filter().value == "mine"
    await pick_command(console, "Show Unresolved")
    await pick_command(console, "First message")  # the thread
    assert focused() is p.thread.view
    await pick_command(console, "Switch between reply and private note")  # the reply box
    assert focused() is editor and p.composer.mode() == "note"
    await pick_command(console, "Search messages…")  # the search box
    assert focused() is p.search.box
    await pick_command(console, "Filter the conversation list")  # the filter box, asked for
    assert focused() is lp.filter_bar.search and not p.left.showing_search()
    await pick_command(console, "Mark as unread")  # to come back to later: the list
    assert focused() is lp.view
    await until(lambda: sandbox.state.conversations[sid].unread_operator > 0,
                what="marked unread")
    await pick_command(console, "Keyboard shortcuts", window=False)  # a dialog: the dialog
    sheet = p.cheat_sheet
    assert sheet is not None
    await until(lambda: within(focused(), sheet), what="the cheat sheet focused")
    press(focused(), Qt.Key.Key_Escape)
    await until(lambda: not sheet.isVisible(), what="the sheet to close")
    console.window.activateWindow()  # a window manager's part (offscreen has none)
    await until(lambda: focused() is lp.view, what="the focus back where it was")
    await pick_command(console, "Assign…", window=False)  # a picker, then the reply box
    palette = p.palette
    await until(lambda: palette.isVisible() and focused() is palette.line_edit,
                what="the picker")
    press(palette.line_edit, Qt.Key.Key_Return)  # me, listed first
    await until(lambda: sandbox.state.conversations[sid].assigned == console.client.me,
                what="assigned to me")
    await until(lambda: focused() is editor, what="the reply box after the pick")
