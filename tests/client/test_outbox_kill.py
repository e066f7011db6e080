"""kill -9 mid-send: a real console process (outbox_child.py) is SIGKILLed while its POST is
inside the sandbox; a new client on the same database file sends the reply, and the server
holds it exactly once, whether the killed POST was stored or not."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import httpx
import pytest

from crisp_console.sandbox.server import Sandbox
from crisp_console.storage.outbox import InlineRunner
from tests.client.conftest import make_client, until
from tests.client.outbox_helpers import conversations, rows, stored
from tests.sandbox.conftest import HeldSleep

ROOT = Path(__file__).resolve().parents[2]


async def line(stream: asyncio.StreamReader) -> str:
    async with asyncio.timeout(30):
        return (await stream.readline()).decode().strip()


@pytest.mark.asyncio
@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
@pytest.mark.parametrize("fault", ["slow", "late_5xx"])
async def test_kill_9_mid_send_then_a_restart_sends_the_reply_exactly_once(
        sandbox: Sandbox, admin: httpx.AsyncClient, tmp_path: Path, fault: str) -> None:
    """``slow``: killed while its POST waits inside the server (the dead connection loses
    it: not stored). ``late_5xx``: the POST was stored and answered 503, and the process is
    killed while it reads before retrying."""
    path = tmp_path / "console.db"
    InlineRunner.open(path).close()  # the schema, before two processes open it
    (conv,) = conversations(sandbox, 1)
    info = sandbox.info()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CRISP_REST": info["rest"],
           "CRISP_IDENTIFIER": info["identifier"], "CRISP_KEY": info["key"],
           "OUTBOX_DB": str(path)}
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
        else:
            await admin.patch("faults", json={"error_rate": 1.0, "late_fraction": 1.0})
        child.stdin.write(f"{conv.session_id} killed mid-send\n".encode())
        await child.stdin.drain()
        assert await line(child.stdout) == "SENDING"
        if fault == "slow":
            await held.until_held(1)  # the POST is inside the server
        else:
            await until(lambda: stored(conv, "killed mid-send"), what="stored, then a 503")
        (row,) = await rows(path)
        assert row.state == "sending"
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
    await admin.post("faults/reset")
    assert len(stored(conv, "killed mid-send")) == (0 if fault == "slow" else 1)

    client = make_client(sandbox, database=InlineRunner.open(path))
    try:
        await client.start()  # resumes the outbox: the reply is read for, then sent
        assert await client.outbox.wait_sent() == 0
        assert stored(conv, "killed mid-send") == [(row.fingerprint, "killed mid-send")]
        assert client.sender.stats.posts == (1 if fault == "slow" else 0)
        assert await rows(path) == []
    finally:
        await client.aclose()
