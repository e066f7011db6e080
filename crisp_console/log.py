"""Logging setup with a last line of defence: secrets never reach a log record.

Code never logs credentials on purpose; the SecretFilter also scrubs the token key, its Basic
auth form, Authorization header values and RTM passwords should one slip into a message, an
argument, a traceback or a third-party library's debug line (httpx, socketio, aiohttp). It is
attached to the handlers, not to loggers, so records of every logger pass through it.

ThrottledReporter logs bad input once per kind with a counter, so a hostile peer cannot
flood the log (see its docstring).
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
from collections.abc import Callable, Iterable
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
    _remove_ours()
    root = logging.getLogger()
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
    _remove_ours()
    _log_file = None


def _remove_ours() -> None:
    """Take the handlers ``setup_logging`` added off the root logger and close them (the
    in-memory tail stays open: it outlives a re-setup)."""
    root = logging.getLogger()
    for handler in _ours:
        root.removeHandler(handler)
        if handler is not _tail:
            handler.close()
    _ours.clear()


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


# ---- bad input, once per kind ------------------------------------------------------------

OTHER_KIND = "other"
MAX_KINDS = 128
DETAIL_CHARS = 200
KIND_CHARS = 100
_SECRET_CHARS = 256  # longer than any secret form (a Basic token is ~140)
_MAX_WINDOW = 256 * 1024
# Control characters (a forged "\n... ERROR ..." line), Unicode line separators and lone
# surrogates (unencodable in the UTF-8 log file) are written as escapes.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, limit: int, scrub: Callable[[str], str] | None = None) -> str:
    """``text`` fit for one log line: secrets masked, control characters escaped, at most
    ``limit`` characters (then "…").

    Only a window a few KB past the limit is scrubbed (a payload can weigh megabytes). A
    secret cut in two by the window's end is not masked, but it ends the scrubbed text (masks
    only change what comes before it), so the last ``_SECRET_CHARS`` are dropped; should
    masking have shrunk the text below the limit, a wider window is scrubbed instead."""
    window = limit + 4096
    while True:
        head = text[:window]
        cut = len(text) > window
        if scrub is None:
            break
        head = scrub(head)
        if cut:
            head = head[:-_SECRET_CHARS]
            if len(head) < limit and window < _MAX_WINDOW:
                window *= 4
                continue
        break
    head = _UNPRINTABLE.sub(_escape, head)
    return head[:limit] + "…" if cut or len(head) > limit else head


class ThrottledReporter:
    """Counts bad input by kind and logs each kind once, not once per occurrence.

    ``report(kind, detail)`` logs the first occurrence of a kind at ``level`` (WARNING), with no
    traceback, then only a summary line when its count reaches 10, 100, 1000, …; every call
    is counted. At most ``max_kinds`` kinds are tracked; later kinds share the ``"other"``
    bucket (memory stays bounded whatever names a peer invents). Kinds and details are
    scrubbed by the SecretFilter, stripped of control characters and cut to a few hundred
    characters (a hostile payload can weigh megabytes), so callers may pass wire text.

    With ``exc_info`` (a safety net that caught a bug, not bad input), the first line of the
    kind is logged at ERROR with that traceback; the repeats are counted like the others.
    Thread-safe.
    """

    def __init__(self, logger: logging.Logger | str, *, level: int = logging.WARNING,
                 max_kinds: int = MAX_KINDS, detail_chars: int = DETAIL_CHARS,
                 scrub: Callable[[str], str] | None = None) -> None:
        self._log = logging.getLogger(logger) if isinstance(logger, str) else logger
        self._level = level
        self._max_kinds = max(1, max_kinds)
        self._detail_chars = detail_chars
        self._scrub = _filter.scrub if scrub is None else scrub
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def report(self, kind: str, detail: str = "", *,
               exc_info: BaseException | None = None) -> int:
        """Count one occurrence of ``kind``; log it if it is the first or a milestone.
        Returns the kind's count (of ``"other"`` once the kinds are full). Never raises."""
        kind = printable(kind if isinstance(kind, str) else repr(type(kind)), KIND_CHARS,
                         self._scrub)
        detail = detail if isinstance(detail, str) else repr(type(detail))
        with self._lock:
            counts = self._counts
            if kind not in counts and len(counts) >= self._max_kinds:
                detail = f"[{kind}] {detail}"
                kind = OTHER_KIND
            count = counts[kind] = counts.get(kind, 0) + 1
        if count == 1 or _milestone(count):
            self._emit(kind, count, detail, exc_info if count == 1 else None)
        return count

    def _emit(self, kind: str, count: int, detail: str,
              exc_info: BaseException | None) -> None:
        text = printable(detail, self._detail_chars, self._scrub)
        if count == 1:
            level = logging.ERROR if exc_info is not None else self._level
            self._log.log(level, "%s: %s (repeats are counted, not logged)", kind, text,
                          exc_info=exc_info)
        else:
            self._log.log(self._level, "%s: %d times so far (latest: %s)", kind, count, text)

    def counts(self) -> dict[str, int]:
        """Occurrences by kind (a copy), for tests and the UI."""
        with self._lock:
            return dict(self._counts)

    def total(self) -> int:
        with self._lock:
            return sum(self._counts.values())


def _milestone(count: int) -> bool:
    """10, 100, 1000, …"""
    while count >= 10 and count % 10 == 0:
        count //= 10
    return count == 1
