"""Searching messages, the glue (not a widget): the search pane's query to the client's two
searches, their answers to rows, and a chosen row to its conversation and message.

- **Local**, at each pause of ~60 ms in the typing: the client's local full-text index
  (``search.local``), offline too.
- **Crisp**, after a longer pause (~400 ms) and from two characters: Crisp's text search on
  every website searched (``search.server``), in parallel with the local one. Its
  conversations join the same list when they land: the rows shown keep their places, the
  current row stays current (search_rows.keep_places), the new ones follow.
- Only the newest query's answers show: each query has a number, and an answer to an older
  one is dropped (its task is cancelled too, when it has not ended).
- Where: every subscribed website, or the one the list shows (``scope``).
- Choosing a row opens its conversation through the controller's one path (``open``: the
  controller's ``jump_to``), then reveals the message: ``RevealPort.reveal_message`` makes
  sure it is loaded (client side), ``ThreadReveal.reveal`` scrolls to it and highlights it.
  A row without a message (Crisp named the conversation only) opens the thread's find bar
  on the query (``reveal_text``). Both ports are optional: without them the conversation
  opens, unrevealed.

Every task is the ui's (``tasks``: the console's TaskOwner); the timers are injectable
(``make_timer``), and ``flush()`` starts what waits for them now.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from typing import Any, Protocol

from PySide6.QtCore import QObject

from crisp_console.client.search import SearchResult, ServerAnswer, merge
from crisp_console.client.tasks import TaskOwner
from crisp_console.core import Message, Store
from crisp_console.present.find_text import matcher
from crisp_console.present.search_rows import (
    SERVER_MIN_CHARS,
    SearchRow,
    SearchStatus,
    keep_places,
    search_row,
)
from crisp_console.present.search_snippets import find_text
from crisp_console.storage.search import HIT_END, HIT_START, LocalHit
from crisp_console.ui.commands import CommandRegistry
from crisp_console.ui.failure_words import EXPECTED, describe
from crisp_console.ui.timers import MakeTimer, single_shot
from crisp_console.ui.widgets.left_column import LeftColumn
from crisp_console.ui.widgets.search_pane import SearchPane

log = logging.getLogger(__name__)

LOCAL_MS = 60  # a pause in the typing this long searches the local index
SERVER_MS = 400  # and this long asks Crisp
COMMAND = "search.messages"
FILTER_COMMAND = "search.conversations"
STEPS = {"conversation.next": 1, "conversation.previous": -1}  # Alt+Down/Up step results


class Searcher(Protocol):
    """client/search.py's Search (``ConsoleClient.search``)."""

    @property
    def index(self) -> object | None: ...

    async def local(self, text: str, *, limit: int = 100,
                    website_ids: Collection[str] | None = None) -> list[LocalHit]: ...

    async def server(self, text: str, website_ids: Sequence[str]) -> ServerAnswer: ...


class RevealPort(Protocol):
    """The client's side of revealing a message (``ConsoleClient.reveal_message``): make
    sure it is in the store's timeline (loading around ``timestamp`` when it is not);
    False when it could not be found."""

    async def reveal_message(self, session_id: str, fingerprint: int,
                             timestamp: int) -> bool: ...

    async def newest_match(self, session_id: str,
                           matches: Callable[[Message], bool]) -> int | None:
        """The newest message ``matches`` takes (loaded ones first, then a few older
        pages); None when none does."""
        ...


class ThreadReveal(Protocol):
    """The thread pane's side: scroll to a loaded message and highlight it (False: not in
    the thread), or open the find bar on some text (False: no match loaded)."""

    def reveal(self, fingerprint: int) -> bool: ...

    def reveal_text(self, query: str) -> bool: ...


