"""Owed fetches: conversations the live feed named before the store knew them.

A live event for an unknown conversation, or for one the store holds only provisionally (a
row built from a message alone: core/handlers_messages.py), makes its fetch owed: one task per
session, retried with backoff until it succeeds (retry.py). A 404 of any reason, or
NotSubscribed, means the conversation is gone: the debt is dropped, and a provisional row with
it; a 403 marks the website's conversations denied. A provisional row lives only while its
fetch is owed. Events that arrive while the fetch is out may be newer than its answer (an
unknown conversation's are dropped by the store), so the conversation is fetched once more
(watches.settle, which the catch-up uses too for conversations live events touched while it
listed them).

Past ``max_owed_fetches`` owed at once (a flood of new conversations, or a peer inventing ids)
no more are owed: a catch-up is owed instead (``overflow``), which lists every conversation
updated since then.

What it costs is one request per new conversation, not per event (the REST quota is shared):
the burst that announces a new conversation (created, typing, its first message, online)
reaches the store in one frame (client/batch.py), so the fetch, which starts after that
frame, has it in one answer instead of being "newer than the answer" round after round; a
fetch may also wait ``owed_fetch_gather`` more before it asks (none by default: in
scripts/bench_events.py waiting 16 or 50 ms saved no request, 131-138 for ~123 new
conversations either way, and delayed every new row by as much). At most
``owed_fetches_in_flight`` are out at once (the others wait their turn); a conversation found
gone or refused is moot for ``owed_moot_for`` seconds, so its later events ask nothing. The
answer ends a frame of the feed (``frame``: FrameBatch.changed): the new row is flushed and
painted with the feed's next frame, not on the list model's own timer.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from crisp_console.api import tagged
from crisp_console.client.config import ClientConfig, Clocks
from crisp_console.client.owed import OwedWork
from crisp_console.client.watches import settle
from crisp_console.client.websites import GONE
from crisp_console.client.words import describe
from crisp_console.errors import NotAllowedError, ProtocolError, ValidationError

log = logging.getLogger("crisp_console.client")

# Moot for good: the conversation is gone, refused, or Crisp cannot describe it readably.
_FINAL = (*GONE, NotAllowedError, ValidationError, ProtocolError)


MAX_MOOT = 10_000  # gone conversations remembered at once (the oldest forgotten first)


class OwedFetches:
    def __init__(self, work: OwedWork, config: ClientConfig, clocks: Clocks, *,
                 overflow: Callable[[], None], frame: Callable[[], None] | None = None) -> None:
        """``frame``: end a frame of the feed soon (FrameBatch.changed; by default the
        store's ``end_frame`` at once)."""
        self._work = work
        self._frame = frame if frame is not None else work.store.end_frame
        self._monitor = work.monitor  # told of every change of the debts
        self._limit = config.max_owed_fetches
        self._gather = config.owed_fetch_gather
        self._moot_for = config.owed_moot_for
        self._clocks = clocks
        self._overflow = overflow
        self._window = asyncio.Semaphore(max(1, config.owed_fetches_in_flight))
        self._owed: dict[str, str] = {}  # session_id -> website_id
        self._moot: OrderedDict[str, float] = OrderedDict()  # session_id -> moot until
        self.in_flight = 0  # fetches asking now (the others wait for the window)
        self.problem = ""  # the last failure in words, while any is owed

    def __len__(self) -> int:
        return len(self._owed)

    def __contains__(self, session_id: object) -> bool:
        return session_id in self._owed

    def behind(self) -> bool:
        """Whether the list may lack what the owed fetches bring: a conversation the store
        does not hold at all, or any while fetches fail (the provisional rows are guesses
        then). A provisional row whose fetch is simply under way is not behind: it shows,
        and Crisp's copy follows within a round trip (the status bar would otherwise flip
        to "catching up" and back for every new visitor)."""
        if not self._owed:
            return False
        if self.problem:
            return True
        conversations = self._work.store.conversations
        return any(sid not in conversations for sid in self._owed)

    def owe(self, website_id: str, session_id: str) -> None:
        """An event named ``session_id``, which the store does not know."""
        if session_id in self._owed:
            return  # owed already; what the event said is in the answer (settle())
        store = self._work.store
        if self._moot and self._is_moot(session_id):
            store.drop_provisional(session_id)
            return  # found gone just now: its events change nothing
        if len(self._owed) >= self._limit:
            # A provisional row lives only while its fetch is owed: a flood of invented ids
            # leaves no rows behind; the catch-up lists the real ones.
            store.drop_provisional(session_id)
            self._overflow()
            return
        self._owed[session_id] = website_id
        self._monitor.refresh()
        self._work.tasks.spawn(self._fetch(website_id, session_id), f"fetch {session_id}",
                               key=f"conversation:{session_id}")

    def _is_moot(self, session_id: str) -> bool:
        until = self._moot.get(session_id)
        if until is None:
            return False
        if self._clocks.monotonic() < until:
            return True
        del self._moot[session_id]
        return False

    def _found_moot(self, session_id: str) -> None:
        self._moot[session_id] = self._clocks.monotonic() + self._moot_for
        self._moot.move_to_end(session_id)
        while len(self._moot) > MAX_MOOT:
            self._moot.popitem(last=False)

    # The live feed's own follow-up (not the operator opening it): it keeps the store in step.
    @tagged("reconcile")
    async def _fetch(self, website_id: str, session_id: str) -> None:
        work = self._work

        def fetch() -> Awaitable[dict[str, Any]]:
            return work.retrier.run(
                lambda: work.api.get_conversation(website_id, session_id),
                what=f"fetch of conversation {session_id}", final=_FINAL,
                on_failure=self._failed, loud=False)

        try:
            if self._gather > 0:
                await self._clocks.sleep(self._gather)  # the rest of its burst, in one answer
            async with self._window:
                # A catch-up may have got it; a provisional row is still owed Crisp's copy.
                if session_id not in work.store.conversations \
                        or work.store.is_provisional(session_id):
                    self.in_flight += 1
                    try:
                        await settle(work.store, work.watches, session_id, fetch)
                    finally:
                        self.in_flight -= 1
                    self._frame()  # its row shows with the feed's next frame
        except NotAllowedError as exc:
            self._found_moot(session_id)
            work.store.drop_provisional(session_id)
            work.websites.deny_conversations(website_id, exc)
        except _FINAL as exc:
            self._found_moot(session_id)
            work.store.drop_provisional(session_id)
            log.info("conversation %s not fetched: %s", session_id, describe(exc))
        finally:
            del self._owed[session_id]
            if not self._owed:
                self.problem = ""
            self._monitor.refresh()

    def _failed(self, exc: BaseException) -> None:
        self.problem = describe(exc)
        self._monitor.refresh()
