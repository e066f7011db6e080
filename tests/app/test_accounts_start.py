"""A normal start (no --demo, no environment token): the saved active account connects with
its key from the keyring, and a key the server refuses brings the sign-in dialog back with
the reason. The keyring is an in-memory store and the dialog a stand-in; the sandbox, the
client and the console are real."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import pytest
import qasync

from crisp_console import app
from crisp_console.credentials import Account, AccountBook, SessionOnlyStore
from crisp_console.log import setup_logging
from crisp_console.sandbox.server import Sandbox
from tests.log.conftest import Token, restore_logging  # noqa: F401 - fixture reused
from tests.sandbox.conftest import make_config


class Dialog:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    async def __call__(self, _parent: object, **kw: Any) -> None:
        self.calls.append(kw)
        return None  # the operator cancels


def start(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, store: SessionOnlyStore,
          dialog: Dialog) -> None:
    monkeypatch.setattr(app, "config_dir", lambda: tmp_path)
    monkeypatch.setattr(app, "state_dir", lambda: tmp_path)
    monkeypatch.setattr(app, "CredentialStore", lambda: store)
    monkeypatch.setattr(app, "run_sign_in", dialog)


def run_accounts(loop: qasync.QEventLoop, tmp_path: Path, key: str | None,
                 after: float) -> tuple[int, Sandbox]:
    """Save an account for a fresh sandbox with ``key`` (None: the right one), run."""
    async def main() -> tuple[int, Sandbox]:
        sandbox = Sandbox(make_config())
        await sandbox.start()
        try:
            info = sandbox.info()
            book = AccountBook(tmp_path / "accounts.json")
            book.add(Account(info["identifier"], "plugin", info["rest"], "Sandbox"))
            book.save()
            store = app.CredentialStore()
            await store.set(info["identifier"], key or info["key"])
            shell = app.Shell(app.parse_args([]))
            asyncio.get_running_loop().call_later(after, shell.quit_requested.set)
            return await asyncio.wait_for(app.run_accounts(shell), 60), sandbox
        finally:
            await sandbox.stop()
    return loop.run_until_complete(main())


def test_the_saved_account_connects_without_asking_and_writes_no_secret(
        qloop: qasync.QEventLoop, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        restore_logging: None) -> None:  # noqa: F811
    dialog = Dialog()
    start(monkeypatch, tmp_path, SessionOnlyStore(), dialog)
    setup_logging(logging.DEBUG, tmp_path / "log", stderr=False)
    rc, sandbox = run_accounts(qloop, tmp_path, key=None, after=3.0)
    assert rc == 0 and dialog.calls == []
    listed = int(capsys.readouterr().out.split("crisp-console: ")[1].split()[0])
    assert listed > 0
    # Every file the run left (accounts, window state, drafts, the debug log) is free of
    # the key in every spelling.
    info = sandbox.info()
    forms = Token(info["identifier"], info["key"]).forms()
    written = [f for f in tmp_path.rglob("*") if f.is_file()]
    assert {f.name for f in written} >= {"accounts.json", "crisp-console.log"}
    assert (tmp_path / "log" / "crisp-console.log").stat().st_size > 0
    for f in written:
        text = f.read_bytes().decode("utf-8", "replace")
        assert not [form for form in forms if form in text], f


def test_a_refused_key_brings_back_the_sign_in_with_the_reason(
        qloop: qasync.QEventLoop, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    dialog = Dialog()
    start(monkeypatch, tmp_path, SessionOnlyStore(), dialog)
    rc, _sandbox = run_accounts(qloop, tmp_path, key="a-revoked-key", after=20.0)
    assert rc == 0  # the operator cancelled the sign-in: a normal exit
    assert len(dialog.calls) == 1
    call = dialog.calls[0]
    assert "refused the saved key" in call["notice"]
    assert call["prefill"].label == "Sandbox"

