"""Owed fetches: conversations the live feed named before the store knew them.

A live event for an unknown conversation makes its fetch owed: one task per session, retried
with backoff until it succeeds (retry.py). A 404 of any reason, or NotSubscribed, means the
conversation is gone: the debt is dropped; a 403 marks the website's conversations denied.
Events that arrive for it while the fetch is out cannot be placed (the store drops them),
and the answer may predate them, so the conversation is fetched once more (watches.settle,
which the catch-up uses too for conversations live events touched while it listed them).

Past ``limit`` owed at once (a flood of new conversations, or a peer inventing ids) no more
tasks start: a catch-up is owed instead (``overflow``), which lists every conversation
updated since then.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from crisp_console.api import tagged
from crisp_console.client.owed import OwedWork
from crisp_console.client.watches import settle
from crisp_console.client.websites import GONE
from crisp_console.client.words import describe
from crisp_console.errors import NotAllowedError, ProtocolError, ValidationError

log = logging.getLogger("crisp_console.client")

# Moot for good: the conversation is gone, refused, or Crisp cannot describe it readably.
_FINAL = (*GONE, NotAllowedError, ValidationError, ProtocolError)


class OwedFetches:
    def __init__(self, work: OwedWork, *, limit: int, overflow: Callable[[], None]) -> None:
        self._work = work
        self._monitor = work.monitor  # told of every change of the debts
        self._limit = limit
        self._overflow = overflow
        self._owed: dict[str, str] = {}  # session_id -> website_id
        self.problem = ""  # the last failure in words, while any is owed

    def __len__(self) -> int:
        return len(self._owed)

    def __contains__(self, session_id: object) -> bool:
        return session_id in self._owed

    def owe(self, website_id: str, session_id: str) -> None:
        """An event named ``session_id``, which the store does not know."""
        if session_id in self._owed:
            return  # owed already; what the event said is in the answer (settle())
        if len(self._owed) >= self._limit:
            self._overflow()
            return
        self._owed[session_id] = website_id
        self._monitor.refresh()
        self._work.tasks.spawn(self._fetch(website_id, session_id), f"fetch {session_id}",
                          key=f"conversation:{session_id}")

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
            await settle(work.store, work.watches, session_id, fetch)
        except NotAllowedError as exc:
            work.websites.deny_conversations(website_id, exc)
        except _FINAL as exc:
            log.info("conversation %s not fetched: %s", session_id, describe(exc))
        finally:
            del self._owed[session_id]
            if not self._owed:
                self.problem = ""
            self._monitor.refresh()

    def _failed(self, exc: BaseException) -> None:
        self.problem = describe(exc)
        self._monitor.refresh()
