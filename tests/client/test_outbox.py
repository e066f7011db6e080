"""The client's outbox over a real SQLite file, with the send path on a fake Crisp: what each
outcome of a delivery leaves in the file, and what quitting leaves."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from crisp_console.client.outbox import LOCAL_IDS, ClientOutbox
from crisp_console.client.sending import Outgoing
from crisp_console.errors import ClosedError, QuotaExceededError, ValidationError
from crisp_console.storage.outbox import InlineRunner, Outbox, OutboxItem
from tests.api.helpers import until
from tests.client.send_helpers import SID, WEBSITE, Rig, rig

T = TypeVar("T")


async def unsent(path: Path) -> list[OutboxItem]:
    runner = InlineRunner.open(path)
    try:
        return await Outbox(runner).unsent()
    finally:
        runner.close()


async def kept(r: Rig, box: ClientOutbox, content: str = "Hello") -> Outgoing:
    """A reply shown, kept, and known to the send path's journal."""
    out = r.pending(content)
    await box.record(OutboxItem("text", WEBSITE, SID, {"type": "text", "content": content},
                                fingerprint=out.fingerprint))
    return out


def wired(tmp_path: Path, **kw: Any) -> tuple[Rig, ClientOutbox, Path]:
    r = rig(**kw)
    path = tmp_path / "console.db"
    box = ClientOutbox(Outbox(InlineRunner.open(path)))
    r.sender.journal = box
    return r, box, path


@pytest.mark.asyncio
async def test_a_sent_reply_leaves_the_outbox(tmp_path: Path) -> None:
    r, box, path = wired(tmp_path)
    out = await kept(r, box)
    assert [i.state for i in await unsent(path)] == ["queued"]
    await r.sender.deliver(out)
    assert await unsent(path) == []
    assert box.unsent_count() == 0


@pytest.mark.asyncio
async def test_a_refused_reply_stays_failed_in_words(tmp_path: Path) -> None:
    r, box, path = wired(tmp_path)
    r.crisp.posts = ["invalid"]
    out = await kept(r, box)
    with pytest.raises(ValidationError):
        await r.sender.deliver(out)
    (row,) = await unsent(path)
    assert row.state == "failed" and row.error.startswith("Not sent: Crisp refused")
    assert box.active_count() == 0 and box.unsent_count() == 1


@pytest.mark.asyncio
async def test_a_reply_waiting_for_the_quota_is_queued_then_sent(tmp_path: Path) -> None:
    r, box, path = wired(tmp_path, manual=True)
    r.crisp.posts = ["quota"]
    out = await kept(r, box)
    with pytest.raises(QuotaExceededError):
        await r.sender.deliver(out)
    (row,) = await unsent(path)
    assert row.state == "queued" and row.error.startswith("Queued: the daily API quota")
    waiting = asyncio.ensure_future(box.wait_sent())
    await until(lambda: r.clock.sleeping == 1, "waiting for the probe slot")
    r.clock.advance(60.0)
    assert await waiting == 0
    assert await unsent(path) == []
    await r.tasks.aclose()


@pytest.mark.asyncio
async def test_closing_mid_send_leaves_the_row_as_it_was(tmp_path: Path) -> None:
    r, box, path = wired(tmp_path, real_time=True)
    r.crisp.posts = ["hang_early"]
    out = await kept(r, box)
    sending = asyncio.ensure_future(r.sender.deliver(out))
    await until(lambda: r.crisp.log == ["POST"], "the POST")
    await r.tasks.aclose()  # quit
    with pytest.raises(ClosedError):
        await sending
    (row,) = await unsent(path)
    assert (row.state, row.error) == ("sending", "")  # not failed: it goes next start


@pytest.mark.asyncio
async def test_resume_hands_rows_to_their_owners_in_order(tmp_path: Path) -> None:
    path = tmp_path / "console.db"
    first = ClientOutbox(Outbox(InlineRunner.open(path)))
    for kind in ["text", "state", "telepathy", "note"]:
        await first.record(OutboxItem(kind, WEBSITE, SID, {}, fingerprint=1 if kind in (
            "text", "note") else None))
    box = ClientOutbox(Outbox(InlineRunner.open(path)))
    seen: list[str] = []

    class Owner:
        def resume(self, item: OutboxItem) -> None:
            seen.append(item.kind)
            if item.kind == "note":
                raise RuntimeError("a bad row")

        def forget(self, item: OutboxItem) -> bool:
            return True

    box.register(["text", "note", "state"], Owner())
    assert await box.resume() == 4
    assert seen == ["text", "state", "note"]
    assert box.unsent_count() == 4  # the unknown kind and the bad row are kept, listed
    assert [i.kind for i in box.unsent()] == ["text", "state", "telepathy", "note"]
    assert await box.resume() == 0  # once


class BrokenRunner:
    """A database that refuses every write."""

    def __init__(self, path: Path) -> None:
        self.inner = InlineRunner.open(path)

    def write(self, fn: Callable[[sqlite3.Connection], T]) -> Any:
        raise sqlite3.OperationalError("disk I/O error")

    async def awrite(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        raise sqlite3.OperationalError("disk I/O error")

    async def aread(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        return await self.inner.aread(fn)


@pytest.mark.asyncio
async def test_a_database_that_refuses_the_record_costs_durability_not_the_reply(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    r = rig()
    box = ClientOutbox(Outbox(BrokenRunner(tmp_path / "console.db")))
    r.sender.journal = box
    out = await kept(r, box)
    assert box.id_of(SID, out.fingerprint) == LOCAL_IDS + 1
    assert "could not keep" in caplog.text
    await r.sender.deliver(out)
    assert r.status(out) == ("sent", None)
    assert box.unsent_count() == 0
