"""first_screen.py on a real SQLite file: the first frame's rows are exactly the top of the
list the whole snapshot gives, in every ordering, among the same conversations."""

from __future__ import annotations

import dataclasses
import random
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from crisp_console.core import Ordering
from crisp_console.core.ordering import KEY_FUNCTIONS
from crisp_console.storage import cache as c
from crisp_console.storage.cache import Batch, load_snapshot, save_rows
from crisp_console.storage.first_screen import load_first_screen
from tests.storage.runner import connect, in_transaction
from tests.storage.world import Models, world


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    connection = connect(tmp_path / "console.db")
    yield connection
    connection.close()


def varied(models: Models, seed: int) -> Models:
    """Waiting times, creation times and tied update times, for every ordering's keys."""
    rng = random.Random(seed)
    base = models.conversations[0].updated_at
    convs = [dataclasses.replace(
        v, waiting_since=rng.choice([0, 0, base + rng.randrange(10**6)]),
        created_at=rng.choice([0, base - rng.randrange(10**7)]),
        updated_at=rng.choice([v.updated_at, base])) for v in models.conversations]
    return dataclasses.replace(models, conversations=convs)


def saved(conn: sqlite3.Connection, seed: int) -> Models:
    models = varied(world(seed), seed)
    in_transaction(conn, lambda cn: save_rows(cn, Batch(
        websites=[c.website_row(w) for w in models.websites],
        operators=[c.operator_row(o) for o in models.operators],
        conversations=[c.conversation_row(v) for v in models.conversations])))
    return models


@pytest.mark.parametrize("ordering", list(Ordering))
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_first_rows_are_the_top_of_the_whole_list(conn: sqlite3.Connection,
                                                      ordering: Ordering, seed: int) -> None:
    models = saved(conn, seed)
    total = len(models.conversations)
    assert total > 40
    for cap in (total, total // 2):  # every conversation, or only the most recent (the cap)
        whole = load_snapshot(conn, conversations=cap)
        top = sorted(whole.snapshot.conversations, key=KEY_FUNCTIONS[ordering])
        for rows in (1, 7, 40, cap, cap + 5):
            first = load_first_screen(conn, rows=rows, conversations=cap, ordering=ordering)
            assert [v.session_id for v in first.snapshot.conversations] == \
                [v.session_id for v in top[:rows]], (cap, rows)
            assert first.snapshot.conversations == top[:rows]
            assert first.cut is (rows < cap)
            assert first.snapshot.websites == whole.snapshot.websites
            assert first.snapshot.operators == whole.snapshot.operators
            assert first.snapshot.people == [] and first.snapshot.timelines == []


def test_rows_that_do_not_decode_are_left_out(conn: sqlite3.Connection) -> None:
    models = saved(conn, 4)
    order = sorted(models.conversations, key=KEY_FUNCTIONS[Ordering.ACTIVITY])
    not_json, wrong = order[0].session_id, order[1].session_id
    conn.execute("UPDATE conversations SET body = '{not json' WHERE session_id = ?", (not_json,))
    # JSON, ranked first (pending, the newest), but not a conversation: skipped on decoding.
    conn.execute("UPDATE conversations SET body = '{\"website_id\": 5, \"updated_at\": "
                 "99999999999999}' WHERE session_id = ?", (wrong,))
    first = load_first_screen(conn, rows=10, conversations=10_000, ordering=Ordering.ACTIVITY)
    ids = [v.session_id for v in first.snapshot.conversations]
    assert not_json not in ids and wrong not in ids
    whole = load_snapshot(conn, conversations=10_000).snapshot.conversations
    expected = sorted(whole, key=KEY_FUNCTIONS[Ordering.ACTIVITY])[:9]
    assert ids == [v.session_id for v in expected]  # one short: the one that failed
    assert first.skipped == 1 and first.cut


def test_an_empty_cache_has_no_first_screen(conn: sqlite3.Connection) -> None:
    first = load_first_screen(conn, rows=200, conversations=2000, ordering=Ordering.ACTIVITY)
    assert first.snapshot.conversations == [] and not first.cut
