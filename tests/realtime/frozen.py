"""A sandbox in a process of its own (``crisp-sandbox --json``), which a test can freeze with
SIGSTOP and thaw with SIGCONT: the realistic freeze (its sockets stay open, the kernel still
accepts connections and buffers what arrives, nothing answers)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]


class SandboxProcess:
    def __init__(self, proc: asyncio.subprocess.Process, info: dict[str, Any]) -> None:
        self.proc = proc
        self.info = info
        self.frozen = False

    @property
    def rest(self) -> str:
        return str(self.info["rest"])

    @property
    def rtm(self) -> str:
        return str(self.info["rtm"])

    def freeze(self) -> None:
        os.kill(self.proc.pid, signal.SIGSTOP)
        self.frozen = True

    def thaw(self) -> None:
        os.kill(self.proc.pid, signal.SIGCONT)
        self.frozen = False

    def admin(self) -> httpx.AsyncClient:
        """A client of its admin routes (only while it is thawed: they answer from it)."""
        return httpx.AsyncClient(base_url=str(self.info["admin"]),
                                 headers={"X-Sandbox-Token": str(self.info["admin_token"])},
                                 timeout=10.0)

    async def simulate(self, **body: Any) -> dict[str, Any]:
        """``POST /_sandbox/simulate``: one visitor action now (its RTM events go out)."""
        async with self.admin() as admin:
            answer = await admin.post("simulate", json=body)
            assert answer.status_code == 200, answer.text
            data: dict[str, Any] = answer.json()["data"]
            return data


@contextlib.asynccontextmanager
async def sandbox_process(*args: str) -> AsyncIterator[SandboxProcess]:
    """Start ``python -m crisp_console.sandbox --json --port 0`` (strict profile, a small
    world); it is thawed, stopped and reaped on the way out."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "crisp_console.sandbox", "--json", "--port", "0",
        "--conversations", "20", "--quota", "0", *args, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL)
    assert proc.stdout is not None
    running = SandboxProcess(proc, {})
    try:
        async with asyncio.timeout(30):
            line = await proc.stdout.readline()
        running.info = json.loads(line)
        yield running
    finally:
        if running.frozen:
            running.thaw()
        if proc.returncode is None:
            proc.terminate()
            try:
                async with asyncio.timeout(15):
                    await proc.wait()
            except TimeoutError:
                proc.kill()
                await proc.wait()
