"""Operator commands: an optimistic store change, then the REST call; undone if Crisp refuses.

Replies go through client/sending.py: nothing assumes Crisp de-duplicates fingerprints
(crisp-api.md §10 row 4), so a reply is posted again only when it certainly was not stored
or a read of the conversation proved it absent; a reply that still fails stays in the
timeline as FAILED, in words, ready for ``retry_send`` (which reads first if needed).
Fingerprints come from one strictly increasing source per process (client/fingerprints.py).

The other commands are PATCH/DELETE (the API layer may repeat them: repeating them changes
nothing) or POSTs it never repeats (compose, reminders, bucket URLs). None relies on the
reason of a 404: any 404 is NotFoundError. A 403 becomes CommandNotAllowedError, which names
the action the token may not do, for the UI to say where it happened.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Iterator, Sequence
from datetime import datetime
from typing import Any

from crisp_console.api import Progress
from crisp_console.client.base import ClientBase, now_ms
from crisp_console.client.fingerprints import PROCESS_FINGERPRINTS, FingerprintSource
from crisp_console.client.sending import Outgoing, Sender, SendPolicy
from crisp_console.core import Message, Optimistic
from crisp_console.errors import NotAllowedError, NotFoundError

log = logging.getLogger("crisp_console.client")


class CommandNotAllowedError(NotAllowedError):
    """Crisp refused a command with 403: the plugin token lacks the permission (a scope)
    for ``action`` ("resolve or reopen conversations"). The message says so in words."""

    def __init__(self, action: str, cause: NotAllowedError) -> None:
        super().__init__(cause.status, cause.reason,
                         f"This plugin token is not allowed to {action} (Crisp answered "
                         f"{cause.status} {cause.reason}); the plugin needs that permission",
                         cause.data)
        self.action = action


@contextlib.contextmanager
def allowed(action: str) -> Iterator[None]:
    """Turn a 403 inside the block into CommandNotAllowedError naming ``action``."""
    try:
        yield
    except CommandNotAllowedError:
        raise
    except NotAllowedError as exc:
        raise CommandNotAllowedError(action, exc) from exc


class CommandsMixin(ClientBase):
    fingerprints: FingerprintSource = PROCESS_FINGERPRINTS
    _sender: Sender | None = None

    @property
    def sender(self) -> Sender:
        """The send path (created on first use, inside the running loop)."""
        if self._sender is None:
            config = self.config
            policy = SendPolicy(window=config.send_retry_window,
                                first_delay=config.send_retry_delay)
            self._sender = Sender(self.api, self.store, policy, self.tasks.spawn)
        return self._sender

    def _conv(self, session_id: str) -> tuple[str, str]:
        conv = self.store.conversations[session_id]
        return conv.website_id, conv.session_id

    def _operator(self) -> tuple[str, str]:
        """(user_id, nickname) of ``me``, shown on local echoes until the server's echo
        replaces them."""
        me = self.me
        if me is None:
            return "", "You"
        op = self.store.operators.get(me)
        return me, (op.nickname if op is not None else "") or "You"

    # ---- sending -----------------------------------------------------------------------

    async def send_text(self, session_id: str, text: str) -> Message:
        return await self._send(session_id, "text", text)

    async def send_note(self, session_id: str, text: str,
                        mentions: Sequence[str] = ()) -> Message:
        """An internal note; ``mentions`` are operator user_ids (the conversation's
        ``mentions`` include them at once, which is what the Mentions filter reads)."""
        unique = list(dict.fromkeys(m for m in mentions if m))
        return await self._send(session_id, "note", text,
                                extra={"mentions": unique} if unique else None)

    async def send_file(self, session_id: str, name: str, mime: str, data: bytes,
                        progress: Progress | None = None) -> Message:
        """Upload through a bucket URL (answered over RTM), then send the file message.
        ``progress(sent, total)`` follows the upload (monotonic, ends at ``(total, total)``)."""
        request_id = uuid.uuid4().hex
        waiter: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._bucket_waiters[request_id] = waiter
        try:
            with allowed("upload files"):
                await self.api.generate_bucket_url(namespace="upload", request_id=request_id,
                                                   name=name, mime=mime)
            answer = await asyncio.wait_for(waiter, self.config.bucket_timeout)
        finally:
            self._bucket_waiters.pop(request_id, None)
        url = answer["url"]
        await self.api.upload(url["signed"], data, mime, progress=progress)
        return await self._send(session_id, "file", {"name": name, "type": mime,
                                                     "url": url["resource"]})

    async def _send(self, session_id: str, kind: str, content: Any,
                    extra: dict[str, Any] | None = None) -> Message:
        """Show the reply at once (PENDING), then deliver it; raises what made it FAILED
        (QuotaExceededError: it is queued and goes out by itself when the quota resets)."""
        website_id, _ = self._conv(session_id)
        user_id, nickname = self._operator()
        message = self.store.add_pending(session_id, fingerprint=self.fingerprints.next(),
                                         type=kind, content=content, user_id=user_id,
                                         nickname=nickname, timestamp=now_ms(), extra=extra)
        mentions = (extra or {}).get("mentions") or None
        out = Outgoing(website_id, session_id, message.fingerprint, kind, content, mentions,
                       started_ms=message.timestamp)
        with allowed("send messages in this conversation"):
            await self.sender.deliver(out)
        return message

    async def retry_send(self, session_id: str, fingerprint: int) -> Message:
        """Send a FAILED reply again, under the same fingerprint. If an earlier attempt may
        have been stored (or its history is unknown here), the conversation is read first:
        found, it is confirmed without a new POST. A reply already sent is left alone."""
        message = self._message(session_id, fingerprint)
        if not message.is_pending:
            return message
        out = self.sender.owed(session_id, fingerprint)
        if out is None:  # not sent by this client: assume the worst, read first
            website_id, _ = self._conv(session_id)
            mentions = (message.extra or {}).get("mentions") or None
            out = Outgoing(website_id, session_id, fingerprint, message.type, message.content,
                           mentions, started_ms=message.timestamp, ambiguous=True)
        with allowed("send messages in this conversation"):
            await self.sender.deliver(out)
        return message

    def _message(self, session_id: str, fingerprint: int) -> Message:
        found = next((m for m in self.store.messages(session_id)
                      if m.fingerprint == fingerprint), None)
        if found is None:
            raise LookupError(f"no message {fingerprint} in {session_id}")
        return found

    # ---- optimistic changes ------------------------------------------------------------

    async def _optimistic(self, change: Optimistic, call: Awaitable[Any]) -> None:
        """``change`` is in the store already; if the REST call fails, undo it."""
        try:
            await call
        except BaseException:
            self.store.undo(change)
            raise

    async def edit_message(self, session_id: str, fingerprint: int, content: Any) -> None:
        website_id, _ = self._conv(session_id)
        change = self.store.change_content(session_id, fingerprint, content,
                                           hold=self.config.echo_timeout)
        with allowed("edit messages"):
            await self._optimistic(change, self.api.update_message(
                website_id, session_id, fingerprint, content))

    async def remove_message(self, session_id: str, fingerprint: int) -> None:
        """Remove a message on Crisp and here. A reply still being sent is removed once its
        send settles (and is not sent again). Any 404 means Crisp does not have it (a DELETE
        the API layer repeated after a reset, a reply that never got there): removed too."""
        website_id, _ = self._conv(session_id)
        await self.sender.settle(session_id, fingerprint)
        with allowed("remove messages"):
            try:
                await self.api.remove_message(website_id, session_id, fingerprint)
            except NotFoundError as exc:
                log.info("removing %d: Crisp does not have it (%s)", fingerprint, exc.reason)
        self.store.remove_message(session_id, fingerprint)

    async def compose(self, session_id: str, typing: bool, excerpt: str | None = None) -> None:
        """Typing indicator, throttled: one start per ``compose_interval``, one stop."""
        sent = self._compose_sent
        website_id, _ = self._conv(session_id)
        now = time.monotonic()
        if typing:
            if now - sent.get(session_id, -1e9) < self.config.compose_interval:
                return
            sent[session_id] = now
            with allowed("show that you are typing"):
                await self.api.compose(website_id, session_id, "start", excerpt=excerpt)
        elif sent.pop(session_id, None) is not None:
            with allowed("show that you are typing"):
                await self.api.compose(website_id, session_id, "stop")

    async def mark_read(self, session_id: str) -> None:
        website_id, _ = self._conv(session_id)
        with allowed("mark conversations read"):
            await self.api.mark_read(website_id, session_id)
        self.store.mark_read(session_id)

    async def mark_delivered(self, session_id: str) -> None:
        website_id, _ = self._conv(session_id)
        with allowed("mark messages delivered"):
            await self.api.mark_delivered(website_id, session_id)

    async def mark_unread(self, session_id: str) -> None:
        website_id, _ = self._conv(session_id)
        with allowed("mark conversations unread"):
            await self.api.mark_unread(website_id, session_id)
        self.store.mark_unread(session_id)

    async def set_state(self, session_id: str, state: str) -> None:
        website_id, _ = self._conv(session_id)
        change = self.store.change_state(session_id, state, hold=self.config.echo_timeout)
        with allowed("resolve or reopen conversations"):
            await self._optimistic(change, self.api.set_state(website_id, session_id, state))

    async def resolve(self, session_id: str) -> None:
        await self.set_state(session_id, "resolved")

    async def reopen(self, session_id: str) -> None:
        await self.set_state(session_id, "unresolved")

    async def assign(self, session_id: str, user_id: str | None) -> None:
        website_id, _ = self._conv(session_id)
        change = self.store.change_assignee(session_id, user_id, hold=self.config.echo_timeout)
        with allowed("assign conversations"):
            await self._optimistic(change, self.api.assign(website_id, session_id, user_id))

    async def update_meta(self, session_id: str, patch: dict[str, Any]) -> None:
        """Segments, data, email, nickname… Shown once Crisp took them (the keys an event
        would announce; the others arrive with the next REST refresh)."""
        website_id, _ = self._conv(session_id)
        with allowed("change conversation details"):
            await self.api.update_meta(website_id, session_id, patch)
        self.store.update_meta(session_id, patch)

    async def block(self, session_id: str, blocked: bool = True) -> None:
        website_id, _ = self._conv(session_id)
        change = self.store.change_blocked(session_id, blocked, hold=self.config.echo_timeout)
        with allowed("block visitors"):
            await self._optimistic(change, self.api.set_block(website_id, session_id, blocked))

    async def remind(self, session_id: str, when: datetime, note: str) -> None:
        """Schedule A Reminder For Conversation at ``when`` (naive: UTC) for ``me``. When it
        is due Crisp notifies operators (the sandbox: a note mentioning me, over RTM). Raises
        ValidationError when refused (a past date, an empty or too long note), and the other
        ApiErrors; not retried after it may have reached Crisp (no duplicate reminders)."""
        website_id, _ = self._conv(session_id)
        user_id, nickname = self._operator()
        user = {"user_id": user_id, "nickname": nickname} if user_id else None
        with allowed("schedule reminders"):
            await self.api.schedule_reminder(website_id, session_id, when, note, user=user)

    async def update_person(self, website_id: str, people_id: str,
                            patch: dict[str, Any]) -> None:
        with allowed("edit contact profiles"):
            await self.api.update_person(website_id, people_id, patch)
            person = await self.api.get_person(website_id, people_id)
        self.store.upsert_person({**person, "website_id": website_id})

