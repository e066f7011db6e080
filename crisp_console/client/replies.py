"""Replies: shown at once as a local echo (PENDING), kept in the outbox, then delivered by the
send path.

Replies go through sending.py: nothing assumes Crisp de-duplicates fingerprints
(crisp-api.md §10 row 4), so a reply is posted again only when it certainly was not stored
or a read of the conversation proved it absent; a reply that still fails stays in the
timeline as FAILED, in words, ready for ``retry_send`` (which reads first if needed).
Fingerprints come from one strictly increasing source per process (fingerprints.py).

Each reply is in the outbox (outbox.py) before its POST leaves, with what its echo showed
(type, content, mentions, timestamp, signature), so a restart shows it again and sends it,
reading first. A file is kept with its bytes until the upload is done; then its row gets
the URL and drops the bytes, and only then is the message posted: a resumed file whose
row still has bytes was certainly never posted.

Files sent together with a caption (``send_files``: the composer's tray) are all kept
before the first request leaves, the caption last, and go in that order: each file is
uploaded and posted, then the caption is posted as a text message (Crisp's file messages
have no caption). While such a batch goes, the conversation's later replies wait for it
(``_turns``), so what the operator sent after it never overtakes it; after a restart the
outbox's order (its ids) gives the same order.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

from crisp_console import errors
from crisp_console.api import Progress
from crisp_console.client import send_words as words
from crisp_console.client.allowed import allowed
from crisp_console.client.config import Clocks
from crisp_console.client.fingerprints import PROCESS_FINGERPRINTS, FingerprintSource
from crisp_console.client.identity import Identity
from crisp_console.client.loader import Loader
from crisp_console.client.outbox import ClientOutbox
from crisp_console.client.sending import Outgoing, Sender
from crisp_console.client.uploads import OutgoingFile, Uploads
from crisp_console.client.waiting import Parked, Wait, unreachable, waits
from crisp_console.core import Message, MessageStatus, Store
from crisp_console.storage.outbox import FAILED, MESSAGE_KINDS, OutboxItem

log = logging.getLogger("crisp_console.client")

SEND = "send messages in this conversation"
# A request that failed on the way (no connection, no bucket URL in time, a spent quota, a
# 5xx): the upload (or the fetch of a conversation) waits and goes again. Else: a refusal.
_UPLOAD_WAITS = (errors.TransportError, errors.ServerError, errors.RateLimitError,
                 TimeoutError)


class Replies:
    def __init__(self, store: Store, sender: Sender, uploads: Uploads, identity: Identity,
                 clocks: Clocks, outbox: ClientOutbox, loader: Loader, *,
                 fingerprints: FingerprintSource = PROCESS_FINGERPRINTS) -> None:
        self._store, self._identity, self._clocks = store, identity, clocks
        self._sender, self._uploads = sender, uploads
        self._outbox, self._loader = outbox, loader
        self._waiting = sender.waiting
        self._fingerprints = fingerprints
        # Batches going out, per conversation: (first outbox id, done); later replies wait.
        self._turns: dict[str, list[tuple[int, asyncio.Future[None]]]] = {}
        outbox.register(MESSAGE_KINDS, self)

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
        ``progress(sent, total)`` follows the upload (monotonic, ends at ``(total, total)``).
        Raises QueuedError (or QuotaExceededError) when it waits: it goes by itself."""
        item = self._file_item(session_id, name, mime, data)
        item_id = await self._outbox.record(item)
        async with self._turn(session_id, item_id):
            return await self._deliver_file(item, progress)

    async def send_files(self, session_id: str, files: Sequence[OutgoingFile],
                         caption: str = "") -> Message | None:
        """``files``, then ``caption`` (if not blank) as a text message, in that order.

        All are in the outbox before the first request leaves: a crash from here on loses
        none of them (the next start sends what is left, in this order). The caption shows
        at once (PENDING) below the files to come. Each file's ``finished`` hears how it
        ended; a refused file is dropped and the others go on, and so does the caption (the
        operator's words are never dropped). Returns the caption's message (None without
        one), raising what made it FAILED, or QueuedError / QuotaExceededError when it
        waits (it goes by itself)."""
        items = [self._file_item(session_id, f.name, f.mime, f.data) for f in files]
        for item in items:
            await self._outbox.record(item)
        text: OutboxItem | None = None
        if caption.strip():
            after = max((int(i.body["timestamp"]) for i in items), default=0) + 1
            text = self._text_item(session_id, caption, timestamp=after)
            self._show(text)
            await self._outbox.record(text)
        first = items[0].id if items else text.id if text is not None else None
        if first is None:
            return None
        async with self._turn(session_id, first):
            for file, item in zip(files, items, strict=True):
                outcome: BaseException | None = None
                try:
                    await self._deliver_file(item, file.progress)
                except errors.ClosedError:
                    raise  # closing: the outbox keeps the rest for the next start
                except Exception as exc:  # noqa: BLE001 - told to its owner; the rest goes on
                    outcome = exc
                _tell(file.finished, outcome)
            if text is None:
                return None
            return await self._send(session_id, "text", caption, item=text)

    def _file_item(self, session_id: str, name: str, mime: str, data: bytes) -> OutboxItem:
        website_id = self._store.conversations[session_id].website_id
        user_id, nickname = self._identity.signature()
        return OutboxItem("file", website_id, session_id, fingerprint=self._fingerprints.next(),
                          data=data, body={"name": name, "mime": mime, "user_id": user_id,
                                           "nickname": nickname,
                                           "timestamp": self._clocks.now_ms()})

    def _text_item(self, session_id: str, text: str, *, timestamp: int) -> OutboxItem:
        website_id = self._store.conversations[session_id].website_id
        user_id, nickname = self._identity.signature()
        body = {"type": "text", "content": text, "user_id": user_id, "nickname": nickname,
                "timestamp": max(timestamp, self._clocks.now_ms())}
        return OutboxItem("text", website_id, session_id, body,
                          fingerprint=self._fingerprints.next())

    async def _deliver_file(self, item: OutboxItem, progress: Progress | None) -> Message:
        """Upload a kept file, note its URL in the outbox, then post its message."""
        session_id, item_id = item.session_id, item.id
        assert item_id is not None and item.data is not None
        if self._waiting.blocks(session_id, item_id):
            raise self._park_file(item, None)
        body = item.body
        try:
            resource = await self._uploads.upload(str(body["name"]), str(body["mime"]),
                                                  item.data, progress)
        except _UPLOAD_WAITS as exc:
            error = self._park_file(item, exc)
            if error is exc:  # the spent quota's own error
                raise
            raise error from exc
        except errors.ClosedError:
            raise  # closing: the outbox keeps it for the next start
        except Exception:
            self._outbox.done(item_id)  # refused: the caller says so; nothing to keep
            raise
        content = await self._uploaded(item, resource)
        return await self._send(session_id, "file", content, item=item)

    @asynccontextmanager
    async def _turn(self, session_id: str, first: int) -> AsyncIterator[None]:
        """Deliver a batch (outbox ids from ``first``) after the conversation's earlier
        batches, holding its later replies until it is over."""
        turns = self._turns.setdefault(session_id, [])
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        turns.append((first, done))
        try:
            await self._after_turns(session_id, first)
            yield
        finally:
            done.set_result(None)
            turns.remove((first, done))
            if not turns:
                self._turns.pop(session_id, None)

    async def _after_turns(self, session_id: str, item_id: int) -> None:
        """Wait until the batches of ``session_id`` taken before ``item_id`` are over."""
        earlier = [done for first, done in self._turns.get(session_id, ())
                   if first < item_id and not done.done()]
        if earlier:
            await asyncio.wait(earlier)

    async def _send(self, session_id: str, kind: str, content: Any,
                    extra: dict[str, Any] | None = None, *,
                    item: OutboxItem | None = None) -> Message:
        """Show the reply at once (PENDING), keep it, then deliver it; raises what made it
        FAILED, or QueuedError / QuotaExceededError when it waits (it goes by itself)."""
        website_id = self._store.conversations[session_id].website_id
        if item is None:
            user_id, nickname = self._identity.signature()
            body = {"type": kind, "content": content, "user_id": user_id,
                    "nickname": nickname, "timestamp": self._clocks.now_ms()}
            if extra:
                body["extra"] = extra
            item = OutboxItem(kind, website_id, session_id, body,
                              fingerprint=self._fingerprints.next())
        message = self._show(item)
        if item.id is None:
            item_id = await self._outbox.record(item)  # kept before the request leaves
            await self._after_turns(session_id, item_id)  # never ahead of a batch
        with allowed(SEND):
            await self._sender.deliver(self._outgoing(item, ambiguous=False))
        return message

    async def retry_send(self, session_id: str, fingerprint: int) -> Message:
        """Send a FAILED (or waiting) reply again now, under the same fingerprint. If an
        earlier attempt may have been stored (or its history is unknown here), the
        conversation is read first: found, it is confirmed without a new POST. A reply
        already sent is left alone."""
        message = self._store.message(session_id, fingerprint)
        if message is None:
            raise LookupError(f"no message {fingerprint} in {session_id}")
        if not message.is_pending:
            return message
        out = self._sender.owed(session_id, fingerprint)
        if out is None:  # not sent by this client: assume the worst, read first
            website_id = self._store.conversations[session_id].website_id
            mentions = (message.extra or {}).get("mentions") or None
            out = Outgoing(website_id, session_id, fingerprint, message.type, message.content,
                           mentions, started_ms=message.timestamp, ambiguous=True)
        with allowed(SEND):
            await self._sender.deliver(out, now=True)
        return message

    async def discard_send(self, session_id: str, fingerprint: int) -> bool:
        """Drop an unsent reply (its echo and its outbox row); False while in flight."""
        item_id = self._outbox.id_of(session_id, fingerprint)
        if item_id is not None:
            return await self._outbox.discard(item_id)
        if not self._sender.forget(session_id, fingerprint):
            return False
        self._store.discard_pending(session_id, fingerprint)
        return True

    def last_own_message(self, session_id: str) -> Message | None:
        """The newest text message I sent in the loaded timeline ("Up edits my last
        message"): from an operator, and ``me``'s, or a local echo of this console that the
        server accepted or still holds. FAILED and QUEUED echoes are skipped: they exist only
        here, so they are retried (or go by themselves) rather than edited."""
        me = self._identity.me
        store = self._store
        for row in range(store.message_count(session_id) - 1, -1, -1):
            msg = store.message_at(session_id, row)
            if msg.type != "text" or msg.from_ != "operator" \
                    or msg.status in (MessageStatus.FAILED, MessageStatus.QUEUED):
                continue
            if msg.status is MessageStatus.PENDING or (me is not None and msg.user_id == me):
                return msg
        return None

    # ---- the outbox's owner of messages (outbox.OutboxOwner) ------------------------------

    def resume(self, item: OutboxItem) -> None:
        """A reply of an earlier run: shown again (FAILED ones as FAILED, for Retry), the
        others sent again in order, reading first (their POST may have left)."""
        known = item.session_id in self._store.conversations
        if item.kind == "file" and item.data is not None:  # never uploaded, never posted
            if item.state != FAILED:  # a refused upload waits for the review
                self._park_file(item, None)
            return
        if known:
            self._show(item)
        if item.state == FAILED:
            if known:
                self._store.fail_pending(item.session_id, item.fingerprint or 0,
                                         item.error or words.interrupted(ambiguous=True))
            self._sender.adopt(self._outgoing(item, ambiguous=True))
            return
        assert item.fingerprint is not None
        self._waiting.park(Parked((item.session_id, item.fingerprint), item.id or 0,
                                  item.session_id, partial(self._resend, item, True)),
                           None, offline=False)

    def forget(self, item: OutboxItem) -> bool:
        if item.kind == "file" and item.data is not None:
            self._waiting.unpark(("file", item.id))
            return True
        if item.fingerprint is None:
            return True
        if not self._sender.forget(item.session_id, item.fingerprint):
            return False
        self._store.discard_pending(item.session_id, item.fingerprint)
        return True

    # ---- inside ---------------------------------------------------------------------------

    def _show(self, item: OutboxItem) -> Message:
        """The local echo of a kept reply (the one already shown, if any)."""
        body = item.body
        assert item.fingerprint is not None
        return self._store.add_pending(
            item.session_id, fingerprint=item.fingerprint, type=item.kind,
            content=body.get("content"), user_id=str(body.get("user_id") or ""),
            nickname=str(body.get("nickname") or ""), timestamp=int(body.get("timestamp") or 0),
            extra=body.get("extra"))

    def _outgoing(self, item: OutboxItem, *, ambiguous: bool) -> Outgoing:
        body = item.body
        assert item.fingerprint is not None
        mentions = (body.get("extra") or {}).get("mentions") or None
        return Outgoing(item.website_id, item.session_id, item.fingerprint, item.kind,
                        body.get("content"), mentions,
                        started_ms=int(body.get("timestamp") or item.created_ms),
                        ambiguous=ambiguous)

    async def _uploaded(self, item: OutboxItem, resource: Any) -> dict[str, Any]:
        body = item.body
        content = {"name": body.get("name"), "type": body.get("mime"), "url": resource}
        item.body = {**body, "type": "file", "content": content}
        item.data = None
        assert item.id is not None
        await self._outbox.uploaded(item.id, item.body)
        return content

    def _park_file(self, item: OutboxItem, cause: BaseException | None) -> BaseException:
        """A file whose upload must wait: parked (upload, then send), and said so."""
        assert item.id is not None
        offline = unreachable(cause)
        self._waiting.park(Parked(("file", item.id), item.id, item.session_id,
                                  partial(self._upload_again, item)), cause, offline=offline)
        why = words.unreachable(ambiguous=False) if self._waiting.offline \
            else words.upload_waits()
        self._outbox.update(item.id, state="queued", error=why)
        return self._waiting.error(why)

    async def _upload_again(self, item: OutboxItem) -> None:
        if item.id is None or not self._outbox.has(item.id):
            return  # discarded
        if item.data is not None:
            body = item.body
            try:
                resource = await self._uploads.upload(str(body.get("name")),
                                                      str(body.get("mime")), item.data)
            except _UPLOAD_WAITS as exc:
                raise Wait(exc, offline=unreachable(exc)) from exc
            except errors.ClosedError:
                raise
            except errors.CrispError as exc:  # refused: kept, failed, for the review
                self._outbox.update(item.id, state=FAILED,
                                    error=f"Not sent: the upload was refused ({exc})")
                return
            await self._uploaded(item, resource)
        await self._resend(item, False)

    async def _resend(self, item: OutboxItem, ambiguous: bool) -> None:
        """Deliver a kept reply (the waiting drain's run): fetch its conversation first if
        the store does not know it; Wait while it must wait."""
        if item.id is None or not self._outbox.has(item.id):
            return  # discarded, or sent meanwhile (the operator's Retry)
        sid = item.session_id
        if sid not in self._store.conversations:
            try:
                await self._loader.fetch_conversation(item.website_id, sid)
            except _UPLOAD_WAITS as exc:  # not now: again when Crisp answers
                raise Wait(exc, offline=unreachable(exc)) from exc
            except errors.ClosedError:
                raise
            except errors.CrispError as exc:  # refused (403...): kept, failed, for the review
                self._outbox.update(item.id, state=FAILED,
                                    error=words.refused(exc, ambiguous=ambiguous))
                return
            if sid not in self._store.conversations:  # gone from Crisp
                self._outbox.update(item.id, state=FAILED, error=words.gone())
                return
        self._show(item)
        out = self._sender.adopt(self._outgoing(item, ambiguous=ambiguous))
        try:
            await self._sender.deliver(out)
        except errors.CrispError as exc:
            wait = waits(exc)
            if wait is not None:
                raise wait from exc
            if isinstance(exc, errors.ClosedError):
                raise
            # FAILED in words (sending.py), kept in the outbox for Retry or discard


def _tell(finished: Callable[[BaseException | None], None] | None,
          outcome: BaseException | None) -> None:
    if finished is None:
        return
    try:
        finished(outcome)
    except Exception:  # the listener's bug must not stop the files after this one
        log.exception("a file's outcome could not be told")
