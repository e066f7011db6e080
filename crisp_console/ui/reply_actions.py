"""Writing in a conversation: send, retry, edit, typing indicators and attachments, from the
composer's and the thread's signals (the console connects them) to the client.

What it uses is named here: the client's ``Replies`` (what goes out as a message) and
``Edits`` (changing a sent one, typing), the controller's open conversation and the
composer's ``ReplyBox`` side (it takes a sent text and the tray's files back) and its
upload strip.

Enter with files in the tray sends them, then the text as a message of its own (Crisp's file
messages have no caption): the client keeps all of them in the outbox before the first
request leaves, and delivers them in that order (replies.send_files). Each file has a row in
the strip from Enter until Crisp has it; one that fails stays there, saying why.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, Protocol

from crisp_console.client.tasks import TaskOwner
from crisp_console.client.uploads import OutgoingFile
from crisp_console.errors import CrispError, QuotaExceededError
from crisp_console.ui.failure_words import describe
from crisp_console.ui.feedback import Feedback
from crisp_console.ui.widgets.attachment_bar import Attachment

log = logging.getLogger(__name__)


class Replies(Protocol):
    """The client's sending side."""

    async def send_text(self, session_id: str, text: str) -> object: ...

    async def send_note(self, session_id: str, text: str,
                        mentions: Sequence[str] = ()) -> object: ...

    async def retry_send(self, session_id: str, fingerprint: int) -> object: ...

    async def send_files(self, session_id: str, files: Sequence[OutgoingFile],
                         caption: str = "") -> object: ...


class Edits(Protocol):
    """The client's commands on what is written: an edit of a sent message, typing."""

    async def edit_message(self, session_id: str, fingerprint: int, content: Any) -> object: ...

    async def compose(self, session_id: str, typing: bool,
                      excerpt: str | None = None) -> object: ...


class ReplyBox(Protocol):
    """The composer as the sending side sees it."""

    def session_id(self) -> str | None: ...

    def take_sent(self) -> None: ...

    def take_attachments(self, session_id: str) -> list[Attachment]: ...

    def open_attach_dialog(self) -> None: ...


class StaleCheck(Protocol):
    """The stale-reply guard (ui/stale_guard.py): True holds the send while it asks."""

    def holds(self, session_id: str, text: str, mode: str, mentions: Sequence[str]) -> bool: ...


class Uploads(Protocol):
    """Where uploads show (the composer's attachment strip)."""

    def unique_name(self, name: str) -> str: ...

    def add_pending(self, name: str, size: int, session_id: str | None) -> None: ...

    def set_progress(self, name: str, done: int, total: int) -> None: ...

    def finish(self, name: str, error: str | None = None) -> None: ...


class ReplyActions:
    def __init__(self, replies: Replies, edits: Edits, box: ReplyBox, uploads: Uploads, *,
                 open_conversation: Callable[[], str | None], feedback: Feedback,
                 tasks: TaskOwner, guard: StaleCheck | None = None) -> None:
        """``open_conversation()``: the controller's open conversation (None: none);
        ``guard``: asks before a send that something new arrived since (None: never)."""
        self._replies, self._edits, self._box = replies, edits, box
        self._guard = guard
        self._uploads = uploads
        self._open = open_conversation
        self.feedback, self._tasks = feedback, tasks

    def send(self, text: str, mode: str, mentions: list[str]) -> None:
        sid = self._open()
        if sid is None or (self._guard is not None
                           and self._guard.holds(sid, text, mode, mentions)):
            return  # the guard asks first; "Send anyway" comes back to send_now
        self.send_now(sid, text, mode, mentions)

    def send_now(self, sid: str, text: str, mode: str, mentions: list[str]) -> None:
        """Send through the durable path (the outbox first), unasked."""
        if sid != self._open():
            return  # another conversation is open by now: not this one's answer
        files = self._box.take_attachments(sid) if mode == "reply" else []
        self._box.take_sent()
        if files:
            coro = self._replies.send_files(sid, [self._outgoing(sid, f) for f in files], text)
        elif mode == "note":
            coro = self._replies.send_note(sid, text, mentions=mentions)
        else:
            coro = self._replies.send_text(sid, text)
        self._deliver(coro, "Reply not sent")

    def retry(self, fingerprint: int) -> None:
        sid = self._open()
        if sid is not None:
            self._deliver(self._replies.retry_send(sid, fingerprint), "Retry failed")

    def _deliver(self, coro: Coroutine[Any, Any, object], failure: str) -> None:
        """A reply that fails stays in the thread, FAILED, its words saying what comes next;
        the status bar says it too. A spent quota queues it: it goes out by itself."""
        async def deliver() -> None:
            try:
                await coro
            except QuotaExceededError as exc:
                self.feedback.message(f"{failure} yet: {describe(exc)}; it goes out by "
                                      "itself then", 15_000)
            except Exception as exc:  # noqa: BLE001 - said in words, whatever it is
                self.feedback.report(f"{failure} (it stays in the thread, saying what to do)",
                                     exc)
        if self._tasks.spawn(deliver(), failure) is None:
            coro.close()  # closing down: the reply is never sent

    def edit(self, fingerprint: int, text: str) -> None:
        sid = self._open()
        if sid is not None:
            self.feedback.run(self._edits.edit_message(sid, fingerprint, text), "Edit not saved")

    def typing(self, typing: bool, excerpt: str) -> None:
        # The composer's own conversation: a "stop" on switching belongs to the old one.
        sid = self._box.session_id()
        if sid is not None:
            self._tasks.spawn(self._compose(sid, typing, excerpt), "compose")

    async def _compose(self, sid: str, typing: bool, excerpt: str) -> None:
        try:
            await self._edits.compose(sid, typing, excerpt or None)
        except (CrispError, OSError) as exc:
            log.debug("compose failed: %s", describe(exc))

    def attach_dialog(self) -> None:
        if self._open() is None:
            self.feedback.message("Open a conversation first")
        else:
            self._box.open_attach_dialog()

    def _outgoing(self, sid: str, item: Attachment) -> OutgoingFile:
        """A file of the tray, with its row in the strip from now until Crisp has it."""
        uploads = self._uploads
        row = uploads.unique_name(item.name)  # rows are keyed by name
        uploads.add_pending(row, len(item.data), sid)

        def progress(done: int, total: int) -> None:
            uploads.set_progress(row, done, total)

        def finished(error: BaseException | None) -> None:
            uploads.finish(row, None if error is None else describe(error))

        return OutgoingFile(item.name, item.mime, item.data, progress, finished)
