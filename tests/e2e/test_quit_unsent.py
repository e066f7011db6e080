"""Quitting the whole console with unsent items, keyboard only: Ctrl+Q asks, Review lists them
in the palette and Enter opens the conversation (nothing quits); the window's close button
asks again, and Quit now ends the console (app.py's end() hangs on quit_guard.confirmed)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt

from crisp_console.ui.quit_guard import UnsentLine
from tests.e2e.conftest import focused, press, running_console, until

ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier


class Outbox:
    """The Unsent protocol over a fixed list (the real one is the client's outbox)."""

    def __init__(self) -> None:
        self.lines: list[UnsentLine] = []

    def count(self) -> int:
        return len(self.lines)

    def describe(self) -> list[UnsentLine]:
        return list(self.lines)

    async def wait_all_sent(self) -> None:
        await asyncio.Event().wait()  # never, here


# Asking brings the window to the front (raise_()); the offscreen platform cannot, and says so.
@pytest.mark.qt_log_ignore("This plugin does not support raise")
def test_ctrl_q_asks_review_opens_the_conversation_and_quit_now_quits(
        qloop: qasync.QEventLoop, tmp_path: Path) -> None:
    outbox = Outbox()

    async def main() -> None:
        async with running_console(tmp_path, parts={"unsent": outbox}) as (console, _sandbox):
            quits: list[bool] = []
            console.quit_guard.confirmed.connect(lambda: quits.append(True))
            guard, palette = console.quit_guard, console.panes.palette
            sid = console.panes.list_pane.model.session_id_at(3)
            assert sid is not None and sid != console.controller.session_id
            outbox.lines = [(sid, "Reply to Ada: 'Thanks, I…'")]
            press(focused(), Qt.Key.Key_Q, CTRL)
            await until(lambda: guard.asking() and guard.dialog is not None
                        and guard.dialog.isActiveWindow(), what="the question")
            assert guard.dialog is not None
            assert guard.dialog.heading.text() == "1 reply or action is not sent yet."
            press(focused(), Qt.Key.Key_R, ALT)
            await until(palette.isVisible, what="the unsent items in the palette")
            assert [r.item.title for r in palette.results()] == [outbox.lines[0][1]]
            await until(lambda: focused() is palette.line_edit, what="the palette input")
            press(focused(), Qt.Key.Key_Return)
            await until(lambda: console.controller.session_id == sid,
                        what="the conversation to open")
            assert not quits
            console.window.close()  # the title bar's close button
            await until(lambda: guard.asking() and guard.dialog is not None
                        and guard.dialog.isActiveWindow(), what="the question again")
            press(focused(), Qt.Key.Key_N, ALT)
            await until(lambda: bool(quits), what="Quit now")
            assert quits == [True] and outbox.lines  # nothing was dropped

    qloop.run_until_complete(asyncio.wait_for(main(), 60))