class SearchFlow(QObject):
    def __init__(self, pane: SearchPane, column: LeftColumn, search: Searcher, store: Store,
                 *, tasks: TaskOwner, scope: Callable[[], list[str]],
                 open_conversation: Callable[[str, str], None], current: Callable[[], str | None],
                 focus_list: Callable[[], None], reveal: RevealPort | None = None,
                 thread: ThreadReveal | None = None, offline: Callable[[], bool] | None = None,
                 message: Callable[[str, int], None] | None = None,
                 make_timer: MakeTimer = single_shot) -> None:
        """``open_conversation(session_id, website_id)``: the controller's ``jump_to``;
        ``current()``: the open conversation; ``focus_list()``: the conversation list takes
        the focus (back from the search); ``offline()``: Crisp cannot be reached (only the
        local index is searched); ``message(text, ms)``: the status bar."""
        super().__init__(pane)
        self.pane, self.column, self.search, self.store = pane, column, search, store
        self._tasks, self._scope, self._current = tasks, scope, current
        self._open = open_conversation
        self._focus_list, self._reveal, self._thread = focus_list, reveal, thread
        self._offline = offline or (lambda: False)
        self._message = message or (lambda _text, _ms: None)
        self._query = ""
        self._gen = 0  # the query's number: answers to older ones are dropped
        self._local: list[LocalHit] | None = None
        self._server: ServerAnswer | None = None
        self._status = SearchStatus()
        self._current_rows = False  # the rows shown answer the query in the box
        self._open_on_answer = False
        self._stale_scope = False
        self._jobs: dict[str, asyncio.Task[Any]] = {}
        self._pending_reveal: tuple[SearchRow, str] | None = None
        self._local_timer = make_timer(self, LOCAL_MS, self._run_local)
        self._server_timer = make_timer(self, SERVER_MS, self._run_server)
        pane.query_changed.connect(self._text_changed)
        pane.submitted.connect(self._submitted)
        pane.activated.connect(self.choose)
        pane.close_requested.connect(self.hide)

    def install(self, registry: CommandRegistry) -> None:
        """The registry's handlers: ``search.messages`` (Ctrl+Shift+F), and Alt+Down/Up
        step through the results while they show (the conversations otherwise)."""
        registry.set_handler(COMMAND, self.toggle)
        for cid, step in STEPS.items():
            registry.set_handler(cid, self._stepper(registry.handler(cid), step))
        # "/" and the palette's list filter: the list comes back first.
        focus_filter = registry.handler(FILTER_COMMAND)
        if focus_filter is not None:
            def filter_list() -> object:
                self.column.show_list()
                return focus_filter()
            registry.set_handler(FILTER_COMMAND, filter_list)

    # ---- showing -----------------------------------------------------------------------------

    def toggle(self) -> None:
        """Ctrl+Shift+F: show the search; again from inside it, back to the list; from
        elsewhere (the thread, the reply box) while it shows, into its box."""
        if not self.column.showing_search():
            self.show()
        elif self.pane.has_focus_within():
            self.hide()
        else:
            self.pane.focus_box()

    def show(self, text: str | None = None) -> None:
        """Show the search pane (its last query and results, or ``text`` searched now)."""
        self.column.show_search()
        if text is not None:
            self.pane.set_text(text)
            self.flush()
        elif self._stale_scope and self._query:
            self._start(self._query)
        self.pane.focus_box()

    def hide(self) -> None:
        """Back to the conversation list; the query and its results stay for next time."""
        self.column.show_list()
        self._focus_list()

    def scope_changed(self, _website_id: object = None) -> None:
        """The list shows another website (or every one): the query is searched again,
        now if the results show, else when they do."""
        if self._query:
            self._stale_scope = True
            if self.column.showing_search():
                self._start(self._query)

    # ---- searching ---------------------------------------------------------------------------

    def query(self) -> str:
        return self._query

    def status(self) -> SearchStatus:
        return self._status

    def flush(self) -> None:
        """Start now what waits for a pause in the typing (Enter, tests)."""
        for timer, run in ((self._local_timer, self._run_local),
                           (self._server_timer, self._run_server)):
            if timer.isActive():
                timer.stop()
                run()

    def _text_changed(self, text: str) -> None:
        query = " ".join(text.split())
        if query != self._query:
            self._start(query)

    def _start(self, query: str) -> None:
        self._gen += 1
        self._query, self._local, self._server = query, None, None
        self._stale_scope = self._open_on_answer = False
        for name in ("local", "server"):
            self._cancel(name)
        has_local = self.search.index is not None
        if not query:
            server = "short"
        elif self._offline():
            server = "offline"
        else:
            server = "short" if len(query) < SERVER_MIN_CHARS else "waiting"
        self._set_status(SearchStatus(query, None, has_local, server))
        self._local_timer.stop()
        self._server_timer.stop()
        if not query or not has_local:  # nothing, or nothing soon: the old rows go now
            self._current_rows = True
            self.pane.show_rows([], same_query=False)
        else:
            self._current_rows = False  # they stay until the new ones come (no flicker)
        if query and has_local:
            self._local_timer.start()
        if server == "waiting":
            self._server_timer.start()

    def _run_local(self) -> None:
        if self._query and self.search.index is not None:
            self._spawn("local", self._search_local(self._gen, self._query, self._scope()))

    def _run_server(self) -> None:
        if len(self._query) >= SERVER_MIN_CHARS and not self._offline():
            self._spawn("server", self._search_server(self._gen, self._query, self._scope()))

    async def _search_local(self, gen: int, query: str, scope: list[str]) -> None:
        try:
            hits = await self.search.local(query, website_ids=scope)
        except Exception:  # the index is ours: a failure is a bug, said and logged
            log.exception("local search for %r failed", query[:80])
            hits = []
        if gen == self._gen:
            self._local = hits
            self._show_answer()

    async def _search_server(self, gen: int, query: str, scope: list[str]) -> None:
        try:
            answer = await self.search.server(query, scope)
        except EXPECTED as exc:
            answer = ServerAnswer((), describe(exc))
        if gen == self._gen:
            self._server = answer
            self._show_answer()

    def _show_answer(self) -> None:
        local, server = self._local, self._server
        results = merge(local or [], server.session_ids if server else (), self.store)
        rows = [self._row(r) for r in results]
        same = self._current_rows
        if same:
            rows = keep_places(self.pane.model.keys(), rows)
        self.pane.show_rows(rows, same_query=same)
        self._current_rows = True
        state = self._status.server
        problem = ""
        if server is not None:
            problem = server.problem
            state = "failed" if problem and not server.session_ids else "done"
            if state == "failed" and self._offline():
                state = "offline"
        self._set_status(replace(self._status, local=None if local is None else len(local),
                                 server=state, problem=problem,
                                 more=sum(not r.local for r in results)))
        if self._open_on_answer and rows:
            self._open_on_answer = False
            self._choose_current()

    def _row(self, result: SearchResult) -> SearchRow:
        return search_row(result, self.store.conversations.get(result.session_id),
                          self._query, (HIT_START, HIT_END))

    def _set_status(self, status: SearchStatus) -> None:
        self._status = status
        self.pane.set_status(status)

    def _submitted(self) -> None:
        """Enter in the box: search the newest text now; open the current row when the
        rows answer it, else the first row of its answer."""
        waiting = self._local_timer.isActive() or bool(self._jobs.get("local"))
        self.flush()
        if self._current_rows and not waiting and self.pane.current_row() is not None:
            self._choose_current()
        elif self._query:
            self._open_on_answer = True

    # ---- choosing ----------------------------------------------------------------------------

    def choose(self, row: object) -> None:
        """Open the row's conversation (the controller's path), then reveal its message."""
        if not isinstance(row, SearchRow):
            return
        self._pending_reveal = (row, self._query)
        self._open(row.session_id, row.website_id)
        if self._current() == row.session_id:
            self._reveal_pending()
        # else: the conversation is being fetched; ``conversation_opened`` reveals it

    def conversation_opened(self, session_id: str) -> None:
        """The controller's ``opened``: a row chosen before its conversation was loaded."""
        pending = self._pending_reveal
        if pending is not None and pending[0].session_id == session_id:
            self._reveal_pending()

    def step(self, step: int) -> bool:
        """Alt+Down/Up while the results show: the next or previous result, opened."""
        if not self.column.showing_search() or not self.pane.step_current(step):
            return False
        self._choose_current()
        return True

    def _choose_current(self) -> None:
        row = self.pane.current_row()
        if row is not None:
            self.choose(row)

    def _reveal_pending(self) -> None:
        pending, self._pending_reveal = self._pending_reveal, None
        if pending is not None and (self._thread is not None or self._reveal is not None):
            self._spawn("reveal", self._reveal_row(*pending))

    async def _reveal_row(self, row: SearchRow, query: str) -> None:
        thread, sid, fingerprint = self._thread, row.session_id, row.fingerprint
        if fingerprint is None and self._reveal is not None:
            # Crisp named only the conversation: the newest message with the words, older
            # pages read if the loaded ones have none (the find bar then starts there).
            try:
                fingerprint = await self._reveal.newest_match(
                    sid, matcher(find_text(query), every_word=True))
            except EXPECTED as exc:
                log.info("no match looked up in %s: %s", sid, describe(exc))
        if fingerprint is None:
            if thread is not None and self._current() == sid:
                thread.reveal_text(find_text(query))
            return
        found = True
        if self._reveal is not None:
            try:
                found = await self._reveal.reveal_message(sid, fingerprint, row.timestamp)
            except EXPECTED as exc:
                self._message(f"Could not load that message: {describe(exc)}", 10_000)
                found = False
        if self._current() != sid or thread is None:
            return  # the operator moved on
        if not (found and thread.reveal(fingerprint)):
            thread.reveal_text(find_text(query))

    # ---- lifetime ----------------------------------------------------------------------------

    def detach(self) -> None:
        self._local_timer.stop()
        self._server_timer.stop()
        for name in list(self._jobs):
            self._cancel(name)

    def _spawn(self, name: str, coro: Any) -> None:
        self._cancel(name)
        task = self._tasks.spawn(coro, f"search {name}")
        if task is not None:
            self._jobs[name] = task
            task.add_done_callback(functools.partial(self._forget, name))

    def _forget(self, name: str, task: asyncio.Task[Any]) -> None:
        if self._jobs.get(name) is task:
            del self._jobs[name]

    def _cancel(self, name: str) -> None:
        task = self._jobs.pop(name, None)
        if task is not None:
            task.cancel()

    def _stepper(self, fallback: Callable[[], object] | None,
                 step: int) -> Callable[[], object]:
        def run() -> object:
            if self.column.showing_search():  # the results, not the hidden list
                if not self.step(step):
                    self._message("End of the results" if self.pane.model.rowCount()
                                  else "No results to go through", 3000)
                return None
            return fallback() if fallback is not None else None
        return run
