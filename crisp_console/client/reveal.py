"""Reveal a message: make sure one message of a conversation is in the store's timeline, with
some context, without ever leaving a hidden gap in it. A search result names a message the
console may never have loaded; the thread then scrolls to it (ui ThreadPane.reveal).

The timeline is contiguous from its history cursor (the oldest timestamp a page gave) to the
newest message, and stays so:

1. Already in the timeline: nothing to ask.
2. A conversation whose timeline is not loaded (or was restored from the cache and not read
   back yet) is opened first: the loader's newest page (loader.py).
3. One ``get_messages(around=timestamp)`` (Crisp's ``timestamp_around``): the message with
   context on both sides, in one request. If that batch reaches the cursor (its newest
   message is at or after it) it joins the loaded window and is merged.
4. Otherwise the history is read back from the cursor, a page at a time (the loader's
   ``load_older``, each page merged as it comes, so the timeline stays contiguous at every
   step), until the pages reach the around batch (which is then merged too: the context
   older than the message) or hold the message, at most ``max_batches`` pages; past that
   the reveal gives up with words.

Failures (offline, refused, removed) return False; ``problem`` then says why in words.

``newest_match`` finds the newest message a predicate accepts (a server search hit names
only the conversation): the loaded messages first, then a bounded number of older pages.
The predicate comes from the caller (present/find_text.py's ``matcher``): present and
client do not import each other.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from crisp_console.api import CrispApi, tagged
from crisp_console.client.loader import Loader
from crisp_console.client.words import describe
from crisp_console.core import Message, Store
from crisp_console.errors import CrispError

log = logging.getLogger("crisp_console.client")

MAX_BATCHES = 25  # older pages read back to reach a message, at most
MATCH_BATCHES = 5  # older pages read back looking for a text, at most

GONE_WORDS = "the conversation is no longer in the console"
MISSING_WORDS = "Crisp no longer has that message"
TOO_FAR_WORDS = ("the message is more than {n} pages of history back; scroll up to load "
                 "older messages")


def _nothing(session_id: str) -> None:
    return None


class Reveal:
    """``problem``: why the last reveal failed, in words ("" after one that succeeded)."""

    def __init__(self, api: CrispApi, store: Store, loader: Loader, *,
                 on_page: Callable[[str], None] = _nothing,
                 max_batches: int = MAX_BATCHES) -> None:
        self._api = api
        self._store = store
        self._loader = loader
        self._on_page = on_page
        self._max_batches = max_batches
        self.problem = ""

    @tagged("open")
    async def reveal(self, session_id: str, fingerprint: int, timestamp: int) -> bool:
        """Make sure the message is in the store's timeline (see the module docstring);
        False, with ``problem`` in words, when it could not be."""
        self.problem = ""
        store = self._store
        if store.message(session_id, fingerprint) is not None:
            return True
        try:
            why = await self._reveal(session_id, fingerprint, timestamp)
        except CrispError as exc:
            why = describe(exc)
        if why:
            self.problem = why
            log.info("message %s of %s not revealed: %s", fingerprint, session_id, why)
            return False
        return True

    @tagged("open")
    async def newest_match(self, session_id: str, matches: Callable[[Message], bool], *,
                           max_batches: int = MATCH_BATCHES) -> int | None:
        """The fingerprint of the newest message ``matches`` accepts: among the loaded
        messages (the conversation is opened first if it is not), else in up to
        ``max_batches`` older pages (merged into the timeline as they come). None when none
        matched or it failed (``problem`` says why then)."""
        self.problem = ""
        try:
            if not await self._open(session_id):
                return None
            found = _newest(self._store.messages(session_id), matches)
            for _ in range(max_batches):
                if found is not None or self._store.at_history_start(session_id):
                    break
                if session_id not in self._store.conversations:
                    self.problem = GONE_WORDS
                    return None
                before = {m.fingerprint for m in self._store.messages(session_id)}
                if not await self._loader.load_older(session_id):
                    break
                found = _newest([m for m in self._store.messages(session_id)
                                 if m.fingerprint not in before], matches)
        except CrispError as exc:
            self.problem = describe(exc)
            return None
        return found

    # ---- steps -------------------------------------------------------------------------------

    async def _open(self, session_id: str) -> bool:
        """The timeline loaded (and read back, if it came from the cache); False with
        ``problem`` set when that cannot be."""
        store, loader = self._store, self._loader
        if session_id not in store.conversations:
            self.problem = GONE_WORDS
            return False
        if store.timeline_loaded(session_id) and not loader.unverified(session_id):
            return True
        details = await loader.open_conversation(session_id)
        refused = details.denied.get("messages", "")
        if refused:
            self.problem = refused
            return False
        return True

    async def _reveal(self, sid: str, fingerprint: int, timestamp: int) -> str:
        """The reveal's steps; the words of why it failed, "" when the message is there."""
        store = self._store
        if not await self._open(sid):
            return self.problem
        if store.message(sid, fingerprint) is not None:
            return ""
        conv = store.conversations.get(sid)
        if conv is None:
            return GONE_WORDS
        around = await self._api.get_messages(conv.website_id, sid, around=timestamp)
        newest = _newest_stamp(around)
        if newest is None:  # nothing there at all: the conversation has no such message
            return MISSING_WORDS
        if not self._joins(sid, newest):
            why = await self._page_back(sid, fingerprint, newest)
            if why:
                return why
        if self._joins(sid, newest):
            self._merge(sid, around)
        return "" if store.message(sid, fingerprint) is not None else MISSING_WORDS

    async def _page_back(self, sid: str, fingerprint: int, newest: int) -> str:
        """Older pages from the cursor until they reach ``newest`` (the around batch's
        newest timestamp) or hold the message; the words of why not, else ""."""
        store = self._store
        for _ in range(self._max_batches):
            if sid not in store.conversations:
                return GONE_WORDS
            if not await self._loader.load_older(sid):
                return ""  # the start: what the around batch said cannot be older
            if self._joins(sid, newest) or store.message(sid, fingerprint) is not None:
                return ""
        return TOO_FAR_WORDS.format(n=self._max_batches)

    def _joins(self, sid: str, newest: int) -> bool:
        """Whether a batch whose newest message is at ``newest`` touches the loaded window
        (no cursor: no page gave a timestamp, the conversation had no message before)."""
        cursor = self._store.history_cursor(sid)
        return cursor is None or newest >= cursor

    def _merge(self, sid: str, batch: list[dict[str, Any]]) -> None:
        """A batch that touches the window, into the timeline: the cursor moves to its
        oldest message (never an empty one here: that would mark the start)."""
        if batch and sid in self._store.conversations:
            self._store.add_history_page(sid, batch, older=True)
            self._on_page(sid)


def _newest_stamp(batch: list[dict[str, Any]]) -> int | None:
    stamps = [ts for m in batch if isinstance(m, Mapping)
              and isinstance(ts := m.get("timestamp"), int) and not isinstance(ts, bool)]
    return max(stamps, default=None)


def _newest(messages: list[Message], matches: Callable[[Message], bool]) -> int | None:
    for msg in reversed(messages):
        if matches(msg):
            return msg.fingerprint
    return None
