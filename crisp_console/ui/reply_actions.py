"""Writing in a conversation: send, retry, edit, typing indicators and attachments, from
the composer's and the thread's signals to the client."""

from __future__ import annotations

import logging
from collections.abc import Coroutine
from typing import Any

from crisp_console.errors import CrispError, QuotaExceededError
from crisp_console.ui.controller import Controller, describe

log = logging.getLogger(__name__)


class ReplyActions:
    def __init__(self, controller: Controller) -> None:
        self.c = controller
        p = controller.panes
        p.thread.retry_requested.connect(self._retry)
        p.composer.send_requested.connect(self.send)
        p.composer.edit_requested.connect(self._edit)
        p.composer.typing_changed.connect(self._typing)
        p.composer.attachments_added.connect(self._attach)
        controller.registry.set_handler("composer.attach", self._attach_dialog)

    def send(self, text: str, mode: str, mentions: list[str]) -> None:
        sid = self.c.session_id
        if sid is None:
            return
        self.c.panes.composer.take_sent()
        if mode == "note":
            coro = self.c.client.replies.send_note(sid, text, mentions=mentions)
        else:
            coro = self.c.client.replies.send_text(sid, text)
        self._deliver(coro, "Reply not sent")

    def _retry(self, fingerprint: int) -> None:
        if self.c.session_id is not None:
            self._deliver(self.c.client.replies.retry_send(self.c.session_id, fingerprint),
                          "Retry failed")

    def _deliver(self, coro: Coroutine[Any, Any, object], failure: str) -> None:
        """A reply that fails stays in the thread, FAILED, its words saying what comes next;
        the status bar says it too. A spent quota queues it: it goes out by itself."""
        async def deliver() -> None:
            try:
                await coro
            except QuotaExceededError as exc:
                self.c.message(f"{failure} yet: {describe(exc)}; it goes out by itself then",
                               15_000)
            except Exception as exc:  # noqa: BLE001 - said in words, whatever it is
                self.c.report(f"{failure} (it stays in the thread, saying what to do)", exc)
        if self.c.tasks.spawn(deliver(), failure) is None:
            coro.close()  # closing down: the reply is never sent

    def _edit(self, fingerprint: int, text: str) -> None:
        if self.c.session_id is not None:
            self.c.run(self.c.client.commands.edit_message(self.c.session_id, fingerprint, text),
                       "Edit not saved")

    def _typing(self, typing: bool, excerpt: str) -> None:
        # The composer's own conversation: a "stop" on switching belongs to the old one.
        sid = self.c.panes.composer.session_id()
        if sid is not None:
            self.c.tasks.spawn(self._compose(sid, typing, excerpt), "compose")

    async def _compose(self, sid: str, typing: bool, excerpt: str) -> None:
        try:
            await self.c.client.commands.compose(sid, typing, excerpt or None)
        except (CrispError, OSError) as exc:
            log.debug("compose failed: %s", describe(exc))

    def _attach_dialog(self) -> None:
        if self.c.session_id is None:
            self.c.message("Open a conversation first")
        else:
            self.c.panes.composer.open_attach_dialog()

    def _attach(self, attachments: list[Any]) -> None:
        sid = self.c.session_id
        if sid is None:
            return
        for item in attachments:
            self.c.tasks.spawn(self._upload(sid, item), f"upload {item.name}")

    async def _upload(self, sid: str, item: Any) -> None:
        composer = self.c.panes.composer

        def progress(done: int, total: int) -> None:
            composer.set_upload_progress(item.name, done, total)

        try:
            await self.c.client.replies.send_file(sid, item.name, item.mime, item.data,
                                                  progress=progress)
        except (CrispError, OSError, TimeoutError) as exc:
            composer.upload_finished(item.name, describe(exc))
        else:
            composer.upload_finished(item.name)
