"""Composition root: QApplication on a qasync loop, the console, and the quit sequence.

Who the console runs as: ``--demo`` (a local sandbox), a token pair in the environment, or
else the saved active account (ui/accounts_flow.py), with the sign-in dialog when there is
none; switching accounts or signing out closes that console and starts the next one.

Quitting is asynchronous and ordered: the window asks (close_requested), the console's quit
guard asks the operator when replies or actions are not sent yet (quit_guard.confirmed), the
console saves its state, the client closes its socket, tasks and HTTP, and only then does the
loop stop. No nested event loop is ever started (dialogs use open(), never exec()).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

import PySide6
import qasync
from PySide6.QtCore import QSettings, qVersion
from PySide6.QtWidgets import QApplication

import crisp_console
from crisp_console import demo
from crisp_console.api import normalise_base_url
from crisp_console.client import ConsoleClient
from crisp_console.client.config import ClientConfig
from crisp_console.client.local import close_local, erase_local, open_local
from crisp_console.client.local_ports import (
    DatabaseSavedViews,
    DatabaseViewMemory,
    LocalStorage,
    OutboxUnsent,
    Reachable,
)
from crisp_console.client.signin import env_tier_problem
from crisp_console.client.tasks import TaskOwner
from crisp_console.crash import CrashHandler, install_excepthook
from crisp_console.credentials import CredentialStore, SecretStore
from crisp_console.credentials.pin import FILE_NAME as KEYRING_PIN
from crisp_console.credentials.pin import BackendPin
from crisp_console.errors import AuthError, CrispError, InsecureHostError
from crisp_console.log import default_log_dir, log_file, secret_filter, setup_logging
from crisp_console.settings import (
    config_dir,
    databases_dir,
    keymap_path,
    preferences_path,
    state_dir,
)
from crisp_console.storage.accounts import DEFAULT_HOST, PLUGIN_TIER, Account, AccountBook
from crisp_console.storage.accounts import FILE_NAME as ACCOUNTS_FILE
from crisp_console.storage.database import StorageMode
from crisp_console.storage.preferences import load_preferences
from crisp_console.types import Credentials
from crisp_console.ui.about_on_demand import AboutOnDemand
from crisp_console.ui.account_info import AccountName
from crisp_console.ui.accounts_flow import (
    Accounts,
    Ending,
    Next,
    Session,
    wire_account_commands,
)
from crisp_console.ui.default_commands import build_registry
from crisp_console.ui.failure_words import describe
from crisp_console.ui.first_frame import (
    build_first_frame,
    read_first_screen,
    show_cached_first,
    show_cached_rest,
)
from crisp_console.ui.first_paint import show_painted, since_process_start
from crisp_console.ui.gap_quit import GapQuit
from crisp_console.ui.keymap import load_keymap
from crisp_console.ui.last_view import SettingsViewMemory
from crisp_console.ui.main_thread_gc import MainThreadGC
from crisp_console.ui.native_background import NativeBackground
from crisp_console.ui.theme import Theme
from crisp_console.ui.widgets.crash_dialog import CrashNotifier, open_log_folder
from crisp_console.ui.widgets.sign_in_dialog import run_sign_in

log = logging.getLogger("crisp_console")

MB = 1_000_000  # Preferences.cache_cap_mb counts decimal megabytes


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="crisp-console", description="Crisp operator console.")
    p.add_argument("--demo", action="store_true",
                   help="start a local Crisp sandbox with simulated visitors and connect to it")
    p.add_argument("--host", default=None,
                   help=f"with CRISP_IDENTIFIER and CRISP_KEY set (a plugin token): a "
                   f"Crisp-compatible REST host (default {DEFAULT_HOST}); without them the "
                   "console signs in with the saved account or asks")
    p.add_argument("--quit-after", type=float, default=None, metavar="SECONDS",
                   help="quit by itself after SECONDS (smoke tests)")
    p.add_argument("--screenshot", default=None, metavar="PNG",
                   help="save a picture of the window when quitting")
    p.add_argument("--version", action=VersionAction)
    return p.parse_args(argv)


class VersionAction(argparse.Action):
    """``--version``, as argparse's own, but the version is read only when asked for (it
    comes from the installed metadata, which the first frame does without)."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help="show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        print(f"crisp-console {crisp_console.__version__}")  # to stdout, as argparse's
        parser.exit()


