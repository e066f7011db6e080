"""Crash handling: uncaught exceptions become a redacted report file, then a callback.

Three doors lead here: ``sys.excepthook`` (the main thread, and Python slots called by Qt),
``threading.excepthook`` (worker threads, e.g. keyring executors) and the asyncio loop's
exception handler (a task whose exception nobody retrieved, a failing callback). Each writes
``crash-<timestamp>.txt`` to the log directory — traceback, versions, platform and the last log
lines, all passed through the same SecretFilter as the logs — and then calls ``on_crash(path)``
so the UI can show a dialog. Qt is never imported here: the app passes its versions in.

The handler itself never raises: any failure inside it is logged (or printed) and dropped. The
same crash repeating (an exception in a paint event fires on every repaint) is logged each
time but reported once, and a session writes at most ``MAX_REPORTS`` reports.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import faulthandler
import logging
import os
import platform
import sys
import threading
import traceback
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import crisp_console
from crisp_console.log import default_log_dir, log_file, recent_lines, secret_filter
from crisp_console.observers import call_logged

log = logging.getLogger(__name__)

MAX_REPORTS = 10  # per session: a crash loop must not fill the disk or the screen
KEEP_REPORTS = 20  # on disk: older crash-*.txt files are removed when a new one is written
FATAL_FILE = "fatal.txt"  # faulthandler's native (segfault) tracebacks

OnCrash = Callable[[Path], None]
ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def _signature(exc: BaseException) -> tuple[str, ...]:
    """What makes two crashes "the same": the type and where it was raised."""
    frames = traceback.extract_tb(exc.__traceback__)[-3:]
    return (type(exc).__qualname__, *(f"{f.filename}:{f.lineno}" for f in frames))


class CrashHandler:
    """Writes crash reports; installed by ``install_excepthook``.

    ``on_crash`` may be set or replaced after installation (the window exists later than the
    hooks); it is called from the thread that crashed, so a UI callback must hop to its own
    thread (the crash dialog's ``CrashNotifier`` does).
    """

    def __init__(self, on_crash: OnCrash | None = None, *, log_dir: Path | None = None,
                 versions: Mapping[str, str] | None = None,
                 clock: Callable[[], dt.datetime] | None = None) -> None:
        self.on_crash = on_crash
        self._log_dir = log_dir
        self.versions = dict(versions or {})
        self._clock = clock or (lambda: dt.datetime.now().astimezone())
        self._lock = threading.RLock()
        self._seen: dict[tuple[str, ...], int] = {}
        self._busy = threading.local()
        self.reports: list[Path] = []
        self._previous: dict[str, Any] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._fatal: IO[str] | None = None

    @property
    def log_dir(self) -> Path:
        if self._log_dir is not None:
            return self._log_dir
        current = log_file()
        return current.parent if current is not None else default_log_dir()

    # -- installation ---------------------------------------------------------------------

    def install(self, loop: asyncio.AbstractEventLoop | None = None, *,
                native: bool = False) -> None:
        self._previous = {"sys": sys.excepthook, "threading": threading.excepthook}
        sys.excepthook = self._sys_hook
        threading.excepthook = self._thread_hook
        if loop is not None:
            self.attach_loop(loop)
        if native:
            self._enable_faulthandler()

    def attach_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        """Route ``loop``'s unhandled exceptions here (call it once the loop exists)."""
        self._loop = loop
        self._previous["loop"] = loop.get_exception_handler()
        loop.set_exception_handler(self._loop_hook)

    def uninstall(self) -> None:
        if sys.excepthook == self._sys_hook:
            sys.excepthook = self._previous.get("sys", sys.__excepthook__)
        if threading.excepthook == self._thread_hook:
            threading.excepthook = self._previous.get("threading", threading.__excepthook__)
        if self._loop is not None and self._loop.get_exception_handler() == self._loop_hook:
            self._loop.set_exception_handler(self._previous.get("loop"))
        self._loop = None
        if self._fatal is not None:
            faulthandler.disable()
            self._fatal.close()
            self._fatal = None

    def _enable_faulthandler(self) -> None:
        """Native crashes (a segfault in Qt) leave Python frames in ``fatal.txt``: no values,
        so no secrets, only file names, lines and function names."""
        try:
            directory = self.log_dir
            directory.mkdir(parents=True, exist_ok=True)
            self._fatal = (directory / FATAL_FILE).open("a", encoding="utf-8")
            faulthandler.enable(self._fatal, all_threads=True)
        except (OSError, ValueError, RuntimeError) as exc:
            log.warning("native crash traces disabled: %s", exc)

    # -- the three doors --------------------------------------------------------------------

    def _sys_hook(self, exc_type: type[BaseException], exc: BaseException,
                  tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):  # Ctrl+C in a terminal is not a crash
            sys.__excepthook__(exc_type, exc, tb)
            return
        self.handle((exc_type, exc, tb), "main thread")

    def _thread_hook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None or issubclass(args.exc_type, SystemExit):
            return
        name = args.thread.name if args.thread is not None else "unknown"
        self.handle((args.exc_type, args.exc_value, args.exc_traceback), f"thread {name}")

    def _loop_hook(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        if not isinstance(exc, BaseException):
            # Not a crash: "Task was destroyed but it is pending", unclosed transports...
            log.error("asyncio: %s", context.get("message", context))
            return
        task = context.get("task") or context.get("future")
        where = f"asyncio {task!r}" if task is not None else "asyncio callback"
        self.handle((type(exc), exc, exc.__traceback__),
                    f"{where}: {context.get('message', '')}")

    # -- reporting --------------------------------------------------------------------------

    def handle(self, exc_info: ExcInfo, where: str) -> Path | None:
        """Log the exception, write a report, call ``on_crash``. Never raises."""
        if getattr(self._busy, "active", False):  # crashed while reporting a crash
            self._last_resort(exc_info)
            return None
        self._busy.active = True
        try:
            return self._handle(exc_info, where)
        except Exception:  # noqa: BLE001 - the crash handler must never crash
            self._last_resort(exc_info)
            return None
        finally:
            self._busy.active = False

    def _handle(self, exc_info: ExcInfo, where: str) -> Path | None:
        log.critical("unhandled exception in %s", where, exc_info=exc_info)
        with self._lock:
            signature = _signature(exc_info[1])
            seen = self._seen.get(signature, 0)
            self._seen[signature] = seen + 1
            if seen or len(self.reports) >= MAX_REPORTS:
                log.error("crash report skipped (same crash seen %d times, %d reports written)",
                          seen + 1, len(self.reports))
                return None
            path = self.write_report(exc_info, where)
            self.reports.append(path)
        log.error("crash report written to %s", path)
        callback = self.on_crash  # read once: another thread may replace it meanwhile
        if callback is not None:
            call_logged(log, "the crash callback failed", callback, path)
        return path

    def report_text(self, exc_info: ExcInfo, where: str) -> str:
        now = self._clock()
        lines = [
            "crisp-console crash report",
            f"time: {now.isoformat(timespec='seconds')}",
            f"where: {where}",
            f"version: {_version()}",
            f"python: {sys.version.split()[0]} ({platform.python_implementation()})",
            f"platform: {platform.platform()}",
            f"frozen: {bool(getattr(sys, 'frozen', False))}",
        ]
        lines += [f"{name}: {value}" for name, value in self.versions.items()]
        lines += ["", *traceback.format_exception(*exc_info)]
        tail = recent_lines()
        lines += ["", f"last {len(tail)} log lines:", *tail]
        return secret_filter().scrub("\n".join(line.rstrip("\n") for line in lines)) + "\n"

    def write_report(self, exc_info: ExcInfo, where: str) -> Path:
        text = self.report_text(exc_info, where)
        directory = self.log_dir
        directory.mkdir(parents=True, exist_ok=True)
        stamp = self._clock().strftime("%Y%m%d-%H%M%S")
        for n in range(1000):
            path = directory / (f"crash-{stamp}.txt" if n == 0 else f"crash-{stamp}-{n}.txt")
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                continue
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            break
        else:
            raise FileExistsError(f"no free crash report name in {directory}")
        self._prune(directory)
        return path

    @staticmethod
    def _prune(directory: Path) -> None:
        try:  # names sort by time: crash-YYYYmmdd-HHMMSS[-n].txt
            reports = sorted(directory.glob("crash-*.txt"))
        except OSError as exc:
            log.warning("cannot list old crash reports: %s", exc)
            return
        for old in reports[:-KEEP_REPORTS]:
            try:
                old.unlink()
            except OSError as exc:
                log.warning("cannot remove old crash report %s: %s", old, exc)

    @staticmethod
    def _last_resort(exc_info: ExcInfo) -> None:
        """Print a redacted traceback to stderr; swallow everything, even a closed stderr."""
        try:
            text = "".join(traceback.format_exception(*exc_info))
            sys.stderr.write(secret_filter().scrub(text))
        except Exception:  # noqa: BLE001, S110 - nothing is left to report to
            pass


_installed: CrashHandler | None = None


def install_excepthook(on_crash: OnCrash | None = None, *,
                       versions: Mapping[str, str] | None = None,
                       loop: asyncio.AbstractEventLoop | None = None,
                       log_dir: Path | None = None, native: bool = False) -> CrashHandler:
    """Install the process-wide crash handler (replacing one installed before)."""
    global _installed
    if _installed is not None:
        _installed.uninstall()
    handler = CrashHandler(on_crash, log_dir=log_dir, versions=versions)
    handler.install(loop, native=native)
    _installed = handler
    return handler


def _version() -> str:
    """The console's version (read from its metadata when first asked for): a report is
    written even when that read fails."""
    try:
        return str(crisp_console.__version__)
    except Exception:  # noqa: BLE001 - the report matters more than its version line
        return "unknown"
