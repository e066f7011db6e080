"""The thread's older messages: the page before the loaded ones, asked for one call at a time
as a task of the ui's TaskOwner, under the "Loading earlier messages…" pill.

Apart from thread_pane.py, which decides when to ask (a screen from the top, the find's
"Search older") and what a page that came changes there (the banner, the retry, the refused
words): this is the call itself, its pill, and how it ended, told to ``landed`` whatever
thread is shown by then. Not a widget. Loaded with the thread, after the first frame.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from crisp_console.client.details import denied_words
from crisp_console.client.tasks import TaskOwner
from crisp_console.errors import NotAllowedError
from crisp_console.ui.widgets.loading_pill import LoadingPill

log = logging.getLogger("crisp_console.ui")

LoadOlder = Callable[[str], Awaitable[int]]
# How a load ended: its session, the messages that came (None: it failed or was refused),
# and the words saying why Crisp refuses them ("" unless it did).
Landed = Callable[[str, int | None, str], None]


class OlderPages:
    """``load`` runs as a task of ``tasks`` (neither: nothing is ever loaded); ``landed``
    hears how each load ended, unless it was cancelled."""

    def __init__(self, load: LoadOlder | None, tasks: TaskOwner | None, pill: LoadingPill,
                 landed: Landed) -> None:
        self._load, self._tasks, self._pill, self._landed = load, tasks, pill, landed
        self.loading: str | None = None  # the session whose older page is being loaded
        self._task: asyncio.Task[Any] | None = None
        self._detached = False

    def start(self, sid: str) -> bool:
        """Ask for the page before ``sid``'s loaded messages, under the pill; False when one
        is being loaded already or none can be (no loader, detached, no loop, closing)."""
        load, tasks = self._load, self._tasks
        if self._detached or load is None or tasks is None or self.loading is not None:
            return False
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            log.debug("no event loop: older messages not loaded")
            return False
        task = tasks.spawn(self._run(sid, load), f"older messages of {sid}")
        if task is None:
            return False  # the console is closing
        self._task = task
        self.loading = sid
        self._pill.place()
        self._pill.show()
        return True

    def forget(self) -> None:
        """Another thread is shown: a load under way goes on out of sight (``landed`` still
        hears its end), and one for the new thread may start."""
        self.loading = None
        self._pill.hide()

    def detach(self) -> None:
        """Cancel the load under way and start none again (the pane is going away)."""
        if self._task is not None:
            self._task.cancel()  # its end would touch widgets that may be gone
            self._task = None
        self.loading = None  # so a cancelled load's cleanup touches no widget
        self._detached = True

    async def _run(self, sid: str, load: LoadOlder) -> None:
        count: int | None = None
        refused = ""
        try:
            count = await load(sid)
        except asyncio.CancelledError:
            raise
        except NotAllowedError as exc:  # asking again cannot help: say why, stop asking
            refused = denied_words("messages", exc)
        except Exception:
            log.warning("loading older messages of %s failed", sid, exc_info=True)
        finally:
            if self.loading == sid:
                self.loading = None
                self._pill.hide()
        self._landed(sid, count, refused)
