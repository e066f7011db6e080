"""Sign-out: the key leaves the keyring and the account the active slot, the book saved
first; the key is never in a saved file or a log line."""

from __future__ import annotations

import logging
from pathlib import Path

import keyring.backend
import keyring.errors
import pytest

from crisp_console.credentials import CredentialError, CredentialStore, SessionOnlyStore, sign_out
from crisp_console.storage.accounts import Account, AccountBook
from tests.conftest import MemoryKeyring

KEY = "Zk9x1QmP3vB7tR2wY5uE8iO0aS4dF6gH"
PROD = Account("id-production", label="Support")
SANDBOX = Account("id-sandbox", tier="website", host="http://127.0.0.1:8765")


@pytest.mark.asyncio
async def test_sign_out_deletes_the_key_and_deactivates(
        tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    path = tmp_path / "accounts.json"
    store = CredentialStore()
    book = AccountBook(path)
    book.add(PROD)
    await store.set(PROD.identifier, KEY)
    book.save()

    await sign_out(store, book, PROD.identifier)
    assert await store.get(PROD.identifier) is None
    assert AccountBook.load(path).active is None
    assert AccountBook.load(path).accounts == (PROD,)  # still offered next time, without key

    await store.set(PROD.identifier, KEY)
    book.set_active(PROD.identifier)
    await sign_out(store, book, PROD.identifier, forget=True)
    assert AccountBook.load(path).accounts == ()
    assert memory_keyring.get_password("crisp-console", PROD.identifier) is None


@pytest.mark.asyncio
async def test_sign_out_saves_the_book_even_when_the_keyring_refuses(tmp_path: Path) -> None:
    class StubbornKeyring(MemoryKeyring):
        def delete_password(self, service: str, username: str) -> None:
            raise keyring.errors.PasswordDeleteError("access denied")

    store = CredentialStore(backend=StubbornKeyring())
    book = AccountBook(tmp_path / "accounts.json")
    book.add(PROD)
    await store.set(PROD.identifier, KEY)
    with pytest.raises(CredentialError, match="refused to delete"):
        await sign_out(store, book, PROD.identifier)
    assert AccountBook.load(book.path).active is None


@pytest.mark.asyncio
async def test_the_key_is_in_no_saved_file_and_no_log_line(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Redaction: whatever path the key takes (keyring, refused keyring, session only),
    nothing written under the config directory and nothing logged contains it."""

    class LeakyFailingKeyring(keyring.backend.KeyringBackend):
        priority = 1

        def get_password(self, service: str, username: str) -> str | None:
            return None

        def set_password(self, service: str, username: str, password: str) -> None:
            raise keyring.errors.PasswordSetError(f"could not store {password!r}")

        def delete_password(self, service: str, username: str) -> None:
            raise keyring.errors.PasswordDeleteError(f"no {username}")

    config = tmp_path / "config"
    caplog.set_level(logging.DEBUG)
    book = AccountBook.load(config / "accounts.json")
    book.add(PROD)
    await CredentialStore().set(PROD.identifier, KEY)
    book.save()
    with pytest.raises(CredentialError):
        await CredentialStore(backend=LeakyFailingKeyring()).set(SANDBOX.identifier, KEY)
    session = SessionOnlyStore()
    await session.set(SANDBOX.identifier, KEY)
    book.add(SANDBOX)
    book.save()
    await sign_out(session, book, SANDBOX.identifier)
    logging.getLogger("test").info("book=%r session=%r", book, session)

    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert files == [config / "accounts.json"]
    assert AccountBook.load(config / "accounts.json").accounts == (PROD, SANDBOX)
    for file in files:
        assert KEY.encode() not in file.read_bytes()
    assert caplog.records  # the refused save was logged ...
    for record in caplog.records:  # ... without the key
        assert KEY not in record.getMessage()
    assert KEY not in caplog.text
