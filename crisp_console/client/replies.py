"""Replies: shown at once as a local echo (PENDING), then delivered by the send path.

Replies go through sending.py: nothing assumes Crisp de-duplicates fingerprints
(crisp-api.md §10 row 4), so a reply is posted again only when it certainly was not stored
or a read of the conversation proved it absent; a reply that still fails stays in the
timeline as FAILED, in words, ready for ``retry_send`` (which reads first if needed).
Fingerprints come from one strictly increasing source per process (fingerprints.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from crisp_console.api import Progress
from crisp_console.client.allowed import allowed
from crisp_console.client.config import Clocks
from crisp_console.client.fingerprints import PROCESS_FINGERPRINTS, FingerprintSource
from crisp_console.client.identity import Identity
from crisp_console.client.sending import Outgoing, Sender
from crisp_console.client.uploads import Uploads
from crisp_console.core import Message, MessageStatus, Store


class Replies:
    def __init__(self, store: Store, sender: Sender, uploads: Uploads, identity: Identity,
                 clocks: Clocks, *, fingerprints: FingerprintSource = PROCESS_FINGERPRINTS
                 ) -> None:
        self._store, self._identity, self._clocks = store, identity, clocks
        self._sender, self._uploads = sender, uploads
        self._fingerprints = fingerprints

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
        resource = await self._uploads.upload(name, mime, data, progress)
        return await self._send(session_id, "file", {"name": name, "type": mime,
                                                     "url": resource})

    async def _send(self, session_id: str, kind: str, content: Any,
                    extra: dict[str, Any] | None = None) -> Message:
        """Show the reply at once (PENDING), then deliver it; raises what made it FAILED
        (QuotaExceededError: it is queued and goes out by itself when the quota resets)."""
        website_id = self._store.conversations[session_id].website_id
        user_id, nickname = self._identity.signature()
        message = self._store.add_pending(session_id, fingerprint=self._fingerprints.next(),
                                          type=kind, content=content, user_id=user_id,
                                          nickname=nickname, timestamp=self._clocks.now_ms(),
                                          extra=extra)
        mentions = (extra or {}).get("mentions") or None
        out = Outgoing(website_id, session_id, message.fingerprint, kind, content, mentions,
                       started_ms=message.timestamp)
        with allowed("send messages in this conversation"):
            await self._sender.deliver(out)
        return message

    async def retry_send(self, session_id: str, fingerprint: int) -> Message:
        """Send a FAILED reply again, under the same fingerprint. If an earlier attempt may
        have been stored (or its history is unknown here), the conversation is read first:
        found, it is confirmed without a new POST. A reply already sent is left alone."""
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
        with allowed("send messages in this conversation"):
            await self._sender.deliver(out)
        return message

    def last_own_message(self, session_id: str) -> Message | None:
        """The newest text message I sent in the loaded timeline ("Up edits my last
        message"): from an operator, and ``me``'s, or a local echo of this console that the
        server accepted or still holds. FAILED echoes are skipped: they exist only here, so
        they are retried rather than edited."""
        me = self._identity.me
        store = self._store
        for row in range(store.message_count(session_id) - 1, -1, -1):
            msg = store.message_at(session_id, row)
            if msg.type != "text" or msg.from_ != "operator" \
                    or msg.status is MessageStatus.FAILED:
                continue
            if msg.status is MessageStatus.PENDING or (me is not None and msg.user_id == me):
                return msg
        return None
