"""The first frame's part of the cache: the top of the conversation list, read first.

Decoding a cached conversation (JSON, then every field checked: codec.py) costs ~50 µs, so a
full cache of 2,000 took ~0.1 s before the window could show any of it. The first frame
shows one screen of rows, and those rows are the top of the list in the store's ordering:
``load_first_screen`` asks SQLite for exactly them (ranked in SQL on the same keys as
core/ordering.py, read from each row's JSON body, among the conversations ``load_snapshot``
would load), with the websites and the operators the rows are labelled with. No people and
no timelines: the thread and the people panel come with the rest.

Any conversation it leaves out sorts after every one it returns, so whatever a filter takes
from these rows is exactly the top of that filter's list too: the caller checks that this
fills its screen, and reads the whole snapshot first when it does not (a narrow filter).
The whole snapshot (``load_snapshot``) follows the first paint and replaces these rows.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from crisp_console.core import Conversation, Ordering, Snapshot
from crisp_console.storage.rows import Decoder, directory

_STATE = "COALESCE(json_extract(body, '$.state'), 'pending')"  # codec.py omits defaults
_UPDATED = "COALESCE(json_extract(body, '$.updated_at'), 0)"
_WAITING = "COALESCE(json_extract(body, '$.waiting_since'), 0)"
_CREATED = "COALESCE(json_extract(body, '$.created_at'), 0)"
# core/ordering.py's KEY_FUNCTIONS, as SQL (booleans sort False first, as in Python).
ORDER_BY: dict[Ordering, str] = {
    Ordering.ACTIVITY: f"{_STATE} != 'pending', {_UPDATED} DESC, session_id",
    Ordering.WAITING: f"{_WAITING} = 0, CASE WHEN {_WAITING} != 0 THEN {_WAITING} "
                      f"ELSE -{_UPDATED} END, session_id",
    Ordering.CREATED: f"{_CREATED} DESC, session_id",
}
# The top of the list among load_snapshot's conversations (rows that are not JSON never
# decode: left out here as there).
_TOP = ("SELECT session_id, body FROM (SELECT session_id, body FROM conversations "
        "ORDER BY updated_at DESC, session_id LIMIT ?) WHERE json_valid(body) ORDER BY {} LIMIT ?")
TOP = {ordering: _TOP.format(order) for ordering, order in ORDER_BY.items()}


@dataclass
class FirstScreen:
    """What ``load_first_screen`` read: a snapshot of the list's top rows, whether the cache
    holds more conversations than that (``cut``), and the cache's meta (cache.py's)."""

    snapshot: Snapshot
    cut: bool
    skipped: int
    meta: dict[str, Any] = field(default_factory=dict)


def load_first_screen(conn: sqlite3.Connection, *, rows: int, conversations: int,
                      ordering: Ordering) -> FirstScreen:
    """The websites, the operators and the first ``rows`` conversations of the list in
    ``ordering``, among the ``conversations`` most recently updated (load_snapshot's)."""
    decoder = Decoder(report=False)  # load_snapshot reads these rows again, and reports
    sites, ops = directory(conn, decoder)
    found = conn.execute(TOP[ordering], (conversations, rows + 1)).fetchall()
    convs = list(decoder.rows(Conversation, found[:rows], "session_id"))
    return FirstScreen(Snapshot(sites, ops, [], convs, []), cut=len(found) > rows,
                       skipped=decoder.total())
