"""Conversation actions end to end, keyboard only: pickers, single-key mode, send-and-resolve,
editing, focus cycling, mark-read, notifications and the people panel."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

from crisp_console.core import MessageStatus
from crisp_console.sandbox.server import Sandbox
from crisp_console.settings import with_changes
from crisp_console.ui.console import Console
from tests.e2e.conftest import e2e, focused, press, until
from tests.e2e.test_keyboard_flow import open_next, visitor_says

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


async def picker_open(console: Console) -> None:
    palette = console.panes.palette
    await until(lambda: palette.isVisible() and focused() is palette.line_edit,
                what="the picker")


@e2e()
async def test_assign_picker_lists_me_first_and_assigns(console: Console,
                                                        sandbox: Sandbox) -> None:
    sid = await open_next(console)
    press(focused(), Qt.Key.Key_A, CTRL | SHIFT)
    await picker_open(console)
    palette = console.panes.palette
    first = palette.results()[0].item
    assert first.key == console.client.me and first.title.endswith("(me)")
    colleague = palette.results()[1].item
    press(focused(), Qt.Key.Key_Down)
    press(focused(), Qt.Key.Key_Return)
    await until(lambda: sandbox.state.conversations[sid].assigned == colleague.key,
                what="the sandbox assignment")
    assert console.client.store.conversations[sid].assigned == colleague.key


@e2e()
async def test_single_key_mode_moves_and_resolves_from_the_list(console: Console,
                                                                sandbox: Sandbox) -> None:
    lp = console.panes.list_pane
    prefs = console.preferences
    prefs.apply(with_changes(prefs.prefs, single_key=True), save=False)  # off by default
    lp.view.setFocus()
    press(lp.view, Qt.Key.Key_J)
    await until(lambda: console.controller.session_id == lp.model.session_id_at(0),
                what="J to open the first")
    press(lp.view, Qt.Key.Key_J)
    second = lp.model.session_id_at(1)
    await until(lambda: console.controller.session_id == second, what="J to move on")
    assert focused() is lp.view  # J/K keep the focus in the list
    press(lp.view, Qt.Key.Key_K)
    await until(lambda: console.controller.session_id == lp.model.session_id_at(0),
                what="K to go back")
    first = console.controller.session_id
    assert first is not None
    press(lp.view, Qt.Key.Key_E)
    await until(lambda: sandbox.state.conversations[first].state == "resolved",
                what="E to resolve")
    press(lp.view, Qt.Key.Key_R)
    await until(lambda: focused() is console.panes.composer.editor, what="R to reply")


@e2e()
async def test_send_and_resolve(console: Console, sandbox: Sandbox) -> None:
    sid = await open_next(console)
    QTest.keyClicks(focused(), "All sorted, have a nice day")
    press(focused(), Qt.Key.Key_Return, CTRL | SHIFT)
    await until(lambda: sandbox.state.conversations[sid].state == "resolved",
                what="the conversation resolved")
    await until(lambda: any(m.content == "All sorted, have a nice day"
                            for m in sandbox.state.conversations[sid].messages),
                what="the reply sent")


@e2e()
async def test_up_edits_my_last_reply(console: Console, sandbox: Sandbox) -> None:
    sid = await open_next(console)
    editor = console.panes.composer.editor
    QTest.keyClicks(editor, "Your order shipped on Mnoday")
    press(editor, Qt.Key.Key_Return)
    store = console.client.store
    await until(lambda: any(m.content == "Your order shipped on Mnoday"
                            and m.status is MessageStatus.SENT for m in store.messages(sid)),
                what="the reply sent")
    press(editor, Qt.Key.Key_Up)
    assert editor.toPlainText() == "Your order shipped on Mnoday"
    editor.selectAll()
    QTest.keyClicks(editor, "Your order shipped on Monday")
    press(editor, Qt.Key.Key_Return)
    await until(lambda: any(m.content == "Your order shipped on Monday" and m.edited
                            for m in sandbox.state.conversations[sid].messages),
                what="the edit in the sandbox")
    assert not any(m.content == "Your order shipped on Mnoday" for m in store.messages(sid))


@e2e()
async def test_f6_cycles_the_panes_and_ctrl_slash_shows_the_cheat_sheet(
        console: Console, sandbox: Sandbox) -> None:
    await open_next(console)
    p = console.panes
    seen = []
    for _ in range(4):
        press(focused(), Qt.Key.Key_F6)
        widget = focused()
        seen.append(next(name for name, pane in (("list", p.list_pane), ("thread", p.thread),
                                                  ("composer", p.composer),
                                                  ("people", p.people))
                         if widget is not None and (pane is widget or pane.isAncestorOf(widget))))
    assert seen == ["people", "list", "thread", "composer"]
    press(focused(), Qt.Key.Key_Slash, CTRL)
    await until(lambda: p.cheat_sheet is not None and p.cheat_sheet.isVisible()
                and p.cheat_sheet.isAncestorOf(focused()), what="the cheat sheet, focused")
    assert any("Resolve" in title for title, _keys in p.cheat_sheet.rows())
    press(focused(), Qt.Key.Key_Escape)
    await until(lambda: not p.cheat_sheet.isVisible(), what="Esc to close it")


@e2e()
async def test_an_open_conversation_in_an_active_window_is_marked_read(
        console: Console, sandbox: Sandbox) -> None:
    lp = console.panes.list_pane
    unread = next(lp.model.session_id_at(r) for r in range(lp.model.rowCount())
                  if lp.model.conversation_at(r).unread_operator > 0)
    console.controller.jump_to(unread)
    await until(lambda: sandbox.state.conversations[unread].unread_operator == 0,
                what="Crisp told it was read")
    visitor_says(sandbox, unread, "and another thing")
    await until(lambda: sandbox.state.conversations[unread].unread_operator == 0
                and any(m.content == "and another thing"
                        for m in console.client.store.messages(unread)),
                what="a live message read at once while it is on screen")


@e2e()
async def test_notifications_only_when_the_window_is_not_active(console: Console,
                                                               sandbox: Sandbox) -> None:
    lp = console.panes.list_pane
    notifier = console.panes.notifier
    sid = lp.model.session_id_at(2)
    visitor_says(sandbox, sid, "while you watch")
    await until(lambda: lp.model.session_id_at(0) == sid, what="the message")
    assert notifier.sent == []
    other = QWidget()  # the operator switched to another application's window
    other.show()
    other.activateWindow()
    await until(lambda: not console.window.isActiveWindow(), what="the window to go")
    visitor_says(sandbox, sid, "are you still there?")
    await until(lambda: notifier.sent, what="a notification")
    other.close()
    _title, body, session = notifier.sent[-1]
    assert session == sid and "are you still there?" in body


@e2e()
async def test_people_panel_loads_the_profile_and_edits_segments(
        console: Console, sandbox: Sandbox) -> None:
    store = console.client.store
    sid = next(s for s in store.conversation_ids() if store.conversations[s].people_id)
    console.controller.jump_to(sid)
    people = console.panes.people
    await until(lambda: people.session_id() == sid and people.loading.isHidden(),
                what="the details")
    chips = people.chips
    chips.add_edit.setFocus()
    QTest.keyClicks(chips.add_edit, "vip")
    press(chips.add_edit, Qt.Key.Key_Return)
    await until(lambda: "vip" in sandbox.state.conversations[sid].meta["segments"],
                what="the segment saved in the sandbox")
    await until(lambda: "vip" in store.conversations[sid].segments, what="the store")


@e2e()
async def test_preferences_change_the_send_key_live(console: Console, sandbox: Sandbox) -> None:
    sid = await open_next(console)
    press(focused(), Qt.Key.Key_Comma, CTRL)
    flow = console.preferences
    await until(lambda: flow.dialog is not None and flow.dialog.isVisible()
                and flow.dialog.isAncestorOf(focused()), what="the preferences dialog")
    assert flow.dialog is not None
    flow.dialog.send_key.setFocus()
    press(flow.dialog.send_key, Qt.Key.Key_Down)  # "Ctrl+Enter sends"
    press(flow.dialog.send_key, Qt.Key.Key_Return)  # Save is the default button
    await until(lambda: not flow.dialog.isVisible(), what="Save")
    assert console.prefs.send_on_enter is False
    console.panes.composer.editor.setFocus()
    editor = console.panes.composer.editor
    QTest.keyClicks(editor, "first line")
    press(editor, Qt.Key.Key_Return)
    QTest.keyClicks(editor, "second line")
    assert editor.toPlainText() == "first line\nsecond line"
    press(editor, Qt.Key.Key_Return, CTRL)
    await until(lambda: any(m.content == "first line\nsecond line"
                            for m in sandbox.state.conversations[sid].messages),
                what="Ctrl+Enter to send")


@e2e()
async def test_team_canned_responses_saved_anywhere_reach_the_popup(
        console: Console, sandbox: Sandbox) -> None:
    sid = await open_next(console)
    wid = console.client.store.conversations[sid].website_id
    editor = console.panes.composer.editor
    # Saved as the editor saves them (console-to-console: tests/client/test_team_settings.py).
    other = console.team_canned.team
    await other.save_canned(wid, [{"shortcut": "refundtime", "title": "Refund delay",
                                   "text": "Refunds reach your card within 5 days."}])
    editor.setFocus()
    QTest.keyClicks(editor, "!refundt")
    await until(lambda: editor.popup.isVisible()
                and any(c.label == "!refundtime" for c in editor.popup.items()),
                what="the team's response in the ! popup")
    press(editor, Qt.Key.Key_Tab)
    assert editor.toPlainText().startswith("Refunds reach your card within 5 days.")
