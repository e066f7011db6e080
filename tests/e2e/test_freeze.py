"""The issue's freeze, end to end: the whole console against a sandbox in a process of its
own, which is stopped with SIGSTOP (its sockets stay open, nothing answers) and resumed with
SIGCONT. The status bar and the banner say "Not responding" (never "Connected"), a reply
typed meanwhile waits and goes out, and after SIGCONT the console reconnects through a probe
of the relay or the reply's answer (not by waiting out a 60 s backoff) and the next live
message reaches the store and the thread. Keyboard only."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from crisp_console.client import ConnectionState, ConsoleClient
from crisp_console.client.local_ports import Reachable
from crisp_console.core import MessageStatus
from crisp_console.realtime import Backoff, Liveness, ReconnectPolicy
from crisp_console.settings import Preferences
from crisp_console.types import Credentials
from crisp_console.ui.console import Console
from crisp_console.ui.widgets.offline_banner import NOT_RESPONDING_TEXT
from crisp_console.ui.widgets.status_bar import NOT_RESPONDING
from tests.client.conftest import FAST
from tests.e2e.conftest import CANNED, focused, press, until
from tests.realtime.frozen import SandboxProcess, sandbox_process

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGSTOP")

ALT = Qt.KeyboardModifier.AltModifier

# Small thresholds keep the test short; the backoff is long on purpose: only a probe can
# bring the feed back before it ends.
FREEZE_CONFIG = replace(FAST, no_answer_after=1.0, reconnect=ReconnectPolicy(
    Backoff(first_delay=60.0, base=60.0, cap=60.0, jitter=0.0), connect_timeout=5.0,
    liveness=Liveness(ping_interval=0.2, stall_after=1.0, drop_after=2.0, probe_interval=0.3,
                      probe_timeout=0.5)))


@asynccontextmanager
async def console_on(sandbox: SandboxProcess, tmp_path: Path) -> AsyncIterator[Console]:
    info = sandbox.info
    client = ConsoleClient(sandbox.rest, Credentials(info["identifier"], info["key"]),
                           config=FREEZE_CONFIG)
    console = Console(client, prefs=Preferences(), drafts_path=tmp_path / "drafts.json",
                      settings=None, canned=CANNED, reachability=Reachable(client))
    try:
        window = console.window
        window.show()
        window.activateWindow()
        await console.start()
        await until(window.isActiveWindow, what="the window to be active")
        yield console
    finally:
        await console.aclose()


def test_a_frozen_crisp_is_not_responding_and_comes_back_through_a_probe(
        qloop: qasync.QEventLoop, tmp_path: Path) -> None:
    async def main() -> None:
        async with sandbox_process() as sandbox, console_on(sandbox, tmp_path) as console:
            bar, banner = console.panes.status_bar, console.panes.offline_banner
            gateway, store = console.client.gateway, console.client.store
            await until(lambda: bar.state_label.text() == "● Connected", what="Connected")
            press(focused(), Qt.Key.Key_Down, ALT)  # open the first conversation
            await until(lambda: console.controller.session_id is not None, what="opened")
            sid = console.controller.session_id
            assert sid is not None
            await until(lambda: store.timeline_loaded(sid), what="its timeline")

            sandbox.freeze()
            await until(lambda: bar.state_label.text() == NOT_RESPONDING, timeout=10,
                        what="Not responding")
            assert "No answer from Crisp" in bar.state_label.toolTip()
            assert banner.isVisible() and banner.text() == NOT_RESPONDING_TEXT
            editor = console.panes.composer.editor
            assert focused() is editor
            QTest.keyClicks(editor, "Sent while Crisp was frozen")
            press(editor, Qt.Key.Key_Return)  # kept: it goes out when Crisp answers
            await until(lambda: gateway.retry_at is not None, timeout=10,
                        what="the socket given up, a 60 s wait begun")
            assert bar.state_label.text() == NOT_RESPONDING  # still silent, not "Reconnecting"

            sandbox.thaw()
            await until(lambda: bar.state_label.text() == "● Connected", timeout=15,
                        what="Connected again")
            assert gateway.state is ConnectionState.CONNECTED
            # The 60 s wait was ended early: by a probe of the relay, or by the answer to the
            # reply's POST (a REST answer restarts the backoff), whichever came first.
            assert sum(gateway.shortcuts.values()) == 1
            assert set(gateway.shortcuts) <= {"probe", "rest"}
            await until(lambda: not banner.isVisible(), what="the banner gone")
            await until(lambda: [m.status for m in store.messages(sid)
                                 if m.content == "Sent while Crisp was frozen"]
                        == [MessageStatus.SENT], timeout=15,
                        what="the reply typed during the freeze, sent once")

            await sandbox.simulate(action="message", session_id=sid, text="Are you back?")
            await until(lambda: any(m.content == "Are you back?" for m in store.messages(sid)),
                        what="a live message after SIGCONT, in the store")
            await until(lambda: any(m.content == "Are you back?"
                                    for m in console.panes.thread.model.messages()),
                        what="and in the thread")

    qloop.run_until_complete(asyncio.wait_for(main(), 90))
