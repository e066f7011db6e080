"""Signing out erases the account's local database and its key, found as app.py opened them
(databases_dir(), the host as normalise_base_url names it, the identifier); switching
accounts erases nothing. The keyring is an in-memory store, the database a real file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from crisp_console import app
from crisp_console.api import normalise_base_url
from crisp_console.client.local import close_local, open_local
from crisp_console.credentials import CredentialStore
from crisp_console.credentials.dbkey import key_name
from crisp_console.credentials.store import SERVICE
from crisp_console.storage.accounts import Account, AccountBook
from crisp_console.storage.database import StorageMode, account_dir
from crisp_console.ui.accounts_flow import Accounts, Ending, Next, sign_out_question
from tests.conftest import MemoryKeyring

ADA = Account("ada-identifier", host="http://127.0.0.1:9/", label="Ada's shop")
BOB = Account("bob-identifier", host="http://127.0.0.1:9", label="Bob's bikes")


async def no_dialog(**_kw: Any) -> None:
    return None  # the operator cancels the sign-in that follows


async def filled(root: Path, account: Account, secrets: CredentialStore) -> Path:
    local = await open_local(root, normalise_base_url(account.host), account.identifier,
                             secrets)
    assert local.database.mode is StorageMode.ENCRYPTED
    await local.database.awrite(lambda c: c.execute(
        "INSERT INTO drafts VALUES ('s1', 'hello', 'reply', 1)"))
    await close_local(local)
    return account_dir(root, normalise_base_url(account.host), account.identifier)


@pytest.mark.asyncio
async def test_sign_out_removes_the_account_folder_and_its_key(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, memory_keyring: MemoryKeyring) -> None:
    root = tmp_path / "accounts"
    monkeypatch.setattr(app, "databases_dir", lambda: root)
    secrets = CredentialStore()
    book = AccountBook(tmp_path / "accounts.json", (ADA, BOB), active=ADA.identifier)
    accounts = Accounts(book, secrets, no_dialog, erase=app.erase_account_data)
    await secrets.set(ADA.identifier, "ada-key")
    ada_dir = await filled(root, ADA, secrets)
    bob_dir = await filled(root, BOB, secrets)
    assert ada_dir.exists() and memory_keyring.get_password(SERVICE, key_name(ADA.identifier))

    assert await accounts.handle(Ending(Next.SWITCH, BOB.identifier), ADA) is None
    assert ada_dir.exists()  # switching keeps it: its outbox goes when Ada is used again

    assert await accounts.handle(Ending(Next.SIGN_OUT, ADA.identifier), ADA) is None
    assert not ada_dir.exists()
    assert memory_keyring.get_password(SERVICE, key_name(ADA.identifier)) is None
    assert await secrets.get(ADA.identifier) is None
    assert bob_dir.exists()  # only the account signed out of


def test_the_question_counts_what_signing_out_discards() -> None:
    assert "not sent yet" not in sign_out_question("Ada's shop", 0)
    assert sign_out_question("Ada's shop", 1).endswith(
        "1 reply or action not sent yet will be discarded.")
    assert sign_out_question("Ada's shop", 3).endswith(
        "3 replies or actions not sent yet will be discarded.")
