"""Which account the console runs as: saved accounts, keys from the (memory) keyring, the
sign-in dialog when needed, switching, adding and signing out; a website-tier account saved by
an earlier version brings the dialog with the reason, never a start."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from crisp_console.client.signin import SignedIn
from crisp_console.credentials import KeyringUnavailable, SecretStore, SessionOnlyStore
from crisp_console.storage.accounts import Account, AccountBook
from crisp_console.ui.accounts_flow import Accounts, Ending, Next

ADA = Account("ada-identifier", "plugin", "https://api.crisp.chat", "Ada's shop")
BOB = Account("bob-identifier", "plugin", "http://127.0.0.1:9999", "")
OLD = Account("old-website-identifier", "website", "https://api.crisp.chat", "Old shop")
KEY = "ada-secret-key-0123456789"


class FakeSignIn:
    """Stands in for the dialog: records what it was asked, answers from a queue, and
    stores the key the way the dialog does (keyring, unless session-only)."""

    def __init__(self, *answers: tuple[Account, str, bool] | None) -> None:
        self.answers = list(answers)
        self.calls: list[dict[str, Any]] = []

    async def __call__(self, *, store: SecretStore, prefill: Account | None = None,
                       notice: str = "") -> SignedIn | None:
        self.calls.append({"prefill": prefill, "notice": notice})
        answer = self.answers.pop(0)
        if answer is None:
            return None
        account, key, persisted = answer
        if persisted:
            await store.set(account.identifier, key)
        return SignedIn(account, key, persisted, "plugin-id")


class BrokenKeyring(SessionOnlyStore):
    async def get(self, identifier: str) -> str | None:
        raise KeyringUnavailable("the keyring is locked and nothing can unlock it")


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def book(tmp_path: Path) -> AccountBook:
    return AccountBook.load(tmp_path / "accounts.json")


def test_first_run_signs_in_saves_the_account_and_the_key(tmp_path: Path) -> None:
    store, sign_in = SessionOnlyStore(), FakeSignIn((ADA, KEY, True))
    accounts = Accounts(book(tmp_path), store, sign_in)
    session = run(accounts.start())
    assert session.account == ADA and session.credentials.key == KEY
    assert session.credentials.tier == "plugin"
    assert sign_in.calls == [{"prefill": None, "notice": ""}]
    saved = book(tmp_path)
    assert saved.active == ADA
    assert KEY not in (tmp_path / "accounts.json").read_text()
    assert run(store.get(ADA.identifier)) == KEY


def test_a_saved_account_with_its_key_starts_without_asking(tmp_path: Path) -> None:
    b = book(tmp_path)
    b.add(ADA)
    b.save()
    store = SessionOnlyStore()
    run(store.set(ADA.identifier, KEY))
    sign_in = FakeSignIn()
    session = run(Accounts(book(tmp_path), store, sign_in).start())
    assert session.credentials.key == KEY and sign_in.calls == []


def test_a_missing_or_unreadable_key_asks_again_and_says_why(tmp_path: Path) -> None:
    b = book(tmp_path)
    b.add(ADA)
    sign_in = FakeSignIn((ADA, KEY, True), (ADA, KEY, False))
    run(Accounts(b, SessionOnlyStore(), sign_in).start())
    assert sign_in.calls[0]["prefill"] == ADA
    assert "No key is saved for Ada's shop" in sign_in.calls[0]["notice"]
    run(Accounts(b, BrokenKeyring(), sign_in).start())
    assert "could not be read: the keyring is locked" in sign_in.calls[1]["notice"]


def test_session_only_keys_stay_in_memory_and_serve_a_switch_back(tmp_path: Path) -> None:
    b = book(tmp_path)
    store = SessionOnlyStore()
    sign_in = FakeSignIn((ADA, KEY, False), (BOB, "bob-key-abcdef", True))
    accounts = Accounts(b, store, sign_in)
    run(accounts.start())
    assert run(store.get(ADA.identifier)) is None  # not in the "keyring"
    bob = run(accounts.handle(Ending(Next.ADD), ADA))
    assert bob.account == BOB and book(tmp_path).active == BOB
    ada = run(accounts.handle(Ending(Next.SWITCH, ADA.identifier), BOB))
    assert ada.credentials.key == KEY and len(sign_in.calls) == 2
    assert book(tmp_path).active == ADA


def test_cancelled_add_returns_to_the_current_account(tmp_path: Path) -> None:
    store = SessionOnlyStore()
    accounts = Accounts(book(tmp_path), store, FakeSignIn((ADA, KEY, True), None))
    run(accounts.start())
    again = run(accounts.handle(Ending(Next.ADD), ADA))
    assert again.account == ADA and again.credentials.key == KEY


def test_sign_out_deletes_the_key_and_asks_to_sign_in(tmp_path: Path) -> None:
    store = SessionOnlyStore()
    sign_in = FakeSignIn((ADA, KEY, True), None)
    accounts = Accounts(book(tmp_path), store, sign_in)
    run(accounts.start())
    assert run(accounts.handle(Ending(Next.SIGN_OUT, ADA.identifier), ADA)) is None
    assert run(store.get(ADA.identifier)) is None
    saved = book(tmp_path)
    assert saved.active is None and saved.get(ADA.identifier) == ADA  # listed, inactive
    assert sign_in.calls[1] == {"prefill": None, "notice": "Signed out of Ada's shop."}


def test_a_refused_key_asks_again_with_the_reason(tmp_path: Path) -> None:
    sign_in = FakeSignIn((ADA, KEY, True), None)
    accounts = Accounts(book(tmp_path), SessionOnlyStore(), sign_in)
    run(accounts.start())
    run(accounts.handle(Ending(Next.REFUSED, notice="Crisp refused the saved key"), ADA))
    assert sign_in.calls[1] == {"prefill": ADA, "notice": "Crisp refused the saved key"}
    assert run(accounts.handle(Ending(Next.QUIT), ADA)) is None


def test_keys_in_use_are_redacted_from_logs(tmp_path: Path) -> None:
    from crisp_console.log import secret_filter

    run(Accounts(book(tmp_path), SessionOnlyStore(), FakeSignIn((ADA, KEY, True))).start())
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "key is %s", (KEY,), None)
    secret_filter().filter(record)
    assert KEY not in record.getMessage()


def test_a_saved_website_account_asks_for_a_plugin_token_and_never_starts(
        tmp_path: Path) -> None:
    b = book(tmp_path)
    b.add(OLD)
    b.save()
    store = SessionOnlyStore()
    run(store.set(OLD.identifier, "a-website-key-0123456789"))  # its key is even there
    sign_in = FakeSignIn((ADA, KEY, True))
    accounts = Accounts(book(tmp_path), store, sign_in)
    session = run(accounts.start())
    assert session.account == ADA and session.credentials.tier == "plugin"
    (call,) = sign_in.calls
    assert call["prefill"] == OLD
    assert call["notice"].startswith("Old shop uses a website token; crisp-console needs a"
                                     " plugin token because")
    assert "Tokens → Production" in call["notice"]
    saved = book(tmp_path)
    assert saved.active == ADA and saved.get(OLD.identifier) == OLD  # still listed, inactive


def test_switching_to_a_website_account_asks_instead(tmp_path: Path) -> None:
    b = book(tmp_path)
    b.add(OLD, activate=False)
    store = SessionOnlyStore()
    run(store.set(OLD.identifier, "a-website-key-0123456789"))
    sign_in = FakeSignIn((ADA, KEY, True), None)
    accounts = Accounts(b, store, sign_in)
    run(accounts.start())
    assert run(accounts.handle(Ending(Next.SWITCH, OLD.identifier), ADA)) is None
    assert sign_in.calls[1]["prefill"] == OLD and "website token" in sign_in.calls[1]["notice"]
