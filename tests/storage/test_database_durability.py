"""A write whose future resolved is on disk: it survives a reopen, and a SIGKILL of the
process right after the future resolved (WAL, synchronous=FULL, commit before resolve)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from crisp_console.storage.database import DB_NAME, StorageMode, open_database
from tests.storage.dbutil import KEY, add_outbox, cipher, outbox, requires_sqlcipher

ROOT = Path(__file__).resolve().parents[2]


@requires_sqlcipher
def test_a_resolved_write_survives_a_reopen(tmp_path: Path) -> None:
    db = open_database(tmp_path, KEY, engine=cipher())
    db.write(lambda conn: add_outbox(conn, 3)).result()
    # A second connection sees it before the first closes: it is committed, not buffered.
    with open_database(tmp_path, KEY, engine=cipher()) as other:
        assert len(other.read(outbox).result()) == 3
    db.close()
    with open_database(tmp_path, KEY, engine=cipher()) as again:
        rows = again.read(outbox).result()
    assert [row["id"] for row in rows] == [1, 2, 3]


@requires_sqlcipher
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="no SIGKILL on this platform")
def test_rows_survive_a_sigkill_right_after_the_future_resolved(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("kill_child.py")), str(tmp_path), KEY,
         "25"], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert (tmp_path / f"{DB_NAME}-wal").exists()  # killed before any checkpoint
    with open_database(tmp_path, KEY, engine=cipher()) as again:
        assert again.mode is StorageMode.ENCRYPTED and again.notices == ()
        rows = again.read(outbox).result()
    assert [json.loads(row["body"])["n"] for row in rows] == list(range(25))
