"""Which SQLite the per-account database runs on: SQLCipher where the ``sqlcipher3-binary``
wheel exists for this platform, the stdlib's sqlite3 (unencrypted, files kept owner-only)
where it does not.

Both are DB-API modules with the same API; their exception classes differ (sqlcipher3's are
not sqlite3's), so code that catches database errors asks the engine (``engine.Error``).
"""

from __future__ import annotations

import functools
import logging
import os
import sqlite3
from collections.abc import Container, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, cast
from urllib.parse import quote

from crisp_console.errors import CrispError
from crisp_console.storage import schema

log = logging.getLogger(__name__)

# Result codes (sqlite3.h) that say the file itself cannot be read as a database; anything
# else (busy, locked, read-only, full, I/O) is a condition of the moment, not of the file.
SQLITE_CORRUPT = 11
SQLITE_NOTADB = 26
_FILE_MODE = 0o600
_DIR_MODE = 0o700
_UNREADABLE = frozenset({SQLITE_CORRUPT, SQLITE_NOTADB})
_UNREADABLE_WORDS = ("file is not a database", "malformed", "corrupt")
# PERM, BUSY, LOCKED, NOMEM, READONLY, INTERRUPT, IOERR, FULL, CANTOPEN, AUTH
_TRANSIENT = frozenset({3, 5, 6, 7, 8, 9, 10, 13, 14, 23})
_TRANSIENT_WORDS = ("locked", "busy", "disk i/o", "is full", "readonly", "read-only",
                    "unable to open", "out of memory", "permission", "interrupted")


@dataclass(frozen=True, slots=True)
class Engine:
    """A DB-API module and what it offers. ``encrypted``: it is SQLCipher."""

    name: str
    module: ModuleType
    encrypted: bool
    version: str

    @property
    def Error(self) -> type[Exception]:  # the DB-API name
        return cast(type[Exception], self.module.Error)

    def connect(self, path: Path | str, *, key: str | None = None, read_only: bool = False,
                timeout: float = 5.0) -> sqlite3.Connection:
        """A connection in autocommit mode (``isolation_level=None``: the caller writes BEGIN
        and COMMIT), keyed and checked: a wrong key or a file that is not a database raises
        here, not at the first query. ``read_only`` is for salvage. ``check_same_thread`` is
        off: the connection is opened on the caller's thread, then used by the database's
        one writer thread only."""
        target = str(path)
        if read_only:
            target = f"file:{quote(target)}?mode=ro"
        conn: Any = self.module.connect(target, isolation_level=None, timeout=timeout,
                                        check_same_thread=False, uri=read_only)
        try:
            if key is not None:
                if not self.encrypted:
                    raise ValueError(f"{self.name} cannot open an encrypted database")
                # The key is 256 random bits from the keyring, given raw ("x'…'"): SQLCipher
                # then skips its PBKDF2 (256,000 rounds, a noticeable pause at every open),
                # which only slows the guessing of a weak passphrase; a random key has none.
                conn.execute(f"PRAGMA key = \"x'{check_key(key)}'\"")
            if read_only:
                # Salvage: a file shorter than its header says (truncated) is refused as
                # corrupt unless the schema is "writable"; with it, SQLite reads the pages
                # that are there. The connection is read-only: nothing can be written.
                conn.execute("PRAGMA writable_schema = ON")
            # Reads page 1 (and the schema): a wrong key or a foreign file fails now.
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            conn.row_factory = self.module.Row
        except BaseException:
            conn.close()
            raise
        return cast(sqlite3.Connection, conn)

    def is_unreadable(self, exc: BaseException) -> bool:
        """The file is not a database for us: corrupt, foreign, or encrypted with another
        key. (sqlcipher3 does not say the result code, so its message decides.)"""
        if self.encrypted and isinstance(exc, MemoryError):
            # SQLCipher reports a page that fails its HMAC as SQLITE_NOMEM once the first
            # failure is reported (Python raises MemoryError): damage, not a lack of memory.
            return True
        return self._says(exc, _UNREADABLE, _UNREADABLE_WORDS)

    def is_transient(self, exc: BaseException) -> bool:
        """A condition of the moment or of the machine (busy, locked, disk full, I/O,
        permissions), not of the file's content."""
        if isinstance(exc, OSError):
            return True
        return self._says(exc, _TRANSIENT, _TRANSIENT_WORDS)

    def _says(self, exc: BaseException, codes: Container[int], words: Iterable[str]) -> bool:
        """A database error whose primary result code is one of ``codes`` (or, when the
        driver does not give it, whose message has one of ``words``)."""
        if not isinstance(exc, self.Error):
            return False
        code = getattr(exc, "sqlite_errorcode", None)
        if code is not None:
            return int(code) & 0xFF in codes
        text = str(exc).lower()
        return any(w in text for w in words)


