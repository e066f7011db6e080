"""Files sent with a caption (the composer's tray), against the strict sandbox over loopback:
the files then the caption, in order, each kept in the outbox before its request leaves (a
crash after Enter loses nothing), later replies never overtaking them, and a file over the
bucket's limit refused before a byte of it is sent."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from crisp_console.client import ConsoleClient
from crisp_console.client.uploads import FileTooLargeError, OutgoingFile
from crisp_console.core import MessageStatus
from crisp_console.sandbox.model import Conversation
from crisp_console.sandbox.server import Sandbox
from crisp_console.storage.outbox import InlineRunner
from tests.client.conftest import make_client, until
from tests.client.outbox_helpers import (
    FreezableRunner,
    KillableTransport,
    conversations,
    rows,
)
from tests.sandbox.conftest import HeldSleep

pytestmark = pytest.mark.asyncio

PHOTO = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
INVOICE = b"%PDF-1.4 an invoice"


def sent_after(conv: Conversation, count: int) -> list[tuple[str, object]]:
    """(type, content) of the conversation's last ``count`` messages, in the server's order."""
    return [(m.type, m.content) for m in conv.messages[-count:]]


async def fetched(url: str) -> bytes:
    async with httpx.AsyncClient() as http:
        return (await http.get(url)).content


async def test_files_then_the_caption_in_order(sandbox: Sandbox,
                                               client: ConsoleClient) -> None:
    (conv,) = conversations(sandbox, 1)
    before = len(conv.messages)
    outcomes: list[tuple[str, BaseException | None]] = []
    progress: list[tuple[str, int, int]] = []

    def file(name: str, mime: str, data: bytes) -> OutgoingFile:
        return OutgoingFile(name, mime, data,
                            progress=lambda d, t: progress.append((name, d, t)),
                            finished=lambda e: outcomes.append((name, e)))

    caption = await client.replies.send_files(
        conv.session_id, [file("photo.png", "image/png", PHOTO),
                          file("invoice.pdf", "application/pdf", INVOICE)],
        "Here is the invoice")
    assert caption is not None and caption.status is MessageStatus.SENT
    assert outcomes == [("photo.png", None), ("invoice.pdf", None)]
    assert ("photo.png", len(PHOTO), len(PHOTO)) in progress
    assert len(conv.messages) == before + 3
    (t1, c1), (t2, c2), (t3, c3) = sent_after(conv, 3)
    assert (t1, t2, t3) == ("file", "file", "text") and c3 == "Here is the invoice"
    assert isinstance(c1, dict) and isinstance(c2, dict)
    assert (c1["name"], c1["type"], c2["name"]) == ("photo.png", "image/png", "invoice.pdf")
    assert await fetched(c1["url"]) == PHOTO and await fetched(c2["url"]) == INVOICE
    assert client.outbox.unsent_count() == 0
    # In the console's thread too, in that order.
    shown = client.store.messages(conv.session_id)[-3:]
    assert [m.type for m in shown] == ["file", "file", "text"]


async def test_no_caption_sends_only_the_files(sandbox: Sandbox, client: ConsoleClient) -> None:
    (conv,) = conversations(sandbox, 1)
    before = len(conv.messages)
    assert await client.replies.send_files(
        conv.session_id, [OutgoingFile("a.pdf", "application/pdf", INVOICE)], "  \n") is None
    assert len(conv.messages) == before + 1 and conv.messages[-1].type == "file"


async def test_a_file_over_the_bucket_limit_is_refused_before_a_byte_leaves(
        sandbox: Sandbox, client: ConsoleClient) -> None:
    (conv,) = conversations(sandbox, 1)
    sandbox.bucket.size_limit = 1000
    before = len(conv.messages)
    outcomes: list[BaseException | None] = []
    await client.replies.send_files(
        conv.session_id,
        [OutgoingFile("big.bin", "application/octet-stream", b"x" * 2000,
                      finished=outcomes.append),
         OutgoingFile("small.txt", "text/plain", b"small", finished=outcomes.append)],
        "the small one")
    big, small = outcomes
    assert isinstance(big, FileTooLargeError) and small is None
    assert str(big) == "Too large to send (2 KB); Crisp takes up to 1000 B"
    assert sandbox.bucket.used_bytes == len(b"small")  # nothing of the big one
    assert [t for t, _ in sent_after(conv, 2)] == ["file", "text"]
    assert len(conv.messages) == before + 2  # no orphan message for the refused file
    assert client.outbox.unsent_count() == 0


async def test_a_crash_after_enter_loses_nothing(
        sandbox: Sandbox, admin: httpx.AsyncClient, tmp_path: Path) -> None:
    path = tmp_path / "console.db"
    runner = FreezableRunner(path)
    transport = KillableTransport()
    first = make_client(sandbox, database=runner, transport=transport)
    await first.start()
    await until(lambda: not first.health.catching_up, what="the first client idle")
    (conv,) = conversations(sandbox, 1)
    before = len(conv.messages)
    held = HeldSleep()
    sandbox.faults.sleep = held
    await admin.patch("faults", json={"latency_ms": 1})  # every /v1 request is held
    sending = asyncio.ensure_future(first.replies.send_files(
        conv.session_id, [OutgoingFile("photo.png", "image/png", PHOTO),
                          OutgoingFile("invoice.pdf", "application/pdf", INVOICE)],
        "Here is the invoice"))
    await held.until_held(1)  # the first file's bucket URL is being asked for
    kept = await rows(path)  # all three, before anything reached Crisp
    assert [(r.kind, r.state) for r in kept] == [("file", "queued")] * 2 + [("text", "queued")]
    assert [r.data for r in kept] == [PHOTO, INVOICE, None]
    assert kept[2].body["content"] == "Here is the invoice"
    transport.kill()  # the crash
    runner.freeze()
    await admin.patch("faults", json={"latency_ms": 0})
    held.release()
    second = make_client(sandbox, database=InlineRunner.open(path))
    try:
        await second.start()  # resumes the outbox
        assert await second.outbox.wait_sent() == 0
        assert len(conv.messages) == before + 3  # each exactly once
        (t1, c1), (t2, c2), (t3, c3) = sent_after(conv, 3)
        assert (t1, t2, t3) == ("file", "file", "text") and c3 == "Here is the invoice"
        assert isinstance(c1, dict) and isinstance(c2, dict)
        assert (c1["name"], c2["name"]) == ("photo.png", "invoice.pdf")
        assert await fetched(c1["url"]) == PHOTO
        assert [m.fingerprint for m in conv.messages[-3:]] == [r.fingerprint for r in kept]
        assert await rows(path) == []
    finally:
        await second.aclose()
        sending.cancel()
        await first.aclose()


async def test_a_reply_sent_while_files_go_waits_for_them(
        sandbox: Sandbox, admin: httpx.AsyncClient, client: ConsoleClient) -> None:
    (conv,) = conversations(sandbox, 1)
    held = HeldSleep()
    sandbox.faults.sleep = held
    await admin.patch("faults", json={"latency_ms": 1})
    files = asyncio.ensure_future(client.replies.send_files(
        conv.session_id, [OutgoingFile("photo.png", "image/png", PHOTO)], "the photo"))
    await held.until_held(1)  # the upload has begun
    later = asyncio.ensure_future(client.replies.send_text(conv.session_id, "anything else?"))
    await until(lambda: any(m.content == "anything else?"
                            for m in client.store.messages(conv.session_id)),
                what="the later reply shown at once")
    await admin.patch("faults", json={"latency_ms": 0})
    held.release()
    await asyncio.gather(files, later)
    assert [(t, c if t == "text" else "file") for t, c in sent_after(conv, 3)] == [
        ("file", "file"), ("text", "the photo"), ("text", "anything else?")]
