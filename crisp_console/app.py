"""Composition root: QApplication on a qasync loop, the window, and the quit sequence.

Until the service layer (issue 3) and the full console (issue 4) land, the live session here is
deliberately small: it lists the first conversations of each website over REST and shows the
RTM events as they arrive, with an honest connection state.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import logging
import os
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import qasync
import socketio
from PySide6.QtWidgets import QApplication

from crisp_console import __version__, demo
from crisp_console.ui.widgets.main_window import MainWindow

log = logging.getLogger("crisp_console")

DEFAULT_HOST = "https://api.crisp.chat"
LIVE_EVENTS = [
    "message:send", "message:received", "message:updated", "message:removed",
    "message:compose:send", "message:compose:receive", "session:set_state",
    "session:set_routing", "session:update_availability", "session:sync:pages",
    "website:update_visitors_count", "people:profile:created",
]


@dataclass(frozen=True)
class Account:
    rest: str  # base URL ending in /v1/
    identifier: str
    key: str
    tier: str = "plugin"

    def __repr__(self) -> str:  # the key never reaches logs or crash reports
        return f"Account(rest={self.rest!r}, identifier={self.identifier!r}, key=***)"


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def rest_base(host: str) -> str:
    if urlsplit(host).scheme != "https" and not is_loopback(host):
        raise SystemExit(f"crisp-console: refusing plain HTTP to {host}; use https://")
    base = host.rstrip("/")
    if not base.endswith("/v1"):
        base += "/v1"
    return base + "/"


class LiveSession:
    """REST snapshot plus RTM feed into the window. Replaced by ConsoleClient in issue 3."""

    def __init__(self, account: Account, window: MainWindow) -> None:
        self.account = account
        self.window = window
        self.http = httpx.AsyncClient(
            base_url=account.rest, timeout=10.0,
            auth=httpx.BasicAuth(account.identifier, account.key),
            headers={"X-Crisp-Tier": account.tier, "User-Agent": f"crisp-console/{__version__}"},
        )
        self.sio = socketio.AsyncClient(handle_sigint=False, reconnection=True)
        self.conversations = 0
        self.events = 0
        self.sio.on("connect", self._on_connect)
        self.sio.on("disconnect", self._on_disconnect)
        self.sio.on("authenticated", self._on_authenticated)
        self.sio.on("unauthorized", self._on_unauthorized)
        for name in LIVE_EVENTS:
            self.sio.on(name, self._handler(name))

    async def get(self, path: str, **params: Any) -> Any:
        resp = await self.http.get(path, params=params or None)
        body = resp.json()
        if resp.status_code >= 400 or body.get("error"):
            raise RuntimeError(f"{path}: {body.get('reason')} ({resp.status_code})")
        return body["data"]

    async def start(self) -> None:
        self.window.set_status(f"Connecting to {self.account.rest} …")
        websites = await self.get("plugin/connect/websites/all/1")
        rows: list[str] = []
        for site in websites:
            for conv in await self.get(f"website/{site['website_id']}/conversations/1",
                                       per_page=50):
                nickname = conv.get("meta", {}).get("nickname") or "visitor"
                rows.append(f"[{conv.get('state')}] {nickname} — {conv.get('last_message', '')}")
        self.conversations = len(rows)
        self.window.set_conversations(rows)
        endpoints = await self.get("plugin/connect/endpoints")
        rtm = urlsplit(endpoints["socket"]["app"])
        await self.sio.connect(f"{rtm.scheme}://{rtm.netloc}", socketio_path=rtm.path or "/",
                               transports=["websocket"], wait_timeout=10)

    def _auth_payload(self) -> dict[str, Any]:
        return {"username": self.account.identifier, "password": self.account.key,
                "tier": self.account.tier, "events": LIVE_EVENTS}

    async def _on_connect(self) -> None:
        # Authenticate on every (re)connect, as Crisp's RTM guide requires.
        self.window.set_status("Authenticating…")
        await self.sio.emit("authentication", self._auth_payload())

    async def _on_disconnect(self, *args: Any) -> None:
        self.window.set_status("Disconnected — reconnecting…")

    async def _on_authenticated(self, ok: Any = None) -> None:
        self.window.set_status(f"Connected — {self.conversations} conversations listed")

    async def _on_unauthorized(self, data: Any = None) -> None:
        message = data.get("message") if isinstance(data, dict) else data
        self.window.set_status(f"RTM refused the credentials: {message}")

    def _handler(self, name: str) -> Callable[[Any], Any]:
        def handle(data: Any = None) -> None:
            self.events += 1
            sid = data.get("session_id", "") if isinstance(data, dict) else ""
            detail = ""
            if isinstance(data, dict):
                found = (data.get(k) for k in ("content", "excerpt", "state", "availability",
                                               "visitors_count", "email"))
                detail = str(next((v for v in found if v not in (None, "")), ""))[:120]
            self.window.add_event(f"{name:28} {sid[-12:]}  {detail}")

        return handle

    async def aclose(self) -> None:
        with contextlib.suppress(Exception):
            await self.sio.shutdown()
        await self.http.aclose()


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


def account_from_env(host: str) -> Account:
    identifier, key = os.environ.get("CRISP_IDENTIFIER"), os.environ.get("CRISP_KEY")
    if not identifier or not key:
        raise SystemExit("crisp-console: set CRISP_IDENTIFIER and CRISP_KEY (a plugin token "
                         "pair), or run with --demo")
    return Account(rest_base(host), identifier, key, os.environ.get("CRISP_TIER", "plugin"))


async def run(account: Account, args: argparse.Namespace) -> int:
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
    session = LiveSession(account, window)
    rc = 0
    try:
        await session.start()
    except (httpx.HTTPError, RuntimeError, KeyError, socketio.exceptions.ConnectionError) as exc:
        log.error("could not connect: %s", exc)
        window.set_status(f"Could not connect: {exc}")
        rc = 1
    if rc == 0 or args.quit_after is None:
        await quit_requested.wait()
    if args.screenshot:
        window.grab().save(args.screenshot)
    print(f"crisp-console: {session.conversations} conversations, {session.events} live events",
          flush=True)
    await session.aclose()
    window.hide()
    window.deleteLater()
    return rc


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == [demo.CHILD_FLAG]:
        return demo.run_sandbox_child(argv[1:])
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
        account = Account(info["rest"], info["identifier"], info["key"], info["tier"])
    else:
        account = account_from_env(args.host or DEFAULT_HOST)
    try:
        existing = QApplication.instance()
        app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
        app.setApplicationName("crisp-console")
        app.setQuitOnLastWindowClosed(False)  # quitting waits for the async teardown
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        with loop:
            return loop.run_until_complete(run(account, args))
    finally:
        if sandbox is not None:
            sandbox.stop()
