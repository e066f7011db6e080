"""The database key: random, made once and kept in the keyring beside the token, None where
no keyring keeps it, forgotten at sign-out, and never in a log line."""

from __future__ import annotations

import logging
import re

import keyring
import keyring.backends.fail
import pytest

from crisp_console.credentials import CredentialStore, SessionOnlyStore
from crisp_console.credentials.dbkey import database_key, forget_database_key
from crisp_console.credentials.store import SERVICE
from crisp_console.log import MASK, secret_filter
from tests.conftest import MemoryKeyring

ID = "6f3e6cbb-2d7c-4a25-9b52-0c2f1a3d4e5f"
TOKEN = "token-key-0123456789abcdef"


class ForgetfulKeyring(MemoryKeyring):
    """Says yes to every write and keeps none (some backends do)."""

    def set_password(self, service: str, username: str, password: str) -> None:
        return None


@pytest.mark.asyncio
async def test_the_key_is_made_once_and_kept_beside_the_token(
        memory_keyring: MemoryKeyring) -> None:
    store = CredentialStore()
    await store.set(ID, TOKEN)
    key = await database_key(store, ID)
    assert key is not None and re.fullmatch(r"[0-9a-f]{64}", key)
    assert memory_keyring.get_password(SERVICE, f"{ID}#database") == key
    assert await database_key(store, ID) == key  # the same at the next start
    assert await database_key(store, "another-account") != key
    assert await store.get(ID) == TOKEN  # the token is untouched
    assert secret_filter().scrub(f"key={key} then {key}") == f"key={MASK} then {MASK}"


@pytest.mark.asyncio
async def test_no_key_without_a_persistent_keyring(
        caplog: pytest.LogCaptureFixture) -> None:
    session = SessionOnlyStore()
    assert await database_key(session, ID) is None
    assert await session.get(f"{ID}#database") is None  # nothing made that dies at exit

    keyring.set_keyring(keyring.backends.fail.Keyring())
    with caplog.at_level(logging.WARNING, logger="crisp_console.credentials.dbkey"):
        assert await database_key(CredentialStore(), ID) is None
    assert "keeping data in memory" in caplog.text


@pytest.mark.asyncio
async def test_a_keyring_that_does_not_keep_the_key_gives_none(
        caplog: pytest.LogCaptureFixture) -> None:
    keyring.set_keyring(ForgetfulKeyring())
    with caplog.at_level(logging.WARNING, logger="crisp_console.credentials.dbkey"):
        assert await database_key(CredentialStore(), ID) is None
    assert "did not keep" in caplog.text


@pytest.mark.asyncio
async def test_a_malformed_key_is_replaced(memory_keyring: MemoryKeyring,
                                           caplog: pytest.LogCaptureFixture) -> None:
    memory_keyring.set_password(SERVICE, f"{ID}#database", "not-hex-at-all")
    with caplog.at_level(logging.WARNING, logger="crisp_console.credentials.dbkey"):
        key = await database_key(CredentialStore(), ID)
    assert key is not None and re.fullmatch(r"[0-9a-f]{64}", key)
    assert memory_keyring.get_password(SERVICE, f"{ID}#database") == key
    assert "malformed" in caplog.text and "not-hex-at-all" not in caplog.text


@pytest.mark.asyncio
async def test_forget_removes_only_the_database_key(memory_keyring: MemoryKeyring) -> None:
    store = CredentialStore()
    await store.set(ID, TOKEN)
    first = await database_key(store, ID)
    await forget_database_key(store, ID)
    await forget_database_key(store, ID)  # idempotent, like sign-out
    assert memory_keyring.get_password(SERVICE, f"{ID}#database") is None
    assert await store.get(ID) == TOKEN
    assert await database_key(store, ID) != first  # a new account life, a new key


@pytest.mark.asyncio
async def test_an_empty_identifier_is_refused() -> None:
    with pytest.raises(ValueError, match="identifier"):
        await database_key(CredentialStore(), " ")
