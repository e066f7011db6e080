"""Find in the thread and revealing a message, through the whole console against the sandbox:
Ctrl+F from the reply box, Enter through the matches, Esc back to the reply box; and a
message far back in a long conversation opened as a search result would open it (the
client brings it into the timeline, the thread scrolls to it and flashes it)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from crisp_console.present.find_text import Mark
from crisp_console.sandbox.server import Sandbox
from crisp_console.ui.console import Console
from crisp_console.ui.models import MessageRole
from tests.e2e.conftest import e2e, focused, press, until

CTRL = Qt.KeyboardModifier.ControlModifier
ROUNDS = 30  # 120 messages: three batches of history
FIRST_FP = 700_000_000_000_000
SAID: dict[str, str] = {}  # the long conversation's session_id, set by prepare


async def long_conversation(_console: Console, sandbox: Sandbox) -> None:
    """Before the console starts: a conversation of ``ROUNDS`` rounds of four messages, one
    a minute, ending now; every round names its number."""
    state = sandbox.state
    conv = state.create_conversation(state.subscribed_website_ids()[0],
                                     meta={"nickname": "Marie Dubois", "segments": [],
                                           "data": {}})
    start = state.clock() - ROUNDS * 4 * 60_000
    for i in range(ROUNDS * 4):
        text = [f"Round {i // 4}: my order is late", "Let me check", "VAT number FR1234",
                "Thanks"][i % 4]
        state.add_message(conv, type="text", from_="user", origin="chat", content=text,
                          user=conv.visitor, fingerprint=FIRST_FP + i,
                          timestamp=start + i * 60_000)
    state.set_state(conv, "unresolved")
    SAID["sid"] = conv.session_id


@e2e(prepare=long_conversation)
async def test_ctrl_f_from_the_reply_box_enter_through_matches_esc_back(
        console: Console, sandbox: Sandbox) -> None:
    sid = SAID["sid"]
    console.controller.open(sid, focus="reply")
    thread = console.panes.thread
    await until(lambda: thread.model.rowCount() >= 40, what="the newest batch")
    editor = console.panes.composer.editor
    await until(editor.hasFocus, what="the reply box to take the focus")
    press(editor, Qt.Key.Key_F, CTRL)
    bar = thread.find_bar
    assert bar.isVisible() and focused() is bar.edit
    QTest.keyClicks(bar.edit, "vat number")
    loaded = thread.model.rowCount() // 4
    assert bar.count.text() == f"1 of {loaded}"
    press(bar.edit, Qt.Key.Key_Return)
    assert bar.count.text() == f"2 of {loaded}"
    press(bar.edit, Qt.Key.Key_F3)  # the command, from the box
    assert bar.count.text() == f"3 of {loaded}"
    press(bar.edit, Qt.Key.Key_Escape)
    assert bar.isHidden() and focused() is editor


@e2e(prepare=long_conversation)
async def test_a_search_result_far_back_opens_scrolled_to_its_message_flashed(
        console: Console, sandbox: Sandbox) -> None:
    sid = SAID["sid"]
    client, thread = console.client, console.panes.thread
    console.controller.jump_to(sid)
    await until(lambda: client.store.timeline_loaded(sid), what="the conversation's messages")
    conv = sandbox.state.conversations[sid]
    target = conv.messages[10]  # two and a half batches back
    assert client.store.message(sid, target.fingerprint) is None
    assert await client.reveal_message(sid, target.fingerprint, target.timestamp)
    # Contiguous: the timeline is the server's history from some message to the newest.
    held = [m.fingerprint for m in client.store.messages(sid)]
    server = [m.fingerprint for m in conv.messages]
    assert held == server[server.index(held[0]):]
    assert thread.reveal(target.fingerprint)
    row = thread.model.row_of(target.fingerprint)
    rect = thread.view.visualRect(thread.model.index(row))
    assert thread.view.viewport().rect().contains(rect)
    assert thread.model.index(row).data(int(MessageRole.MARK)) == Mark(flash=True)
