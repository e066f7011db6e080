"""Quitting with unsent items asks, and each answer keeps its promise: Quit now quits and
touches nothing else; Wait quits exactly when the outbox's wait returns, and Cancel stops the
waiting (not the sends); Review shows the items and does not quit. With nothing unsent the
console quits at once, as before. Driven by the keyboard, on a qasync loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMainWindow, QPushButton
from pytestqt.qtbot import QtBot

from crisp_console.client.tasks import TaskOwner
from crisp_console.present.palette_sources import PaletteItem
from crisp_console.ui.quit_guard import (
    REVIEW_TITLE,
    QuitGuard,
    UnsentLine,
    review_in_palette,
)
from crisp_console.ui.widgets.unsent_dialog import UnsentDialog

LINES: list[UnsentLine] = [
    ("session_ada", "Reply to Ada: 'Thanks, I…'"),
    ("session_bob", "Resolve Bob's conversation"),
    ("session_ada", "Note on Ada: 'Refund sent…'"),
]


class FakeUnsent:
    """The Unsent protocol and nothing else: a guard that tried to cancel, discard or flush
    anything would raise AttributeError here. ``calls`` records what was asked."""

    def __init__(self, lines: list[UnsentLine], *, fail: Exception | None = None) -> None:
        self.lines = list(lines)
        self.calls: list[str] = []
        self.fail = fail
        self.wait_cancelled = False
        self._sent: asyncio.Event | None = None

    def count(self) -> int:
        self.calls.append("count")
        return len(self.lines)

    def describe(self) -> list[UnsentLine]:
        self.calls.append("describe")
        return list(self.lines)

    async def wait_all_sent(self) -> None:
        self.calls.append("wait")
        if self.fail is not None:
            raise self.fail
        try:
            await self.sent().wait()
        except asyncio.CancelledError:
            self.wait_cancelled = True
            raise

    def sent(self) -> asyncio.Event:
        if self._sent is None:
            self._sent = asyncio.Event()
        return self._sent

    def deliver(self, n: int | None = None) -> None:
        """``n`` items reach the server (all when None); the wait returns once none is left."""
        del self.lines[:len(self.lines) if n is None else n]
        if not self.lines:
            self.sent().set()


class Harness:
    def __init__(self, qtbot: QtBot, unsent: FakeUnsent | None, *, kept: bool = True) -> None:
        self.window = QMainWindow()
        qtbot.addWidget(self.window)
        self.window.show()
        self.tasks = TaskOwner()
        self.reviewed: list[list[UnsentLine]] = []
        self.shown = 0
        self.confirmed = 0
        self.guard = QuitGuard(unsent, self.window, tasks=self.tasks,
                               review=self.reviewed.append, show_window=self._show,
                               kept=lambda: kept)
        self.guard.confirmed.connect(self._confirmed)

    def _show(self) -> None:
        self.shown += 1

    def _confirmed(self) -> None:
        self.confirmed += 1

    @property
    def dialog(self) -> UnsentDialog:
        assert self.guard.dialog is not None
        return self.guard.dialog

    def key(self, qtbot: QtBot, key: Qt.Key,
            modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
        # The dialog's own focus widget, not the application's: on a busy machine the
        # window manager may not have made the dialog active yet, and a key sent to the
        # main window would never reach it.
        focused = QApplication.focusWidget()
        target = focused if focused is not None and self.dialog.isAncestorOf(focused) \
            else self.dialog.focusWidget() or self.dialog
        qtbot.keyClick(target, key, modifier)


def run(qloop: qasync.QEventLoop, main: Callable[[], Coroutine[Any, Any, None]]) -> None:
    qloop.run_until_complete(asyncio.wait_for(main(), 20))


async def turns(n: int = 5) -> None:
    for _ in range(n):
        await asyncio.sleep(0)


async def until(pred: Callable[[], bool], what: str, seconds: float = 10.0) -> None:
    """Poll ``pred`` (a mnemonic clicks after Qt's 100 ms animation)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not pred():
        if loop.time() > deadline:
            raise AssertionError(f"never happened: {what}")
        await asyncio.sleep(0.005)


async def ask(h: Harness) -> None:
    """Quit; the question is up and has the keyboard (its mnemonics need it active)."""
    h.guard.request()
    await until(lambda: h.guard.asking() and h.dialog.isActiveWindow(), "the question")


@pytest.mark.parametrize("unsent", [None, FakeUnsent([])])
def test_nothing_unsent_quits_at_once(qtbot: QtBot, unsent: FakeUnsent | None) -> None:
    h = Harness(qtbot, unsent)
    h.guard.request()
    assert h.confirmed == 1 and h.guard.dialog is None and h.shown == 0
    h.guard.request()  # asked again while quitting: once is enough
    assert h.confirmed == 1


# The second request raises the dialog; the offscreen platform cannot, and says so.
@pytest.mark.qt_log_ignore("This plugin does not support raise")
def test_it_asks_with_the_count_the_items_and_a_keyboard_default(qtbot: QtBot,
                                                                  qloop: qasync.QEventLoop) -> None:
    unsent = FakeUnsent([*LINES, *[(f"s{i}", f"Reply {i}") for i in range(4)]])
    h = Harness(qtbot, unsent)

    async def main() -> None:
        await ask(h)
        d = h.dialog
        assert h.guard.asking() and h.shown == 1 and h.confirmed == 0
        assert d.heading.text() == "7 replies and actions are not sent yet."
        assert d.lines.text().splitlines() == [
            "• Reply to Ada: 'Thanks, I…'", "• Resolve Bob's conversation",
            "• Note on Ada: 'Refund sent…'", "• Reply 0", "• Reply 1", "…and 2 more"]
        assert d.wait_button.isDefault() and d.wait_button.hasFocus()
        assert [b.text() for b in (d.wait_button, d.quit_button, d.review_button)] == [
            "&Wait", "Quit &now", "&Review…"]
        assert not d.cancel_button.isVisible()
        assert "sent at the next start" in d.explain.text()
        assert d.isModal() and d.windowModality() is Qt.WindowModality.WindowModal
        h.guard.request()  # the tray's Quit while the question is up: still one question
        assert h.confirmed == 0 and h.guard.asking()
        unsent.lines = unsent.lines[:1]
        h.guard.refresh()
        assert d.heading.text() == "1 reply or action is not sent yet."

    run(qloop, main)


def test_quit_now_quits_and_touches_nothing_else(qtbot: QtBot,
                                                 qloop: qasync.QEventLoop) -> None:
    unsent = FakeUnsent(LINES)
    h = Harness(qtbot, unsent)

    async def main() -> None:
        await ask(h)
        h.key(qtbot, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)  # Quit &now
        await until(lambda: h.confirmed == 1, "quitting")
        assert not h.guard.asking()
        # Only read: the items stay in the outbox for the next start.
        assert set(unsent.calls) <= {"count", "describe"} and "wait" not in unsent.calls
        assert unsent.lines == LINES and len(h.tasks) == 0 and h.reviewed == []

    run(qloop, main)


def test_wait_quits_exactly_when_everything_is_sent(qtbot: QtBot,
                                                    qloop: qasync.QEventLoop) -> None:
    unsent = FakeUnsent(LINES)
    h = Harness(qtbot, unsent)

    async def main() -> None:
        await ask(h)
        h.key(qtbot, Qt.Key.Key_Return)  # Wait is the default
        await turns()
        d = h.dialog
        assert d.waiting and unsent.calls.count("wait") == 1
        assert d.heading.text() == "Sending… 3 left"
        assert d.cancel_button.isVisible() and d.quit_button.isVisible()
        assert not d.wait_button.isVisible() and not d.review_button.isVisible()
        unsent.lines = unsent.lines[2:]  # two went out; the outbox is not done yet
        h.guard.refresh()
        assert d.heading.text() == "Sending… 1 left"
        assert (d.progress.value(), d.progress.maximum()) == (2, 3)
        unsent.lines = []  # the count says 0, but only the wait's return means "all sent"
        h.guard.refresh()
        await turns()
        assert h.confirmed == 0 and h.guard.asking()
        unsent.deliver()
        await until(lambda: h.confirmed == 1, "quitting after the wait")
        assert not h.guard.asking() and not unsent.wait_cancelled

    run(qloop, main)


def test_cancel_stops_waiting_not_sending_and_returns_to_the_console(
        qtbot: QtBot, qloop: qasync.QEventLoop) -> None:
    unsent = FakeUnsent(LINES)
    h = Harness(qtbot, unsent)

    async def main() -> None:
        await ask(h)
        h.key(qtbot, Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)  # &Wait
        await until(lambda: h.dialog.waiting, "waiting")
        h.key(qtbot, Qt.Key.Key_Escape)
        await until(lambda: len(h.tasks) == 0, "the wait's task gone")
        # Esc may come before the wait's first step: then it never started at all.
        assert unsent.wait_cancelled or "wait" not in unsent.calls
        assert not h.guard.asking() and h.confirmed == 0
        assert unsent.lines == LINES  # nothing dropped
        unsent.deliver()  # no task is left that could quit when they are sent
        assert h.confirmed == 0
        h.guard.request()  # all sent now: quitting is immediate
        assert h.confirmed == 1

    run(qloop, main)


def test_quit_now_while_waiting_quits_without_waiting(qtbot: QtBot,
                                                      qloop: qasync.QEventLoop) -> None:
    unsent = FakeUnsent(LINES)
    h = Harness(qtbot, unsent)

    async def main() -> None:
        await ask(h)
        h.key(qtbot, Qt.Key.Key_Return)
        await turns()
        h.key(qtbot, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
        await until(lambda: h.confirmed == 1, "quitting")
        assert unsent.lines == LINES

    run(qloop, main)


def test_review_shows_the_items_and_does_not_quit(qtbot: QtBot,
                                                  qloop: qasync.QEventLoop) -> None:
    unsent = FakeUnsent(LINES)
    h = Harness(qtbot, unsent)

    async def main() -> None:
        await ask(h)
        h.key(qtbot, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)  # &Review…
        await until(lambda: bool(h.reviewed), "the review")
        assert h.reviewed == [LINES] and h.confirmed == 0 and not h.guard.asking()
        assert "wait" not in unsent.calls and unsent.lines == LINES
        await ask(h)  # quitting again asks again
        assert not h.dialog.waiting
        h.key(qtbot, Qt.Key.Key_Escape)  # Esc: back to the console
        await turns()
        assert not h.guard.asking() and h.confirmed == 0

    run(qloop, main)


def test_everything_sent_while_asking_quits(qtbot: QtBot, qloop: qasync.QEventLoop) -> None:
    unsent = FakeUnsent(LINES)
    h = Harness(qtbot, unsent)

    async def main() -> None:
        await ask(h)
        unsent.lines = []
        h.guard.refresh()
        assert h.confirmed == 1 and not h.guard.asking()

    run(qloop, main)


def test_a_failed_wait_asks_again_saying_why(qtbot: QtBot, qloop: qasync.QEventLoop) -> None:
    unsent = FakeUnsent(LINES, fail=OSError("the outbox could not be read"))
    h = Harness(qtbot, unsent)

    async def main() -> None:
        await ask(h)
        h.key(qtbot, Qt.Key.Key_Return)
        await until(lambda: not h.dialog.waiting, "the question again")
        d = h.dialog
        assert h.confirmed == 0 and h.guard.asking() and d.wait_button.isVisible()
        assert d.problem.text().startswith("Waiting stopped:") and d.problem.isVisible()

    run(qloop, main)


def test_detach_closes_the_question_without_an_answer(qtbot: QtBot,
                                                      qloop: qasync.QEventLoop) -> None:
    unsent = FakeUnsent(LINES)
    h = Harness(qtbot, unsent)

    async def main() -> None:
        await ask(h)
        h.key(qtbot, Qt.Key.Key_Return)
        await turns()
        h.guard.detach()
        await until(lambda: unsent.wait_cancelled, "the wait to end")
        assert not h.guard.asking() and h.confirmed == 0 and h.reviewed == []

    run(qloop, main)


def test_review_in_the_palette_opens_the_chosen_conversation(qloop: qasync.QEventLoop) -> None:
    opened: list[str] = []
    asked: list[tuple[str, list[PaletteItem], str]] = []

    async def pick(title: str, items: Any, *, placeholder: str = "",
                   allow_free_text: bool = False, notice: str = "") -> PaletteItem | None:
        asked.append((title, list(items), notice))
        return items[1]

    async def main() -> None:
        await review_in_palette(LINES, pick, opened.append)
        await review_in_palette([], pick, opened.append)  # nothing: no palette

    run(qloop, main)
    ((title, items, notice),) = asked
    assert title == REVIEW_TITLE and "as soon as Crisp takes them" in notice
    assert [(i.key, i.title) for i in items] == LINES
    assert opened == ["session_bob"]


def test_memory_only_storage_says_quitting_loses_them(qtbot: QtBot,
                                                     qloop: qasync.QEventLoop) -> None:
    unsent = FakeUnsent(LINES)
    h = Harness(qtbot, unsent, kept=False)

    async def main() -> None:
        await ask(h)
        d = h.dialog
        assert d.quit_button.text() == "Quit &now and lose them"
        assert "they are lost" in d.explain.text() and "next start" not in d.explain.text()
        assert d.wait_button.isDefault()  # the safe choice stays the default

    run(qloop, main)


def test_the_dialog_is_plain_text(qtbot: QtBot) -> None:
    dialog = UnsentDialog()
    qtbot.addWidget(dialog)
    dialog.ask(1, ["Reply to <b>Ada</b>: '<img src=x>'"])
    assert dialog.lines.textFormat() is Qt.TextFormat.PlainText
    assert "<b>Ada</b>" in dialog.lines.text()
    assert all(isinstance(b, QPushButton) for b in (dialog.wait_button, dialog.quit_button))
