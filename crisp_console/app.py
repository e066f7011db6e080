"""Composition root: QApplication on a qasync loop, the console, and the quit sequence.

Quitting is asynchronous and ordered: the window asks (close_requested), the console saves its
state, the client closes its socket, tasks and HTTP, and only then does the loop stop. No
nested event loop is ever started (dialogs use open(), never exec()).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys

import PySide6
import qasync
from PySide6.QtCore import QSettings, qVersion
from PySide6.QtWidgets import QApplication

from crisp_console import __version__, demo
from crisp_console.api import normalise_base_url
from crisp_console.client import ConsoleClient
from crisp_console.crash import CrashHandler, install_excepthook
from crisp_console.errors import CrispError, InsecureHostError
from crisp_console.log import default_log_dir, log_file, secret_filter, setup_logging
from crisp_console.settings import config_dir, load_preferences, preferences_path, state_dir
from crisp_console.types import Credentials
from crisp_console.ui.console import Console
from crisp_console.ui.default_commands import build_registry
from crisp_console.ui.keymap import keymap_path, load_keymap
from crisp_console.ui.theme import Theme
from crisp_console.ui.widgets.crash_dialog import CrashNotifier, open_log_folder

log = logging.getLogger("crisp_console")

DEFAULT_HOST = "https://api.crisp.chat"


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


async def run(rest: str, credentials: Credentials, args: argparse.Namespace,
              theme: Theme | None = None, crash: CrashHandler | None = None) -> int:
    prefs = load_preferences()
    registry = build_registry(single_key=prefs.single_key)
    keymap = load_keymap(registry)
    settings = QSettings(str(config_dir() / "window.ini"), QSettings.Format.IniFormat)
    client = ConsoleClient(rest, credentials)
    console = Console(client, prefs=prefs, registry=registry,
                      drafts_path=state_dir() / "drafts.json", settings=settings, theme=theme,
                      prefs_path=preferences_path(), keymap_path=keymap_path())
    window = console.window
    window.show()
    if crash is not None:
        crash.on_crash = CrashNotifier(window)  # a report without secrets, then a dialog
    console.registry.set_handler("help.log_folder", lambda: open_log_folder(
        (log_file() or default_log_dir() / "crisp-console.log").parent))
    console.notify([*prefs.warnings, *keymap.errors, *keymap.warnings])
    quit_requested = asyncio.Event()
    window.close_requested.connect(quit_requested.set)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, quit_requested.set)
    if args.quit_after is not None:
        loop.call_later(args.quit_after, quit_requested.set)
    rc = 0
    try:
        await console.start()
    except (CrispError, OSError, TimeoutError) as exc:
        log.error("could not connect: %s", exc)
        console.controller.message(f"Could not connect: {exc}", 0)
        rc = 1
    if rc == 0 or args.quit_after is None:
        await quit_requested.wait()
    if args.screenshot:
        window.grab().save(args.screenshot)
    print(f"crisp-console: {len(client.store.conversations)} conversations", flush=True)
    await console.aclose()
    return rc


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    setup_logging(logging.INFO)  # rotating file + stderr, every handler redacted
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
    secret_filter().add_credentials(credentials.identifier, credentials.key)
    try:
        existing = QApplication.instance()
        app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
        app.setApplicationName("crisp-console")
        app.setQuitOnLastWindowClosed(False)  # quitting waits for the async teardown
        theme = Theme(app)
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        crash = install_excepthook(versions={"Qt": qVersion(), "PySide6": PySide6.__version__},
                                   loop=loop, native=True)
        with loop:
            return loop.run_until_complete(run(rest, credentials, args, theme, crash))
    finally:
        if sandbox is not None:
            sandbox.stop()
