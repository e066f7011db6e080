"""Owed fetches: conversations the live feed named before the store knew them.

A live event for an unknown conversation makes its fetch owed: one task per session, retried
with backoff until it succeeds (retry.py). A 404 of any reason, or NotSubscribed, means the
conversation is gone: the debt is dropped; a 403 marks the website's conversations denied.
Events that arrive for it while the fetch is out cannot be placed (the store drops them),
and the answer may predate them, so the conversation is fetched once more (``settle()``,
which the catch-up uses too for conversations live events touched while it listed them).

Past ``max_owed_fetches`` owed at once (a flood of new conversations, or a peer inventing
ids) no more tasks start: a catch-up is owed instead, which lists every conversation updated
since then.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from crisp_console.client.words import describe
from crisp_console.errors import (
    NotAllowedError,
    NotFoundError,
    NotSubscribedError,
    ProtocolError,
    ValidationError,
)

if TYPE_CHECKING:
    from crisp_console.client.base import ClientBase

log = logging.getLogger("crisp_console.client")

ROUNDS = 3
MAX_TOUCHED = 10_000  # session ids one watch keeps; past that, every session counts as touched
# Moot for good: the conversation is gone, refused, or Crisp cannot describe it readably.
_FINAL = (NotFoundError, NotSubscribedError, NotAllowedError, ValidationError, ProtocolError)


class Touched:
    """The sessions live events named while a REST request was out (``client.watch()``)."""

    def __init__(self) -> None:
        self._ids: set[str] = set()
        self.overflow = False

    def add(self, session_id: str) -> None:
        if self.overflow:
            return
        if len(self._ids) >= MAX_TOUCHED:
            self.overflow = True  # a flood: treat every session as touched
            self._ids.clear()
            return
        self._ids.add(session_id)

    def __contains__(self, session_id: object) -> bool:
        return self.overflow or session_id in self._ids


async def settle(client: ClientBase, session_id: str,
                 fetch: Callable[[], Awaitable[dict[str, Any]]]) -> None:
    """Get A Conversation into the store so that it is not older than what arrived live.

    An answer is applied unless live events named the conversation while the request was
    out and the store already knows it: they may be newer than the answer (a message bumps
    the unread count, which an older snapshot would undo), so it is asked again. An unknown
    conversation's answer is applied at once (nothing live could reach it) and asked again
    if events came meanwhile (the store dropped them). After ``ROUNDS`` the last answer
    stands. ``fetch``'s errors propagate.
    """
    store = client.store
    for round_ in range(1, ROUNDS + 1):
        with client.watch() as touched:
            payload = await fetch()
        last = round_ == ROUNDS
        if session_id in touched and session_id in store.conversations and not last:
            continue
        store.upsert_conversations([payload])
        if session_id not in touched or last:
            return


class OwedFetches:
    def __init__(self, client: ClientBase) -> None:
        self._client = client
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
        client = self._client
        if len(self._owed) >= client.config.max_owed_fetches:
            client.owe_catchup()
            return
        self._owed[session_id] = website_id
        client.monitor.refresh()
        client.tasks.spawn(self._fetch(website_id, session_id), f"fetch {session_id}",
                           key=f"conversation:{session_id}")

    async def _fetch(self, website_id: str, session_id: str) -> None:
        client = self._client

        def fetch() -> Awaitable[dict[str, Any]]:
            return client.retrier.run(
                lambda: client.api.get_conversation(website_id, session_id),
                what=f"fetch of conversation {session_id}", final=_FINAL,
                on_failure=self._failed, loud=False)

        try:
            await settle(client, session_id, fetch)
        except NotAllowedError as exc:
            client.deny_conversations(website_id, exc)
        except _FINAL as exc:
            log.info("conversation %s not fetched: %s", session_id, describe(exc))
        finally:
            del self._owed[session_id]
            if not self._owed:
                self.problem = ""
            client.monitor.refresh()

    def _failed(self, exc: BaseException) -> None:
        self.problem = describe(exc)
        self._client.monitor.refresh()