def keyring_store() -> CredentialStore:
    """The OS keyring, asking first the backend that held the secrets last run (pin.py)."""
    return CredentialStore(pin=BackendPin(config_dir() / KEYRING_PIN))


def credentials_from_env() -> Credentials | None:
    """A plugin token pair from CRISP_IDENTIFIER/CRISP_KEY (scripts, kiosks); None when unset.
    CRISP_TIER may be unset or plugin; anything else stops here, saying why (SystemExit)."""
    identifier, key = os.environ.get("CRISP_IDENTIFIER"), os.environ.get("CRISP_KEY")
    if not identifier or not key:
        return None
    problem = env_tier_problem(os.environ.get("CRISP_TIER"))
    if problem:
        raise SystemExit(f"crisp-console: {problem}")
    return Credentials(identifier, key, PLUGIN_TIER)


@dataclass
class Shell:
    """What lives across consoles (an account switch builds a new console): the Qt app's
    theme, the crash handler, and the quit request of SIGINT/SIGTERM/--quit-after."""

    args: argparse.Namespace
    theme: Theme | None = None
    crash: CrashHandler | None = None
    quit_requested: asyncio.Event = field(default_factory=asyncio.Event)
    interrupted: bool = False  # SIGINT/SIGTERM: a quit that does not wait to connect first
    collector: MainThreadGC | None = None  # freezes what start-up loaded (main_thread_gc.py)

    def interrupt(self) -> None:
        self.interrupted = True
        self.quit_requested.set()


