"""The outbox: every outgoing action, kept on disk from before its request leaves until
Crisp has it (schema.py's ``outbox`` table).

A row holds what the action needs to be sent again after a crash or a restart: its kind,
the conversation, the fingerprint of a message, a JSON ``body`` (what the request carries,
plus what the local echo showed), a file's bytes in ``data`` until they are uploaded, and
its state with the words of a failure. The row's ``id`` is the order the actions were taken
in, and the order they go in per conversation.

The SQL functions take a ``sqlite3.Connection`` and run inside the caller's transaction (the
database's writer thread: storage/database.py); ``Outbox`` runs them through any ``Runner``
(``awrite``/``aread``), so the client awaits a commit, never the disk on its own thread.
``InlineRunner`` runs them at once on the caller's thread: for an in-memory database (no
keyring, the tests), where a write costs microseconds.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import json
import sqlite3
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal, Protocol, TypeVar

from crisp_console.storage import schema

T = TypeVar("T")
State = Literal["queued", "sending", "sent", "failed"]
QUEUED: Final = "queued"
SENDING: Final = "sending"
SENT: Final = "sent"
FAILED: Final = "failed"
STATES: tuple[State, ...] = (QUEUED, SENDING, SENT, FAILED)
MESSAGE_KINDS = frozenset(("text", "note", "file"))
COMMAND_KINDS = frozenset(("edit", "state", "assign", "segments", "read", "unread", "block"))
KINDS = MESSAGE_KINDS | COMMAND_KINDS
_COLUMNS = ("id, kind, website_id, session_id, fingerprint, body, data, state, ambiguous, "
            "error, created_ms, updated_ms")


@dataclass
class OutboxItem:
    """One outgoing action. ``id`` is None until it is added."""

    kind: str
    website_id: str
    session_id: str
    body: dict[str, Any] = field(default_factory=dict)
    fingerprint: int | None = None  # messages and edits
    data: bytes | None = None  # a file's bytes, until it is uploaded
    state: State = QUEUED
    ambiguous: bool = False  # an attempt may be stored: read before posting again
    error: str = ""  # why it failed (or waits), in words
    created_ms: int = 0
    updated_ms: int = 0
    id: int | None = None

    @property
    def is_message(self) -> bool:
        return self.kind in MESSAGE_KINDS

    def copy(self) -> OutboxItem:
        return dataclasses.replace(self, body=dict(self.body))


def item_from_row(row: Mapping[str, Any] | sqlite3.Row | tuple[Any, ...]) -> OutboxItem:
    """An item from a row of ``SELECT {_COLUMNS}`` (a tuple in that order) or a mapping of
    the column names (a salvaged row, a ``sqlite3.Row``). A body that is not a JSON object
    is kept as ``{"unreadable": <text>}``, so the action is still listed, never dropped."""
    if isinstance(row, tuple):
        values = dict(zip(_COLUMNS.split(", "), row, strict=True))
    else:
        values = {key: row[key] for key in row.keys()}  # noqa: SIM118 - sqlite3.Row too
    body = _body(values.get("body"))
    state = values.get("state")
    data = values.get("data")
    return OutboxItem(
        id=int(values["id"]) if values.get("id") is not None else None,
        kind=str(values["kind"]), website_id=str(values["website_id"]),
        session_id=str(values["session_id"]),
        fingerprint=int(values["fingerprint"]) if values.get("fingerprint") is not None
        else None,
        body=body, data=bytes(data) if data is not None else None,
        state=state if state in STATES else QUEUED,
        ambiguous=bool(values.get("ambiguous")), error=str(values.get("error") or ""),
        created_ms=int(values.get("created_ms") or 0),
        updated_ms=int(values.get("updated_ms") or 0))


def _body(text: Any) -> dict[str, Any]:
    if isinstance(text, bytes | str):
        try:
            value = json.loads(text)
        except ValueError:
            value = None
        if isinstance(value, dict):
            return value
        return {"unreadable": text if isinstance(text, str) else text.decode(errors="replace")}
    return {}


# ---- SQL: each runs inside the caller's transaction ----------------------------------------

def add_item(conn: sqlite3.Connection, item: OutboxItem) -> int:
    """Insert ``item`` (its ``id`` is ignored); returns the new id."""
    cursor = conn.execute(
        "INSERT INTO outbox (kind, website_id, session_id, fingerprint, body, data, state, "
        "ambiguous, error, created_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (item.kind, item.website_id, item.session_id, item.fingerprint,
         json.dumps(item.body, separators=(",", ":")), item.data, item.state,
         int(item.ambiguous), item.error, item.created_ms, item.updated_ms))
    row_id = cursor.lastrowid
    assert row_id is not None
    return int(row_id)


_UNSET: Any = object()


def update_item(conn: sqlite3.Connection, item_id: int, *, updated_ms: int,
                state: State | None = None, ambiguous: bool | None = None,
                error: str | None = None, body: dict[str, Any] | None = None,
                data: bytes | None = _UNSET) -> bool:
    """Change the given fields of one row; False when it is gone (sent, discarded)."""
    sets = ["updated_ms = ?"]
    args: list[Any] = [updated_ms]
    if state is not None:
        if state not in STATES:
            raise ValueError(f"no outbox state {state!r}")
        sets.append("state = ?")
        args.append(state)
    if ambiguous is not None:
        sets.append("ambiguous = ?")
        args.append(int(ambiguous))
    if error is not None:
        sets.append("error = ?")
        args.append(error)
    if body is not None:
        sets.append("body = ?")
        args.append(json.dumps(body, separators=(",", ":")))
    if data is not _UNSET:
        sets.append("data = ?")
        args.append(data)
    args.append(item_id)
    cursor = conn.execute(f"UPDATE outbox SET {', '.join(sets)} WHERE id = ?",  # noqa: S608
                          args)
    return cursor.rowcount > 0


def remove_item(conn: sqlite3.Connection, item_id: int) -> bool:
    return conn.execute("DELETE FROM outbox WHERE id = ?", (item_id,)).rowcount > 0


def get_item(conn: sqlite3.Connection, item_id: int) -> OutboxItem | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM outbox WHERE id = ?",  # noqa: S608
                       (item_id,)).fetchone()
    return item_from_row(tuple(row)) if row is not None else None


def unsent(conn: sqlite3.Connection) -> list[OutboxItem]:
    """Every item Crisp may not have yet (all but ``sent``), in id order."""
    rows = conn.execute(f"SELECT {_COLUMNS} FROM outbox WHERE state != ? "  # noqa: S608
                        "ORDER BY id", (SENT,)).fetchall()
    return [item_from_row(tuple(row)) for row in rows]


def count_unsent(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT COUNT(*) FROM outbox WHERE state != ?",
                            (SENT,)).fetchone()[0])


# ---- runners and the Outbox ----------------------------------------------------------------

class Runner(Protocol):
    """What runs SQL for the outbox: storage/database.py's Database, or InlineRunner.
    Writes commit in the order they were submitted (``write`` submits at once)."""

    def write(self, fn: Callable[[sqlite3.Connection], T]) -> concurrent.futures.Future[T]: ...

    def awrite(self, fn: Callable[[sqlite3.Connection], T]) -> Awaitable[T]: ...

    def aread(self, fn: Callable[[sqlite3.Connection], T]) -> Awaitable[T]: ...


class InlineRunner:
    """Runs each function at once on the caller's thread, in its own transaction (rolled
    back if it raises). For an in-memory database and tests: a file-backed one belongs on
    the database's writer thread, off the event loop."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        if conn.isolation_level is not None:
            raise ValueError("InlineRunner needs a connection in autocommit mode "
                             "(isolation_level=None)")
        self.conn = conn

    @classmethod
    def open(cls, path: Path | str = ":memory:") -> InlineRunner:
        """A connection to ``path`` (default: memory) with the schema migrated; a file in
        WAL mode with synchronous=FULL, as the real database (a commit is durable)."""
        conn = sqlite3.connect(str(path), isolation_level=None)
        if str(path) != ":memory:":
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
        schema.migrate(conn)
        return cls(conn)

    def run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """``fn`` in a transaction of its own, now."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            result = fn(self.conn)
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")
        return result

    def write(self, fn: Callable[[sqlite3.Connection], T]) -> concurrent.futures.Future[T]:
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        try:
            future.set_result(self.run(fn))
        except Exception as exc:  # noqa: BLE001 - carried by the future, as the Database's
            future.set_exception(exc)
        return future

    async def awrite(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        return self.run(fn)

    async def aread(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        return fn(self.conn)

    def close(self) -> None:
        self.conn.close()


class Outbox:
    """The outbox over a ``Runner``; every method returns after the commit (durable).
    ``clock`` gives epoch seconds (``created_ms``/``updated_ms``)."""

    def __init__(self, runner: Runner, *, clock: Callable[[], float] = time.time) -> None:
        self.runner = runner
        self._clock = clock

    def now_ms(self) -> int:
        return int(self._clock() * 1000)

    async def add(self, item: OutboxItem) -> int:
        """Store ``item`` (stamped now unless it carries its times); returns its id and sets
        ``item.id``."""
        now = self.now_ms()
        item.created_ms = item.created_ms or now
        item.updated_ms = item.updated_ms or now
        stored = item.copy()
        item.id = await self.runner.awrite(lambda conn: add_item(conn, stored))
        return item.id

    async def update(self, item_id: int, *, state: State | None = None,
                     ambiguous: bool | None = None, error: str | None = None,
                     body: dict[str, Any] | None = None, clear_data: bool = False) -> bool:
        now = self.now_ms()
        body = dict(body) if body is not None else None
        data: Any = None if clear_data else _UNSET
        return await self.runner.awrite(lambda conn: update_item(
            conn, item_id, updated_ms=now, state=state, ambiguous=ambiguous, error=error,
            body=body, data=data))

    def submit_update(self, item_id: int, *, state: State | None = None,
                      ambiguous: bool | None = None,
                      error: str | None = None) -> concurrent.futures.Future[bool]:
        """``update`` submitted now and not awaited: it commits after every write submitted
        before it (the caller keeps order without waiting for the disk)."""
        now = self.now_ms()
        return self.runner.write(lambda conn: update_item(
            conn, item_id, updated_ms=now, state=state, ambiguous=ambiguous, error=error))

    def submit_remove(self, item_id: int) -> concurrent.futures.Future[bool]:
        return self.runner.write(lambda conn: remove_item(conn, item_id))

    async def remove(self, item_id: int) -> bool:
        return await self.runner.awrite(lambda conn: remove_item(conn, item_id))

    async def get(self, item_id: int) -> OutboxItem | None:
        return await self.runner.aread(lambda conn: get_item(conn, item_id))

    async def unsent(self) -> list[OutboxItem]:
        return await self.runner.aread(unsent)

    async def count_unsent(self) -> int:
        return await self.runner.aread(count_unsent)
