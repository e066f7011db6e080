"""Operator commands: an optimistic store change, kept in the outbox, then the REST call;
undone if Crisp refuses it.

They are PATCH/DELETE (the API layer may repeat them: repeating them changes nothing) or
POSTs it never repeats (compose, reminders). None relies on the reason of a 404: any 404 is
NotFoundError. A 403 becomes CommandNotAllowedError (allowed.py), which names the action
the token may not do, for the UI to say where it happened. Replies are replies.py's.

The PATCH commands of a conversation (edit, state, assign, segments, read, unread, block:
actions.py) are in the outbox (outbox.py) before their request leaves. One that cannot go
now (no connection, a spent quota, a 5xx) keeps its change on screen and waits (waiting.py):
it goes by itself, in order per conversation, and after a restart; the caller hears
QueuedError (QuotaExceededError while the quota is spent). Compose, reminders and profile
edits are not kept: a typing indicator is moot later, and a reminder is a POST that a repeat
could double.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

from crisp_console import errors
from crisp_console.api import CrispApi
from crisp_console.client import actions
from crisp_console.client import send_words as words
from crisp_console.client.allowed import allowed
from crisp_console.client.config import ClientConfig
from crisp_console.client.identity import Identity
from crisp_console.client.outbox import ClientOutbox
from crisp_console.client.waiting import Parked, Wait, Waiting, unreachable
from crisp_console.core import Optimistic, Store
from crisp_console.storage.outbox import COMMAND_KINDS, OutboxItem

log = logging.getLogger("crisp_console.client")

# Failures after which a command waits and goes again (it is idempotent); others are refusals.
_WAITS = (errors.TransportError, errors.ServerError, errors.RateLimitError)


class Commands:
    """``monotonic`` paces the typing indicator's throttle."""

    def __init__(self, api: CrispApi, store: Store, identity: Identity, config: ClientConfig,
                 monotonic: Callable[[], float], outbox: ClientOutbox,
                 waiting: Waiting) -> None:
        self._api = api
        self._store = store
        self._identity = identity
        self._hold = config.echo_timeout  # how long an optimistic change outranks echoes
        self._compose_interval = config.compose_interval
        self._clock = monotonic
        self._compose_sent: dict[str, float] = {}  # session_id -> time of its "start"
        self._outbox = outbox
        self._waiting = waiting
        outbox.register(COMMAND_KINDS, self)

    def _website(self, session_id: str) -> str:
        return self._store.conversations[session_id].website_id

    async def _keep(self, kind: str, session_id: str, body: dict[str, Any],
                    change: Optimistic | None = None, fingerprint: int | None = None) -> None:
        """Keep the command, then send it. ``change`` is in the store already: undone if
        Crisp refuses the command; kept while it waits (QueuedError to the caller)."""
        item = actions.item(kind, self._website(session_id), session_id, body, fingerprint)
        try:
            item_id = await self._outbox.record(item)
        except BaseException:
            if change is not None:
                self._store.undo(change)
            raise
        if self._waiting.blocks(session_id, item_id):
            raise self._park(item, change, None)
        try:
            with allowed(actions.ACTIONS[kind]):
                await actions.perform(self._api, self._store, item)
        except _WAITS as exc:
            error = self._park(item, change, exc)
            if error is exc:  # the spent quota's own error
                raise
            raise error from exc
        except (errors.ClosedError, asyncio.CancelledError):
            self._park(item, change, None)  # closing: it goes at the next start
            raise
        except BaseException:
            if change is not None:
                self._store.undo(change)
            self._outbox.done(item_id)  # refused: the caller says so; nothing to send
            raise
        self._outbox.done(item_id)

    def _park(self, item: OutboxItem, change: Optimistic | None,
              cause: BaseException | None) -> BaseException:
        """Make the command wait (its change stays shown, and the read marks and meta
        show now); returns what its caller hears."""
        assert item.id is not None
        offline = unreachable(cause)
        self._waiting.park(Parked(("command", item.id), item.id, item.session_id,
                                  partial(self._again, item, change)), cause, offline=offline)
        actions.settle(self._store, item)
        why = words.action_waits(offline=self._waiting.offline)
        self._outbox.update(item.id, state="queued", error=why)
        return self._waiting.error(why)

    async def _again(self, item: OutboxItem, change: Optimistic | None) -> None:
        """One more go of a waiting command (the waiting drain's run)."""
        if item.id is None or not self._outbox.has(item.id):
            return  # discarded
        try:
            with allowed(actions.ACTIONS.get(item.kind, item.kind)):
                await actions.perform(self._api, self._store, item)
        except errors.QuotaExceededError as exc:
            raise Wait(exc, offline=False) from exc
        except _WAITS as exc:
            raise Wait(exc, offline=unreachable(exc)) from exc
        except errors.ClosedError:
            raise  # closing: it stays, in the outbox too
        except errors.CrispError as exc:
            log.warning("waiting %s of %s refused by Crisp, undone: %s", item.kind,
                        item.session_id, exc)
            if change is not None:
                self._store.undo(change)
        except (LookupError, TypeError, ValueError) as exc:  # a row this console cannot use
            log.warning("outbox %s %s cannot be sent (%r): kept as failed", item.kind,
                        item.id, exc)
            self._outbox.update(item.id, state="failed",
                                error="Not sent: its record cannot be read")
            return
        self._outbox.done(item.id)

    # ---- the outbox's owner of commands (outbox.OutboxOwner) ------------------------------

    def resume(self, item: OutboxItem) -> None:
        """A command of an earlier run: its change shown again, and sent again in order."""
        change = actions.show(self._store, item, self._hold)
        assert item.id is not None
        self._waiting.park(Parked(("command", item.id), item.id, item.session_id,
                                  partial(self._again, item, change)), None, offline=False)

    def forget(self, item: OutboxItem) -> bool:
        self._waiting.unpark(("command", item.id))
        return True

    # ---- the commands -----------------------------------------------------------------------

    async def edit_message(self, session_id: str, fingerprint: int, content: Any) -> None:
        change = self._store.change_content(session_id, fingerprint, content, hold=self._hold)
        await self._keep("edit", session_id, {"content": content}, change, fingerprint)

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
        await self._keep("read", session_id, {})

    async def mark_unread(self, session_id: str) -> None:
        await self._keep("unread", session_id, {})

    async def set_state(self, session_id: str, state: str) -> None:
        change = self._store.change_state(session_id, state, hold=self._hold)
        await self._keep("state", session_id, {"state": state}, change)

    async def resolve(self, session_id: str) -> None:
        await self.set_state(session_id, "resolved")

    async def reopen(self, session_id: str) -> None:
        await self.set_state(session_id, "unresolved")

    async def assign(self, session_id: str, user_id: str | None) -> None:
        change = self._store.change_assignee(session_id, user_id, hold=self._hold)
        await self._keep("assign", session_id, {"user_id": user_id}, change)

    async def update_meta(self, session_id: str, patch: dict[str, Any]) -> None:
        """Segments, data, email, nickname… Shown once Crisp took them, or while they wait
        (the keys an event would announce; the others arrive with the next REST refresh)."""
        await self._keep("segments", session_id, {"patch": dict(patch)})

    async def block(self, session_id: str, blocked: bool = True) -> None:
        change = self._store.change_blocked(session_id, blocked, hold=self._hold)
        await self._keep("block", session_id, {"blocked": bool(blocked)}, change)

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