async def run(rest: str, credentials: Credentials, shell: Shell,
              accounts: Accounts | None = None,
              account: Account | None = None) -> tuple[int, Ending]:
    """One console until it is closed or asks for another account."""
    args = shell.args
    prefs = load_preferences(preferences_path())
    tasks = TaskOwner()  # the ui's own: the console cancels and awaits it when it closes
    registry = build_registry(single_key=prefs.single_key, tasks=tasks)
    keymap = load_keymap(registry)
    settings = QSettings(str(config_dir() / "window.ini"), QSettings.Format.IniFormat)
    # The demo's sandbox is new each run: its data is kept in memory only.
    local = await open_local(None if args.demo else databases_dir(), rest,
                             credentials.identifier,
                             accounts.store if accounts is not None else keyring_store())
    # The cache's cap as the preferences say at start (a change applies at the next start).
    config = ClientConfig(cache_cap_bytes=prefs.cache_cap_mb * MB)
    client = ConsoleClient(rest, credentials, config=config, database=local.database,
                           cache=local.database, index=local.search)
    in_memory = local.database.mode is StorageMode.MEMORY
    # In memory only the view is kept in window.ini, as before.
    view_memory = SettingsViewMemory(settings) if in_memory else DatabaseViewMemory(client)
    reachability = Reachable(client)
    first_screen = await read_first_screen(client)  # read while the window is built
    # The first frame: the window, the saved inbox in the list (no request; the network
    # stack is not even imported yet: it loads with console.start()'s first request), and
    # stand-ins for the rest, painted before the rest is imported and built.
    frame = build_first_frame(client, registry, settings=settings, saved=client.saved_data,
                              reachability=reachability)
    window = frame.window
    if account is not None:
        window.setWindowTitle(f"{window.windowTitle()} — {account.display_name}")
    NativeBackground(window)  # X11 fills it with the theme's colour until the first paint
    gap = GapQuit(window)  # a close asked for before the console can ask back
    await show_cached_first(frame, client, view_memory.get, first_screen)
    await show_painted(window)
    if shell.collector is not None:
        shell.collector.freeze()  # the first frame and its rows live on too
    QApplication.setApplicationVersion(crisp_console.__version__)  # read once painted
    log.info("start-up: first frame painted, %d conversations from the cache, %.2f s after "
             "the process started", len(client.store.conversations), since_process_start())
    await show_cached_rest(frame, client)  # the whole cache, in place of the first screen
    from crisp_console.ui.console import Console  # the thread, composer, people and the rest

    console = Console(client, prefs=prefs, registry=registry, tasks=tasks,
                      drafts_path=state_dir() / "drafts.json", settings=settings,
                      theme=shell.theme, prefs_path=preferences_path(),
                      keymap_path=keymap_path(), database=local.database,
                      unsent=OutboxUnsent(client), saved=client.saved_data,
                      reachability=reachability,
                      local_data=LocalStorage(client, local.database, local.notices),
                      view_memory=view_memory,
                      saved_views=None if in_memory else DatabaseSavedViews(client),
                      account=account_name(args, rest, credentials, account),
                      first_frame=frame)
    await console.restore()  # the last view (the conversation left open) and the focus
    if shell.crash is not None:
        shell.crash.on_crash = CrashNotifier(window)  # a report without secrets, then a dialog
    logs = (log_file() or default_log_dir() / "crisp-console.log").parent
    console.registry.set_handler("help.log_folder", lambda: open_log_folder(logs))
    console.registry.set_handler("help.about", AboutOnDemand(window, logs).open)
    warnings = [*prefs.warnings, *keymap.errors, *keymap.warnings, *local.notices]
    if accounts is not None:
        warnings += list(accounts.book.warnings)
    console.notify(warnings)
    ending = Ending(Next.QUIT)
    done = asyncio.Event()

    def end(what: Ending) -> None:
        nonlocal ending
        ending = what
        done.set()

    wire_account_commands(console.registry, accounts, account, end,
                          pick=console.panes.palette.pick, message=console.feedback.message,
                          unsent=client.outbox.unsent_count)
    # Ctrl+Q, the close button and the tray's Quit ask first when replies or actions are
    # not sent yet (ui/quit_guard.py); SIGINT/SIGTERM/--quit-after set shell.quit_requested
    # instead and never ask: headless, nobody to answer (the outbox keeps what is unsent).
    console.quit_guard.confirmed.connect(lambda: end(Ending(Next.QUIT)))
    gap.hand_over(console.quit_guard.request)
    rc = 0
    try:
        # A signal or a close meanwhile does not wait to connect; --quit-after (smoke runs)
        # still starts first, as its count of conversations is what it is for.
        if not shell.interrupted and not done.is_set():
            await console.start()
            if shell.collector is not None:
                shell.collector.freeze()  # the inbox is loaded: no collection walks it again
    except AuthError as exc:  # StartupAuthError: the token was refused at start-up
        words = describe(exc)
        log.error("the server refused the key: %s", words)
        if accounts is not None:
            end(Ending(Next.REFUSED, notice=f"Crisp refused the saved key. {words} "
                       "Sign in again."))
        else:
            console.start_failed(words)
            rc = 1
    except (CrispError, OSError, TimeoutError) as exc:  # StartupError: its step, in words
        words = describe(exc)
        log.error("could not connect: %s", words)
        console.start_failed(words)
        rc = 1
    if not done.is_set() and (rc == 0 or args.quit_after is None):
        quit_task = asyncio.ensure_future(shell.quit_requested.wait())
        done_task = asyncio.ensure_future(done.wait())
        await asyncio.wait({quit_task, done_task}, return_when=asyncio.FIRST_COMPLETED)
        for task in (quit_task, done_task):
            task.cancel()
    if args.screenshot:
        window.grab().save(args.screenshot)
    print(f"crisp-console: {len(client.store.conversations)} conversations", flush=True)
    await console.aclose()
    await close_local(local)
    return rc, ending


def account_name(args: argparse.Namespace, rest: str, credentials: Credentials,
                 account: Account | None) -> AccountName:
    """"Signed in as …": the label given at sign-in (Crisp's plugin API has no plugin
    name); the demo and environment tokens name themselves. The key keeps per-account
    choices (the availability) apart."""
    if account is not None:
        label = account.display_name
    elif args.demo:
        label = "the demo sandbox"
    else:
        label = f"token {credentials.identifier[:8]}… (CRISP_IDENTIFIER)"
    return AccountName(label, f"{rest}|{credentials.identifier}")


