"""The local search index (schema v2), kept in step with the cache in the cache's own
transaction: ``cache.save_rows`` calls ``save`` first, eviction and clear call ``forget`` and
``clear``; the migration makes the tables (search_migration.py), and the rows cached before
them are indexed in the background (search_backfill.py).

Two FTS5 tables, one tokenizer (``unicode61 remove_diacritics 2``: case and accents fold on
both sides, so "zoe" finds "Zoë"):

- ``search_text``: one document per cached message that carries readable text
  (search_docs.py), with prefix indexes of 2 to 6 characters: such a prefix reads one
  doclist, newest first, as far as the query needs, where without an index FTS5 merges the
  doclists of every word it starts, whole, for each statement (30 to 45 ms for "thank*"
  over a million messages with SQLCipher's SQLite; under a millisecond with the index).
  Each length costs about 20 MB per million messages. A query's one-letter words are exact
  words there (search_query.py): a one-letter prefix matches nearly every message. Its
  ``site`` column holds a token per website ("s3", ``search_websites``), so a website
  filter is part of the MATCH, not a scan after it.
- ``search_cards``: one document per conversation: its visitor's name, email, phone,
  subject, segments, custom data, and those of their people profile, the profile's notepad
  and the conversation's last message excerpt. Small (one per conversation), so every
  prefix length is indexed and every match ranked.

Row mapping. ``messages`` is WITHOUT ROWID (session_id, fingerprint), and an FTS5 rowid is an
integer, so a message's document gets a rowid of its own, remembered in ``search_messages``
((ref, fingerprint) -> doc, WITHOUT ROWID: replacing or deleting one message, or all of a
conversation's, is a primary-key lookup); the document carries (ref, fingerprint) back,
and the message's time and kind (UNINDEXED columns: a hit reads them in the row its snippet
reads too). A session is referred to by a small integer (``search_sessions.ref``),
not its 44-character id, in both places: a million documents would otherwise store 90 MB of
ids. The rowid is not a hash of the key: it is time, ``(timestamp // 1000) * 16 + n`` (n the
first free of the second's 16 slots, or the next free rowid after them), so that
``ORDER BY rowid DESC`` walks a term's matches newest first without reading a row: that is
how a query matching half the index stays fast (search_rank.py). Seconds, not milliseconds:
the doclists store rowid deltas as varints, and millisecond rowids made them 40% larger.
A hash of (session, fingerprint) would need no lookup table, but two messages could share
one, and the newest-first walk would be lost. A card's rowid is its session's ref.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from crisp_console.storage import search_docs as docs

if TYPE_CHECKING:
    from crisp_console.storage.cache import Batch

log = logging.getLogger("crisp_console.storage")

SLOTS = 16  # documents per second of message time before the rowids spill over
_TOKENIZER = "unicode61 remove_diacritics 2"
_SPILL = SLOTS * 60  # rowids a burst may look through at a time: a minute's

DDL = f"""
    CREATE TABLE search_sessions (
        ref INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL UNIQUE,
        people_id TEXT NOT NULL DEFAULT '',
        website_id TEXT NOT NULL DEFAULT '',         -- the conversation's, as its card's hits
        updated_at INTEGER NOT NULL DEFAULT 0,       -- need them: no conversation body read
        last_fingerprint INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX search_sessions_people ON search_sessions (people_id) WHERE people_id <> '';
    CREATE TABLE search_websites (
        site INTEGER PRIMARY KEY,
        website_id TEXT NOT NULL UNIQUE
    );
    CREATE TABLE search_messages (
        ref INTEGER NOT NULL,
        fingerprint INTEGER NOT NULL,
        doc INTEGER NOT NULL,
        PRIMARY KEY (ref, fingerprint)
    ) WITHOUT ROWID;
    CREATE VIRTUAL TABLE search_text USING fts5 (
        body, site, ref UNINDEXED, fingerprint UNINDEXED, kind UNINDEXED, timestamp UNINDEXED,
        tokenize = '{_TOKENIZER}', prefix = '2 3 4 5 6'
    );
    CREATE VIRTUAL TABLE search_cards USING fts5 (
        {", ".join(docs.CARD_COLUMNS)},
        tokenize = '{_TOKENIZER}', prefix = '1 2 3'
    )
"""
INSERT_TEXT = ("INSERT INTO search_text (rowid, body, site, ref, fingerprint, kind, timestamp) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)")
OWED = "search_backfill"  # the meta key of what the index still owes (search_backfill.py)
TABLES = ("search_text", "search_cards", "search_messages", "search_websites",
          "search_sessions")


def available(conn: sqlite3.Connection) -> bool:
    """The index exists in this file (a SQLite without FTS5 made v2 without it)."""
    return conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'search_text'"
                        ).fetchone() is not None


def script(conn: sqlite3.Connection, sql: str) -> None:
    for statement in sql.split(";"):
        if statement.strip():
            conn.execute(statement)


def clear(conn: sqlite3.Connection) -> None:
    """Forget every document (the cache was cleared): the tables made again, faster than
    deleting a million documents one by one."""
    if not available(conn):
        return
    for table in TABLES:
        conn.execute(f"DROP TABLE {table}")  # TABLES: constants, never input
    script(conn, DDL)
    conn.execute("DELETE FROM meta WHERE key = ?", (OWED,))  # no row left to owe


# ---- keeping step with cache.save_rows -----------------------------------------------------


def save(conn: sqlite3.Connection, batch: Batch) -> None:
    """Index a cache.Batch, before ``save_rows`` writes it (in its transaction): removals
    first, as there. The tables of the cache still hold the rows as they were, so what the
    batch does not carry (the profile of a conversation, the conversations of a profile) is
    read from them."""
    if not available(conn):
        return
    index = Index(conn)
    index.forget(batch.gone_conversations)
    index.forget(batch.gone_timelines, cards=False)
    index.forget_messages(batch.gone_messages)
    people = {pid: body for pid, _wid, body, _at in batch.people}
    gone_people = set(batch.gone_people)
    carded: set[str] = set()
    for row in batch.conversations:
        index.card(row, people, gone_people)
        carded.add(row[0])
    # A profile saved or removed alone: the cards of its conversations follow it.
    for pid in [*people, *gone_people]:
        for sid in index.sessions_of(pid):
            if sid not in carded:
                row = conn.execute("SELECT session_id, website_id, updated_at, body FROM "
                                   "conversations WHERE session_id = ?", (sid,)).fetchone()
                if row is not None:
                    index.card(tuple(row), people, gone_people)
                    carded.add(sid)
    for sid, fingerprint, timestamp, body in batch.messages:
        index.message(sid, fingerprint, timestamp, body)


def forget(conn: sqlite3.Connection, session_ids: Iterable[str]) -> None:
    """Conversations dropped whole (eviction.py): their cards and messages' documents."""
    if available(conn):
        Index(conn).forget(session_ids)


RECLAIM_PAGES = 400  # a bounded merge's work, in leaf pages: milliseconds


def reclaim(conn: sqlite3.Connection, pages: int = RECLAIM_PAGES) -> None:
    """Merge a bounded amount of the index's segments (FTS5's 'merge' command; negative: all
    levels, however few segments), applying deleted documents' markers: a small index is
    merged whole now, a big one frees its pages as later merges go on (FTS5's automerge, as
    writes come)."""
    if available(conn):
        for table in ("search_text", "search_cards"):
            conn.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('merge', ?)",  # noqa: S608
                         (-pages,))


