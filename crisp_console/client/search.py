"""Searching messages: the local full-text index (storage/search.py) at every keystroke, and
Crisp's text search (List Conversations ``search_type=text``) for what is not cached.

``local(text)`` answers from the database, offline too. ``server(text)`` asks page 1 of
every website in parallel, puts what Crisp answers into the store (so a result opens like any
conversation and shows in every view it matches) and returns the session ids in Crisp's
order. ``merge`` makes one list of both: the local hits (a message each, ranked), each marked
``server`` too when Crisp named its conversation, then Crisp's other conversations, which
say only that the text is somewhere in them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Protocol

from crisp_console.api import CrispApi, tagged
from crisp_console.client.words import describe
from crisp_console.core import Store
from crisp_console.errors import CrispError
from crisp_console.storage.search import LocalHit

log = logging.getLogger("crisp_console.client")

SERVER_MIN_CHARS = 2  # Crisp is not asked for one letter
SERVER_PAGE = 50


class LocalIndex(Protocol):
    """storage/search.py's LocalSearch."""

    async def search(self, text: str, *, limit: int = 100,
                     website_ids: Collection[str] | None = None) -> list[LocalHit]: ...


@dataclass(frozen=True, slots=True)
class SearchResult:
    """One row of the results: a message (``fingerprint``) or a whole conversation (None:
    Crisp's search named it, without saying where the text is). ``snippet`` is plain text
    with storage/search.py's HIT_START/HIT_END around the matches."""

    session_id: str
    website_id: str
    fingerprint: int | None
    timestamp: int
    snippet: str
    field: str
    local: bool
    server: bool


@dataclass(frozen=True)
class ServerAnswer:
    """Crisp's text search: session ids in its order, and why a website failed ("" if none
    did)."""

    session_ids: tuple[str, ...]
    problem: str = ""


class Search:
    def __init__(self, api: CrispApi, store: Store, *, index: LocalIndex | None = None) -> None:
        self._api, self._store = api, store
        self.index = index  # None: no local database (nothing is searched locally)

    async def local(self, text: str, *, limit: int = 100,
                    website_ids: Collection[str] | None = None) -> list[LocalHit]:
        if self.index is None or not text.strip():
            return []
        return await self.index.search(text, limit=limit, website_ids=website_ids)

    @tagged("search")
    async def server(self, text: str, website_ids: Sequence[str]) -> ServerAnswer:
        """Crisp's text search on each website (page 1, in parallel); the conversations it
        answers join the store. A failing website is said in ``problem``; the others count."""
        query = " ".join(text.split())
        if len(query) < SERVER_MIN_CHARS:
            return ServerAnswer(())
        answers = await asyncio.gather(
            *(self._api.list_conversations(wid, 1, per_page=SERVER_PAGE, search_query=query,
                                           search_type="text") for wid in website_ids),
            return_exceptions=True)
        ids: list[str] = []
        problems: list[str] = []
        for wid, answer in zip(website_ids, answers, strict=True):
            if isinstance(answer, CrispError):
                log.info("text search on %s failed: %s", wid, describe(answer))
                problems.append(describe(answer))
                continue
            if isinstance(answer, BaseException):
                raise answer
            self._store.upsert_conversations(answer)
            ids.extend(sid for item in answer
                       if isinstance(item, dict) and isinstance(sid := item.get("session_id"), str)
                       and sid in self._store.conversations)
        return ServerAnswer(tuple(dict.fromkeys(ids)), problems[0] if problems else "")


def merge(local: Sequence[LocalHit], server: Sequence[str], store: Store) -> list[SearchResult]:
    """Local hits first (ranked), each marked ``server`` when Crisp named its conversation;
    then the conversations only Crisp found, in its order, with their last message."""
    named = set(server)
    seen: set[str] = set()
    out: list[SearchResult] = []
    for hit in local:
        seen.add(hit.session_id)
        out.append(SearchResult(hit.session_id, hit.website_id, hit.fingerprint, hit.timestamp,
                                hit.snippet, hit.field, True, hit.session_id in named))
    for sid in server:
        conv = store.conversations.get(sid)
        if sid in seen or conv is None:
            continue
        seen.add(sid)
        out.append(SearchResult(sid, conv.website_id, None, conv.updated_at, conv.last_message,
                                "conversation", False, True))
    return out
