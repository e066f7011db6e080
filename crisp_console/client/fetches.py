"""Owed fetches: conversations the live feed named before the store knew them.

A live event for an unknown conversation makes its fetch owed: one task per session, retried
with backoff until it succeeds (retry.py). A 404 of any reason, or NotSubscribed, means the
conversation is gone: the debt is dropped; a 403 marks the website's conversations denied.
Events that arrive for it while the fetch is out are counted, not applied (the store cannot
place them); if any arrived after the request left, its answer may predate them, so the
conversation is fetched once more (at most ``ROUNDS`` times; by then it is in the store and
later events apply to it directly).

Past ``max_owed_fetches`` owed at once (a flood of new conversations, or a peer inventing
ids) no more tasks start: a catch-up is owed instead, which lists every conversation updated
since then.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from crisp_console.client.catchup import upsert_fresh
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
# Moot for good: the conversation is gone, refused, or Crisp cannot describe it readably.
_FINAL = (NotFoundError, NotSubscribedError, NotAllowedError, ValidationError, ProtocolError)


@dataclass
class _Owed:
    website_id: str
    events: int = 0  # events for it since the debt began


class OwedFetches:
    def __init__(self, client: ClientBase) -> None:
        self._client = client
        self._owed: dict[str, _Owed] = {}
        self.problem = ""  # the last failure in words, while any is owed

    def __len__(self) -> int:
        return len(self._owed)

    def __contains__(self, session_id: object) -> bool:
        return session_id in self._owed

    def owe(self, website_id: str, session_id: str) -> None:
        """An event named ``session_id``, which the store does not know."""
        entry = self._owed.get(session_id)
        if entry is not None:
            entry.events += 1
            return
        client = self._client
        if len(self._owed) >= client.config.max_owed_fetches:
            client.owe_catchup()
            return
        self._owed[session_id] = _Owed(website_id)
        client.monitor.refresh()
        client.tasks.spawn(self._fetch(session_id), f"fetch {session_id}",
                           key=f"conversation:{session_id}")

    async def _fetch(self, session_id: str) -> None:
        client = self._client
        entry = self._owed[session_id]
        try:
            for _ in range(ROUNDS):
                seen = entry.events
                try:
                    payload = await client.retrier.run(
                        lambda: client.api.get_conversation(entry.website_id, session_id),
                        what=f"fetch of conversation {session_id}", final=_FINAL,
                        on_failure=self._failed, loud=False)
                except NotAllowedError as exc:
                    client.deny_conversations(entry.website_id, exc)
                    return
                except _FINAL as exc:
                    log.info("conversation %s not fetched: %s", session_id, describe(exc))
                    return
                upsert_fresh(client.store, [payload])
                if entry.events == seen:
                    return
        finally:
            del self._owed[session_id]
            if not self._owed:
                self.problem = ""
            client.monitor.refresh()

    def _failed(self, exc: BaseException) -> None:
        self.problem = describe(exc)
        self._client.monitor.refresh()
