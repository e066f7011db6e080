"""Quitting with replies and actions not sent yet: ask, and keep each answer's promise.

The guard stands between the window's ``close_requested`` (Ctrl+Q, the window's close
button, the tray's Quit) and the app's ``end()``: with nothing unsent it says ``confirmed``
at once, as before; otherwise ``UnsentDialog`` asks (open(), never exec()):

- **Wait**: ``unsent.wait_all_sent()`` runs as a task of the ui, the dialog counts down, and
  ``confirmed`` goes out exactly when that wait returns. Cancel (or Esc) stops *waiting*
  (the task is cancelled; the sends go on) and returns to the console. A wait that fails
  asks again, saying why.
- **Quit now**: ``confirmed``, and nothing else: the guard never cancels, discards or
  flushes anything. The items stay in the outbox, and the client sends them at the next
  start (where storage is memory-only, ``kept()`` False, the dialog says they are lost).
- **Review**: the dialog closes and ``review(lines)`` shows the items; nothing quits.

While the dialog is up the count is read again every ``poll_ms``; if everything got sent
while the operator was deciding, there is nothing left to ask about: ``confirmed``.

SIGTERM, SIGINT and ``--quit-after`` never come here (app.py's ``shell.quit_requested``):
they are headless, with nobody to answer; the outbox keeps the items for the next start.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from crisp_console.client.tasks import TaskOwner
from crisp_console.present.palette_sources import PaletteItem
from crisp_console.ui.failure_words import describe
from crisp_console.ui.ports import Pick
from crisp_console.ui.widgets.unsent_dialog import UnsentDialog

log = logging.getLogger(__name__)

POLL_MS = 250
REVIEW_TITLE = "Not sent yet"
REVIEW_NOTICE = ("They go out by themselves, in order, as soon as Crisp takes them. "
                 "Enter opens the conversation.")

# (session id, what it is in a few words: "Reply to Ada: 'Thanks, I…'").
UnsentLine = tuple[str, str]


class Unsent(Protocol):
    """What is not sent yet: the outbox's replies and actions that the server does not have.

    ``count`` and ``describe`` are read on the UI thread, also every ``POLL_MS`` while the
    dialog is up: in memory, no disk. ``wait_all_sent`` returns once ``count()`` is 0, and
    may be cancelled: that stops the waiting, never the sends.
    """

    def count(self) -> int: ...

    def describe(self) -> list[UnsentLine]:
        """Oldest first: (session id, a short line such as "Reply to Ada: 'Thanks, I…'")."""
        ...

    async def wait_all_sent(self) -> None: ...


Review = Callable[[list[UnsentLine]], None]


class QuitGuard(QObject):
    """Signals:
    confirmed: quit now (app.py's ``end``); at most once.
    """

    confirmed = Signal()

    def __init__(self, unsent: Unsent | None, window: QWidget, *, tasks: TaskOwner,
                 review: Review, show_window: Callable[[], None] = lambda: None,
                 kept: Callable[[], bool] = lambda: True, poll_ms: int = POLL_MS) -> None:
        """``unsent`` None: nothing to guard (quitting is immediate). ``show_window`` brings
        the window back (the tray's Quit may come while it is hidden). ``kept()``: whether
        the unsent items outlive the process (False in memory-only storage: Quit now then
        says they are lost)."""
        super().__init__(window)
        self._kept = kept
        self._unsent, self._window, self._tasks = unsent, window, tasks
        self._review, self._show_window = review, show_window
        self.dialog: UnsentDialog | None = None
        self._wait_task: asyncio.Task[Any] | None = None
        self._quitting = False
        self._timer = QTimer(self)
        self._timer.setInterval(poll_ms)
        self._timer.timeout.connect(self.refresh)

    # ---- the request -------------------------------------------------------------------------

    def request(self) -> None:
        """The operator asked to quit (window.close_requested)."""
        if self._quitting:
            return
        if self._count() <= 0:
            self._confirm()
            return
        self._show_window()
        dialog = self._dialog()
        if dialog.isVisible():  # asked again (the tray's Quit): the question is still up
            dialog.raise_()
            dialog.activateWindow()
            return
        self._ask()
        dialog.open()
        self._timer.start()

    def asking(self) -> bool:
        """Whether the dialog is up (asking or waiting)."""
        return self.dialog is not None and self.dialog.isVisible()

    def refresh(self) -> None:
        """Read the count again (the timer's slot; tests call it)."""
        dialog = self.dialog
        if dialog is None or not dialog.isVisible() or self._quitting:
            return
        count = self._count()
        dialog.set_count(count)
        if count <= 0 and not dialog.waiting:
            log.info("everything was sent while the quit question was up: quitting")
            self._confirm()

    def detach(self) -> None:
        """The console closes: no question outlives it."""
        self._timer.stop()
        if self._wait_task is not None:
            self._wait_task.cancel()
            self._wait_task = None
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.finish()

    # ---- the choices ---------------------------------------------------------------------------

    def _wait(self) -> None:
        dialog, unsent = self._dialog(), self._unsent
        if unsent is None or self._wait_task is not None:
            return
        dialog.wait(self._count())
        self._wait_task = self._tasks.spawn(self._waiting(unsent.wait_all_sent),
                                            "wait for the unsent items")
        if self._wait_task is None:  # the console is closing: nothing to wait with
            self._ask()

    async def _waiting(self, wait: Callable[[], Awaitable[None]]) -> None:
        # The wait starts inside the task: cancelled before its first step (Esc at once),
        # no coroutine is left never awaited.
        try:
            await wait()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # said in words, and asked again
            log.warning("waiting for the unsent items failed", exc_info=exc)
            self._wait_task = None
            if not self._quitting:
                self._ask(problem=f"Waiting stopped: {describe(exc)}")
            return
        self._wait_task = None
        log.info("every unsent item was sent: quitting")
        self._confirm()

    def _quit_now(self) -> None:
        # The promise: nothing is cancelled or dropped here; the outbox keeps every item and
        # the client sends it at the next start. (A wait still running ends with the console.)
        log.info("quitting with %d unsent items: they go at the next start", self._count())
        self._confirm()

    def _review_chosen(self) -> None:
        lines = self._lines()
        self._stop_waiting()
        self._timer.stop()
        self._dialog().finish()
        self._review(lines)

    def _cancelled(self) -> None:
        self._stop_waiting()
        self._timer.stop()

    # ---- internals ---------------------------------------------------------------------------

    def _dialog(self) -> UnsentDialog:
        if self.dialog is None:
            dialog = UnsentDialog(self._window)
            dialog.wait_chosen.connect(self._wait)
            dialog.quit_chosen.connect(self._quit_now)
            dialog.review_chosen.connect(self._review_chosen)
            dialog.cancelled.connect(self._cancelled)
            self.dialog = dialog
        return self.dialog

    def _ask(self, problem: str = "") -> None:
        self._dialog().ask(self._count(), [text for _sid, text in self._lines()], problem,
                           kept=self._kept())

    def _stop_waiting(self) -> None:
        """Stop *waiting* (the sends go on)."""
        if self._wait_task is not None:
            self._wait_task.cancel()
            self._wait_task = None

    def _count(self) -> int:
        return self._unsent.count() if self._unsent is not None else 0

    def _lines(self) -> list[UnsentLine]:
        return list(self._unsent.describe()) if self._unsent is not None else []

    def _confirm(self) -> None:
        if self._quitting:
            return
        self._quitting = True
        self._timer.stop()
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.finish()
        self.confirmed.emit()


async def review_in_palette(lines: Sequence[UnsentLine], pick: Pick,
                            open_conversation: Callable[[str], None]) -> None:
    """Review: the unsent items in the command palette (type to filter); Enter opens the
    conversation of the one chosen, where a queued reply shows as queued."""
    items = [PaletteItem("choice", sid, text) for sid, text in lines]
    if not items:
        return
    item = await pick(REVIEW_TITLE, items, placeholder="Filter the unsent items",
                      notice=REVIEW_NOTICE)
    if item is not None and item.key:
        open_conversation(item.key)
