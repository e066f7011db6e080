"""A normal start (no --demo, no environment token): the saved active account connects with
its key from the keyring, and a key the server refuses brings the sign-in dialog back with
the reason; so does an account saved with a website token, before any request. The keyring
is an in-memory store and the dialog a stand-in; the sandbox, the client and the console are
real. With environment credentials, CRISP_TIER=website stops with the same words."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import pytest
import qasync

from crisp_console import app, tail
from crisp_console.credentials import SessionOnlyStore
from crisp_console.log import setup_logging
from crisp_console.sandbox.server import Sandbox
from crisp_console.storage.accounts import Account, AccountBook
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
    monkeypatch.setattr(app, "keyring_store", lambda: store)
    monkeypatch.setattr(app, "run_sign_in", dialog)


def run_accounts(loop: qasync.QEventLoop, tmp_path: Path, key: str | None,
                 after: float, tier: str = "plugin") -> tuple[int, Sandbox]:
    """Save an account for a fresh sandbox (whose token has ``tier``) with ``key`` (None: the
    right one), run."""
    async def main() -> tuple[int, Sandbox]:
        sandbox = Sandbox(make_config(tier=tier))
        await sandbox.start()
        try:
            info = sandbox.info()
            book = AccountBook(tmp_path / "accounts.json")
            book.add(Account(info["identifier"], tier, info["rest"], "Sandbox"))
            book.save()
            store = app.keyring_store()
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


def test_quit_after_zero_still_starts_and_lists_first(
        qloop: qasync.QEventLoop, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # --quit-after (smoke runs) is not a signal: the console connects, then quits.
    start(monkeypatch, tmp_path, SessionOnlyStore(), Dialog())
    rc, _sandbox = run_accounts(qloop, tmp_path, key=None, after=0.0)
    assert rc == 0
    assert int(capsys.readouterr().out.split("crisp-console: ")[1].split()[0]) > 0


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
    # The refusal itself, in the client's words: the step and what Crisp answered.
    assert "Could not check the token: Crisp refused the token (" in call["notice"]
    assert call["notice"].endswith("Sign in again.")
    assert call["prefill"].label == "Sandbox"



def test_a_saved_website_account_brings_the_sign_in_with_the_reason(
        qloop: qasync.QEventLoop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """An accounts.json from an earlier version, with a website token and its key saved: the
    dialog explains, and no console starts with it."""
    dialog = Dialog()
    start(monkeypatch, tmp_path, SessionOnlyStore(), dialog)
    rc, sandbox = run_accounts(qloop, tmp_path, key=None, after=20.0, tier="website")
    assert rc == 0  # the operator cancelled the sign-in: a normal exit
    (call,) = dialog.calls
    assert call["prefill"].tier == "website" and call["prefill"].label == "Sandbox"
    assert "uses a website token; crisp-console needs a plugin token because" in call["notice"]
    assert "conversations" not in capsys.readouterr().out  # no console ran
    # The sandbox counts what its token tier let in: nothing was asked as a website token.
    assert sandbox.faults.quota(sandbox.info()["identifier"])["used"] == 0


@pytest.mark.parametrize("tier", ["website", "user"])
def test_crisp_tier_other_than_plugin_stops_with_the_reason(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        tier: str) -> None:
    monkeypatch.setenv("CRISP_IDENTIFIER", "some-identifier")
    monkeypatch.setenv("CRISP_KEY", "some-key-0123456789")
    monkeypatch.setenv("CRISP_TIER", tier)
    with pytest.raises(SystemExit, match=f"CRISP_TIER={tier} uses .*needs a plugin token"):
        app.credentials_from_env()
    assert tail.main([]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"crisp-console tail: CRISP_TIER={tier} uses")
    assert "Tokens → Production" in err and "Leave CRISP_TIER unset" in err
    for ok in ("plugin", ""):
        monkeypatch.setenv("CRISP_TIER", ok)
        credentials = app.credentials_from_env()
        assert credentials is not None and credentials.tier == "plugin"
