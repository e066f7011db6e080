"""The stale-reply guard and the collision warning, keyboard only, against the sandbox: a reply
typed, then the visitor and a colleague write; Enter shows what arrived and asks (send
anyway, edit, discard: one key each); a colleague typing or replying shows in the header
and clears (on stop, and when the store's clock passes the window)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import qasync
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from crisp_console.core import Store
from crisp_console.sandbox.model import Operator
from crisp_console.sandbox.server import Sandbox
from crisp_console.ui.console import Console
from tests.clock import VirtualClock
from tests.e2e.conftest import e2e, focused, press, running_console, until
from tests.e2e.test_keyboard_flow import CTRL, SHIFT, open_next, visitor_says

REPLY = "Your refund is on its way"


def colleague(console: Console, sandbox: Sandbox, n: int = 0) -> Operator:
    """The n-th operator of the sandbox who is not the console's "me"."""
    others = [o for o in sandbox.state.operators if o.user_id != console.client.me]
    return others[n]


def colleague_says(sandbox: Sandbox, sid: str, op: Operator, text: str,
                   kind: str = "text") -> None:
    conv = sandbox.state.conversations[sid]
    sandbox.state.add_message(conv, type=kind, from_="operator", origin="chat", content=text,
                              user=op.user())


def colleague_types(sandbox: Sandbox, sid: str, op: Operator, typing: bool = True) -> None:
    sandbox.state.compose(sandbox.state.conversations[sid], kind="start" if typing else "stop",
                          from_="operator", excerpt="I'll" if typing else None, user=op.user())


def sent(sandbox: Sandbox, sid: str, text: str) -> int:
    """How many messages with ``text`` the sandbox holds in the conversation."""
    return sum(m.content == text for m in sandbox.state.conversations[sid].messages)


def in_store(console: Console, sid: str, text: str) -> bool:
    return any(m.content == text for m in console.client.store.messages(sid))


async def reply_then_others_write(console: Console, sandbox: Sandbox) -> tuple[str, Operator]:
    """Open a conversation, type REPLY, then the visitor and a colleague write."""
    sid = await open_next(console)
    await until(lambda: console.client.store.timeline_loaded(sid), what="the timeline")
    editor = console.panes.composer.editor
    assert focused() is editor
    QTest.keyClicks(editor, REPLY)
    leo = colleague(console, sandbox)
    visitor_says(sandbox, sid, "Actually, never mind, I found it")
    colleague_says(sandbox, sid, leo, "I've refunded the order already")
    await until(lambda: in_store(console, sid, "I've refunded the order already"),
                what="both messages in the thread")
    return sid, leo


async def enter_is_held(console: Console, sandbox: Sandbox, sid: str) -> None:
    """Enter in the reply box: the prompt asks, holding the focus, and nothing was sent."""
    prompt = console.stale_guard.prompt
    press(console.panes.composer.editor, Qt.Key.Key_Return)
    assert prompt.isVisible() and focused() is prompt
    assert console.stale_guard.asking() == sid
    # Held synchronously: no send was started, so neither the thread nor Crisp has it.
    assert not in_store(console, sid, REPLY) and sent(sandbox, sid, REPLY) == 0


@e2e()
async def test_enter_shows_what_arrived_and_s_sends_anyway_once(
        console: Console, sandbox: Sandbox) -> None:
    sid, leo = await reply_then_others_write(console, sandbox)
    colleague_types(sandbox, sid, colleague(console, sandbox, 1))
    await until(lambda: "typing" in console.panes.thread.header.collision.warning(),
                what="a colleague typing")
    await enter_is_held(console, sandbox, sid)
    prompt = console.stale_guard.prompt
    assert prompt.title.text() == "2 new messages since you started this reply"
    lines = prompt.lines()
    conv = console.client.store.conversations[sid]
    assert [text for _who, text in lines] == ["Actually, never mind, I found it",
                                             "I've refunded the order already"]
    assert lines[0][0].startswith(conv.nickname or conv.email)
    assert lines[1][0].startswith(leo.nickname)
    other = colleague(console, sandbox, 1)
    assert prompt.context.text() == f"{other.first_name} is typing…"  # someone, right now
    assert console.panes.composer.editor.toPlainText() == REPLY  # kept while it asks
    press(focused(), Qt.Key.Key_S)
    await until(lambda: sent(sandbox, sid, REPLY) == 1, what="the reply sent")
    assert not prompt.isVisible()
    assert focused() is console.panes.composer.editor
    assert console.panes.composer.editor.toPlainText() == ""
    await until(lambda: not any(m.is_pending for m in console.client.store.messages(sid)),
                what="the echo")
    assert sent(sandbox, sid, REPLY) == 1  # once, through the outbox


