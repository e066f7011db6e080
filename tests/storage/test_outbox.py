"""The outbox rows on a real SQLite file: what is kept, in which order, and what a reader of a
salvaged or damaged row still gets."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from crisp_console.storage import outbox as ob
from crisp_console.storage.outbox import InlineRunner, Outbox, OutboxItem


def reply(text: str = "Hello", *, session: str = "session_a", fp: int = 101) -> OutboxItem:
    return OutboxItem("text", "website_1", session, {"type": "text", "content": text},
                      fingerprint=fp)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "console.db"


@pytest.mark.asyncio
async def test_an_added_item_is_on_disk_when_add_returns(db_path: Path) -> None:
    runner = InlineRunner.open(db_path)
    box = Outbox(runner, clock=lambda: 1_700_000_000.5)
    item = reply("bonjour, ça va ?")
    item_id = await box.add(item)
    assert item.id == item_id
    # Another connection (another process, after a crash) reads it back as it was.
    other = InlineRunner.open(db_path)
    (back,) = await Outbox(other).unsent()
    assert back == OutboxItem("text", "website_1", "session_a",
                              {"type": "text", "content": "bonjour, ça va ?"}, fingerprint=101,
                              created_ms=1_700_000_000_500, updated_ms=1_700_000_000_500,
                              id=item_id)
    runner.close()
    other.close()


@pytest.mark.asyncio
async def test_unsent_is_in_id_order_and_leaves_out_sent_rows(db_path: Path) -> None:
    box = Outbox(InlineRunner.open(db_path))
    ids = [await box.add(reply(f"r{i}", fp=100 + i)) for i in range(4)]
    await box.update(ids[1], state="sent")
    await box.remove(ids[2])
    assert [i.id for i in await box.unsent()] == [ids[0], ids[3]]
    assert await box.count_unsent() == 2


@pytest.mark.asyncio
async def test_update_changes_only_what_it_is_given(db_path: Path) -> None:
    times = iter([1.0, 2.0, 3.0])
    box = Outbox(InlineRunner.open(db_path), clock=lambda: next(times))
    item_id = await box.add(reply())
    assert await box.update(item_id, state="failed", error="Not sent: nope", ambiguous=True)
    got = await box.get(item_id)
    assert got is not None
    assert (got.state, got.error, got.ambiguous, got.body["content"]) == \
        ("failed", "Not sent: nope", True, "Hello")
    assert (got.created_ms, got.updated_ms) == (1000, 2000)
    assert not await box.update(item_id + 1, state="queued")  # gone: nothing to change


@pytest.mark.asyncio
async def test_a_files_bytes_are_kept_until_the_upload_then_dropped(db_path: Path) -> None:
    box = Outbox(InlineRunner.open(db_path))
    data = bytes(range(256)) * 40
    item_id = await box.add(OutboxItem("file", "website_1", "session_a",
                                       {"name": "a.bin", "mime": "application/octet-stream"},
                                       fingerprint=7, data=data))
    got = await box.get(item_id)
    assert got is not None and got.data == data
    await box.update(item_id, body={"content": {"url": "https://x/a.bin"}}, clear_data=True)
    got = await box.get(item_id)
    assert got is not None and got.data is None
    assert got.body == {"content": {"url": "https://x/a.bin"}}


@pytest.mark.asyncio
async def test_submitted_writes_commit_in_order(db_path: Path) -> None:
    runner = InlineRunner.open(db_path)
    box = Outbox(runner)
    item_id = await box.add(reply())
    box.submit_update(item_id, state="sending")
    box.submit_update(item_id, state="failed", error="why")
    last = box.submit_remove(item_id)
    assert last.result() is True
    assert await box.unsent() == []


@pytest.mark.asyncio
async def test_a_failed_write_rolls_back_alone(db_path: Path) -> None:
    runner = InlineRunner.open(db_path)
    box = Outbox(runner)
    item_id = await box.add(reply())
    with pytest.raises(ValueError, match="no outbox state"):
        await box.update(item_id, state="lost")  # type: ignore[arg-type]
    future = runner.write(lambda conn: conn.execute("INSERT INTO nowhere VALUES (1)"))
    assert isinstance(future.exception(), sqlite3.OperationalError)
    got = await box.get(item_id)
    assert got is not None and got.state == "queued"


def test_a_row_read_back_from_a_mapping_keeps_what_it_can() -> None:
    """Salvaged rows come as mappings of the columns; a damaged body is kept, not dropped."""
    row = {"id": 4, "kind": "note", "website_id": "w", "session_id": "s", "fingerprint": None,
           "body": "{not json", "data": None, "state": "weird", "ambiguous": 1, "error": None,
           "created_ms": 5, "updated_ms": 6}
    item = ob.item_from_row(row)
    assert item.body == {"unreadable": "{not json"}
    assert (item.state, item.ambiguous, item.error, item.fingerprint) == ("queued", True, "",
                                                                          None)


def test_the_inline_runner_needs_autocommit(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="autocommit"):
        InlineRunner(sqlite3.connect(tmp_path / "x.db"))
