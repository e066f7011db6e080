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
import asyncio
import faulthandler
import importlib
import os
import sys
import time
import traceback
import uuid
from collections.abc import Callable
from typing import Any

DEFAULT_TIMEOUT = 60.0
STEP_TIMEOUT = 20.0
# The modules a bundle must carry so that a real keyring can be used on this platform.
KEYRING_MODULES = {
    "linux": ("keyring.backends.SecretService", "keyring.backends.kwallet",
              "keyring.backends.chainer", "keyring.backends.fail", "secretstorage", "jeepney"),
    "darwin": ("keyring.backends.macOS", "keyring.backends.chainer", "keyring.backends.fail"),
    "win32": ("keyring.backends.Windows", "keyring.backends.chainer", "keyring.backends.fail",
              "win32ctypes"),
}


class SmokeFailure(Exception):
    """A step failed; the message is the one-line reason."""


class Steps:
    """Prints ``smoke: <step> ok (<detail>) <seconds>`` as each step ends."""

    def __init__(self, out: Callable[[str], None]) -> None:
        self.out = out
        self.started = time.monotonic()
        self.current = "start"
        self._step_started = self.started

    def begin(self, name: str) -> None:
        self.current = name
        self._step_started = time.monotonic()

    def done(self, detail: str = "") -> None:
        took = time.monotonic() - self._step_started
        self.out(f"smoke: {self.current} ok{f' ({detail})' if detail else ''} {took:.2f}s")

    def total(self) -> float:
        return time.monotonic() - self.started


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


def process_age() -> float | None:
    """Seconds since this process started (Linux), to report start-up to a shown window."""
    try:
        with open("/proc/self/stat") as f:
            start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as f:
            uptime = float(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return uptime - start_ticks / os.sysconf("SC_CLK_TCK")


async def until(predicate: Callable[[], object], what: str, within: float = STEP_TIMEOUT) -> None:
    deadline = time.monotonic() + within
    while not predicate():
        if time.monotonic() > deadline:
            raise SmokeFailure(f"timed out after {within:.0f}s waiting for {what}")
        await asyncio.sleep(0.02)


async def exercise(info: dict[str, Any], steps: Steps) -> None:
    """The window part, on the qasync loop; Qt is imported only once we get here."""
    import httpx
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtTest import QTest

    from crisp_console.client import ConnectionState, ConsoleClient
    from crisp_console.types import Credentials
    from crisp_console.ui.console import Console

    steps.begin("window")
    client = ConsoleClient(info["rest"], Credentials(info["identifier"], info["key"]))
    console = Console(client, drafts_path=None, settings=None)
    try:
        window = console.window
        window.resize(1280, 800)
        window.show()
        await until(window.isVisible, "the window to show")
        age = process_age()
        shown = f", shown {age:.2f}s after the process started" if age is not None else ""
        steps.done(f"platform {QGuiApplication.platformName()}{shown}")

        steps.begin("connect")
        await asyncio.wait_for(console.start(), STEP_TIMEOUT)
        await until(lambda: client.connection_state is ConnectionState.CONNECTED,
                    "the RTM socket to connect")
        lp = console.panes.list_pane
        lp.flush()
        await until(lambda: lp.model.rowCount() > 0, "conversations in the list")
        steps.done(f"{lp.model.rowCount()} conversations listed")

        steps.begin("open")
        session_id = lp.model.session_id_at(0)
        console.controller.jump_to(session_id)
        await until(lambda: session_id in client.loaded_timelines
                    and console.controller.session_id == session_id, "the conversation to open")
        website_id = client.store.conversations[session_id].website_id
        steps.done(session_id)

        steps.begin("send")
        reply = f"Smoke test reply {uuid.uuid4().hex[:8]}"
        editor = console.panes.composer.editor
        editor.setFocus()
        QTest.keyClicks(editor, reply)
        QTest.keyClick(editor, Qt.Key.Key_Return)
        await until(lambda: editor.toPlainText() == "", "the composer to send")
        arrived = False
        deadline = time.monotonic() + STEP_TIMEOUT
        while not arrived:  # ask the server over REST, as any other client would see it
            batch = await client.api.get_messages(website_id, session_id)
            arrived = any(m.get("content") == reply and m.get("from") == "operator"
                          for m in batch)
            if not arrived:
                if time.monotonic() > deadline:
                    raise SmokeFailure("the sent reply never reached the sandbox")
                await asyncio.sleep(0.1)
        steps.done("the sandbox has it")

        steps.begin("receive")
        answer = f"Smoke test answer {uuid.uuid4().hex[:8]}"
        async with httpx.AsyncClient(timeout=STEP_TIMEOUT) as http:
            response = await http.post(info["admin"] + "simulate", json={
                "action": "message", "session_id": session_id, "text": answer})
        if response.status_code != 200:
            raise SmokeFailure(f"the sandbox refused to simulate: {response.text[:200]}")
        timeline = console.panes.thread.model
        await until(lambda: any(m.content == answer for m in timeline.messages()),
                    "the visitor's answer to arrive over RTM in the thread")
        steps.done("the visitor's answer is in the thread")
    finally:
        await console.aclose()


def quiet_offscreen_notice() -> None:
    """The offscreen plugin warns whenever a window shows; that is noise, not a finding."""
    from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

    def handler(_kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
        if "does not support propagateSizeHints" not in message:
            print(message, file=sys.stderr, flush=True)

    qInstallMessageHandler(handler)


def run_window(info: dict[str, Any], steps: Steps, timeout: float) -> None:
    import qasync
    from PySide6.QtWidgets import QApplication

    quiet_offscreen_notice()

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("crisp-console")
    app.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        try:
            loop.run_until_complete(asyncio.wait_for(exercise(info, steps), timeout))
        except TimeoutError:
            raise SmokeFailure(f"the whole test took longer than {timeout:.0f}s") from None


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
        run_window(dict(info), steps, remaining)
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
