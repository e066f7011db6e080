"""The issue's end-to-end paths, keyboard only (no mouse event anywhere), against the sandbox."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QTest

from crisp_console.core import MessageStatus
from crisp_console.sandbox.server import Sandbox
from crisp_console.settings import with_changes
from crisp_console.ui.console import Console
from crisp_console.ui.models import MessageRole
from tests.e2e.conftest import e2e, focused, press, until

ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


async def open_next(console: Console) -> str:
    before = console.controller.session_id
    press(focused(), Qt.Key.Key_Down, ALT)
    await until(lambda: console.controller.session_id not in (None, before),
                what="Alt+Down to open a conversation")
    sid = console.controller.session_id
    assert sid is not None
    return sid


def visitor_says(sandbox: Sandbox, session_id: str, text: str) -> None:
    conv = sandbox.state.conversations[session_id]
    sandbox.state.add_message(conv, type="text", from_="user", origin="chat", content=text,
                              user=conv.visitor)


@e2e()
async def test_alt_down_type_enter_sends_and_the_bubble_goes_pending_to_sent(
        console: Console, sandbox: Sandbox) -> None:
    list_model = console.panes.list_pane.model
    sid = await open_next(console)
    assert sid == list_model.session_id_at(0)
    editor = console.panes.composer.editor
    assert focused() is editor  # typing goes to the reply box straight away
    timeline = console.panes.thread.model
    seen: list[MessageStatus] = []

    def record(first: QModelIndex, last: QModelIndex, *_: Any) -> None:
        for row in range(first.row(), last.row() + 1):
            msg = timeline.message_at(row)
            if msg.content == "Hello from the keyboard":
                seen.append(msg.status)

    timeline.dataChanged.connect(record)
    timeline.rowsInserted.connect(
        lambda _parent, first, last: record(timeline.index(first), timeline.index(last)))
    QTest.keyClicks(editor, "Hello from the keyboard")
    press(editor, Qt.Key.Key_Return)
    await until(lambda: MessageStatus.SENT in seen, what="the bubble to turn sent")
    assert seen[0] is MessageStatus.PENDING
    assert editor.toPlainText() == ""
    sent = [m for m in sandbox.state.conversations[sid].messages
            if m.content == "Hello from the keyboard"]
    assert len(sent) == 1 and sent[0].from_ == "operator"
    row = timeline.row_of(sent[0].fingerprint)
    assert timeline.data(timeline.index(row), MessageRole.STATUS) is MessageStatus.SENT


@e2e()
async def test_visitor_message_shows_in_the_thread_and_reorders_the_list(
        console: Console, sandbox: Sandbox) -> None:
    lp = console.panes.list_pane
    sid = await open_next(console)
    await until(lambda: console.client.store.timeline_loaded(sid), what="the timeline")
    visitor_says(sandbox, sid, "Is anyone there?")
    timeline = console.panes.thread.model
    await until(lambda: any(m.content == "Is anyone there?" for m in timeline.messages()),
                what="the visitor message in the thread")
    lp.flush()
    target = lp.model.session_id_at(min(3, lp.model.rowCount() - 1))
    assert target != lp.model.session_id_at(0)
    visitor_says(sandbox, target, "Hello? Second question")
    await until(lambda: lp.model.rowCount() and lp.model.session_id_at(0) == target,
                what="the conversation to move to the top")
    assert console.controller.session_id == sid  # the open conversation did not change
    assert lp.current_session_id() == sid


@e2e()
async def test_the_typing_excerpt_shows(console: Console, sandbox: Sandbox) -> None:
    sid = await open_next(console)
    conv = sandbox.state.conversations[sid]
    sandbox.state.compose(conv, kind="start", from_="user", excerpt="My order number is 12")
    bar = console.panes.thread.typing_bar
    await until(lambda: bar.is_typing() and "My order number is 12" in bar.text(),
                what="the MagicType excerpt")
    sandbox.state.compose(conv, kind="stop", from_="user", excerpt=None)
    await until(lambda: not bar.is_typing() and bar.shown_text() == "",
                what="the typing line to go blank")
    assert bar.isVisible()  # its line stays: the thread above does not move


@e2e()
async def test_resolving_by_shortcut_moves_the_row_out_of_unresolved(
        console: Console, sandbox: Sandbox) -> None:
    lp = console.panes.list_pane
    prefs = console.preferences
    prefs.apply(with_changes(prefs.prefs, after_resolve="next"), save=False)
    sid = await open_next(console)
    assert lp.filter().value == "unresolved"
    press(focused(), Qt.Key.Key_E, CTRL | SHIFT)
    await until(lambda: sandbox.state.conversations[sid].state == "resolved",
                what="the sandbox to resolve it")
    await until(lambda: lp.model.row_of(sid) < 0, what="the row to leave Unresolved")
    # "After resolve: next": the console moved on.
    assert console.controller.session_id not in (None, sid)


@e2e()
async def test_the_palette_jumps_to_a_conversation(console: Console, sandbox: Sandbox) -> None:
    await open_next(console)
    store = console.client.store
    target = store.conversation_at(store.conversation_count() - 1)
    assert target.nickname
    press(focused(), Qt.Key.Key_K, CTRL)
    palette = console.panes.palette
    await until(lambda: palette.isVisible() and focused() is palette.line_edit,
                what="the palette")
    QTest.keyClicks(focused(), target.nickname)
    await until(lambda: (item := palette.current_item()) is not None
                and item.key == target.session_id, what="the match")
    press(focused(), Qt.Key.Key_Return)
    await until(lambda: console.controller.session_id == target.session_id,
                what="the jump")
    assert not palette.isVisible()


@e2e()
async def test_drafts_survive_switching_conversations(console: Console, sandbox: Sandbox) -> None:
    first = await open_next(console)
    editor = console.panes.composer.editor
    QTest.keyClicks(editor, "half-written answer")
    second = await open_next(console)
    assert second != first and editor.toPlainText() == ""
    press(focused(), Qt.Key.Key_Up, ALT)
    await until(lambda: console.controller.session_id == first, what="Alt+Up back")
    assert editor.toPlainText() == "half-written answer"
    assert first in console.panes.drafts.ids()