@e2e()
async def test_edit_keeps_the_text_and_the_next_enter_sends_unless_more_arrives(
        console: Console, sandbox: Sandbox) -> None:
    sid, _leo = await reply_then_others_write(console, sandbox)
    await enter_is_held(console, sandbox, sid)
    prompt, editor = console.stale_guard.prompt, console.panes.composer.editor
    press(focused(), Qt.Key.Key_E)
    assert not prompt.isVisible() and focused() is editor
    assert editor.toPlainText() == REPLY
    # Seen now: only what arrives after the Edit asks again.
    visitor_says(sandbox, sid, "Hello? Still there?")
    await until(lambda: in_store(console, sid, "Hello? Still there?"), what="the visitor")
    await enter_is_held(console, sandbox, sid)
    assert prompt.title.text() == "1 new message since you started this reply"
    assert [text for _who, text in prompt.lines()] == ["Hello? Still there?"]
    press(focused(), Qt.Key.Key_Escape)  # Esc edits too
    assert focused() is editor and editor.toPlainText() == REPLY
    press(editor, Qt.Key.Key_Return)  # nothing new since: it sends
    assert not prompt.isVisible()
    await until(lambda: sent(sandbox, sid, REPLY) == 1, what="the reply sent")


@e2e()
async def test_discard_clears_the_draft_and_sends_nothing(
        console: Console, sandbox: Sandbox) -> None:
    sid, _leo = await reply_then_others_write(console, sandbox)
    assert sid in console.panes.drafts.ids()
    await enter_is_held(console, sandbox, sid)
    editor = console.panes.composer.editor
    press(focused(), Qt.Key.Key_D)
    assert not console.stale_guard.prompt.isVisible()
    assert focused() is editor and editor.toPlainText() == ""
    assert sid not in console.panes.drafts.ids()
    assert console.stale_guard.started(sid) is None  # the reply ended with it
    # A later reply goes out alone: the discarded one was never on its way.
    QTest.keyClicks(editor, "Something else")
    press(editor, Qt.Key.Key_Return)
    await until(lambda: sent(sandbox, sid, "Something else") == 1, what="the next reply")
    assert sent(sandbox, sid, REPLY) == 0 and not in_store(console, sid, REPLY)


@e2e(stale_guard=False)
async def test_guard_off_enter_sends_at_once(console: Console, sandbox: Sandbox) -> None:
    sid, _leo = await reply_then_others_write(console, sandbox)
    press(console.panes.composer.editor, Qt.Key.Key_Return)
    assert not console.stale_guard.prompt.isVisible()
    await until(lambda: sent(sandbox, sid, REPLY) == 1, what="the reply sent")


@e2e()
async def test_a_private_note_is_never_held(console: Console, sandbox: Sandbox) -> None:
    sid, _leo = await reply_then_others_write(console, sandbox)
    editor = console.panes.composer.editor
    press(editor, Qt.Key.Key_N, CTRL | SHIFT)  # note mode: the visitor never sees it
    assert console.panes.composer.mode() == "note"
    press(editor, Qt.Key.Key_Return)
    assert not console.stale_guard.prompt.isVisible()
    await until(lambda: sent(sandbox, sid, REPLY) == 1, what="the note sent")
    assert sandbox.state.conversations[sid].messages[-1].type == "note"


@e2e()
async def test_a_colleague_typing_shows_in_the_header_and_clears_on_stop(
        console: Console, sandbox: Sandbox) -> None:
    sid = await open_next(console)
    label = console.panes.thread.header.collision
    assert not label.isVisible()
    me = sandbox.state.operator(console.client.me or "")
    assert me is not None
    ana, leo = colleague(console, sandbox, 0), colleague(console, sandbox, 1)
    colleague_types(sandbox, sid, me)  # my own compose echo: never a collision
    colleague_types(sandbox, sid, ana)
    await until(label.isVisible, what="the collision warning")
    assert label.warning() == f"{ana.first_name} is typing…"
    colleague_types(sandbox, sid, leo)
    await until(lambda: label.warning() == f"{ana.first_name} and {leo.first_name} are typing…",
                what="both typing")
    colleague_types(sandbox, sid, ana, typing=False)
    await until(lambda: label.warning() == f"{leo.first_name} is typing…", what="one stopped")
    colleague_types(sandbox, sid, leo, typing=False)
    await until(lambda: not label.isVisible(), what="the warning to clear")


