"""Local full-text search over everything the cache holds (search_index.py), offline too.

``LocalSearch.search(text)`` returns hits, best first: the conversations whose card (visitor
name, email, phone, subject, segments, custom data, profile notepad, last message) matches,
and the messages (text, notes, file names, pickers...) that match, each with a snippet whose
matches are wrapped in HIT_START/HIT_END (private-use characters the index never holds).

Ranking (search_rank.py): bm25, a card's name and email weighing most, recent first on ties.
At most PER_CONVERSATION hits per conversation: an operator picks a conversation, and one
long thread about refunds must not hide the twenty others; three still show why it matched
(its name and a couple of messages). Per keystroke, a query's cost is bounded whatever it
matches: message documents are walked newest first (their rowids are their time) and at
most WINDOW are ranked; a term matching more than COMMON documents (a one- or two-letter
prefix over a million messages) is not ranked by bm25 at all (its weights need a pass over
every match), its newest matches come by time; one-letter words are exact words in the
messages (a prefix of one letter matches most of them; the cards take any prefix).

Reads never queue behind the writer's batches: for a file, the search has its own
read-only connection (``query_only``, the same key; WAL lets it read while the writer
writes), used by one worker thread; in memory it reads through ``Database.aread``. A search
cancelled while it runs is stopped (a progress handler), so the next keystroke's search does
not wait for the last one.

After an upgrade, the rows cached before the index existed are indexed in the background
(search_backfill.py): meanwhile ``indexing`` is True and a search finds what is indexed.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import sqlite3
import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from crisp_console.storage import search_rank
from crisp_console.storage.database import Database, DatabaseClosed, StorageMode
from crisp_console.storage.search_backfill import Backfill
from crisp_console.storage.search_docs import HIT_END, HIT_START
from crisp_console.storage.search_query import match_expression

log = logging.getLogger(__name__)

T = TypeVar("T")

READ_CACHE_KIB = 16_384  # the reader's page cache: a query's doclists and rows stay warm
PROGRESS_STEPS = 10_000  # virtual-machine steps between two checks for a cancelled search

__all__ = ["HIT_END", "HIT_START", "LocalHit", "LocalSearch", "match_expression"]


@dataclass(frozen=True, slots=True)
class LocalHit:
    session_id: str
    website_id: str
    fingerprint: int | None  # the matching message; None when a conversation/person field did
    timestamp: int  # ms: the message's time, else the conversation's updated_at
    field: str  # "message" | "note" | "file" | "name" | "email" | "phone" | "subject" | ...
    snippet: str  # plain text, matches wrapped in HIT_START/HIT_END, visitor text untouched
    rank: float  # lower is better (bm25-like), already ordered


class _Reader:
    """A read-only connection of the search's own, used by one worker thread. A job that is
    cancelled stops: queued, it never runs; running, its statement fails at the next
    progress check (every PROGRESS_STEPS virtual-machine steps), and so does any it starts
    after (``sqlite3_interrupt`` would miss a job between two statements)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="local-search")
        self._stops: dict[concurrent.futures.Future[Any], threading.Event] = {}

    def submit(self, fn: Callable[[sqlite3.Connection], T]) -> concurrent.futures.Future[T]:
        stop = threading.Event()

        def job() -> T:
            self.conn.set_progress_handler(stop.is_set, PROGRESS_STEPS)
            try:
                return fn(self.conn)
            finally:
                self.conn.set_progress_handler(None, 0)

        future = self.pool.submit(job)
        self._stops[future] = stop
        future.add_done_callback(self._stops.pop)
        return future

    def interrupt(self, future: concurrent.futures.Future[T]) -> None:
        """Stop ``future``'s job."""
        stop = self._stops.get(future)
        if not future.cancel() and stop is not None:
            stop.set()

    def close(self) -> None:
        self.pool.submit(self.conn.close)
        self.pool.shutdown(wait=True)


class LocalSearch:
    """Built by client/local.py next to the Cache, from the open Database (``open``); closed
    before the database."""

    def __init__(self, database: Database, reader: _Reader | None = None) -> None:
        self._database = database
        self._reader = reader
        self._closed = False
        self.backfill: Backfill | None = None  # client/local.py's, while rows are owed

    @property
    def indexing(self) -> bool:
        """Rows cached before the index existed are still being indexed: a search finds
        what is indexed so far (``backfill.done``/``total`` say how far)."""
        return self.backfill is not None and self.backfill.indexing

    @classmethod
    def open(cls, database: Database, key: str | None) -> LocalSearch:
        """The search of ``database``: its own read connection to the file (``key``: the
        database's), else reads through the database. Blocking (it opens a file): call it
        off the loop. Never raises."""
        if database.mode is StorageMode.MEMORY or database.path is None:
            return cls(database)
        engine = database.engine
        try:
            conn = engine.connect(database.path,
                                  key=key if database.mode is StorageMode.ENCRYPTED else None)
        except Exception as exc:  # noqa: BLE001 - any failure: read through the database
            log.warning("local search reads through the writer: its own connection to %s "
                        "failed (%s)", database.path, exc)
            return cls(database)
        try:
            conn.execute("PRAGMA query_only = ON")
            conn.execute(f"PRAGMA cache_size = -{READ_CACHE_KIB}")
        except Exception:
            conn.close()
            raise
        return cls(database, _Reader(conn))

    @property
    def separate(self) -> bool:
        """The search has a connection of its own (reads never wait for the writer)."""
        return self._reader is not None

    async def search(self, text: str, *, limit: int = 100,
                     website_ids: Collection[str] | None = None) -> list[LocalHit]:
        """The best ``limit`` hits for ``text`` (search_query.py's language), in
        ``website_ids`` only when given. [] when nothing is to be searched, after close, or
        when the database fails (logged)."""
        if self._closed or limit <= 0 or match_expression(text) is None:
            return []
        sites = None if website_ids is None else frozenset(website_ids)
        fn = partial(search_rank.run, text=text, limit=limit, website_ids=sites)
        try:
            if self._reader is None:
                rows = await self._database.aread(fn)
            else:
                future = self._reader.submit(fn)
                try:
                    rows = await asyncio.wrap_future(future)
                except asyncio.CancelledError:
                    self._reader.interrupt(future)
                    raise
        except self._database.engine.Error as exc:
            log.warning("local search failed: %s", exc)
            return []
        except (DatabaseClosed, RuntimeError) as exc:  # closed meanwhile (RuntimeError: the
            log.info("local search after close: %s", exc)  # reader's pool shut down)
            return []
        return [LocalHit(*row) for row in rows]

    def close(self) -> None:
        """Close the read connection (waits for a search running). Idempotent."""
        self._closed = True
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.close()

    async def aclose(self) -> None:
        await asyncio.to_thread(self.close)
