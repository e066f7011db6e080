"""The Persister: the store's changes, written to the local cache in batches.

It hears every Change (store.subscribe) and only notes the ids it names, per collection: a
burst of events on one conversation (typing, acknowledgements, a busy visitor) costs one row
in the next write, not one write each. ``interval`` seconds after the first change of a
quiet period (0.25 by default, on an injectable scheduler: ``loop.call_later`` in
production) it encodes the objects as they are now, on the loop thread (cache.py's ``*_row``
helpers; measured by scripts/bench_persist.py), and hands the batch to the cache, whose
runner writes it off the loop. One write is in flight at a time; what changes meanwhile
goes in the next.

What each Change means for the cache:
- a row inserted, changed or moved: save it as it is at the flush (gone by then: remove it);
  typing alone (compose fields, not kept) saves nothing;
- a row removed: remove it (a conversation takes its messages and timeline along);
- a timeline's RESET (its conversation was removed, or the saved one dropped): its messages
  and bookkeeping are removed, then whatever it holds at the flush is saved;
- websites or operators RESET: they were replaced, the cache keeps just those (unless none
  are left: that is clear(), and an account without websites keeps its last). A RESET of
  conversations or people changes no row (a new order, clear(), a restore, which happens
  before the Persister starts): nothing is written; re-encoding thousands of rows there
  would stall the loop for nothing. The cache is cleared by Clear local data
  (cache.clear) or with the account.
Pending and failed local echoes are never written (the outbox owns them).

Timeline bookkeeping (loaded, cursor, at_start) changes without a Change of its own: the
loader tells ``timeline_read(session_id)`` after each page, which also dates the timeline
(the warm start restores the most recently read ones).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any, Protocol

from crisp_console.core import Change, ChangeKind, Store
from crisp_console.core.changes import CONVERSATIONS, MESSAGES, OPERATORS, PEOPLE, WEBSITES
from crisp_console.storage.cache import (
    Batch,
    Cache,
    conversation_row,
    message_row,
    operator_row,
    person_row,
    website_row,
)

log = logging.getLogger("crisp_console.client")

_SKIPPED = (ChangeKind.INSERTING, ChangeKind.MOVING, ChangeKind.REMOVING)
_TRANSIENT = frozenset(("compose_visitor", "compose_operator"))

# The collections kept by id, each with its encoder (the cache's ``*_row`` helper, given the
# flush's epoch ms); the store's mapping, the batch's rows and its ``gone_*`` ids are named
# after the collection.
_ENCODERS: dict[str, Callable[[Any, int], tuple[Any, ...]]] = {
    CONVERSATIONS: lambda conv, _now: conversation_row(conv),
    WEBSITES: lambda site, _now: website_row(site),
    OPERATORS: lambda op, _now: operator_row(op),
    PEOPLE: person_row,
}


class Handle(Protocol):
    def cancel(self) -> None: ...


Schedule = Callable[[float, Callable[[], None]], Handle]
MetaSource = Callable[[], dict[str, Any]]


class Persister:
    """``start()`` subscribes; ``await close()`` writes what is left and unsubscribes.

    ``schedule(delay, callback)`` arms the flush (default: the running loop's call_later);
    ``wall`` gives epoch seconds (profiles' and timelines' read dates); ``meta()`` gives
    the sync state to write with every batch (client/warmstart.py)."""

    def __init__(self, store: Store, cache: Cache, *, interval: float = 0.25,
                 schedule: Schedule | None = None, wall: Callable[[], float] = time.time,
                 meta: MetaSource | None = None) -> None:
        self._store, self.cache, self._interval = store, cache, interval
        self._schedule, self._wall, self._meta_source = schedule, wall, meta
        self._unsubscribe: Callable[[], None] | None = None
        self._timer: Handle | None = None
        self._writing: asyncio.Task[None] | None = None
        self._dirty: dict[str, set[str]] = {c: set() for c in _ENCODERS}
        self._reset: set[str] = set()
        self._messages: dict[str, set[int]] = {}  # session_id -> fingerprints
        self._dropped: set[str] = set()  # timelines whose saved copy goes
        self._read: set[str] = set()  # timelines read from Crisp since the last flush
        self._meta: dict[str, Any] = {}
        self.flushes = 0
        self.rows = 0  # rows written, all flushes together
        self.failures = 0
        self._failing = 0  # failed writes in a row (the first one is logged)
        self.last_encode = 0.0  # seconds the last flush spent encoding, on the loop thread

    # ---- lifecycle -----------------------------------------------------------------------

    def set_meta_source(self, meta: MetaSource) -> None:
        self._meta_source = meta

    def start(self) -> None:
        if self._unsubscribe is None:
            self._unsubscribe = self._store.subscribe(self._on_change)

    async def close(self) -> None:
        """Stop listening and write everything still noted; idempotent."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        await self.flush()

    @property
    def dirty(self) -> bool:
        return bool(self._meta or self._reset or self._messages or self._dropped or self._read
                    or any(self._dirty.values()))

    # ---- what changed --------------------------------------------------------------------

    def _on_change(self, change: Change) -> None:
        kind = change.kind
        if kind in _SKIPPED:
            return
        collection = change.collection
        if collection == MESSAGES:
            if kind is ChangeKind.RESET:
                if change.key is None:
                    return  # every timeline forgotten (clear): nothing to write
                self._dropped.add(change.key)
                self._messages.pop(change.key, None)
            elif change.key is not None:
                self._messages.setdefault(change.key, set()).update(change.fingerprints)
        elif kind is ChangeKind.RESET:
            held = self._store.websites if collection == WEBSITES else self._store.operators
            if collection not in (WEBSITES, OPERATORS) or not held:
                return  # no row changed, or clear(): nothing to write (module docstring)
            self._reset.add(collection)
        elif kind is ChangeKind.CHANGED and change.fields <= _TRANSIENT:
            return
        else:
            self._dirty[collection].update(change.ids)
        self._arm()

    def timeline_read(self, session_id: str) -> None:
        """A page of the conversation's messages was read from Crisp (loader.py)."""
        self._read.add(session_id)
        self._arm()

    def set_meta(self, **values: Any) -> None:
        """Meta values (cache.META_KEYS) to write with the next batch; None deletes."""
        self._meta.update(values)
        self._arm()

    def _arm(self) -> None:
        if self._timer is not None or self._unsubscribe is None:
            return
        schedule = self._schedule or asyncio.get_running_loop().call_later
        self._timer = schedule(self._interval, self._due)

    def _due(self) -> None:
        self._timer = None
        if self._writing is not None and not self._writing.done():
            self._arm()  # one write at a time: this batch waits for the next turn
            return
        self._writing = asyncio.get_running_loop().create_task(self.flush(),
                                                               name="cache-flush")

    # ---- the flush -----------------------------------------------------------------------

    async def flush(self) -> None:
        """Encode what changed and write it (after the write in flight, if any)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        writing = self._writing
        if writing is not None and not writing.done() and writing is not asyncio.current_task():
            await asyncio.shield(writing)
        if not self.dirty and self._meta_source is None:
            return
        started = time.perf_counter()
        batch = self.take()
        self.last_encode = time.perf_counter() - started
        if not batch:
            return
        try:
            self.rows += await self.cache.save(batch)
        except Exception as exc:  # noqa: BLE001 - the cache is a copy: never break the app
            self.failures += 1
            self._failing += 1
            log.log(logging.WARNING if self._failing == 1 else logging.DEBUG,
                    "the local cache could not be written (%s: %s); trying again",
                    type(exc).__name__, exc)
            self._note_again(batch)
            return
        self.flushes += 1
        self._failing = 0

    def take(self) -> Batch:
        """The batch of everything noted, encoded now; the notes start afresh."""
        store, batch, now = self._store, Batch(), int(self._wall() * 1000)
        dirty, reset = self._dirty, self._reset
        self._dirty = {c: set() for c in dirty}
        self._reset = set()
        batch.websites_only = WEBSITES in reset
        batch.operators_only = OPERATORS in reset
        if batch.websites_only:
            dirty[WEBSITES] = set(store.websites)
        if batch.operators_only:
            dirty[OPERATORS] = set(store.operators)
        for collection, encode in _ENCODERS.items():
            held = getattr(store, collection)
            rows, gone = getattr(batch, collection), getattr(batch, f"gone_{collection}")
            for key in dirty[collection]:
                obj = held.get(key)
                if obj is None:
                    gone.append(key)
                else:
                    rows.append(encode(obj, now))
        self._take_timelines(batch, now)
        batch.meta.update(self._meta)
        self._meta = {}
        if self._meta_source is not None:  # last: fresher than a batch noted again
            batch.meta.update(self._meta_source())
        return batch

    def _note_again(self, batch: Batch) -> None:
        """A batch that was not written: note its ids again, for the next turn."""
        dirty = self._dirty
        for collection in _ENCODERS:
            dirty[collection].update([r[0] for r in getattr(batch, collection)],
                                     getattr(batch, f"gone_{collection}"))
        self._reset.update(name for name, only in ((WEBSITES, batch.websites_only),
                                                   (OPERATORS, batch.operators_only)) if only)
        for sid, fp in [*((m[0], m[1]) for m in batch.messages), *batch.gone_messages]:
            self._messages.setdefault(sid, set()).add(fp)
        self._dropped.update(batch.gone_timelines)
        for sid, *_, fetched_at in batch.timelines:
            if fetched_at:
                self._read.add(sid)
            else:
                self._messages.setdefault(sid, set())
        self._meta = {**batch.meta, **self._meta}
        self._arm()

    def _take_timelines(self, batch: Batch, now: int) -> None:
        store = self._store
        messages, dropped, read = self._messages, self._dropped, self._read
        self._messages, self._dropped, self._read = {}, set(), set()
        for sid in dropped:
            batch.gone_timelines.append(sid)
            fps = {m.fingerprint for m in store.messages(sid)}  # what it holds since
            if fps:
                messages.setdefault(sid, set()).update(fps)
        for sid, fps in messages.items():
            if sid not in store.conversations:
                continue  # removed with its conversation (or never kept)
            for fp in fps:
                msg = store.message(sid, fp)
                row = message_row(msg) if msg is not None else None
                if row is not None:
                    batch.messages.append(row)
                elif sid not in dropped:
                    batch.gone_messages.append((sid, fp))
        for sid in messages.keys() | read:
            tl = store.threads.get(sid)
            if tl is not None and sid in store.conversations:
                batch.timelines.append((sid, int(tl.loaded), tl.cursor, int(tl.at_start),
                                        now if sid in read else 0))
