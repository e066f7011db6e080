"""A start-up that fails says why in words: the step and the typed error behind it (a refused
token, a spent daily quota with its reset in local time), above the list and in the status
bar; with a saved account, a refused key brings the sign-in dialog back with the refusal
(test_accounts_start.py). The sandbox, the client and the console are real."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import qasync

from crisp_console import app
from crisp_console.sandbox.config import FaultConfig
from crisp_console.sandbox.server import Sandbox
from crisp_console.types import Credentials
from crisp_console.ui.console import Console
from tests.sandbox.conftest import make_config


def run_env(loop: qasync.QEventLoop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *,
            key: str | None = None, **config: Any) -> tuple[int, list[str], Sandbox]:
    """``app.run`` as with environment credentials (no saved account), against a fresh
    sandbox; returns its rc and the words the console showed for the failed start."""
    shown: list[str] = []
    start_failed = Console.start_failed

    def record(self: Console, words: str) -> None:
        shown.append(words)
        start_failed(self, words)

    monkeypatch.setattr(Console, "start_failed", record)
    monkeypatch.setattr(app, "config_dir", lambda: tmp_path)
    monkeypatch.setattr(app, "state_dir", lambda: tmp_path)

    async def main() -> tuple[int, Sandbox]:
        sandbox = Sandbox(make_config(**config))
        await sandbox.start()
        try:
            info = sandbox.info()
            shell = app.Shell(app.parse_args(["--quit-after", "30"]))
            credentials = Credentials(info["identifier"], key or info["key"])
            rc, _ending = await asyncio.wait_for(app.run(info["rest"], credentials, shell), 60)
            return rc, sandbox
        finally:
            await sandbox.stop()

    rc, sandbox = loop.run_until_complete(main())
    return rc, shown, sandbox


def test_a_refused_token_is_said_with_its_step(qloop: qasync.QEventLoop, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    rc, shown, _ = run_env(qloop, tmp_path, monkeypatch, key="a-revoked-key")
    assert rc == 1
    assert len(shown) == 1 and shown[0].startswith(
        "Could not check the token: Crisp refused the token (")


def test_a_spent_quota_at_start_says_when_it_resets(qloop: qasync.QEventLoop, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    rc, shown, sandbox = run_env(qloop, tmp_path, monkeypatch,
                                 faults=FaultConfig(daily_quota=1))
    assert rc == 1 and len(shown) == 1
    resets = sandbox.faults.quota(sandbox.info()["identifier"])["resets_at"]
    local = datetime.fromtimestamp(resets / 1000, UTC).astimezone().strftime("%H:%M")
    assert shown[0].startswith("Could not ")
    assert shown[0].endswith(f": daily API quota spent, resets at {local}.")
