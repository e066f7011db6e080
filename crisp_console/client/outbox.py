"""The client's durable outbox: every outgoing action is on disk before its request leaves,
and stays there until Crisp has it (storage/outbox.py keeps the rows).

Who does what:

- The parts that take actions record them here first: replies, notes and files (replies.py),
  the commands (commands.py: edit, state, assignment, segments, read marks, block). Each
  part registers as the owner of its kinds: it resumes them after a restart and forgets one
  the operator discards.
- The send path (sending.py) tells each reply's states through the ``SendJournal`` methods
  below; a command's owner updates its row itself.
- States: ``queued`` (recorded, or waiting for the quota or the connection, ``error``
  saying why), ``sending`` (a delivery is under way), ``failed`` (``error`` says why in
  words; it stays until sent by the operator's Retry or discarded). Once Crisp has an
  action its row is deleted at once: the server holds it from then on, and the cache
  (H2) keeps the sent message like any other; a kept ``sent`` row would only grow the file.
- After a crash, a kill or a quit, ``resume()`` (called once the store has its
  conversations) hands every unsent row to its owner, in id order: replies come back as
  PENDING echoes and are delivered reading first (their POST may have left), commands are
  sent again (PATCH), each conversation's actions in the order they were taken.
- Quitting: ``aclose()`` of the client never marks an action failed nor removes one; the
  UI asks with ``unsent_count()``/``unsent()``, may ``wait_sent()`` (cancel the wait to stop
  waiting), and what is left goes at the next start.

The mirror (``_items``) is the rows' state on the loop thread, for the synchronous queries.
Updates after the record are submitted in order and not awaited (``Outbox.submit_*``): if
one is lost in a crash the row is only older than the truth, and its resume reads first.
If the database refuses a record the action is sent all the same, not durably (logged).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from crisp_console.client.send_parts import Outgoing, SendKey
from crisp_console.observers import Observers
from crisp_console.storage.outbox import FAILED, QUEUED, SENDING, Outbox, OutboxItem, State

log = logging.getLogger("crisp_console.client")

LOCAL_IDS = 10 ** 15  # ids of actions the database refused to record (not durable)


class OutboxOwner(Protocol):
    """The part that sends one family of kinds (replies.py, commands.py)."""

    def resume(self, item: OutboxItem) -> None:
        """Show and schedule an unsent item read back after a restart (do not await)."""

    def forget(self, item: OutboxItem) -> bool:
        """Drop an unsent item the operator discarded; False while it is in flight."""


class ClientOutbox:
    """One client's outbox over ``outbox`` (storage). ``flush_timeout`` bounds how long a
    closing client waits for the last submitted writes."""

    def __init__(self, outbox: Outbox, *, flush_timeout: float = 5.0) -> None:
        self.storage = outbox
        self._flush_timeout = flush_timeout
        self._items: dict[int, OutboxItem] = {}  # unsent (queued, sending, failed), by id
        self._by_key: dict[SendKey, int] = {}  # messages: (session_id, fingerprint) -> id
        self._owners: dict[str, OutboxOwner] = {}
        self._last_write: concurrent.futures.Future[Any] | None = None
        self._local = LOCAL_IDS
        self._resumed = False
        self._observers: Observers[[int]] = Observers(log, "outbox observer")
        self._changed: asyncio.Event | None = None

    # ---- owners ----------------------------------------------------------------------------

    def register(self, kinds: Iterable[str], owner: OutboxOwner) -> None:
        for kind in kinds:
            self._owners[kind] = owner

    # ---- records ---------------------------------------------------------------------------

    async def record(self, item: OutboxItem) -> int:
        """Keep ``item`` before its request leaves (returns after the commit); its id is
        its place among the client's actions. A database that refuses it costs durability,
        not the action: it gets an id of this session only."""
        try:
            item_id = await self.storage.add(item)
        except Exception:
            log.exception("the outbox could not keep a %s of %s; it is sent, not kept",
                          item.kind, item.session_id)
            self._local += 1
            item_id = item.id = self._local
        mirror = item.copy()
        self._items[item_id] = mirror
        if mirror.is_message and mirror.fingerprint is not None:
            self._by_key[(mirror.session_id, mirror.fingerprint)] = item_id
        self._notify()
        return item_id

    def update(self, item_id: int, *, state: State | None = None, error: str | None = None,
               ambiguous: bool | None = None) -> None:
        """Change an unsent item's state (submitted, not awaited)."""
        item = self._items.get(item_id)
        if item is None:
            return
        if (state is None or state == item.state) and (error is None or error == item.error) \
                and (ambiguous is None or ambiguous == item.ambiguous):
            return
        item.state = state or item.state
        item.error = item.error if error is None else error
        item.ambiguous = item.ambiguous if ambiguous is None else ambiguous
        if item_id < LOCAL_IDS:
            self._submit(self.storage.submit_update(item_id, state=state, error=error,
                                                    ambiguous=ambiguous))
        self._notify()

    async def uploaded(self, item_id: int, body: dict[str, Any]) -> None:
        """A file's upload is done: its body gets the URL, its bytes go (awaited: the
        message is posted only once its row says it was uploaded)."""
        item = self._items.get(item_id)
        if item is None:
            return
        item.body, item.data = dict(body), None
        if item_id < LOCAL_IDS:
            try:
                await self.storage.update(item_id, body=body, clear_data=True)
            except Exception:
                log.exception("the outbox could not note the upload of %d", item_id)

    def done(self, item_id: int) -> None:
        """Crisp has it (or refused it for good, said to the caller): the row goes."""
        item = self._items.pop(item_id, None)
        if item is None:
            return
        if item.is_message and item.fingerprint is not None:
            self._by_key.pop((item.session_id, item.fingerprint), None)
        if item_id < LOCAL_IDS:
            self._submit(self.storage.submit_remove(item_id))
        self._notify()

    def _submit(self, future: concurrent.futures.Future[Any]) -> None:
        self._last_write = future
        future.add_done_callback(_log_failure)

    def has(self, item_id: int) -> bool:
        return item_id in self._items

    def item(self, item_id: int) -> OutboxItem | None:
        return self._items.get(item_id)

    def id_of(self, session_id: str, fingerprint: int) -> int | None:
        return self._by_key.get((session_id, fingerprint))

    # ---- the send path's journal (sending.SendJournal) -----------------------------------

    def order(self, out: Outgoing) -> int | None:
        return self._by_key.get(out.key)

    def sending(self, out: Outgoing) -> None:
        self._journal(out, SENDING, "")

    def waiting(self, out: Outgoing, why: str) -> None:
        self._journal(out, QUEUED, why)

    def failed(self, out: Outgoing, why: str) -> None:
        self._journal(out, FAILED, why)

    def sent(self, out: Outgoing) -> None:
        item_id = self._by_key.get(out.key)
        if item_id is not None:
            self.done(item_id)

    def _journal(self, out: Outgoing, state: State, why: str) -> None:
        item_id = self._by_key.get(out.key)
        if item_id is not None:
            self.update(item_id, state=state, error=why, ambiguous=out.ambiguous)

    # ---- for the UI: the quit question, the review ---------------------------------------

    def unsent_count(self) -> int:
        """Actions Crisp may not have yet: queued, sending or failed."""
        return len(self._items)

    def active_count(self) -> int:
        """Those that will go by themselves (queued or sending); the failed ones wait for
        the operator (Retry, or discard)."""
        return sum(1 for item in self._items.values() if item.state != FAILED)

    def unsent(self) -> list[OutboxItem]:
        """Copies of the unsent actions in the order they were taken (a file's bytes left
        out), for the review list."""
        return [_summary(item) for _, item in sorted(self._items.items())]

    def observe(self, callback: Callable[[int], None]) -> Callable[[], None]:
        """``callback(unsent_count())`` on each change; returns the unsubscribe."""
        return self._observers.add(callback)

    async def wait_sent(self) -> int:
        """Return once nothing is queued or sending; the failed ones are left (their
        count is returned). Cancel the awaiting task to stop waiting: that cancels no
        delivery."""
        while self.active_count():
            changed = self._changed = self._changed or asyncio.Event()
            changed.clear()
            await changed.wait()
        return self.unsent_count()

    async def discard(self, item_id: int) -> bool:
        """The operator drops an unsent action (from the review): its owner forgets it
        (a reply's echo goes) and its row goes. False while it is in flight."""
        item = self._items.get(item_id)
        if item is None:
            return False
        owner = self._owners.get(item.kind)
        if owner is not None and not owner.forget(item.copy()):
            return False
        self.done(item_id)
        return True

    def _notify(self) -> None:
        if self._changed is not None:
            self._changed.set()
        if len(self._observers):
            self._observers.notify(len(self._items))

    # ---- lifecycle -------------------------------------------------------------------------

    async def resume(self) -> int:
        """Hand every unsent row of earlier runs to its owner, in id order (each
        conversation's actions go in that order); returns how many. Once per client."""
        if self._resumed:
            return 0
        self._resumed = True
        items = [item for item in await self.storage.unsent() if item.id not in self._items]
        for item in items:
            assert item.id is not None
            self._items[item.id] = item
            if item.is_message and item.fingerprint is not None:
                self._by_key[(item.session_id, item.fingerprint)] = item.id
        self._notify()
        for item in items:
            owner = self._owners.get(item.kind)
            if owner is None:  # a kind this console does not know: listed, never dropped
                log.warning("outbox item %s of unknown kind %r kept unsent", item.id, item.kind)
                continue
            try:
                owner.resume(item.copy())
            except Exception:  # one bad row must not keep the others from going
                log.exception("outbox item %s (%s) could not be resumed", item.id, item.kind)
        if items:
            log.info("outbox: %d unsent action(s) resumed", len(items))
        return len(items)

    async def flush(self) -> None:
        """Wait (at most ``flush_timeout``) until the submitted writes are committed."""
        last = self._last_write
        if last is None or last.done():
            return
        with contextlib.suppress(Exception):
            await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(last)),
                                   self._flush_timeout)


def _summary(item: OutboxItem) -> OutboxItem:
    copy = item.copy()
    copy.data = None
    return copy


def _log_failure(future: concurrent.futures.Future[Any]) -> None:
    """Runs where the write ran (the database's writer thread): logging only."""
    if not future.cancelled() and future.exception() is not None:
        log.warning("an outbox update was not written: %r", future.exception())
