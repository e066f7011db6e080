"""Per-conversation drafts: what the operator was writing, and in which mode, kept when they
switch conversations and across restarts (console-ux.md idea d4; Chatwoot #4876, #5301).

The store is plain Python: the composer puts on every change and debounces ``save()``.
Drafts live in the account's database (the ``drafts`` table) when one is given: ``save()``
hands the changed rows to its writer thread and returns at once. Without one (or with a
database in memory only, which would lose them at exit) they live in ``drafts.json``, written
by ``write_atomic``, so a crash leaves either the old drafts or the new ones.

The first time a database is used, the drafts of an existing ``drafts.json`` move into it
(a draft already in the table wins); the file is renamed ``drafts.json.migrated`` only after
the rows are committed. A file that cannot be read never stops the console: it is set aside
as ``<name>.corrupt`` for recovery by hand, and the store starts empty.
"""

from __future__ import annotations

import concurrent.futures
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

from crisp_console.storage.atomic import write_atomic
from crisp_console.storage.database import Database, StorageMode

log = logging.getLogger(__name__)

Mode = Literal["reply", "note"]
MODES: tuple[Mode, ...] = ("reply", "note")
FORMAT_VERSION = 1
MIGRATED_SUFFIX = ".migrated"


@dataclass(frozen=True, slots=True)
class Draft:
    text: str
    mode: Mode = "reply"


