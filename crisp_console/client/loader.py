"""What the UI loads on demand: an opened conversation's latest messages, older history,
and one conversation it has not loaded. The people panel's extras load when the panel shows
them (details.py); conversations heard of live are fetched as owed work (fetches.py)."""

from __future__ import annotations

from crisp_console.api import CrispApi, tagged
from crisp_console.client import details
from crisp_console.client.config import Clocks
from crisp_console.client.details import ConversationDetails
from crisp_console.client.websites import GONE
from crisp_console.core import Store
from crisp_console.errors import NotAllowedError


class Loader:
    def __init__(self, api: CrispApi, store: Store, clocks: Clocks) -> None:
        self._api = api
        self._store = store
        self._clocks = clocks

    @tagged("open")
    async def open_conversation(self, session_id: str) -> ConversationDetails:
        """Load the timeline's latest batch (unless the store's timeline is loaded already);
        a refusal (403) is named in ``denied["messages"]`` instead (details.py)."""
        conv = self._store.conversations[session_id]
        found = ConversationDetails()
        if not self._store.timeline_loaded(session_id):
            try:
                batch = await self._api.get_messages(conv.website_id, session_id)
            except NotAllowedError as exc:
                found.denied["messages"] = details.denied_words("messages", exc)
            else:
                self._store.add_history_page(session_id, batch, older=False)
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
        return len(batch)

    @tagged("open")
    async def fetch_conversation(self, website_id: str, session_id: str) -> None:
        """One Get A Conversation into the store, now. Gone (404, not subscribed): nothing
        happens. Other errors propagate."""
        try:
            payload = await self._api.get_conversation(website_id, session_id)
        except GONE:
            return
        self._store.upsert_conversations([payload])