class Index:
    """The index of one connection, for one batch: refs looked up once each."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._refs: dict[str, int | None] = {}
        self._sites: dict[str, str] = {}
        self._warned = False

    # ---- refs ------------------------------------------------------------------------------

    def ref(self, sid: str, *, make: bool = False) -> int | None:
        ref = self._refs.get(sid)
        if ref is None:
            row = self.conn.execute("SELECT ref FROM search_sessions WHERE session_id = ?",
                                    (sid,)).fetchone()
            if row is not None:
                ref = int(row[0])
            elif make:
                ref = int(self.conn.execute("INSERT INTO search_sessions (session_id) "
                                            "VALUES (?)", (sid,)).lastrowid or 0)
            self._refs[sid] = ref
        return ref

    def site(self, website_id: str) -> str:
        site = self._sites.get(website_id)
        if site is None:
            row = self.conn.execute("SELECT site FROM search_websites WHERE website_id = ?",
                                    (website_id,)).fetchone()
            number = int(row[0]) if row is not None else int(self.conn.execute(
                "INSERT INTO search_websites (website_id) VALUES (?)",
                (website_id,)).lastrowid or 0)
            site = self._sites[website_id] = f"s{number}"
        return site

    def sessions_of(self, people_id: str) -> list[str]:
        return [row[0] for row in self.conn.execute(
            "SELECT session_id FROM search_sessions WHERE people_id = ?", (people_id,))]

    # ---- removals --------------------------------------------------------------------------

    def forget(self, session_ids: Iterable[str], *, cards: bool = True) -> None:
        """The sessions' message documents; with ``cards``, their cards and refs too."""
        for sid in session_ids:
            ref = self.ref(sid)
            if ref is None:
                continue
            q = self.conn.execute
            q("DELETE FROM search_text WHERE rowid IN "
              "(SELECT doc FROM search_messages WHERE ref = ?)", (ref,))
            q("DELETE FROM search_messages WHERE ref = ?", (ref,))
            if cards:
                q("DELETE FROM search_cards WHERE rowid = ?", (ref,))
                q("DELETE FROM search_sessions WHERE ref = ?", (ref,))
                self._refs[sid] = None

    def forget_messages(self, keys: Iterable[tuple[str, int]]) -> None:
        for sid, fingerprint in keys:
            ref = self.ref(sid)
            if ref is not None:
                self._drop_doc(ref, fingerprint)

    def _drop_doc(self, ref: int, fingerprint: int) -> None:
        row = self.conn.execute("SELECT doc FROM search_messages WHERE ref = ? AND "
                                "fingerprint = ?", (ref, fingerprint)).fetchone()
        if row is not None:
            self.conn.execute("DELETE FROM search_text WHERE rowid = ?", (row[0],))
            self.conn.execute("DELETE FROM search_messages WHERE ref = ? AND fingerprint = ?",
                              (ref, fingerprint))

    # ---- documents -------------------------------------------------------------------------

    def message(self, sid: str, fingerprint: int, timestamp: int, body: str) -> bool:
        """Index (or re-index) one message row; an unchanged text keeps its document.
        True when a document was written."""
        doc = self.decode(body, "message")
        found = None if doc is None else docs.message_text(doc)
        ref = self.ref(sid, make=found is not None)
        if ref is None:
            return False
        if found is None:
            self._drop_doc(ref, fingerprint)
            return False
        kind, text = found
        assert doc is not None
        site = self.site(text_of(doc.get("website_id")))
        row = self.conn.execute(
            "SELECT t.rowid, t.body, t.site, t.kind, t.timestamp FROM search_messages m "
            "JOIN search_text t ON t.rowid = m.doc WHERE m.ref = ? AND m.fingerprint = ?",
            (ref, fingerprint)).fetchone()
        if row is not None:
            if tuple(row[1:]) == (text, site, kind, timestamp):
                return False
            self.conn.execute("DELETE FROM search_text WHERE rowid = ?", (row[0],))
        rowid = self._free_rowid(timestamp)
        self.conn.execute(INSERT_TEXT, (rowid, text, site, ref, fingerprint, kind, timestamp))
        self.conn.execute("INSERT INTO search_messages (ref, fingerprint, doc) VALUES (?, ?, ?) "
                          "ON CONFLICT (ref, fingerprint) DO UPDATE SET doc = excluded.doc",
                          (ref, fingerprint, rowid))
        return True

    def _free_rowid(self, timestamp: int) -> int:
        """The first free of the second's slots; when a burst took them all, the one after
        the last taken within the next minute (or the next minutes): a few rowids a little
        out of time order, never a walk through a long run of taken ones."""
        q = self.conn.execute
        start = first_rowid(timestamp)
        taken = {r[0] for r in q("SELECT rowid FROM search_text WHERE rowid BETWEEN ? AND ?",
                                 (start, start + SLOTS - 1))}
        for rowid in range(start, start + SLOTS):
            if rowid not in taken:
                return rowid
        while True:
            end = start + _SPILL
            row = q("SELECT rowid FROM search_text WHERE rowid BETWEEN ? AND ? "
                    "ORDER BY rowid DESC LIMIT 1", (start, end - 1)).fetchone()
            last = start - 1 if row is None else int(row[0])
            if last + 1 < end:
                return last + 1
            start = end

    def card(self, row: tuple[str, str, int, str], people: Mapping[str, str],
             gone_people: Collection[str]) -> None:
        """Index (or re-index) a conversation's card, with its profile: from ``people`` (the
        batch's), else the people table unless ``gone_people`` has it. ``row``: the
        conversation's (session_id, website_id, updated_at, body)."""
        sid, website_id, updated_at, body = row
        conv = self.decode(body, "conversation")
        pid = text_of(conv.get("people_id")) if conv is not None else ""
        person = None
        if pid and pid not in gone_people:
            text = people.get(pid)
            if text is None:
                row = self.conn.execute("SELECT body FROM people WHERE people_id = ?",
                                        (pid,)).fetchone()
                text = None if row is None else row[0]
            person = None if text is None else self.decode(text, "people")
        columns = None if conv is None else docs.card(conv, person)
        ref = self.ref(sid, make=True)
        assert ref is not None
        self.conn.execute(
            "UPDATE search_sessions SET people_id = ?, website_id = ?, updated_at = ?, "
            "last_fingerprint = ? WHERE ref = ?",
            (pid, website_id, updated_at, _int((conv or {}).get("last_fingerprint")), ref))
        names = ", ".join(docs.CARD_COLUMNS)
        held = self.conn.execute(f"SELECT {names} FROM search_cards WHERE rowid = ?",  # noqa: S608
                                 (ref,)).fetchone()
        if held is not None:
            if columns is not None and tuple(held) == columns:
                return
            self.conn.execute("DELETE FROM search_cards WHERE rowid = ?", (ref,))
        if columns is not None:
            marks = ", ".join("?" * len(columns))
            self.conn.execute(f"INSERT INTO search_cards (rowid, {names}) "  # noqa: S608
                              f"VALUES (?, {marks})", (ref, *columns))

    def decode(self, body: str, what: str) -> Mapping[str, Any] | None:
        try:
            return docs.body_of(body)
        except docs.Undecodable as exc:
            if not self._warned:
                log.warning("search index: a %s row does not decode (%s); not indexed",
                            what, exc)
                self._warned = True
            return None


def first_rowid(timestamp: int) -> int:
    """The first rowid of a message document of this time (ms)."""
    return max(timestamp, 0) // 1000 * SLOTS


def text_of(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
