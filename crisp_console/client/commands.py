"""Operator commands: an optimistic store change, then the REST call; undone if Crisp refuses.

They are PATCH/DELETE (the API layer may repeat them: repeating them changes nothing) or
POSTs it never repeats (compose, reminders). None relies on the reason of a 404: any 404 is
NotFoundError. A 403 becomes CommandNotAllowedError (allowed.py), which names the action
the token may not do, for the UI to say where it happened. Replies are replies.py's.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from crisp_console.api import CrispApi
from crisp_console.client.allowed import allowed
from crisp_console.client.config import ClientConfig
from crisp_console.client.identity import Identity
from crisp_console.core import Optimistic, Store


class Commands:
    """``monotonic`` paces the typing indicator's throttle."""

    def __init__(self, api: CrispApi, store: Store, identity: Identity, config: ClientConfig,
                 monotonic: Callable[[], float]) -> None:
        self._api = api
        self._store = store
        self._identity = identity
        self._hold = config.echo_timeout  # how long an optimistic change outranks echoes
        self._compose_interval = config.compose_interval
        self._clock = monotonic
        self._compose_sent: dict[str, float] = {}  # session_id -> time of its "start"

    def _website(self, session_id: str) -> str:
        return self._store.conversations[session_id].website_id

    async def _optimistic(self, change: Optimistic, call: Awaitable[Any]) -> None:
        """``change`` is in the store already; if the REST call fails, undo it."""
        try:
            await call
        except BaseException:
            self._store.undo(change)
            raise

    async def edit_message(self, session_id: str, fingerprint: int, content: Any) -> None:
        website_id = self._website(session_id)
        change = self._store.change_content(session_id, fingerprint, content, hold=self._hold)
        with allowed("edit messages"):
            await self._optimistic(change, self._api.update_message(
                website_id, session_id, fingerprint, content))

    async def compose(self, session_id: str, typing: bool, excerpt: str | None = None) -> None:
        """Typing indicator, throttled: one start per ``compose_interval``, one stop."""
        sent = self._compose_sent
        website_id = self._website(session_id)
        now = self._clock()
        if typing:
            if now - sent.get(session_id, -1e9) < self._compose_interval:
                return
            sent[session_id] = now
            with allowed("show that you are typing"):
                await self._api.compose(website_id, session_id, "start", excerpt=excerpt)
        elif sent.pop(session_id, None) is not None:
            with allowed("show that you are typing"):
                await self._api.compose(website_id, session_id, "stop")

    async def mark_read(self, session_id: str) -> None:
        website_id = self._website(session_id)
        with allowed("mark conversations read"):
            await self._api.mark_read(website_id, session_id)
        self._store.mark_read(session_id)

    async def mark_unread(self, session_id: str) -> None:
        website_id = self._website(session_id)
        with allowed("mark conversations unread"):
            await self._api.mark_unread(website_id, session_id)
        self._store.mark_unread(session_id)

    async def set_state(self, session_id: str, state: str) -> None:
        website_id = self._website(session_id)
        change = self._store.change_state(session_id, state, hold=self._hold)
        with allowed("resolve or reopen conversations"):
            await self._optimistic(change, self._api.set_state(website_id, session_id, state))

    async def resolve(self, session_id: str) -> None:
        await self.set_state(session_id, "resolved")

    async def reopen(self, session_id: str) -> None:
        await self.set_state(session_id, "unresolved")

    async def assign(self, session_id: str, user_id: str | None) -> None:
        website_id = self._website(session_id)
        change = self._store.change_assignee(session_id, user_id, hold=self._hold)
        with allowed("assign conversations"):
            await self._optimistic(change, self._api.assign(website_id, session_id, user_id))

    async def update_meta(self, session_id: str, patch: dict[str, Any]) -> None:
        """Segments, data, email, nickname… Shown once Crisp took them (the keys an event
        would announce; the others arrive with the next REST refresh)."""
        website_id = self._website(session_id)
        with allowed("change conversation details"):
            await self._api.update_meta(website_id, session_id, patch)
        self._store.update_meta(session_id, patch)

    async def block(self, session_id: str, blocked: bool = True) -> None:
        website_id = self._website(session_id)
        change = self._store.change_blocked(session_id, blocked, hold=self._hold)
        with allowed("block visitors"):
            await self._optimistic(change, self._api.set_block(website_id, session_id, blocked))

    async def remind(self, session_id: str, when: datetime, note: str) -> None:
        """Schedule A Reminder For Conversation at ``when`` (naive: UTC) for ``me``. When it
        is due Crisp notifies operators (the sandbox: a note mentioning me, over RTM). Raises
        ValidationError when refused (a past date, an empty or too long note), and the other
        ApiErrors; not retried after it may have reached Crisp (no duplicate reminders)."""
        website_id = self._website(session_id)
        user_id, nickname = self._identity.signature()
        user = {"user_id": user_id, "nickname": nickname} if user_id else None
        with allowed("schedule reminders"):
            await self._api.schedule_reminder(website_id, session_id, when, note, user=user)

    async def update_person(self, website_id: str, people_id: str,
                            patch: dict[str, Any]) -> None:
        with allowed("edit contact profiles"):
            await self._api.update_person(website_id, people_id, patch)
            person = await self._api.get_person(website_id, people_id)
        self._store.upsert_person({**person, "website_id": website_id})
