"""Composition root: QApplication on a qasync loop, the window, and the quit sequence.

Until the service layer (issue 3) and the full console (issue 4) land, the live session here is
deliberately small: it lists the first conversations of each website over REST and shows the
RTM events as they arrive, with an honest connection state.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
from typing import Any

import qasync
from PySide6.QtWidgets import QApplication

from crisp_console import __version__, demo
from crisp_console.api import normalise_base_url
from crisp_console.client import ConnectionState, ConsoleClient
from crisp_console.core import Change, ChangeKind
from crisp_console.errors import CrispError, InsecureHostError
from crisp_console.log import install_secret_filter
from crisp_console.types import Credentials
from crisp_console.ui.theme import Theme
from crisp_console.ui.widgets.main_window import MainWindow

log = logging.getLogger("crisp_console")

DEFAULT_HOST = "https://api.crisp.chat"

STATUS = {
    ConnectionState.IDLE: "Starting…",
    ConnectionState.CONNECTING: "Connecting…",
    ConnectionState.AUTHENTICATING: "Authenticating…",
    ConnectionState.RECONNECTING: "Disconnected — reconnecting…",
    ConnectionState.UNAUTHORIZED: "Crisp refused the credentials; not reconnecting",
    ConnectionState.CLOSED: "Closed",
}


_BEFORE = {ChangeKind.INSERTING, ChangeKind.MOVING, ChangeKind.REMOVING}


class LiveView:
    """Feeds the interim window from the ConsoleClient: rows, live events, connection state.
    The three-pane console with real item models replaces it (issue 4)."""

    def __init__(self, client: ConsoleClient, window: MainWindow) -> None:
        self.client = client
        self.window = window
        self.events = 0
        self._queued = False
        client.add_event_listener(self._event)
        client.gateway.add_state_observer(self._state)

    def on_change(self, change: Change) -> None:
        # Rebuilding the plain list is O(n): coalesce a burst into one rebuild.
        if change.collection != "conversations" or change.kind in _BEFORE or self._queued:
            return
        self._queued = True
        asyncio.get_running_loop().call_later(0.1, self.refresh_rows)

    def refresh_rows(self) -> None:
        self._queued = False
        store = self.client.store
        rows = []
        for session_id in store.conversation_ids():
            conv = store.conversations[session_id]
            rows.append(f"[{conv.state}] {conv.nickname or 'visitor'} — {conv.last_message}")
        self.window.set_conversations(rows)

    def _state(self, state: ConnectionState) -> None:
        if state is ConnectionState.CONNECTED:
            count = len(self.client.store.conversations)
            self.window.set_status(f"Connected — {count} conversations listed")
        else:
            self.window.set_status(STATUS.get(state, state.name))

    def _event(self, name: str, payload: Any) -> None:
        self.events += 1
        detail = ""
        session_id = ""
        if isinstance(payload, dict):
            session_id = str(payload.get("session_id", ""))
            found = (payload.get(k) for k in ("content", "excerpt", "state", "availability",
                                               "visitors_count", "email"))
            detail = str(next((v for v in found if v not in (None, "")), ""))[:120]
        self.window.add_event(f"{name:28} {session_id[-12:]}  {detail}")


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="crisp-console", description="Crisp operator console.")
    p.add_argument("--demo", action="store_true",
                   help="start a local Crisp sandbox with simulated visitors and connect to it")
    p.add_argument("--host", default=None,
                   help=f"a Crisp-compatible REST host (default {DEFAULT_HOST}); credentials "
                   "come from CRISP_IDENTIFIER, CRISP_KEY and CRISP_TIER")
    p.add_argument("--quit-after", type=float, default=None, metavar="SECONDS",
                   help="quit by itself after SECONDS (smoke tests)")
    p.add_argument("--screenshot", default=None, metavar="PNG",
                   help="save a picture of the window when quitting")
    p.add_argument("--version", action="version", version=f"crisp-console {__version__}")
    return p.parse_args(argv)


def credentials_from_env() -> Credentials:
    identifier, key = os.environ.get("CRISP_IDENTIFIER"), os.environ.get("CRISP_KEY")
    if not identifier or not key:
        raise SystemExit("crisp-console: set CRISP_IDENTIFIER and CRISP_KEY (a plugin token "
                         "pair), or run with --demo")
    return Credentials(identifier, key, os.environ.get("CRISP_TIER", "plugin"))


async def run(rest: str, credentials: Credentials, args: argparse.Namespace) -> int:
    window = MainWindow()
    window.show()
    quit_requested = asyncio.Event()
    window.close_requested.connect(quit_requested.set)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, quit_requested.set)
    if args.quit_after is not None:
        loop.call_later(args.quit_after, quit_requested.set)
    client = ConsoleClient(rest, credentials)
    view = LiveView(client, window)
    refresh = client.store.subscribe(view.on_change)
    rc = 0
    try:
        await client.start()
        view.refresh_rows()
        view._state(client.connection_state)
    except (CrispError, OSError, TimeoutError) as exc:
        log.error("could not connect: %s", exc)
        window.set_status(f"Could not connect: {exc}")
        rc = 1
    if rc == 0 or args.quit_after is None:
        await quit_requested.wait()
    if args.screenshot:
        window.grab().save(args.screenshot)
    print(f"crisp-console: {len(client.store.conversations)} conversations, "
          f"{view.events} live events", flush=True)
    refresh()
    await client.aclose()
    window.hide()
    window.deleteLater()
    return rc


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request is noise
    sandbox: demo.DemoSandbox | None = None
    if args.demo:
        sandbox = demo.DemoSandbox()
        try:
            info = sandbox.start()
        except demo.SandboxStartError as exc:
            print(f"crisp-console: {exc}", file=sys.stderr)
            return 1
        rest, credentials = info["rest"], Credentials(info["identifier"], info["key"])
    else:
        credentials = credentials_from_env()
        rest = args.host or DEFAULT_HOST
        try:
            rest = normalise_base_url(rest)
        except InsecureHostError as exc:
            raise SystemExit(f"crisp-console: {exc}") from None
    install_secret_filter([credentials.key])
    try:
        existing = QApplication.instance()
        app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
        app.setApplicationName("crisp-console")
        app.setQuitOnLastWindowClosed(False)  # quitting waits for the async teardown
        Theme(app)
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        with loop:
            return loop.run_until_complete(run(rest, credentials, args))
    finally:
        if sandbox is not None:
            sandbox.stop()