async def erase_account_data(account: Account, secrets: SecretStore) -> None:
    """Sign-out: the account's database and its key, found as run() opened them (the
    same root, the host as normalise_base_url names it, the identifier)."""
    try:
        host = normalise_base_url(account.host)
    except InsecureHostError:
        return  # never opened: run() does not start a console for an insecure host
    await erase_local(databases_dir(), host, account.identifier, secrets)


async def run_accounts(shell: Shell) -> int:
    """A normal start: the saved active account, or sign in; then one console per account
    until the operator quits (switching accounts or signing out starts the next one)."""
    accounts = Accounts(AccountBook.load(config_dir() / ACCOUNTS_FILE), keyring_store(),
                        lambda **kw: run_sign_in(None, **kw), erase=erase_account_data)
    session = await _until_quit(shell, accounts.start())
    rc = 0
    while session is not None:
        try:
            rest = normalise_base_url(session.account.host)
        except InsecureHostError as exc:
            session = await _until_quit(shell, accounts.sign_in(prefill=session.account,
                                                                notice=str(exc)))
            continue
        rc, ending = await run(rest, session.credentials, shell, accounts, session.account)
        if shell.quit_requested.is_set():
            break
        session = await _until_quit(shell, accounts.handle(ending, session.account))
    return rc


async def _until_quit(shell: Shell, step: Coroutine[Any, Any, Session | None]) -> Session | None:
    """A sign-in step, abandoned (None) when quitting is requested meanwhile."""
    task = asyncio.ensure_future(step)
    quit_task = asyncio.ensure_future(shell.quit_requested.wait())
    await asyncio.wait({task, quit_task}, return_when=asyncio.FIRST_COMPLETED)
    quit_task.cancel()
    if not task.done():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return None
    return task.result()


async def session_main(shell: Shell, rest: str | None,
                       credentials: Credentials | None) -> int:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, shell.interrupt)
    if shell.args.quit_after is not None:
        loop.call_later(shell.args.quit_after, shell.quit_requested.set)
    if rest is not None and credentials is not None:  # --demo, or environment credentials
        rc, _ending = await run(rest, credentials, shell)
        return rc
    return await run_accounts(shell)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    setup_logging(logging.INFO)  # rotating file + stderr, every handler redacted
    sandbox: demo.DemoSandbox | None = None
    rest: str | None = None
    credentials: Credentials | None = None
    if args.demo:
        sandbox = demo.DemoSandbox()
        try:
            info = sandbox.start()
        except demo.SandboxStartError as exc:
            print(f"crisp-console: {exc}", file=sys.stderr)
            return 1
        rest, credentials = info["rest"], Credentials(info["identifier"], info["key"])
    elif (credentials := credentials_from_env()) is not None:
        try:
            rest = normalise_base_url(args.host or DEFAULT_HOST)
        except InsecureHostError as exc:
            raise SystemExit(f"crisp-console: {exc}") from None
    if credentials is not None:
        secret_filter().add_credentials(credentials.identifier, credentials.key)
    try:
        existing = QApplication.instance()
        app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
        app.setApplicationName("crisp-console")
        # packaging/linux/crisp-console.desktop: the window, its notifications and its
        # launcher badge belong to that entry (Wayland's app id, the dock's icon).
        app.setDesktopFileName("crisp-console")
        app.setQuitOnLastWindowClosed(False)  # quitting waits for the async teardown
        theme = Theme(app)
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        crash = install_excepthook(versions={"Qt": qVersion(), "PySide6": PySide6.__version__},
                                   loop=loop, native=True)
        # Collect garbage on this thread only: the database's threads must not destroy a Qt
        # object left in a cycle (ui/main_thread_gc.py).
        collector = MainThreadGC(parent=app)
        collector.freeze()  # the modules loaded so far live on: no collection walks them
        collector.start()
        with loop:
            shell = Shell(args, theme, crash, collector=collector)
            try:
                return loop.run_until_complete(session_main(shell, rest, credentials))
            finally:
                collector.stop()
    finally:
        if sandbox is not None:
            sandbox.stop()
