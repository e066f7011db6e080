"""The people panel's extras are asked for only while the panel is shown.

Every extra (pages browsed, the contact's profile, past conversations…) costs a request, and
the daily quota is shared: a hidden panel asks nothing. When a conversation opens in a shown
panel, or the panel is shown with a conversation bound, the client is asked for that
conversation's extras; the client (client/details.py) decides which ones it must fetch and
which are still fresh, so showing the panel again within its freshness window costs nothing.

The past conversations the panel shows but the store lacks (``past_wanted``) are handed to
the client's lookups (client/past.py) the same way: only while the panel is on screen. The
client fetches them into the store, and tells how each lookup went; the panel reads both.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection, Iterable
from typing import Protocol

from PySide6.QtCore import QEvent, QObject

from crisp_console.client import ConversationDetails
from crisp_console.client.past import Lookup
from crisp_console.client.tasks import TaskOwner
from crisp_console.ui.feedback import Feedback
from crisp_console.ui.widgets.people_panel import PeoplePanel


class DetailsSource(Protocol):
    """What the panel's extras are loaded through (client.details)."""

    async def load(self, session_id: str) -> ConversationDetails: ...


class PastSource(Protocol):
    """Where the past conversations the store lacks are fetched (client.past)."""

    def lookup(self, session_id: str) -> Lookup | None: ...

    def want(self, website_id: str, session_ids: Iterable[str]) -> object: ...

    def observe(self, callback: Callable[[Collection[str]], None]) -> Callable[[], None]: ...


class PeopleLoads(QObject):
    """Call ``opened(session_id)`` once the panel is bound to a conversation; the panel's
    own Show events do the rest."""

    def __init__(self, panel: PeoplePanel, source: DetailsSource, *, feedback: Feedback,
                 tasks: TaskOwner, past: PastSource | None = None) -> None:
        super().__init__(panel)
        self._panel, self._source, self._past = panel, source, past
        self._feedback, self._tasks = feedback, tasks
        self._task: asyncio.Task[object] | None = None
        self._for: str | None = None  # the conversation _task loads
        self._unobserve: Callable[[], None] = lambda: None
        if past is not None:
            panel.set_lookups(past.lookup)
            self._unobserve = off = past.observe(panel.past_looked_up)
            panel.destroyed.connect(lambda *_: off())
            panel.past_wanted.connect(self._past_wanted)
        panel.contact_changed.connect(self._contact_changed)
        panel.installEventFilter(self)

    def detach(self) -> None:
        """Stop hearing the client's lookups (before the client goes away)."""
        self._unobserve()

    def opened(self, _session_id: str = "") -> None:
        self.refresh()

    def _contact_changed(self) -> None:
        """The bound conversation names its contact now (a provisional row got Crisp's
        copy): what was loaded, or is loading, lacks the contact's sections."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
            self._task = None  # done only once the cancel is delivered: not "under way"
        self.refresh()

    def refresh(self) -> None:
        """Load the bound conversation's extras if the panel is on screen."""
        panel = self._panel
        session_id = panel.session_id()
        if session_id is None or not panel.isVisible():
            return
        if self._task is not None and not self._task.done():
            if self._for == session_id:
                return  # under way already
            self._task.cancel()  # another conversation: its answer would be dropped
        panel.set_loading(True)
        self._for = session_id
        self._task = self._tasks.spawn(self._load(session_id), f"people panel {session_id}")

    async def _load(self, session_id: str) -> None:
        try:
            details = await self._feedback.result(self._source.load(session_id),
                                                  "Could not load the contact's details")
        finally:  # a load started over (_contact_changed) leaves the spinner to its own
            if self._panel.session_id() == session_id and asyncio.current_task() is self._task:
                self._panel.set_loading(False)
        if details is not None:
            self._panel.set_details(session_id, details)

    def _past_wanted(self, website_id: str, session_ids: list[str]) -> None:
        if self._past is not None and self._panel.isVisible():
            self._past.want(website_id, session_ids)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._panel and event.type() == QEvent.Type.Show:
            self.refresh()
        return False
