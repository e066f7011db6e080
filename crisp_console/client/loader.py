"""What the UI loads on demand: an opened conversation's latest messages, older history,
and one conversation it has not loaded. The people panel's extras load when the panel shows
them (details.py); conversations heard of live are fetched as owed work (fetches.py).

``ensure_conversation`` is the one way a conversation named by its id alone (a visitor's
past conversation, a notification, a search result) reaches the store: Get A Conversation,
upserted like any REST page, so it joins every view it matches (and their counts) once, and
the persister caches it. The past conversations the people panel shows fetch through the
same ``fetch_conversation`` (past.py).

A timeline restored from the local cache (warmstart.py) shows at once and is *unverified*
until its first opening reads Crisp's newest messages back to one it holds (1 request when
nothing changed). A saved timeline that cannot be joined to them (more new messages than
``max_batches`` batches) is dropped for the newest page: no silent hole. A 404 there means
the conversation was removed while the console was away: it is removed here too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from crisp_console.api import CrispApi, tagged
from crisp_console.client import details
from crisp_console.client.config import Clocks
from crisp_console.client.details import ConversationDetails
from crisp_console.client.websites import GONE
from crisp_console.core import Conversation, MessageStatus, Store
from crisp_console.errors import NotAllowedError


def _nothing(session_id: str) -> None:
    return None


class Loader:
    """``on_page(session_id)``: a page of that timeline was read from Crisp (the local
    cache dates and saves its bookkeeping: persist.py)."""

    def __init__(self, api: CrispApi, store: Store, clocks: Clocks, *,
                 on_page: Callable[[str], None] = _nothing, max_batches: int = 25) -> None:
        self._api = api
        self._store = store
        self._clocks = clocks
        self._on_page = on_page
        self._max_batches = max_batches
        self._unverified: set[str] = set()

    def restored(self, session_ids: Iterable[str]) -> None:
        """Timelines that came from the local cache: refresh each at its first opening."""
        self._unverified.update(session_ids)

    def unverified(self, session_id: str) -> bool:
        return session_id in self._unverified

    @tagged("open")
    async def open_conversation(self, session_id: str) -> ConversationDetails:
        """Load the timeline's latest batch (unless the store's timeline is loaded already;
        a restored one is refreshed once); a refusal (403) is named in
        ``denied["messages"]`` instead (details.py)."""
        conv = self._store.conversations[session_id]
        found = ConversationDetails()
        try:
            if session_id in self._unverified:
                await self._refresh(conv)
            elif not self._store.timeline_loaded(session_id):
                batch = await self._api.get_messages(conv.website_id, session_id)
                self._store.add_history_page(session_id, batch, older=False)
                self._on_page(session_id)
        except NotAllowedError as exc:
            found.denied["messages"] = details.denied_words("messages", exc)
        return found

    @tagged("history")
    async def load_older(self, session_id: str) -> int:
        """The batch before the store's history cursor (now, before any page); returns how
        many arrived (0: the start, which the store then knows: ``at_history_start``)."""
        conv = self._store.conversations[session_id]
        cursor = self._store.history_cursor(session_id)
        before = self._clocks.now_ms() if cursor is None else cursor
        batch = await self._api.get_messages(conv.website_id, session_id, before=before)
        self._store.add_history_page(session_id, batch, older=True)
        self._on_page(session_id)
        return len(batch)

    @tagged("open")
    async def fetch_conversation(self, website_id: str, session_id: str) -> bool:
        """One Get A Conversation into the store, now; True when the store holds it after.
        Gone (404, not subscribed): nothing happens (False). Other errors propagate."""
        try:
            payload = await self._api.get_conversation(website_id, session_id)
        except GONE:
            return False
        self._store.upsert_conversations([payload])
        return session_id in self._store.conversations

    @tagged("open")
    async def ensure_conversation(self, session_id: str,
                                  websites: Sequence[str] | None = None) -> bool:
        """Make sure the store holds ``session_id`` (no request when it does): else ask
        ``websites`` in turn (None: every website the store knows) until one has it.
        False: none has it (gone). Other errors (refused, quota, offline) propagate."""
        if session_id in self._store.conversations:
            return True
        for website_id in list(self._store.websites) if websites is None else websites:
            if await self.fetch_conversation(website_id, session_id):
                return True
        return False

    async def _refresh(self, conv: Conversation) -> None:
        """A restored timeline: Crisp's newest batches back to a message it holds."""
        store, sid = self._store, conv.session_id
        anchors = {m.fingerprint for m in store.messages(sid) if m.status is MessageStatus.SENT}
        batches: list[list[dict[str, Any]]] = []
        joined = False
        try:
            async for batch in self._api.iter_messages_before(conv.website_id, sid, None):
                batches.append(batch)
                joined = any(m.get("fingerprint") in anchors for m in batch)
                if joined or not anchors or len(batches) >= self._max_batches:
                    break
        except GONE:
            self._unverified.discard(sid)
            store.remove_conversation(sid)
            raise
        self._unverified.discard(sid)
        if joined:
            store.upsert_messages(sid, [m for b in reversed(batches) for m in b])
        else:  # nothing to join to: Crisp's pages replace the saved timeline
            store.forget_timeline(sid)
            store.add_history_page(sid, batches[0] if batches else [], older=False)
            for batch in batches[1:]:
                store.add_history_page(sid, batch, older=True)
        self._on_page(sid)
