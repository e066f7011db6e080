"""The window half of ``crisp-console --smoke-test`` (crisp_console/smoke.py runs the rest):
the real console connects to the demo sandbox, opens a conversation, sends a reply typed with
the keyboard and receives a visitor's answer over RTM. Qt stays in ui/ (architecture.md); the
sandbox is reached through the ``SandboxProbe`` the caller gives, never imported here.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

import qasync
from PySide6.QtCore import QMessageLogContext, Qt, QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from crisp_console.client import ConnectionState, ConsoleClient
from crisp_console.types import Credentials
from crisp_console.ui.console import Console

STEP_TIMEOUT = 20.0


class SandboxProbe(Protocol):
    """What the smoke test asks the sandbox, from outside the console."""

    async def has_reply(self, website_id: str, session_id: str, text: str) -> bool: ...

    async def visitor_says(self, session_id: str, text: str) -> None: ...


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


async def until_async(predicate: Callable[[], Awaitable[bool]], what: str,
                      within: float = STEP_TIMEOUT) -> None:
    deadline = time.monotonic() + within
    while not await predicate():
        if time.monotonic() > deadline:
            raise SmokeFailure(f"timed out after {within:.0f}s waiting for {what}")
        await asyncio.sleep(0.1)


async def exercise(info: Mapping[str, Any], steps: Steps, sandbox: SandboxProbe) -> None:
    """The window part, on the qasync loop."""
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
        await until(lambda: client.store.timeline_loaded(session_id)
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
        await until_async(lambda: sandbox.has_reply(website_id, session_id, reply),
                          "the sent reply to reach the sandbox")
        steps.done("the sandbox has it")

        steps.begin("receive")
        answer = f"Smoke test answer {uuid.uuid4().hex[:8]}"
        await sandbox.visitor_says(session_id, answer)
        timeline = console.panes.thread.model
        await until(lambda: any(m.content == answer for m in timeline.messages()),
                    "the visitor's answer to arrive over RTM in the thread")
        steps.done("the visitor's answer is in the thread")
    finally:
        await console.aclose()


def quiet_offscreen_notice() -> None:
    """The offscreen plugin warns whenever a window shows; that is noise, not a finding."""
    def handler(_kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
        if "does not support propagateSizeHints" not in message:
            print(message, file=sys.stderr, flush=True)

    qInstallMessageHandler(handler)


def run_window(info: Mapping[str, Any], steps: Steps, sandbox: SandboxProbe,
               timeout: float) -> None:
    """A QApplication on a qasync loop, then ``exercise``; SmokeFailure says what failed."""
    quiet_offscreen_notice()

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("crisp-console")
    app.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        try:
            loop.run_until_complete(asyncio.wait_for(exercise(info, steps, sandbox), timeout))
        except TimeoutError:
            raise SmokeFailure(f"the whole test took longer than {timeout:.0f}s") from None