class DraftStore:
    """Drafts by conversation (session id), in ``database`` when one is given (not in
    memory only), else in the JSON file ``path``; neither keeps them in memory only.
    With a database, ``path`` is the old drafts.json to migrate, if it exists.

    Attributes:
        on_change: called after every change of the drafts (not after saves).
        migration: with a database and a drafts.json to move into it, resolves once the
            rows are committed and the file renamed (True) or left in place (False).
    """

    def __init__(self, path: Path | None, *, database: Database | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        if database is not None and database.mode is StorageMode.MEMORY:
            database = None  # drafts.json outlives this session; an in-memory database not
        self.path = path
        self.on_change: Callable[[], None] | None = None
        self.migration: concurrent.futures.Future[bool] | None = None
        self._database = database
        self._clock = clock
        self._drafts: dict[str, Draft] = {}
        self._dirty: set[str] = set()  # ids changed and not yet saved (or whose save failed)
        self._lock = threading.Lock()  # _dirty: a failed save puts ids back from the writer
        if database is not None:
            self._drafts = self._read_table(database)
            if path is not None:
                self._migrate(database, path)
        elif path is not None:
            self._drafts = _load(path)[0]

    def get(self, session_id: str) -> Draft | None:
        return self._drafts.get(session_id)

    def put(self, session_id: str, text: str, mode: str) -> None:
        """Remember a draft; text that is empty or only whitespace deletes it."""
        if mode not in MODES:
            raise ValueError(f"unknown composer mode {mode!r}")
        old = self._drafts.get(session_id)
        new = Draft(text, cast(Mode, mode)) if text.strip() else None
        if new is None:
            self._drafts.pop(session_id, None)
        else:
            self._drafts[session_id] = new
        if new != old:
            with self._lock:
                self._dirty.add(session_id)
            if self.on_change is not None:
                self.on_change()

    def ids(self) -> set[str]:
        """Conversations that have a draft (the list marks them)."""
        return set(self._drafts)

    @property
    def dirty(self) -> bool:
        """Changed since the last save (with a database: not yet handed to its writer, or
        handed and failed)."""
        with self._lock:
            return bool(self._dirty)

    def save(self) -> None:
        """Save what changed; failures are logged and retried at the next save. With a
        database this only queues the rows: it never waits on the disk."""
        if self._database is not None:
            self._save_rows(self._database)
            return
        if self.path is None or not self.dirty:
            return
        data = {"version": FORMAT_VERSION,
                "drafts": {sid: {"text": d.text, "mode": d.mode}
                           for sid, d in self._drafts.items()}}
        try:
            write_atomic(self.path, json.dumps(data, ensure_ascii=False, indent=1).encode())
        except OSError as exc:
            log.warning("drafts not saved to %s: %s", self.path, exc)
            return
        with self._lock:
            self._dirty.clear()

    # ---- the database ---------------------------------------------------------------------

    def _read_table(self, database: Database) -> dict[str, Draft]:
        # Once, at start-up, before the composer shows a draft: a small table.
        try:
            return database.read(_rows).result()
        except Exception as exc:  # noqa: BLE001 - no drafts is better than no console
            log.warning("drafts cannot be read from the local database (%s); starting "
                        "without them", exc)
            return {}

    def _save_rows(self, database: Database) -> None:
        with self._lock:
            changes = {sid: self._drafts.get(sid) for sid in self._dirty}
            self._dirty.clear()
        if not changes:
            return
        now = int(self._clock() * 1000)

        def write(conn: sqlite3.Connection) -> None:
            for sid, draft in changes.items():
                if draft is None:
                    conn.execute("DELETE FROM drafts WHERE session_id = ?", (sid,))
                else:
                    conn.execute("INSERT OR REPLACE INTO drafts (session_id, text, mode, "
                                 "updated_at) VALUES (?, ?, ?, ?)",
                                 (sid, draft.text, draft.mode, now))

        def saved(future: concurrent.futures.Future[None]) -> None:
            exc = future.exception()
            if exc is not None:  # on the writer thread: only _dirty, under the lock
                log.warning("drafts not saved to the local database: %s", exc)
                with self._lock:
                    self._dirty.update(changes)

        database.write(write).add_done_callback(saved)

    def _migrate(self, database: Database, path: Path) -> None:
        old, readable = _load(path)
        if not readable:
            return  # absent, unreadable (left for next time) or set aside as .corrupt
        fresh = {sid: d for sid, d in old.items() if sid not in self._drafts}
        self._drafts.update(fresh)
        now = int(self._clock() * 1000)
        done: concurrent.futures.Future[bool] = concurrent.futures.Future()
        self.migration = done

        def insert(conn: sqlite3.Connection) -> None:
            conn.executemany("INSERT OR IGNORE INTO drafts (session_id, text, mode, updated_at)"
                             " VALUES (?, ?, ?, ?)",
                             [(sid, d.text, d.mode, now) for sid, d in fresh.items()])

        def committed(future: concurrent.futures.Future[None]) -> None:
            exc = future.exception()
            if exc is not None:
                log.warning("drafts from %s not moved to the local database (%s); the file "
                            "is kept and tried again next time", path, exc)
                done.set_result(False)
                return
            done.set_result(_retire(path))

        database.write(insert).add_done_callback(committed)


def _rows(conn: sqlite3.Connection) -> dict[str, Draft]:
    drafts: dict[str, Draft] = {}
    for sid, text, mode in conn.execute("SELECT session_id, text, mode FROM drafts"):
        if mode in MODES and isinstance(text, str) and text.strip():
            drafts[sid] = Draft(text, mode)
        else:
            log.warning("drafts table: skipping a malformed draft for %s", sid)
    return drafts


def _retire(path: Path) -> bool:
    """drafts.json, its rows committed to the database: renamed, kept for recovery by hand."""
    target = path.with_name(path.name + MIGRATED_SUFFIX)
    try:
        os.replace(path, target)
    except OSError as exc:
        log.warning("drafts moved to the local database, but %s could not be renamed (%s); "
                    "it will be merged again next time (drafts in the database win)", path, exc)
        return False
    log.info("drafts moved from %s to the local database; the file is kept as %s", path,
             target)
    return True


def _load(path: Path) -> tuple[dict[str, Draft], bool]:
    """The drafts of ``path``, and whether the file was read (absent, unreadable or set
    aside: False)."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        log.debug("no drafts file at %s yet", path)
        return {}, False
    except (OSError, UnicodeDecodeError) as exc:
        log.warning("drafts file %s cannot be read (%s); starting without drafts", path, exc)
        return {}, False
    try:
        data: Any = json.loads(raw)
    except json.JSONDecodeError as exc:
        _set_aside(path, f"not valid JSON ({exc})")
        return {}, False
    if (not isinstance(data, dict) or data.get("version") != FORMAT_VERSION
            or not isinstance(data.get("drafts"), dict)):
        _set_aside(path, f"not a version {FORMAT_VERSION} drafts file")
        return {}, False
    drafts: dict[str, Draft] = {}
    for sid, entry in data["drafts"].items():
        if (isinstance(entry, dict) and isinstance(entry.get("text"), str)
                and entry.get("mode") in MODES and entry["text"].strip()):
            drafts[sid] = Draft(entry["text"], entry["mode"])
        else:
            log.warning("drafts file %s: skipping a malformed draft for %s", path, sid)
    return drafts, True


def _set_aside(path: Path, why: str) -> None:
    backup = path.with_name(path.name + ".corrupt")
    try:
        os.replace(path, backup)
    except OSError as exc:
        log.warning("drafts file %s is %s and could not be set aside (%s); starting without "
                    "drafts", path, why, exc)
        return
    log.warning("drafts file %s is %s; kept as %s, starting without drafts", path, why, backup)
