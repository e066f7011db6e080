"""The account's database as the app opens it: encrypted in the account's folder when the
keyring keeps a key, in memory otherwise (saying why), and gone with its key at sign-out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from crisp_console.client.local import LocalDatabase, close_local, erase_local, open_local
from crisp_console.credentials import CredentialStore, SessionOnlyStore
from crisp_console.credentials.dbkey import key_name
from crisp_console.credentials.store import SERVICE
from crisp_console.sandbox.server import Sandbox
from crisp_console.storage import search_index
from crisp_console.storage.cache import Batch, save_rows
from crisp_console.storage.database import StorageMode, account_dir
from crisp_console.storage.search_backfill import save_state
from tests.client.conftest import make_client
from tests.conftest import MemoryKeyring
from tests.storage.searchutil import conv, msg

HOST = "https://api.crisp.chat"
ID = "6f3e6cbb-2d7c-4a25-9b52-0c2f1a3d4e5f"


async def _rows(local_db: LocalDatabase) -> int:
    return await local_db.database.aread(
        lambda c: c.execute("SELECT count(*) FROM drafts").fetchone()[0])


@pytest.mark.asyncio
async def test_encrypted_in_the_accounts_folder_and_erased_at_sign_out(
        tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    secrets = CredentialStore()
    local = await open_local(tmp_path, HOST, ID, secrets)
    assert local.database.mode is StorageMode.ENCRYPTED
    assert local.database.path is not None
    assert local.database.path.parent == account_dir(tmp_path, HOST, ID)
    assert local.search.separate  # its own read connection, same key
    await local.database.awrite(lambda c: c.execute(
        "INSERT INTO drafts VALUES ('s1', 'hello', 'reply', 1)"))
    await close_local(local)
    assert await local.search.search("hello") == []  # closed with the database
    again = await open_local(tmp_path, HOST, ID, secrets)  # same key, same file
    assert await _rows(again) == 1
    await close_local(again)
    await erase_local(tmp_path, HOST, ID, secrets)
    assert not account_dir(tmp_path, HOST, ID).exists()
    assert memory_keyring.get_password(SERVICE, key_name(ID)) is None


@pytest.mark.asyncio
async def test_without_a_keyring_the_data_stays_in_memory_and_says_so(tmp_path: Path) -> None:
    local = await open_local(tmp_path, HOST, ID, SessionOnlyStore())
    assert local.database.mode is StorageMode.MEMORY and not local.search.separate
    assert any("keyring" in notice for notice in local.notices)
    assert not account_dir(tmp_path, HOST, ID).exists()
    await close_local(local)


@pytest.mark.asyncio
async def test_the_demo_keeps_nothing(tmp_path: Path) -> None:
    local = await open_local(None, HOST, ID, None)
    assert local.database.mode is StorageMode.MEMORY and local.notices == ()
    await close_local(local)


@pytest.mark.asyncio
async def test_an_unusable_folder_keeps_the_data_in_memory_in_words(
        tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    local = await open_local(blocker, HOST, ID, CredentialStore())
    assert local.database.mode is StorageMode.MEMORY
    assert any("cannot be used" in notice for notice in local.notices)
    await close_local(local)


@pytest.mark.asyncio
async def test_a_real_session_keeps_no_secret_and_warm_starts_the_next(
        tmp_path: Path, memory_keyring: MemoryKeyring, sandbox: Sandbox) -> None:
    """The composition the app runs: the encrypted Database as the client's outbox and cache.
    After a session (a conversation opened, a reply sent) nothing secret is in any table,
    and the next client on the file paints the inbox from it before any request."""
    secrets = CredentialStore()
    local = await open_local(tmp_path, HOST, ID, secrets)
    db = local.database
    client = make_client(sandbox, database=db, cache=db)
    try:
        await client.restore_cache()
        await client.start()
        sid = next(iter(client.store.conversations))
        await client.loader.open_conversation(sid)
        await client.replies.send_text(sid, "Kept in the outbox until Crisp has it")
        assert await client.outbox.wait_sent() == 0
        held = set(client.store.conversations)
    finally:
        await client.aclose()
    key = await secrets.get(key_name(ID))
    token = sandbox.info()["key"]

    def every_value(conn: Any) -> list[str]:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")]
        return [str(v) for t in tables for row in conn.execute(f"SELECT * FROM {t}")  # noqa: S608
                for v in row]

    values = await db.aread(every_value)
    assert any("Kept in the outbox" in v for v in values)  # the cache holds the reply
    assert key and token and not any(key in v or token in v for v in values)
    await close_local(local)
    raw = account_dir(tmp_path, HOST, ID).joinpath("console.db").read_bytes()
    assert b"Kept in the outbox" not in raw  # encrypted at rest

    again = await open_local(tmp_path, HOST, ID, secrets)
    warm = make_client(sandbox, database=again.database, cache=again.database)
    try:
        before = len(sandbox.requests)
        restored = await warm.restore_cache()
        assert restored is not None and restored.conversations > 0
        assert set(warm.store.conversations) == held
        assert len(sandbox.requests) == before  # painted from the file, no request yet
    finally:
        await warm.aclose()
        await close_local(again)


@pytest.mark.asyncio
async def test_rows_owed_to_the_index_are_indexed_after_open_and_a_close_midway_is_clean(
        tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    """A file upgraded to the index (its rows cached, none indexed, the debt recorded) opens
    at once; the backfill open_local starts indexes them meanwhile; close_local stops it."""
    secrets = CredentialStore()
    local = await open_local(tmp_path, HOST, ID, secrets)

    def upgraded(conn: Any) -> None:
        save_rows(conn, Batch(conversations=[conv("s1", nickname="Zoë Martin")],
                              messages=[msg("s1", fp, f"parcel {fp}") for fp in range(30)]))
        search_index.clear(conn)  # as the v2 migration leaves a v1 file's rows: owed
        save_state(conn, {"step": "cards", "after": None, "done": 0})

    await local.database.awrite(upgraded)
    await close_local(local)

    midway = await open_local(tmp_path, HOST, ID, secrets)
    assert midway.search.indexing  # until the backfill says otherwise
    await close_local(midway)  # at once: the task cancelled and awaited, then the close
    assert len(midway.tasks) == 0 and midway.database.closed

    again = await open_local(tmp_path, HOST, ID, secrets)
    try:
        backfill = again.search.backfill
        assert backfill is not None
        await backfill.ended.wait()
        assert not again.search.indexing and backfill.done == backfill.total == 31
        assert len(await again.search.search("parcel", limit=100)) == 3  # per conversation
        assert [h.field for h in await again.search.search("zoe")] == ["name"]
    finally:
        await close_local(again)
