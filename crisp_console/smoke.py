"""``crisp-console --smoke-test``: does this installation work? One line per step, then rc.

It runs what a support person's first minute runs, with the real pieces: the keyring backends
load; the demo sandbox starts as a child (this same program or bundle re-executed, like
``--demo``); the real window connects over REST and RTM and lists conversations; a reply typed
into the composer and sent with the key reaches the sandbox; a visitor's answer comes back over
RTM into the open thread. Offscreen unless ``QT_QPA_PLATFORM`` says otherwise (xcb under Xvfb).
Exit 0 when every step passed, else 1 with ``smoke: FAILED <step>: <reason>`` as the last line.
Nothing is written to the user's settings, drafts or keyring.
"""

from __future__ import annotations

import argparse
import faulthandler
import importlib
import os
import sys
import traceback
from collections.abc import Mapping
from typing import Any

import httpx

from crisp_console.api import CrispApi
from crisp_console.types import Credentials
from crisp_console.ui.smoke_window import STEP_TIMEOUT, SmokeFailure, Steps, run_window

__all__ = ["SmokeFailure", "check_keyring", "main"]

DEFAULT_TIMEOUT = 60.0
# The modules a bundle must carry so that a real keyring can be used on this platform.
KEYRING_MODULES = {
    "linux": ("keyring.backends.SecretService", "keyring.backends.kwallet",
              "keyring.backends.chainer", "keyring.backends.fail", "secretstorage", "jeepney"),
    "darwin": ("keyring.backends.macOS", "keyring.backends.chainer", "keyring.backends.fail"),
    "win32": ("keyring.backends.Windows", "keyring.backends.chainer", "keyring.backends.fail",
              "win32ctypes"),
}


def check_keyring() -> str:
    """The platform's backend modules import, and which backend is active (any may be: a
    chroot or CI machine has no D-Bus session, so ``fail.Keyring`` is not an error here)."""
    missing = []
    for name in KEYRING_MODULES.get(sys.platform, ("keyring.backends.fail",)):
        try:
            importlib.import_module(name)
        except ImportError as exc:
            missing.append(f"{name} ({exc})")
    if missing:
        raise SmokeFailure(f"keyring backend modules missing: {', '.join(missing)}")
    import keyring
    import keyring.backend

    backends = sorted(f"{type(b).__module__}.{type(b).__name__}"
                      for b in keyring.backend.get_all_keyring())
    active = keyring.get_keyring()
    return (f"active {type(active).__module__}.{type(active).__name__}; "
            f"{len(backends)} viable: {', '.join(backends) or 'none'}")



class SandboxOverHttp:
    """The sandbox seen from outside the console: its /v1 API, as any other client sees it,
    and its admin API to make the visitor answer."""

    def __init__(self, info: Mapping[str, Any]) -> None:
        self.info = info

    async def has_reply(self, website_id: str, session_id: str, text: str) -> bool:
        credentials = Credentials(self.info["identifier"], self.info["key"])
        async with CrispApi(self.info["rest"], credentials) as api:
            batch = await api.get_messages(website_id, session_id)
        return any(m.get("content") == text and m.get("from") == "operator" for m in batch)

    async def visitor_says(self, session_id: str, text: str) -> None:
        async with httpx.AsyncClient(timeout=STEP_TIMEOUT) as http:
            response = await http.post(
                self.info["admin"] + "simulate",
                json={"action": "message", "session_id": session_id, "text": text},
                headers={"X-Sandbox-Token": self.info["admin_token"]})
        if response.status_code != 200:
            raise SmokeFailure(f"the sandbox refused to simulate: {response.text[:200]}")


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="crisp-console --smoke-test",
                                description="Check that this installation works, end to end.")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                   help=f"give up after SECONDS (default {DEFAULT_TIMEOUT:.0f})")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    # A hang anywhere (even in C) still ends the process, with the stacks on stderr.
    faulthandler.dump_traceback_later(args.timeout + 15, exit=True)
    steps = Steps(lambda line: print(line, flush=True))
    from crisp_console import __version__, demo

    print(f"smoke: crisp-console {__version__}, Python {sys.version.split()[0]}, "
          f"QT_QPA_PLATFORM={os.environ['QT_QPA_PLATFORM']}", flush=True)
    sandbox: demo.DemoSandbox | None = None
    try:
        steps.begin("keyring")
        steps.done(check_keyring())
        steps.begin("sandbox")
        sandbox = demo.DemoSandbox(simulator_rate=0)
        try:
            info = sandbox.start(timeout=min(STEP_TIMEOUT * 2, args.timeout))
        except demo.SandboxStartError as exc:
            raise SmokeFailure(str(exc)) from None
        steps.done(info["rest"])
        remaining = max(1.0, args.timeout - steps.total())
        run_window(info, steps, SandboxOverHttp(info), remaining)
    except SmokeFailure as exc:
        print(f"smoke: FAILED {steps.current}: {exc}", flush=True)
        return 1
    except Exception as exc:  # noqa: BLE001 - any other error is a failed step, said in one line
        traceback.print_exc()  # the details on stderr; the verdict stays one line on stdout
        print(f"smoke: FAILED {steps.current}: {type(exc).__name__}: {exc}", flush=True)
        return 1
    finally:
        if sandbox is not None:
            sandbox.stop()
        faulthandler.cancel_dump_traceback_later()
    print(f"smoke: passed in {steps.total():.2f}s", flush=True)
    return 0
