"""Keeping the cache under its size cap, and clearing it (cache.py's neighbours).

The cap counts the pages the file uses (``page_count - freelist_count``): deleted rows free
pages that later writes reuse, so the file stops growing without a VACUUM. Eviction drops
the conversations least recently updated first, each with its messages and timeline, and
the people profiles only they referred to, and their documents in the search index
(search_index.py: FTS5 frees a deleted document's pages only as its segments merge, so with
the index one round is made, and the file reaches the cap as later writes merge them). A
row's share of the pages is estimated from its text, scaled by what the whole cache's text
takes on disk (the index and the pages' slack included); deleting rows frees fewer whole
pages than that (others stay partly full), so it measures again and goes on, a few rounds
at most. Drafts and the outbox are never evicted:
they are the user's, not a copy of Crisp's.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from dataclasses import dataclass

from crisp_console.storage import search_index

_ROUNDS = 8
_ROW_OVERHEAD = 48  # bytes of key, header and cell pointers per row, roughly
_AHEAD = 1.25  # evict a quarter more than estimated: estimates run short
_SCALE_CAP = 2.5  # disk bytes per text byte, at most (the index adds about half: search_index)


@dataclass(frozen=True)
class Eviction:
    before: int  # bytes used before
    after: int
    conversations: int = 0
    messages: int = 0
    people: int = 0
    scale: float = 0.0  # disk bytes per estimated byte: the next step's ``scale``


def used_bytes(conn: sqlite3.Connection) -> int:
    """Bytes of the pages the database uses (free pages excluded)."""
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    count = conn.execute("PRAGMA page_count").fetchone()[0]
    free = conn.execute("PRAGMA freelist_count").fetchone()[0]
    return int(size) * (int(count) - int(free))


# The conversations, oldest first (their sizes are read one by one, for the victims only: a
# size in this query's columns would be summed for every conversation before the sort).
_OLDEST = "SELECT session_id FROM conversations ORDER BY updated_at, session_id"
# The bytes a conversation and its messages take.
_SIZE = f"""
    SELECT (SELECT length(body) + {_ROW_OVERHEAD} FROM conversations WHERE session_id = ?1)
         + coalesce((SELECT sum(length(body) + {_ROW_OVERHEAD}) FROM messages
                     WHERE session_id = ?1), 0)
"""  # noqa: S608 - constants only


# What the estimates above add up to for the whole cache.
_ESTIMATED = f"""
    SELECT (SELECT coalesce(sum(length(body)), 0) + count(*) * {_ROW_OVERHEAD} FROM conversations)
         + (SELECT coalesce(sum(length(body)), 0) + count(*) * {_ROW_OVERHEAD} FROM messages)
"""  # noqa: S608 - constants only


def evict(conn: sqlite3.Connection, cap_bytes: int,
          keep: Collection[str] = frozenset(), limit: int | None = None,
          scale: float = 0.0) -> Eviction:
    """Drop the oldest conversations (never those in ``keep``: the open one) until the
    database uses at most ``cap_bytes``, or nothing is left to drop; at most ``limit`` of
    them in this call (a step: the caller calls again, passing back the ``scale`` the first
    step measured, which reads every row's size once)."""
    before = used = used_bytes(conn)
    convs = msgs = people = 0
    for _ in range(_ROUNDS):
        if used <= cap_bytes or (limit is not None and convs >= limit):
            break
        if not scale:
            # Bytes on disk per estimated byte: the search index (search_index.py) and the
            # pages' slack make a row take more than its text, the more so the more text.
            # At most _SCALE_CAP: pages of documents deleted but not merged yet must not
            # make the next eviction drop more than its share.
            estimated = max(1, conn.execute(_ESTIMATED).fetchone()[0])
            scale = min(_SCALE_CAP, max(1.0, used / estimated))
        target = (used - cap_bytes) * _AHEAD / scale
        victims: list[str] = []
        total = 0
        for (sid,) in conn.execute(_OLDEST):
            if sid in keep:
                continue
            victims.append(sid)
            total += conn.execute(_SIZE, (sid,)).fetchone()[0] or 0
            if total >= target or (limit is not None and convs + len(victims) >= limit):
                break
        if not victims:
            break
        gone_msgs, gone_people = drop_conversations(conn, victims)
        convs, msgs, people = convs + len(victims), msgs + gone_msgs, people + gone_people
        was, indexed = used, search_index.available(conn)
        if indexed:
            search_index.reclaim(conn)
        used = used_bytes(conn)
        if indexed and (was - used) * 2 < total * scale:
            # The index frees its deleted documents' pages only as its segments merge
            # (reclaim: a bounded step; later writes merge on). Measuring again now would
            # evict more for pages that are only not freed yet: the cap is reached later.
            break
    return Eviction(before, used, convs, msgs, people, scale)


def drop_conversations(conn: sqlite3.Connection, session_ids: list[str]) -> tuple[int, int]:
    """Delete conversations with their messages and timelines, and the people only they
    referred to; returns (messages, people) deleted."""
    ids = [(sid,) for sid in session_ids]
    search_index.forget(conn, session_ids)
    referred: set[str] = set()
    for sid in session_ids:
        row = conn.execute("SELECT json_extract(body, '$.people_id') FROM conversations "
                           "WHERE session_id = ?", (sid,)).fetchone()
        if row is not None and isinstance(row[0], str) and row[0]:
            referred.add(row[0])
    before = conn.total_changes
    conn.executemany("DELETE FROM messages WHERE session_id = ?", ids)
    messages = conn.total_changes - before
    conn.executemany("DELETE FROM timelines WHERE session_id = ?", ids)
    conn.executemany("DELETE FROM conversations WHERE session_id = ?", ids)
    still = {row[0] for row in conn.execute(
        "SELECT DISTINCT json_extract(body, '$.people_id') FROM conversations "
        "WHERE json_extract(body, '$.people_id') IS NOT NULL")}
    orphans = [(pid,) for pid in referred - still]
    before = conn.total_changes
    conn.executemany("DELETE FROM people WHERE people_id = ?", orphans)
    return messages, conn.total_changes - before


def clear(conn: sqlite3.Connection, meta_keys: Collection[str]) -> None:
    """Forget every cached row and the cache's own meta; drafts and the outbox stay."""
    for table in ("messages", "timelines", "conversations", "people", "operators",
                  "websites"):
        conn.execute(f"DELETE FROM {table}")  # noqa: S608 - the tables above, never input
    conn.executemany("DELETE FROM meta WHERE key = ?", [(k,) for k in meta_keys])
    search_index.clear(conn)
