"""Logging setup with a last line of defence: secrets never reach a log record.

Code never logs credentials on purpose; the SecretFilter also scrubs the token key, its Basic
auth form, Authorization header values and RTM passwords should one slip into a message, an
argument, a traceback or a third-party library's debug line (httpx, socketio, aiohttp). It is
attached to the handlers, not to loggers, so records of every logger pass through it.
"""

from __future__ import annotations

import base64
import collections
import contextlib
import logging
import logging.handlers
import re
import sys
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote

import platformdirs

APP_NAME = "crisp-console"
LOG_FILE = "crisp-console.log"
MAX_BYTES = 2 * 1024 * 1024
BACKUP_COUNT = 5
TAIL_LINES = 200
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s]: %(message)s"
# Libraries that log one line per request or packet at INFO; WARNING unless DEBUG is asked for.
NOISY = ("httpx", "httpcore", "socketio", "engineio", "aiohttp.access")

MASK = "***"
# Header values run to the end of the line or the closing quote: "Authorization: Basic …",
# "'authorization': 'Basic …'", "(b'authorization', b'Basic …')"; the scheme stays readable.
_AUTH_HEADER = re.compile(
    r"""((?:proxy-)?authorization['"]?\s*[:=,]\s*(?-i:b)?['"]?"""
    r"""(?:(?:basic|bearer|digest|token)\s+)?)[^'"\r\n]+""", re.I)
_BASIC = re.compile(r"(Basic\s+)[A-Za-z0-9+/=_-]{8,}")
# "password": "…", key=…, 'api_key': b'…' (JSON, dict reprs, query strings). The look-behind
# keeps words that merely end in "key" (hotkey, monkey) out.
_FIELD = re.compile(
    r"""((?<![A-Za-z])['"]?(?:password|passwd|secret|key|api_key|token_key)['"]?"""
    r"""\s*[:=]\s*(?-i:b)?['"]?)[^'",\s})&]+""", re.I)


def _variants(secret: str) -> set[str]:
    """The forms a secret takes on the wire: as is, URL-quoted."""
    return {s for s in (secret, quote(secret, safe=""), quote(secret)) if len(s) >= 4}


def basic_token(identifier: str, key: str) -> str:
    """The base64 part of ``Authorization: Basic …`` for this token pair."""
    return base64.b64encode(f"{identifier}:{key}".encode()).decode("ascii")


class SecretFilter(logging.Filter):
    """Replaces known secrets and secret-shaped fields with ``***`` in every record."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets: set[str] = set()
        self._lock = threading.Lock()
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str) -> None:
        with self._lock:
            self._secrets |= _variants(secret)

    def add_credentials(self, identifier: str, key: str) -> None:
        """The key, and the Basic header built from it (base64 of ``identifier:key``)."""
        self.add(key)
        self.add(basic_token(identifier, key))

    def scrub(self, text: str) -> str:
        # Longest first, so a secret that contains another is masked whole.
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, MASK)
        text = _AUTH_HEADER.sub(r"\1" + MASK, text)
        text = _BASIC.sub(r"\1" + MASK, text)
        return _FIELD.sub(r"\1" + MASK, text)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - bad %-args: keep the parts, never raise from a log call
            message = f"{record.msg!r} % {record.args!r}"
        scrubbed = self.scrub(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = self.scrub(record.stack_info)
        if scrubbed != message or record.args or not isinstance(record.msg, str):
            record.msg, record.args = scrubbed, None
        return True


class TailHandler(logging.Handler):
    """Keeps the last formatted lines in memory for crash reports (works without a file)."""

    def __init__(self, lines: int = TAIL_LINES) -> None:
        super().__init__()
        self._lines: collections.deque[str] = collections.deque(maxlen=lines)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._lines.extend(self.format(record).splitlines())
        except Exception:  # noqa: BLE001 - logging's own convention: report, never raise
            self.handleError(record)

    def lines(self) -> list[str]:
        return list(self._lines)


_filter = SecretFilter()
_tail = TailHandler()
_ours: list[logging.Handler] = []
_log_file: Path | None = None


def secret_filter() -> SecretFilter:
    """The process-wide filter: sign-in adds the key with ``add_credentials``."""
    return _filter


def default_log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME))


def log_file() -> Path | None:
    """The file ``setup_logging`` writes to, or None before it ran (or if no file could be made)."""
    return _log_file


def recent_lines(limit: int = TAIL_LINES) -> list[str]:
    """The last lines logged by any logger, already redacted."""
    return _tail.lines()[-limit:] if limit > 0 else []


def _private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):  # logs hold conversation metadata: owner only
        path.chmod(0o700)
    return path


def _file_handler(directory: Path, max_bytes: int, backups: int) -> logging.Handler:
    return logging.handlers.RotatingFileHandler(
        _private_dir(directory) / LOG_FILE, maxBytes=max_bytes, backupCount=backups,
        encoding="utf-8", delay=False)


def setup_logging(level: int = logging.INFO, log_dir: Path | None = None, *,
                  max_bytes: int = MAX_BYTES, backups: int = BACKUP_COUNT,
                  stderr: bool = True) -> Path:
    """Rotating file + stderr + in-memory tail on the root logger, all behind the SecretFilter.

    Returns the log file's path. Calling it again replaces the handlers it added before (and
    only those). If the log directory cannot be written, a private temporary directory is used,
    so the console still starts and the crash handler still has somewhere to write.
    """
    global _log_file
    root = logging.getLogger()
    for handler in _ours:
        root.removeHandler(handler)
        if handler is not _tail:
            handler.close()
    _ours.clear()
    directory = default_log_dir() if log_dir is None else log_dir
    handlers: list[logging.Handler] = []
    warning = None
    try:
        handlers.append(_file_handler(directory, max_bytes, backups))
    except OSError as exc:
        fallback = Path(tempfile.mkdtemp(prefix="crisp-console-log-"))
        warning = f"cannot write logs to {directory} ({exc}); using {fallback}"
        directory = fallback
        handlers.append(_file_handler(directory, max_bytes, backups))
    if stderr:
        handlers.append(logging.StreamHandler(sys.stderr))
    handlers.append(_tail)
    formatter = logging.Formatter(FORMAT)
    for handler in handlers:
        handler.setFormatter(formatter)
        if _filter not in handler.filters:
            handler.addFilter(_filter)
        root.addHandler(handler)
        _ours.append(handler)
    root.setLevel(level)
    for name in NOISY:
        logging.getLogger(name).setLevel(logging.NOTSET if level <= logging.DEBUG
                                         else max(level, logging.WARNING))
    _log_file = directory / LOG_FILE
    if warning:
        logging.getLogger(__name__).warning("%s", warning)
    return _log_file


def teardown_logging() -> None:
    """Remove and close what ``setup_logging`` added (tests, and a clean exit)."""
    global _log_file
    root = logging.getLogger()
    for handler in _ours:
        root.removeHandler(handler)
        if handler is not _tail:
            handler.close()
    _ours.clear()
    _log_file = None


def install_secret_filter(secrets: Iterable[str] = ()) -> SecretFilter:
    """Add secrets to the process-wide filter and attach it to every root handler.

    Kept for callers that configure logging with ``basicConfig`` (``tail``); ``setup_logging``
    attaches the same filter to its own handlers.
    """
    for secret in secrets:
        _filter.add(secret)
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=logging.INFO, format=FORMAT)
    for handler in root.handlers:
        if _filter not in handler.filters:
            handler.addFilter(_filter)
    return _filter

