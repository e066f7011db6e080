"""The demo launcher: runs a sandbox in a child process for ``crisp-console --demo``.

The child is this same program re-executed with ``--run-sandbox``, so it works from a frozen
bundle too (there ``sys.executable`` is the bundle, not a Python interpreter). This module and
the tests are the only parts of the app allowed to import ``crisp_console.sandbox``.
"""

from __future__ import annotations

import contextlib
import json
import selectors
import subprocess
import sys
import time
from typing import cast

from crisp_console.types import SandboxInfo

CHILD_FLAG = "--run-sandbox"
# A calm, visible pace: about one visitor action every four seconds.
DEMO_SIMULATOR_RATE = 0.25


class SandboxStartError(RuntimeError):
    pass


def self_command() -> list[str]:
    if getattr(sys, "frozen", False):
        return [sys.executable]
    return [sys.executable, "-m", "crisp_console"]


def run_sandbox_child(argv: list[str]) -> int:
    """Entry point of the child process: the plain ``crisp-sandbox`` CLI."""
    from crisp_console.sandbox.cli import main as sandbox_main

    return sandbox_main(argv)


class DemoSandbox:
    """Starts the child, reads its JSON line, and stops it again."""

    def __init__(self, *, simulator_rate: float = DEMO_SIMULATOR_RATE,
                 extra_args: list[str] | None = None) -> None:
        self.args = ["--json", "--port", "0", "--quota", "0",
                     "--simulate", str(simulator_rate), *(extra_args or [])]
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> SandboxInfo:
        self.process = subprocess.Popen(  # noqa: S603 - our own executable and fixed flags
            [*self_command(), CHILD_FLAG, *self.args],
            stdout=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
        )
        try:
            line = self._first_line(timeout)
            info = json.loads(line)
            if not isinstance(info, dict) or "rest" not in info:
                raise ValueError(line)
        except (ValueError, TimeoutError) as exc:
            self.stop()
            raise SandboxStartError(f"the demo sandbox did not start: {exc}") from exc
        return cast(SandboxInfo, info)

    def _first_line(self, timeout: float) -> str:
        assert self.process is not None and self.process.stdout is not None
        out = self.process.stdout
        deadline = time.monotonic() + timeout
        buf = b""
        with selectors.DefaultSelector() as sel:
            sel.register(out, selectors.EVENT_READ)
            while b"\n" not in buf:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"no answer within {timeout:.0f}s")
                if not sel.select(remaining):
                    continue
                chunk = out.read1(4096)  # type: ignore[attr-defined]
                if not chunk:
                    raise ValueError(f"the sandbox exited (rc={self.process.wait()})")
                buf += chunk
        return buf.split(b"\n", 1)[0].decode()

    def stop(self, timeout: float = 5.0) -> None:
        proc, self.process = self.process, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()  # SIGTERM: the sandbox shuts down cleanly
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        with contextlib.suppress(OSError):
            if proc.stdout is not None:
                proc.stdout.close()