def test_a_colleagues_reply_shows_then_clears_when_the_clock_passes_the_window(
        qloop: qasync.QEventLoop, tmp_path: Path) -> None:
    clock = VirtualClock()  # the store's: presence expires on it, not on the wall clock

    async def main() -> None:
        async with running_console(tmp_path, client_parts={
                "store": Store(clock=clock.monotonic)}) as (console, sandbox):
            sid = await open_next(console)
            # Live only: a message the thread's first page already brought is not news.
            await until(lambda: console.client.store.timeline_loaded(sid), what="the thread")
            label = console.panes.thread.header.collision
            leo = colleague(console, sandbox)
            colleague_types(sandbox, sid, leo)
            await until(lambda: label.warning() == f"{leo.first_name} is typing…",
                        what="typing")
            colleague_says(sandbox, sid, leo, "Refunded")
            await until(lambda: label.warning() == f"{leo.first_name} replied just now",
                        what="the reply")  # his message ended his typing
            clock.advance(35)
            await until(lambda: label.warning() == f"{leo.first_name} replied 30 s ago",
                        what="the time to move on")
            clock.advance(85)  # 120 s: the window has passed
            await until(lambda: not label.isVisible(), what="the warning to clear")
            colleague_says(sandbox, sid, leo, "A note", kind="note")
            await until(lambda: label.warning() == f"{leo.first_name} left a note just now",
                        what="the note")
            press(focused(), Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
            await until(lambda: console.controller.session_id not in (None, sid),
                        what="another conversation")
            assert not label.isVisible()  # the warning belongs to its conversation

    qloop.run_until_complete(asyncio.wait_for(main(), 60))


@e2e()
async def test_send_and_resolve_waits_for_the_answer(console: Console,
                                                     sandbox: Sandbox) -> None:
    sid, _leo = await reply_then_others_write(console, sandbox)
    editor, prompt = console.panes.composer.editor, console.stale_guard.prompt
    press(editor, Qt.Key.Key_Return, CTRL | SHIFT)  # send and resolve
    assert prompt.isVisible() and focused() is prompt
    press(focused(), Qt.Key.Key_D)  # discarded: nothing sent, nothing resolved
    QTest.keyClicks(editor, "Let me check")
    press(editor, Qt.Key.Key_Return)
    await until(lambda: sent(sandbox, sid, "Let me check") == 1, what="the next reply")
    assert console.client.store.conversations[sid].state != "resolved"
    assert sandbox.state.conversations[sid].state != "resolved"
    assert sent(sandbox, sid, REPLY) == 0
    QTest.keyClicks(editor, REPLY)
    visitor_says(sandbox, sid, "Hello?")
    await until(lambda: in_store(console, sid, "Hello?"), what="the visitor")
    press(editor, Qt.Key.Key_Return, CTRL | SHIFT)
    assert prompt.isVisible()
    press(focused(), Qt.Key.Key_S)  # sent anyway: then resolved
    await until(lambda: sandbox.state.conversations[sid].state == "resolved"
                and sent(sandbox, sid, REPLY) == 1, what="sent and resolved")


@e2e(send_on_enter=False)
async def test_with_ctrl_enter_sending_the_same_chord_asks_and_answers(
        console: Console, sandbox: Sandbox) -> None:
    sid, _leo = await reply_then_others_write(console, sandbox)
    editor, prompt = console.panes.composer.editor, console.stale_guard.prompt
    press(editor, Qt.Key.Key_Return)  # a new line here, not a send
    assert not prompt.isVisible() and editor.toPlainText() == REPLY + "\n"
    QTest.keyClicks(editor, "Best, Lin")
    press(editor, Qt.Key.Key_Return, CTRL)
    assert prompt.isVisible() and focused() is prompt
    press(focused(), Qt.Key.Key_Return, CTRL)  # the send chord again: send anyway
    await until(lambda: sent(sandbox, sid, REPLY + "\nBest, Lin") == 1, what="the reply")
