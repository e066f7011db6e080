"""Team controls end to end, keyboard only: Unassign (the picker, ``/unassign``), the
console's availability switch (the palette, the status bar, what it mutes), Crisp's
availability of "me" live, and "Signed in as …" in the Console menu and the status bar."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

from crisp_console.sandbox.server import Sandbox
from crisp_console.ui.account_info import AccountName
from crisp_console.ui.console import Console
from crisp_console.ui.widgets.main_window import CONSOLE_MENU
from tests.e2e.conftest import admin_of, e2e, focused, press, until
from tests.e2e.test_actions import picker_open
from tests.e2e.test_keyboard_flow import open_next, visitor_says

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def type_in_focus(text: str) -> None:
    widget = focused()
    assert widget is not None, "nothing has the focus"
    QTest.keyClicks(widget, text)


def listed(console: Console) -> list[str]:
    lp = console.panes.list_pane
    lp.flush()
    return [lp.model.session_id_at(r) for r in range(lp.model.rowCount())]


async def assign_from_picker(console: Console, typed: str) -> None:
    """Ctrl+Shift+A, type ``typed``, Enter on the first match. Each operator's entry says
    their availability in Crisp."""
    press(focused(), Qt.Key.Key_A, CTRL | SHIFT)
    await picker_open(console)
    operators = console.client.store.operators
    for result in console.panes.palette.results():
        if result.item.key in operators:
            assert operators[result.item.key].availability in result.item.detail
    type_in_focus(typed)
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


async def run_from_palette(console: Console, typed: str, title: str) -> None:
    press(focused(), Qt.Key.Key_K, CTRL)
    await picker_open(console)
    type_in_focus(typed)
    console.panes.palette.flush()
    item = console.panes.palette.current_item()
    assert item is not None and item.title == title
    press(focused(), Qt.Key.Key_Return)


AWAY = "Availability: Away (notify only for my conversations and mentions)"
ONLINE = "Availability: Online (notify for everything)"


@e2e()
async def test_away_from_the_palette_mutes_all_but_mine(console: Console,
                                                        sandbox: Sandbox) -> None:
    team, notifier = console.team, console.panes.notifier
    me = console.client.me
    store = console.client.store
    unassigned = next(s for s in store.conversation_ids()
                      if store.conversations[s].assigned is None)
    mine = next(s for s in store.conversation_ids() if s != unassigned)
    sandbox.state.set_routing(sandbox.state.conversations[mine], me)
    await until(lambda: store.conversations[mine].assigned == me, what="one assigned to me")
    assert team.switch.mode_text() == "You: Online ▾"

    await run_from_palette(console, "away", AWAY)
    await until(lambda: team.availability.away, what="Away")
    assert team.switch.mode_text() == "You: Away ▾"
    assert console.actions["availability.away"].isChecked()  # the Console menu's mark
    assert not console.actions["availability.online"].isChecked()
    assert "Away" in console.window.statusBar().currentMessage()
    assert not team.availability.should_notify(unassigned)
    assert team.availability.should_notify(mine)

    other = QWidget()  # the operator is in another application
    other.show()
    other.activateWindow()
    await until(lambda: not console.window.isActiveWindow(), what="the window to go")
    visitor_says(sandbox, unassigned, "anyone there?")
    visitor_says(sandbox, mine, "about my order")
    # The socket delivers in order: once "mine" notified, "unassigned" was heard and muted.
    await until(lambda: any(sid == mine for _t, _b, sid in notifier.sent),
                what="the notification for my conversation")
    assert all(sid != unassigned for _t, _b, sid in notifier.sent)

    console.window.activateWindow()
    await until(console.window.isActiveWindow, what="the window back")
    await run_from_palette(console, "online", ONLINE)
    await until(lambda: not team.availability.away, what="Online")
    assert team.switch.mode_text() == "You: Online ▾"
    other.activateWindow()
    await until(lambda: not console.window.isActiveWindow(), what="the window to go again")
    visitor_says(sandbox, unassigned, "hello again")
    await until(lambda: any(sid == unassigned for _t, _b, sid in notifier.sent),
                what="the unassigned conversation notifies again")
    other.close()


@e2e()
async def test_crisp_availability_of_me_follows_crisp_live(console: Console,
                                                           sandbox: Sandbox) -> None:
    me = console.client.me
    label = console.team.switch.crisp_label
    op = sandbox.state.operator(me or "")
    assert op is not None
    await until(lambda: console.client.availability.since_ms is not None,
                what="the start-up read")
    assert label.text().endswith(f" {op.availability}")
    reads = [r for r in sandbox.requests.entries if r.path.endswith("/availability/operators")]
    assert len(reads) == 1  # one read at start-up, whatever the number of websites
    async with admin_of(sandbox) as admin:
        answer = await admin.post("simulate", json={"action": "operator", "user_id": me,
                                                    "availability": "away"})
        assert answer.status_code == 200, answer.text
    await until(lambda: label.text() == "Crisp: away", what="the event, live")
    assert "is away since" in label.toolTip() and "set it" in label.toolTip()
    assert console.team.availability.mode == "online"  # Crisp's is not the console's
    async with admin_of(sandbox) as admin:
        await admin.post("simulate", json={"action": "operator", "user_id": me,
                                           "availability": "online"})
    await until(lambda: label.text() == "Crisp: online", what="back online, live")


@e2e(parts={"account": AccountName("Ada's shop", "sandbox|ada")})
async def test_signed_in_as_in_the_console_menu_and_the_status_bar(
        console: Console, sandbox: Sandbox) -> None:
    state = sandbox.state
    subscribed = sorted((w.name for w in state.websites.values() if w.subscribed),
                        key=str.casefold)
    status = console.team.signed_in_label
    assert status.text() == "Signed in as Ada's shop"
    assert all(name in status.toolTip() for name in subscribed)
    me = console.client.identity.operator()
    assert me is not None
    lines = [a.text() for a in console.team.signed_in.lines]
    assert lines == ["Signed in as Ada's shop",
                     f"Plugin {state.token.plugin_id}",
                     f"Acting as {me.nickname} (the first operator listed)",
                     f"Websites: {', '.join(subscribed)}"]

    # The Console menu's first lines (the offscreen platform cannot pop a menu up: the
    # screenshots open it under Xvfb).
    menu = console.window.menus[CONSOLE_MENU]
    assert [a.text() for a in menu.actions()[:4]] == lines
    assert not any(a.isEnabled() for a in menu.actions()[:4])  # information only
    assert menu.actions()[4].isSeparator()

    # A website bound while the console runs is named at once.
    added = next(w for w in state.websites.values() if not w.subscribed)
    state.set_subscribed(added, True)
    await until(lambda: added.name in console.team.signed_in.lines[3].text()
                and added.name in status.toolTip(), timeout=10, what="the new website")