def check_key(key: str) -> str:
    """A database key is 64 hex digits (dbkey.py makes them); anything else would be taken
    as a passphrase, or break the PRAGMA's quoting."""
    if len(key) != 64 or any(c not in "0123456789abcdefABCDEF" for c in key):
        raise ValueError("a database key is 64 hexadecimal digits")
    return key


STDLIB = Engine("sqlite3", sqlite3, encrypted=False, version=f"SQLite {sqlite3.sqlite_version}")


def sqlcipher_engine() -> Engine | None:
    """SQLCipher, or None where its wheel is missing or does not load."""
    try:
        import sqlcipher3.dbapi2 as module  # optional: not on every platform
    except (ImportError, OSError) as exc:  # OSError: a shared library that does not load
        log.info("SQLCipher is not available here (%s)", exc)
        return None
    probe: Any = module.connect(":memory:", isolation_level=None)
    try:
        row = probe.execute("PRAGMA cipher_version").fetchone()
        # SQLCipher writes its own errors to stderr (a wrong key's "hmac check failed");
        # the database logs what happened in words, so its logger is turned off (process-wide).
        probe.execute("PRAGMA cipher_log_level = NONE")
    finally:
        probe.close()
    if not row or not row[0]:
        log.warning("sqlcipher3 loaded, but its SQLite has no encryption; not using it")
        return None
    return Engine("sqlcipher3", module, encrypted=True,
                  version=f"SQLCipher {row[0]} on SQLite {module.sqlite_version}")


class MigrationFailed(CrispError):
    """A migration step failed on this file for a reason of its own (not busy, full or
    locked): the file is set aside."""


def private_folder(directory: Path) -> None:
    """Make ``directory`` (owner-only); OSError in words if it cannot be used."""
    try:
        directory.mkdir(mode=_DIR_MODE, parents=True, exist_ok=True)
        os.chmod(directory, _DIR_MODE)
        if not os.access(directory, os.R_OK | os.W_OK | os.X_OK):
            raise PermissionError("not writable by this user")
    except OSError as exc:
        raise OSError(exc.errno, f"The folder for the local database, {directory}, cannot be "
                                 f"used: {exc.strerror or exc}") from exc


def open_file(engine: Engine, path: Path, key: str | None) -> sqlite3.Connection:
    """``path`` opened (made if new), keyed, in WAL with synchronous=FULL, migrated to this
    program's schema, its outbox read through once. Raises what went wrong: the engine's
    errors, OSError, schema.SchemaTooNew, MigrationFailed."""
    # The file is made owner-only before SQLite writes a byte; SQLite gives its -wal and
    # -shm the main file's mode. (Not umask: it is process-wide, and other threads make
    # files too.) An existing file is tightened in case it was copied in looser.
    fd = os.open(path, os.O_CREAT | os.O_RDWR, _FILE_MODE)
    os.close(fd)
    for suffix in ("", "-wal", "-shm"):
        companion = Path(f"{path}{suffix}")
        if companion.exists():
            os.chmod(companion, _FILE_MODE)
    conn = engine.connect(path, key=key)
    try:
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            log.warning("local database %s: journal mode %s, not WAL", path, mode)
        conn.execute("PRAGMA synchronous = FULL")  # a resolved write survives a power cut
        conn.execute("PRAGMA foreign_keys = ON")
        try:
            before, after = schema.migrate(conn)
        except schema.SchemaTooNew:
            raise
        except Exception as exc:
            if engine.is_transient(exc) or engine.is_unreadable(exc):
                raise
            raise MigrationFailed(str(exc)) from exc
        if before != after:
            log.info("local database %s migrated from version %d to %d", path, before, after)
        # The outbox is what must not be lost: read it whole now, so that damage there is
        # found at open (the file is then set aside with what can be salvaged).
        conn.execute("SELECT count(*), sum(length(body)) FROM outbox").fetchone()
    except BaseException:
        conn.close()
        raise
    return conn


@functools.cache
def default_engine() -> Engine:
    """SQLCipher if this platform has it, else the stdlib (said once in the log)."""
    engine = sqlcipher_engine()
    if engine is None:
        log.warning("no SQLCipher for this platform: the local database is not encrypted "
                    "(%s, files readable by this user only)", STDLIB.version)
        return STDLIB
    log.info("local database engine: %s", engine.version)
    return engine
