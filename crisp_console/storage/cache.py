"""The cache in the per-account database: the store's objects between runs (schema.py, v1).

Pure functions of a ``sqlite3.Connection`` that run inside the caller's transaction (the
Database runs each on its writer thread, many in one transaction), and ``Cache``, a thin
class over any ``Runner`` (an object with ``awrite(fn)``/``aread(fn)``: database.py's).

- ``save_rows(conn, batch)``: one batch of upserts and removals by id (client/persist.py
  builds it from the store's changes, encoding on the loop thread: the ``*_row`` helpers);
- ``load_snapshot(conn, ...)``: what a warm start restores (core/snapshot.py), bounded;
  ``load_first_screen`` (first_screen.py) its list's top, read before the first paint;
- ``get_meta``/``set_meta``: small JSON values by key (sync cursors, the view: META_KEYS);
- ``evict`` and ``clear``: eviction.py.

Local echoes (PENDING/FAILED messages) are never written: the outbox owns them. The typing
fields of a conversation are not kept either: they are stale by the next start.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol, TypeVar

from crisp_console.core import (
    Conversation,
    Message,
    MessageStatus,
    Operator,
    Ordering,
    Person,
    SavedTimeline,
    Snapshot,
    Website,
)
from crisp_console.storage import eviction, search_index
from crisp_console.storage.codec import encode
from crisp_console.storage.eviction import Eviction
from crisp_console.storage.first_screen import FirstScreen, load_first_screen
from crisp_console.storage.rows import Decoder, directory

log = logging.getLogger("crisp_console.storage")

T = TypeVar("T")

# Meta keys the cache owns (clear() forgets them, nothing else).
SYNC_CURSORS = "sync_cursors"  # {website_id: epoch ms the store was in step with Crisp}
WEBSITES_SINCE = "websites_since"  # ISO date of the last List Connect Websites (Since)
PLUGIN_ID = "plugin_id"
OPERATORS_AT = "operators_at"  # epoch ms the operators were last listed
SAVED_AT = "saved_at"  # epoch ms of the last write
LAST_OPEN = "last_open"  # the session_id the console showed last
FILTER = "filter"
SCOPE = "scope"  # the website scope (a website_id, or None: all)
SAVED_VIEWS = "saved_views"  # the operator's saved segment and custom-filter views
META_KEYS = (SYNC_CURSORS, WEBSITES_SINCE, PLUGIN_ID, OPERATORS_AT, SAVED_AT, LAST_OPEN,
             FILTER, SCOPE, SAVED_VIEWS)

_CONVERSATION_OMIT = frozenset(("session_id", "compose_visitor", "compose_operator"))
_MESSAGE_OMIT = frozenset(("session_id", "fingerprint"))
_WEBSITE_OMIT, _OPERATOR_OMIT = frozenset(("website_id",)), frozenset(("user_id",))
_PERSON_OMIT = frozenset(("people_id",))
_IN_CHUNK = 500  # ids per ``IN (...)``: under SQLite's variable limit everywhere


class Runner(Protocol):
    """Runs a function of the connection off the loop (database.py's Database)."""

    async def awrite(self, fn: Callable[[sqlite3.Connection], T]) -> T: ...

    async def aread(self, fn: Callable[[sqlite3.Connection], T]) -> T: ...


# ---- rows, encoded on the loop thread ------------------------------------------------------


def website_row(site: Website) -> tuple[str, str]:
    return site.website_id, encode(site, omit=_WEBSITE_OMIT)


def operator_row(op: Operator) -> tuple[str, str]:
    return op.user_id, encode(op, omit=_OPERATOR_OMIT)


def conversation_row(conv: Conversation) -> tuple[str, str, int, str]:
    return (conv.session_id, conv.website_id, conv.updated_at,
            encode(conv, omit=_CONVERSATION_OMIT))


def message_row(msg: Message) -> tuple[str, int, int, str] | None:
    """None for a local echo: it is not the server's yet (the outbox keeps it)."""
    if msg.status is not MessageStatus.SENT:
        return None
    return msg.session_id, msg.fingerprint, msg.timestamp, encode(msg, omit=_MESSAGE_OMIT)


def person_row(person: Person, fetched_at: int) -> tuple[str, str, str, int]:
    return person.people_id, person.website_id, encode(person, omit=_PERSON_OMIT), fetched_at


@dataclass
class Batch:
    """One write: rows to upsert (the ``*_row`` tuples), ids to remove, meta to set.
    Removals run first, so an id removed and seen again in one batch ends up saved.

    ``timelines``: (session_id, loaded, cursor, at_start, fetched_at); fetched_at 0 keeps
    the saved one (it only moves forward). ``websites_only``/``operators_only``: the rows
    given are all there are (a RESET replaced them): the others are deleted."""

    websites: list[tuple[str, str]] = field(default_factory=list)
    operators: list[tuple[str, str]] = field(default_factory=list)
    conversations: list[tuple[str, str, int, str]] = field(default_factory=list)
    messages: list[tuple[str, int, int, str]] = field(default_factory=list)
    timelines: list[tuple[str, int, int | None, int, int]] = field(default_factory=list)
    people: list[tuple[str, str, str, int]] = field(default_factory=list)
    gone_websites: list[str] = field(default_factory=list)
    gone_operators: list[str] = field(default_factory=list)
    gone_conversations: list[str] = field(default_factory=list)  # with messages, timeline
    gone_timelines: list[str] = field(default_factory=list)  # messages and bookkeeping
    gone_messages: list[tuple[str, int]] = field(default_factory=list)
    gone_people: list[str] = field(default_factory=list)
    websites_only: bool = False
    operators_only: bool = False
    meta: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        """Rows it touches (meta included)."""
        return sum(len(v) for v in (
            self.websites, self.operators, self.conversations, self.messages, self.timelines,
            self.people, self.gone_websites, self.gone_operators, self.gone_conversations,
            self.gone_timelines, self.gone_messages, self.gone_people, self.meta))


def save_rows(conn: sqlite3.Connection, batch: Batch) -> int:
    """Write ``batch`` (inside the caller's transaction); returns ``len(batch)``. The search
    index follows it in the same transaction (search_index.py)."""
    search_index.save(conn, batch)
    run = conn.executemany
    conv_ids = [(sid,) for sid in batch.gone_conversations]
    run("DELETE FROM conversations WHERE session_id = ?", conv_ids)
    timeline_ids = conv_ids + [(sid,) for sid in batch.gone_timelines]
    run("DELETE FROM messages WHERE session_id = ?", timeline_ids)
    run("DELETE FROM timelines WHERE session_id = ?", timeline_ids)
    run("DELETE FROM messages WHERE session_id = ? AND fingerprint = ?", batch.gone_messages)
    run("DELETE FROM websites WHERE website_id = ?", [(i,) for i in batch.gone_websites])
    run("DELETE FROM operators WHERE user_id = ?", [(i,) for i in batch.gone_operators])
    run("DELETE FROM people WHERE people_id = ?", [(i,) for i in batch.gone_people])
    if batch.websites_only:
        _keep_only(conn, "websites", "website_id", {r[0] for r in batch.websites})
    if batch.operators_only:
        _keep_only(conn, "operators", "user_id", {r[0] for r in batch.operators})
    run("INSERT INTO websites (website_id, body) VALUES (?, ?) "
        "ON CONFLICT (website_id) DO UPDATE SET body = excluded.body", batch.websites)
    run("INSERT INTO operators (user_id, body) VALUES (?, ?) "
        "ON CONFLICT (user_id) DO UPDATE SET body = excluded.body", batch.operators)
    run("INSERT INTO conversations (session_id, website_id, updated_at, body) "
        "VALUES (?, ?, ?, ?) ON CONFLICT (session_id) DO UPDATE SET "
        "website_id = excluded.website_id, updated_at = excluded.updated_at, "
        "body = excluded.body", batch.conversations)
    run("INSERT INTO messages (session_id, fingerprint, timestamp, body) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (session_id, fingerprint) DO UPDATE SET "
        "timestamp = excluded.timestamp, body = excluded.body", batch.messages)
    run("INSERT INTO timelines (session_id, loaded, cursor, at_start, fetched_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (session_id) DO UPDATE SET "
        "loaded = excluded.loaded, cursor = excluded.cursor, at_start = excluded.at_start, "
        "fetched_at = max(fetched_at, excluded.fetched_at)", batch.timelines)
    run("INSERT INTO people (people_id, website_id, body, fetched_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (people_id) DO UPDATE SET website_id = excluded.website_id, "
        "body = excluded.body, fetched_at = max(fetched_at, excluded.fetched_at)",
        batch.people)
    set_meta(conn, batch.meta)
    return len(batch)


def _keep_only(conn: sqlite3.Connection, table: str, key: str, ids: set[str]) -> None:
    # table and key are this module's constants, never input.
    held = [row[0] for row in conn.execute(f"SELECT {key} FROM {table}")]  # noqa: S608
    conn.executemany(f"DELETE FROM {table} WHERE {key} = ?",  # noqa: S608
                     [(i,) for i in held if i not in ids])


# ---- meta ----------------------------------------------------------------------------------


def get_meta(conn: sqlite3.Connection, keys: Iterable[str] | None = None) -> dict[str, Any]:
    """The meta values by key (all of them without ``keys``); unreadable ones left out."""
    rows = conn.execute("SELECT key, value FROM meta").fetchall()
    wanted = None if keys is None else set(keys)
    out: dict[str, Any] = {}
    for key, value in rows:
        if wanted is None or key in wanted:
            try:
                out[key] = json.loads(value)
            except ValueError:
                log.warning("cache meta %.40r is not JSON; ignored", key)
    return out


def set_meta(conn: sqlite3.Connection, values: dict[str, Any]) -> None:
    """Set meta values (JSON); a value of None deletes its key."""
    conn.executemany("DELETE FROM meta WHERE key = ?",
                     [(k,) for k, v in values.items() if v is None])
    conn.executemany(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [(k, json.dumps(v, separators=(",", ":"))) for k, v in values.items() if v is not None])


# ---- the warm start's snapshot -------------------------------------------------------------


@dataclass
class Loaded:
    """What ``load_snapshot`` read: the snapshot, the meta, and how many rows it skipped
    because they did not decode (logged once, by kind)."""

    snapshot: Snapshot
    meta: dict[str, Any]
    skipped: int = 0


def load_snapshot(conn: sqlite3.Connection, *, conversations: int = 2000,
                  timelines: int = 30, messages: int = 400) -> Loaded:
    """The websites, the operators, the ``conversations`` most recently updated, their
    people, and the ``timelines`` most recently read from Crisp among theirs (loaded ones),
    each with its newest ``messages`` (more when timestamps tie at the cut) and bookkeeping.
    A timeline cut short starts its history at the cut: older pages come from Crisp."""
    decoder = Decoder()
    decoded = decoder.rows
    q = conn.execute
    sites, ops = directory(conn, decoder)
    convs = list(decoded(Conversation, q(
        "SELECT session_id, body FROM conversations ORDER BY updated_at DESC, session_id "
        "LIMIT ?", (conversations,)), "session_id"))
    by_id = {c.session_id: c for c in convs}
    people_ids = sorted({c.people_id for c in convs if c.people_id})
    people: list[Person] = []
    for chunk in _chunks(people_ids):
        marks = ",".join("?" * len(chunk))
        people.extend(decoded(Person, q(
            f"SELECT people_id, body FROM people WHERE people_id IN ({marks})",  # noqa: S608
            chunk), "people_id"))
    saved: list[SavedTimeline] = []
    for sid, cursor, at_start in q(
            "SELECT session_id, cursor, at_start FROM timelines WHERE loaded "
            "ORDER BY fetched_at DESC, session_id").fetchall():
        if len(saved) >= timelines:
            break
        if sid in by_id:
            saved.append(_timeline(conn, sid, bool(at_start), cursor, messages,
                                   partial(decoded, Message)))
    total = decoder.total()
    return Loaded(Snapshot(sites, ops, people, convs, saved), get_meta(conn, META_KEYS), total)


def _timeline(conn: sqlite3.Connection, sid: str, at_start: bool, cursor: int | None,
              newest: int, decoded: Callable[..., Iterator[Message]]) -> SavedTimeline:
    cut = conn.execute("SELECT timestamp FROM messages WHERE session_id = ? "
                       "ORDER BY timestamp DESC LIMIT 1 OFFSET ?",
                       (sid, max(0, newest - 1))).fetchone()
    since = cut[0] if cut is not None else None
    if since is not None and conn.execute(
            "SELECT 1 FROM messages WHERE session_id = ? AND timestamp < ? LIMIT 1",
            (sid, since)).fetchone() is not None:
        # Older messages stay on disk: history resumes at the cut (ties included above it).
        cursor, at_start = since, False
    rows = conn.execute("SELECT fingerprint, body FROM messages WHERE session_id = ? "
                        "AND timestamp >= ? ORDER BY timestamp, fingerprint",
                        (sid, since if since is not None else 0))
    msgs = list(decoded(rows, "fingerprint", session_id=sid))
    return SavedTimeline(sid, msgs, loaded=True, cursor=cursor, at_start=at_start)


def _chunks(ids: list[str]) -> Iterator[list[str]]:
    for i in range(0, len(ids), _IN_CHUNK):
        yield ids[i:i + _IN_CHUNK]


# ---- the class over a runner ---------------------------------------------------------------


class Cache:
    """The functions above, run by ``runner`` (writes batched with everything else)."""

    def __init__(self, runner: Runner) -> None:
        self.runner = runner

    async def save(self, batch: Batch) -> int:
        return await self.runner.awrite(partial(save_rows, batch=batch))

    async def load(self, *, conversations: int, timelines: int, messages: int) -> Loaded:
        return await self.runner.aread(partial(
            load_snapshot, conversations=conversations, timelines=timelines, messages=messages))

    async def load_first_screen(self, *, rows: int, conversations: int,
                                ordering: Ordering) -> FirstScreen:
        def read(conn: sqlite3.Connection) -> FirstScreen:
            first = load_first_screen(conn, rows=rows, conversations=conversations,
                                      ordering=ordering)
            first.meta = get_meta(conn, META_KEYS)
            return first

        return await self.runner.aread(read)

    async def get_meta(self, keys: Iterable[str] | None = None) -> dict[str, Any]:
        return await self.runner.aread(partial(get_meta, keys=keys))

    async def set_meta(self, values: dict[str, Any]) -> None:
        await self.runner.awrite(partial(set_meta, values=values))

    async def evict(self, cap_bytes: int, keep: Iterable[str] = (),
                    limit: int | None = None, scale: float = 0.0) -> Eviction:
        return await self.runner.awrite(partial(eviction.evict, cap_bytes=cap_bytes,
                                                keep=frozenset(keep), limit=limit,
                                                scale=scale))

    async def clear(self) -> None:
        await self.runner.awrite(partial(eviction.clear, meta_keys=META_KEYS))

    async def used_bytes(self) -> int:
        return await self.runner.aread(eviction.used_bytes)
