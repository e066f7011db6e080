"""A database file that cannot be used: set aside, never deleted, and its outbox kept.

The outbox holds what the operator pressed Enter on and the server may not have yet, so it
is the one thing a damaged file must not take with it. The file (and its -wal and -shm: the
WAL holds the latest commits) is renamed ``console.db.unreadable-<UTC stamp>``, opened
read-only, and its outbox read row by row, each row that fails skipped; the rows read are
put back into the fresh database as they were (same ids, so the same order; same state).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from crisp_console.storage.engine import Engine, sqlcipher_engine
from crisp_console.storage.schema import SchemaTooNew

log = logging.getLogger(__name__)

OUTBOX_COLUMNS = ("id", "kind", "website_id", "session_id", "fingerprint", "body", "data",
                  "state", "ambiguous", "error", "created_ms", "updated_ms")
# SQLite finds a database's WAL and shared memory by these suffixes on its name, so the
# moved copies keep them: the copy opens with its last commits.
COMPANIONS = ("-wal", "-shm", "-journal")
PROBES = 10_000  # ids looked up beyond those the scans saw
MAX_ERRORS = 200  # rows that fail before the salvage gives up on the rest


def stamp(clock: Callable[[], float] = time.time) -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(clock()))


def move_aside(path: Path, clock: Callable[[], float] = time.time) -> Path:
    """Rename ``path`` and its companions to ``<name>.unreadable-<stamp>[-n]``; returns the
    new name of the main file. Raises OSError if the main file cannot be moved (then the
    companions are left in place with it)."""
    base = f"{path.name}.unreadable-{stamp(clock)}"
    target = path.with_name(base)
    n = 1
    while any(path.with_name(target.name + s).exists() for s in ("", *COMPANIONS)):
        n += 1
        target = path.with_name(f"{base}-{n}")
    os.replace(path, target)
    for suffix in COMPANIONS:
        companion = path.with_name(path.name + suffix)
        try:
            os.replace(companion, target.with_name(target.name + suffix))
        except FileNotFoundError:
            continue
        except OSError as exc:
            # A WAL left beside a new console.db would be replayed into it: remove it from
            # there rather than let it mix with the fresh file.
            log.warning("could not move %s aside (%s); removing it", companion, exc)
            companion.unlink(missing_ok=True)
    return target


def read_outbox(engine: Engine, path: Path, key: str | None) -> tuple[list[dict[str, Any]], int]:
    """The outbox rows of ``path`` that can be read, in id order, and how many could not be.
    Never raises. A file that opens neither with ``key`` nor without one (a plain file left
    from a platform without SQLCipher) gives no rows."""
    attempts: list[tuple[Engine, str | None]] = [(engine, key)]
    if key is not None:
        attempts.append((engine, None))
    elif not engine.encrypted:
        cipher = sqlcipher_engine()
        if cipher is not None:
            attempts.append((cipher, None))
    for candidate, candidate_key in attempts:
        def connect(engine: Engine = candidate, key: str | None = candidate_key) -> Any:
            return engine.connect(path, key=key, read_only=True)

        try:
            conn = connect()
        except (candidate.Error, OSError, ValueError, MemoryError) as exc:
            log.debug("salvage: %s does not open with %s (key: %s): %s", path,
                      candidate.name, "yes" if candidate_key else "no", exc)
            continue
        conn.close()
        return _rows(candidate, connect)
    return [], 0


class _Reader:
    """One read-only connection, made again after each error: once SQLCipher has met a
    damaged page, every later read on that connection fails too."""

    def __init__(self, engine: Engine, connect: Callable[[], Any]) -> None:
        self.errors = (engine.Error, MemoryError)
        self._connect = connect
        self._conn: Any = None

    def run(self, sql: str, args: tuple[Any, ...] = ()) -> Any:
        if self._conn is None:
            self._conn = self._connect()
        return self._conn.execute(sql, args)

    def reset(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _rows(engine: Engine, connect: Callable[[], Any]) -> tuple[list[dict[str, Any]], int]:
    reader = _Reader(engine, connect)
    ids: set[int] = set()
    # Damage stops a scan where it lies; scanning from both ends reaches the rows past it.
    for order in ("ASC", "DESC"):
        try:
            for row in reader.run(f"SELECT id FROM outbox ORDER BY id {order}"):  # noqa: S608
                ids.add(row[0])
        except reader.errors as exc:
            log.debug("salvage: the outbox scan (%s) stopped: %r", order, exc)
            reader.reset()
    rows: list[dict[str, Any]] = []
    skipped = 0
    try:
        for row_id in _candidates(reader, ids):
            try:
                cursor = reader.run("SELECT * FROM outbox WHERE id = ?", (row_id,))
                row = cursor.fetchone()
                names = [d[0] for d in cursor.description]
            except reader.errors as exc:
                skipped += 1
                log.debug("salvage: outbox row %s cannot be read: %r", row_id, exc)
                reader.reset()
                if skipped >= MAX_ERRORS:  # each costs a new connection: stop somewhere
                    break
                continue
            if row is not None:
                values = dict(zip(names, tuple(row), strict=True))
                rows.append({name: values[name] for name in OUTBOX_COLUMNS if name in values})
    finally:
        reader.reset()
    return rows, skipped


def _candidates(reader: _Reader, ids: set[int]) -> list[int]:
    """The ids the scans saw, and those they could not reach: the gaps between them (a scan
    stops a row or so before the damage) and up to the last id ever given (sqlite_sequence:
    past a truncation). Probing an id that was deleted costs one lookup; at most
    ``PROBES`` are made."""
    try:
        last = reader.run("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'").fetchone()
    except reader.errors as exc:
        log.debug("salvage: no sequence: %r", exc)
        reader.reset()
        last = None
    known = sorted(ids)
    top = max(int(last[0]) if last is not None else 0, known[-1] if known else 0)
    budget = PROBES
    wanted = set(known)
    for low, high in zip([0, *known], [*known, top + 1], strict=True):
        for row_id in range(low + 1, min(high, low + 1 + budget)):
            wanted.add(row_id)
            budget -= 1
    return sorted(wanted)


def restore_outbox(conn: Any, rows: list[dict[str, Any]]) -> int:
    """Insert ``rows`` into ``conn``'s (fresh, empty) outbox in one transaction, each in its
    own savepoint: a row the table refuses is left out, the others are kept. Returns how many
    went in."""
    if not rows:
        return 0
    restored = 0
    conn.execute("BEGIN IMMEDIATE")
    try:
        for row in rows:
            names = [name for name in OUTBOX_COLUMNS if name in row]
            conn.execute("SAVEPOINT salvaged")
            try:
                conn.execute(
                    f"INSERT INTO outbox ({', '.join(names)}) "  # noqa: S608 - our names
                    f"VALUES ({', '.join('?' * len(names))})",
                    [row[name] for name in names])
            except Exception as exc:  # noqa: BLE001 - one bad row must not cost the others
                conn.execute("ROLLBACK TO salvaged")
                log.warning("salvage: outbox row %s not restored: %s", row.get("id"), exc)
            else:
                restored += 1
            conn.execute("RELEASE salvaged")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return restored


def why(engine: Engine, exc: BaseException) -> str:
    """Why a file was set aside, for the notice."""
    if isinstance(exc, SchemaTooNew):
        return "it was written by a newer version of the console"
    if engine.is_unreadable(exc):
        return ("it is damaged, or was encrypted with a key this computer no longer has: "
                f"{exc}")
    return f"updating it to this version failed: {exc}"


def outbox_words(rows: list[dict[str, Any]], skipped: int) -> str:
    unsent = sum(1 for row in rows if row.get("state") != "sent")
    text = (f"{unsent} unsent action(s) were recovered from it and kept." if unsent
            else "It held no unsent actions that could be read.")
    if skipped:
        # Probed ids include ones deleted after sending: "up to".
        text += f" Up to {skipped} other outbox item(s) in it could not be read."
    return text
