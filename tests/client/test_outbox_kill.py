"""kill -9 mid-send: a real console process (outbox_child.py, on the encrypted Database the
app uses) is SIGKILLed while its POST is inside the sandbox, after it was stored and answered
503, or while the server is down; a new client on the same file sends the reply, and the
server holds it exactly once."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import sys
from pathlib import Path

import httpx
import pytest

from crisp_console.sandbox.server import Sandbox
from crisp_console.storage.database import open_database
from crisp_console.storage.engine import default_engine
from crisp_console.storage.outbox import OutboxItem, unsent
from tests.client.conftest import make_client, until
from tests.client.outbox_helpers import conversations, stored
from tests.sandbox.conftest import HeldSleep

ROOT = Path(__file__).resolve().parents[2]


def rows(folder: Path, key: str) -> list[OutboxItem]:
    """The outbox as another process reads it, beside the writer (WAL)."""
    conn = default_engine().connect(folder / "console.db", key=key, read_only=True)
    try:
        return unsent(conn)
    finally:
        conn.close()


async def line(stream: asyncio.StreamReader) -> str:
    async with asyncio.timeout(30):
        return (await stream.readline()).decode().strip()


@pytest.mark.asyncio
@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
@pytest.mark.parametrize("fault", ["slow", "late_5xx", "down"])
async def test_kill_9_mid_send_then_a_restart_sends_the_reply_exactly_once(
        sandbox: Sandbox, admin: httpx.AsyncClient, tmp_path: Path, fault: str) -> None:
    """``slow``: killed while its POST waits inside the server (the dead connection loses
    it: not stored). ``late_5xx``: the POST was stored and answered 503, and the process is
    killed while it reads before retrying. ``down``: the server stops answering; the reply
    waits, queued, and the process is killed; the server comes back before the restart."""
    folder, key = tmp_path / "account", secrets.token_hex(32)
    open_database(folder, key).close()  # the schema, before two processes open it
    (conv,) = conversations(sandbox, 1)
    info = sandbox.info()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CRISP_REST": info["rest"],
           "CRISP_IDENTIFIER": info["identifier"], "CRISP_KEY": info["key"],
           "OUTBOX_DIR": str(folder), "OUTBOX_KEY": key}
    child = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "tests" / "client" / "outbox_child.py"), env=env,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
    assert child.stdin is not None and child.stdout is not None
    held = HeldSleep()
    identifier = info["identifier"]
    try:
        assert await line(child.stdout) == "READY"
        if fault == "slow":
            sandbox.faults.sleep = held
            await admin.patch("faults", json={"latency_ms": 1})
        elif fault == "late_5xx":
            await admin.patch("faults", json={"error_rate": 1.0, "late_fraction": 1.0})
        else:
            await sandbox.stop()
        child.stdin.write(f"{conv.session_id} killed mid-send\n".encode())
        await child.stdin.drain()
        assert await line(child.stdout) == "SENDING"
        if fault == "slow":
            await held.until_held(1)  # the POST is inside the server
        elif fault == "late_5xx":
            await until(lambda: stored(conv, "killed mid-send"), what="stored, then a 503")
        else:  # queued (its probes may make it "sending" again for a moment)
            await until(lambda: [r.state for r in rows(folder, key)] == ["queued"],
                        what="the reply queued")
        (row,) = rows(folder, key)
        # Only the record is awaited before the POST; its "sending" mark is written behind
        # it. Whatever the mark, a resumed reply is read for before it is posted again.
        assert row.state in ("queued", "sending")
        child.send_signal(signal.SIGKILL)
        assert await child.wait() == -signal.SIGKILL
    finally:
        if child.returncode is None:
            child.kill()
            await child.wait()
    if fault == "slow":
        used = sandbox.faults.quota(identifier)["used"]
        held.release()  # its connection is gone: the server cannot read the body
        await until(lambda: sandbox.faults.quota(identifier)["used"] == used + 1,
                    what="the held POST given up")
    if fault == "down":
        await sandbox.start()  # back, on the same port
    await admin.post("faults/reset")
    assert len(stored(conv, "killed mid-send")) == (1 if fault == "late_5xx" else 0)

    db = open_database(folder, key)
    client = make_client(sandbox, database=db)
    try:
        await client.start()  # resumes the outbox: the reply is read for, then sent
        assert await client.outbox.wait_sent() == 0
        assert stored(conv, "killed mid-send") == [(row.fingerprint, "killed mid-send")]
        assert client.sender.stats.posts == (0 if fault == "late_5xx" else 1)
        await client.outbox.flush()  # its state writes are queued, not awaited
        assert rows(folder, key) == []
    finally:
        await client.aclose()
        db.close()
