"""Local search end to end: what the console read from Crisp (the sandbox, strict profile) is
saved in the account's encrypted database, indexed in the same write, and found again by
word, prefix or phrase, offline too, and a hit's message is revealed in its timeline."""

from __future__ import annotations

from pathlib import Path

import pytest

from crisp_console.client.local import close_local, open_local
from crisp_console.credentials import CredentialStore
from crisp_console.sandbox.server import Sandbox
from crisp_console.storage.database import StorageMode
from crisp_console.storage.search import HIT_END, HIT_START
from tests.client.conftest import make_client
from tests.conftest import MemoryKeyring

pytestmark = pytest.mark.asyncio

ID = "6f3e6cbb-2d7c-4a25-9b52-0c2f1a3d4e5f"
DAY_MS = 86_400_000


async def test_a_word_read_weeks_ago_is_found_offline_and_revealed(
        sandbox: Sandbox, tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    state = sandbox.state
    wid = state.subscribed_website_ids()[0]
    conv = state.create_conversation(wid)
    weeks_ago = state.clock() - 21 * DAY_MS
    old = state.add_message(conv, type="text", from_="user", origin="chat",
                            content="My Quokkafjord order never arrived, VAT FR40303265045",
                            user=conv.visitor, timestamp=weeks_ago)
    for n in range(3):
        state.add_message(conv, type="text", from_="user", origin="chat",
                          content=f"still waiting {n}", user=conv.visitor)
    local = await open_local(tmp_path, sandbox.info()["rest"], ID, CredentialStore())
    assert local.database.mode is StorageMode.ENCRYPTED
    client = make_client(sandbox, database=local.database, cache=local.database,
                         index=local.search)
    try:
        await client.start()
        await client.loader.open_conversation(conv.session_id)
        assert client.persister is not None
        await client.persister.flush()
        await sandbox.stop()  # offline from here on

        for query in ("quokkafjord", "Quokk", '"order never arrived"', "fr4030"):
            hits = await client.search.local(query)
            found = [h for h in hits if h.fingerprint == old.fingerprint]
            assert found, query
            assert found[0].session_id == conv.session_id
            assert found[0].timestamp == weeks_ago
        snippet = (await client.search.local("quokkafjord"))[0].snippet
        assert f"{HIT_START}Quokkafjord{HIT_END}" in snippet
        assert await client.search.local('"arrived order never"') == []  # a phrase, in order
        assert await client.search.local("quokkafjord", website_ids=["elsewhere"]) == []
        # The hit's message is in its timeline: revealed without asking Crisp.
        assert await client.reveal_message(conv.session_id, old.fingerprint, weeks_ago)
    finally:
        await client.aclose()
        await close_local(local)
