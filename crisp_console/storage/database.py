"""The per-account database: one SQLite file (SQLCipher where the platform has it), written
by one thread in batched transactions, and opened so that a bad file never stops the console.

Writes never run on the caller's thread. ``write(fn)`` queues ``fn``; the writer thread takes
everything queued while its last batch ran and runs it as ONE transaction (one fsync however
many rows), each fn inside its own SAVEPOINT so that one that raises undoes only its own work.
Futures resolve after COMMIT: with WAL and ``synchronous=FULL`` a resolved write survives a
crash or a power cut. ``read(fn)`` goes through the same queue and thread, so a read sees every
write queued before it; read fns must not write.

``open_database`` picks the mode: ENCRYPTED (SQLCipher, the key from the keyring), PLAIN (no
SQLCipher here: the stdlib's sqlite3, files readable by their owner only) or MEMORY (no
directory, or no key: nothing written, gone at exit). A file it cannot use (wrong key, not a
database, damaged, written by a newer console, a migration that fails) is moved aside, its
outbox salvaged (salvage.py), and a fresh file made; ``notices`` say so in words.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import enum
import hashlib
import logging
import os
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from crisp_console.errors import CrispError
from crisp_console.log import secret_filter
from crisp_console.storage import salvage, schema
from crisp_console.storage.engine import (
    Engine,
    MigrationFailed,
    check_key,
    default_engine,
    open_file,
    private_folder,
)

log = logging.getLogger(__name__)

T = TypeVar("T")
Work = Callable[[sqlite3.Connection], T]

DB_NAME = "console.db"


class StorageMode(enum.Enum):
    ENCRYPTED = "encrypted"  # SQLCipher file, key from the keyring
    PLAIN = "plain"  # no SQLCipher for this platform: stdlib sqlite3, file mode 0600
    MEMORY = "memory"  # no working keyring (or tests): in memory for this session


class DatabaseClosed(CrispError):
    """A write or read reached the database after ``close()``."""


class RolledBack(CrispError):
    """This fn succeeded, but SQLite rolled back the whole transaction after a later failure
    (disk full, I/O error), and its work with it."""


@dataclass(slots=True)
class DatabaseStats:
    """What the writer has done (for the benchmark and the log)."""

    batches: int = 0
    jobs: int = 0  # fns run, reads included
    failed: int = 0  # fns whose future carries an exception
    largest_batch: int = 0  # fns in one transaction
    longest_batch_ms: float = 0.0  # BEGIN to COMMIT, fns included
    last_batch_ms: float = 0.0


@dataclass(slots=True)
class _Job:
    fn: Callable[[sqlite3.Connection], Any]
    future: concurrent.futures.Future[Any]
    write: bool


class Database:
    """Built by ``open_database``. ``engine.Error`` is the base of the errors fns see."""

    def __init__(self, conn: sqlite3.Connection, *, engine: Engine, mode: StorageMode,
                 path: Path | None, notices: tuple[str, ...] = (),
                 salvaged_outbox: list[dict[str, Any]] | None = None) -> None:
        self.mode = mode
        self.path = path
        self.engine = engine
        self.notices = notices
        self.salvaged_outbox: list[dict[str, Any]] = list(salvaged_outbox or ())
        self._conn = conn
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._closed = False
        self._stats = DatabaseStats()
        self._memory_bytes = 0
        self._measure_memory()
        self._thread = threading.Thread(target=self._run, name="database-writer", daemon=True)
        self._thread.start()

    # ---- the API ----------------------------------------------------------------------------

    def write(self, fn: Work[T]) -> concurrent.futures.Future[T]:
        """Run ``fn(conn)`` on the writer thread in the next batch; the future resolves after
        COMMIT, or carries fn's exception (its work rolled back, the batch's others kept).
        A future cancelled before its batch starts is skipped. Never raises."""
        return self._submit(fn, write=True)

    def read(self, fn: Work[T]) -> concurrent.futures.Future[T]:
        """Like ``write`` (same queue, same thread, same batch), for fns that only read: it
        sees every write queued before it."""
        return self._submit(fn, write=False)

    async def awrite(self, fn: Work[T]) -> T:
        return await asyncio.wrap_future(self.write(fn))

    async def aread(self, fn: Work[T]) -> T:
        return await asyncio.wrap_future(self.read(fn))

    def size_bytes(self) -> int:
        """The file and its WAL on disk (MEMORY: the pages in memory after the last batch)."""
        if self.path is None:
            return self._memory_bytes
        total = 0
        for suffix in ("", "-wal"):
            try:
                total += os.stat(f"{self.path}{suffix}").st_size
            except FileNotFoundError:
                continue
        return total

    @property
    def stats(self) -> DatabaseStats:
        """A copy, consistent between batches."""
        with self._lock:
            return replace(self._stats)

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Run what is queued, commit, close. Idempotent; later writes fail with
        DatabaseClosed."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._queue.put(None)
        if threading.current_thread() is not self._thread:
            self._thread.join()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Database({self.mode.value}, {self.path})"

    # ---- the writer thread ------------------------------------------------------------------

    def _submit(self, fn: Work[T], *, write: bool) -> concurrent.futures.Future[T]:
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        with self._lock:
            if self._closed:
                future.set_exception(DatabaseClosed("the local database is closed"))
                return future
            self._queue.put(_Job(fn, future, write))
        return future

    def _run(self) -> None:
        try:
            stop = False
            while not stop:
                batch = [self._queue.get()]
                while True:  # everything queued while the last batch ran
                    try:
                        batch.append(self._queue.get_nowait())
                    except queue.Empty:
                        break
                jobs = [job for job in batch if job is not None]
                stop = len(jobs) < len(batch)  # close() queues nothing after its None
                if jobs:
                    self._batch(jobs)
        finally:
            self._conn.close()

    def _batch(self, jobs: list[_Job]) -> None:
        live = [job for job in jobs if job.future.set_running_or_notify_cancel()]
        if not live:
            return
        started = time.perf_counter()
        done: list[tuple[_Job, Any]] = []
        failed: list[tuple[_Job, BaseException]] = []
        conn = self._conn
        begin = "BEGIN IMMEDIATE" if any(job.write for job in live) else "BEGIN"
        try:
            conn.execute(begin)
            for job in live:
                conn.execute("SAVEPOINT job")
                try:
                    result = job.fn(conn)
                except Exception as exc:  # noqa: BLE001 - it goes to the fn's future
                    failed.append((job, exc))
                    if conn.in_transaction:
                        conn.execute("ROLLBACK TO job")
                        conn.execute("RELEASE job")
                    else:  # SQLite ended the transaction: the earlier fns' work is gone too
                        lost = RolledBack(f"rolled back with a failing write: {exc}")
                        failed.extend((ok, lost) for ok, _ in done)
                        done.clear()
                        conn.execute(begin)
                    continue
                if not conn.in_transaction:  # the fn committed by itself; carry on in order
                    conn.execute(begin)
                else:
                    conn.execute("RELEASE job")
                done.append((job, result))
            conn.execute("COMMIT")
        except Exception as exc:  # noqa: BLE001 - BEGIN, SAVEPOINT or COMMIT failed
            if conn.in_transaction:
                try:
                    conn.execute("ROLLBACK")
                except self.engine.Error as again:
                    log.warning("rollback after a failed batch failed too: %s", again)
            log.warning("a database batch of %d failed: %s", len(live), exc)
            finished = {id(job) for job, _ in failed}
            failed.extend((job, exc) for job in live if id(job) not in finished)
            done.clear()
        elapsed = (time.perf_counter() - started) * 1000
        self._measure_memory()
        with self._lock:
            stats = self._stats
            stats.batches += 1
            stats.jobs += len(live)
            stats.failed += len(failed)
            stats.largest_batch = max(stats.largest_batch, len(live))
            stats.longest_batch_ms = max(stats.longest_batch_ms, elapsed)
            stats.last_batch_ms = elapsed
        for job, result in done:
            job.future.set_result(result)
        for job, error in failed:
            job.future.set_exception(error)

    def _measure_memory(self) -> None:
        if self.path is not None:
            return
        try:
            pages = self._conn.execute("PRAGMA page_count").fetchone()[0]
            size = self._conn.execute("PRAGMA page_size").fetchone()[0]
        except self.engine.Error as exc:
            log.debug("memory database size unknown: %s", exc)
            return
        self._memory_bytes = int(pages) * int(size)


# ---- opening ----------------------------------------------------------------------------------

def account_dir(root: Path, host: str, identifier: str) -> Path:
    """The folder of one account's database: a hash, so that the path says nothing of the
    token (and two hosts with the same identifier do not share a file)."""
    digest = hashlib.sha256(f"{host}\n{identifier}".encode()).hexdigest()
    return root / digest[:20]


def delete_database(directory: Path) -> None:
    """Remove the account's database (and any copies set aside), then its folder if nothing
    else is in it. The database must be closed. Raises OSError if a file stays."""
    if not directory.is_dir():
        return
    for entry in directory.iterdir():
        if entry.name.startswith(DB_NAME) and not entry.is_dir():
            entry.unlink(missing_ok=True)
    try:
        directory.rmdir()
    except OSError as exc:
        log.info("kept %s after deleting its database: %s", directory, exc.strerror)


def open_database(directory: Path | None, key: str | None, *, plain_ok: bool = True,
                  clock: Callable[[], float] = time.time,
                  engine: Engine | None = None) -> Database:
    """The account's database in ``directory`` (None: in memory). ``key`` is dbkey's; None
    keeps the data in memory unless this platform has no SQLCipher (then PLAIN, if
    ``plain_ok``). ``engine`` defaults to the best this platform has.

    Never raises for a bad file (see the module's docstring); raises OSError, in words, only
    for a folder that cannot be made or written."""
    engine = default_engine() if engine is None else engine
    if key is not None:
        check_key(key)
        secret_filter().add(key)
    if directory is None:
        return _memory(engine, ())
    if engine.encrypted and key is None:
        return _memory(engine, (
            "The local database has no key (the system keyring is not available), so saved "
            "conversations and unsent replies are kept in memory for this session only.",))
    if not engine.encrypted and not plain_ok:
        return _memory(engine, (
            "Encryption (SQLCipher) is not available on this platform, so saved data is kept "
            "in memory for this session only.",))
    mode = StorageMode.ENCRYPTED if engine.encrypted else StorageMode.PLAIN
    private_folder(directory)
    path = directory / DB_NAME
    notices: list[str] = []
    if mode is StorageMode.PLAIN:
        notices.append(f"Encryption (SQLCipher) is not available on this platform: the local "
                       f"database {path} is not encrypted; only your user account can read it.")
    file_key = key if mode is StorageMode.ENCRYPTED else None
    try:
        conn = open_file(engine, path, file_key)
    except Exception as exc:  # noqa: BLE001 - sorted below; nothing here may stop the console
        if not _unusable(engine, exc):
            log.warning("local database %s cannot be opened now: %s", path, exc)
            return _memory(engine, (*notices, (
                f"The local database {path} could not be opened ({exc}); this session keeps "
                f"its data in memory only. The file was left as it is."),))
        return _replace_unusable(engine, path, file_key, mode, exc, notices, clock)
    return Database(conn, engine=engine, mode=mode, path=path, notices=tuple(notices))


def _memory(engine: Engine, notices: tuple[str, ...],
            salvaged: list[dict[str, Any]] | None = None) -> Database:
    conn = engine.connect(":memory:")
    schema.migrate(conn)
    _restore(engine, conn, salvaged or [])
    return Database(conn, engine=engine, mode=StorageMode.MEMORY, path=None, notices=notices,
                    salvaged_outbox=salvaged)


def _restore(engine: Engine, conn: sqlite3.Connection, rows: list[dict[str, Any]]) -> None:
    """Put the salvaged rows in the new outbox; should that fail, they are still in
    ``salvaged_outbox`` and in the file set aside."""
    try:
        salvage.restore_outbox(conn, rows)
    except engine.Error as exc:
        log.warning("the salvaged outbox rows could not be put in the new database: %s", exc)


def _unusable(engine: Engine, exc: BaseException) -> bool:
    """True when the file itself is the problem; False for a condition of the moment (busy,
    locked, disk full, permissions): that file may be fine and is left alone."""
    return isinstance(exc, schema.SchemaTooNew | MigrationFailed) or engine.is_unreadable(exc)


def _replace_unusable(engine: Engine, path: Path, key: str | None, mode: StorageMode,
                      exc: BaseException, notices: list[str],
                      clock: Callable[[], float]) -> Database:
    why = salvage.why(engine, exc)
    try:
        aside = salvage.move_aside(path, clock)
    except OSError as move_error:
        rows, skipped = salvage.read_outbox(engine, path, key)
        log.warning("local database %s is unusable (%s) and cannot be moved aside (%s); "
                    "in memory this session; outbox: %d rows kept, %d unreadable",
                    path, exc, move_error, len(rows), skipped)
        return _memory(engine, (*notices, (
            f"The local database {path} cannot be used ({why}) and could not be moved aside "
            f"({move_error.strerror or move_error}); this session keeps its data in memory "
            f"only. {salvage.outbox_words(rows, skipped)}"),), rows)
    rows, skipped = salvage.read_outbox(engine, aside, key)
    log.warning("local database %s is unusable (%s): moved aside to %s; outbox: %d rows "
                "recovered, %d unreadable", path, exc, aside, len(rows), skipped)
    words = (f"The local database could not be used ({why}). It was moved aside to {aside}, "
             f"and the console starts without saved data. {salvage.outbox_words(rows, skipped)}")
    try:
        conn = open_file(engine, path, key)
    except Exception as again:  # noqa: BLE001 - a fresh file failing too: memory, not a crash
        log.warning("a fresh local database %s cannot be made either: %s", path, again)
        return _memory(engine, (*notices, words, (
            f"A new local database could not be made ({again}); this session keeps its data "
            "in memory only."),), rows)
    _restore(engine, conn, rows)
    return Database(conn, engine=engine, mode=mode, path=path, notices=(*notices, words),
                    salvaged_outbox=rows)
