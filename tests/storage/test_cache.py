"""cache.py and eviction.py on a real SQLite file with the schema applied: rows saved and
removed by id, the warm start's bounded snapshot, meta, eviction to a cap, clear."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from crisp_console.core import Message, MessageStatus, SavedTimeline, Snapshot, Store
from crisp_console.storage import cache as c
from crisp_console.storage.cache import Batch, load_snapshot, save_rows
from crisp_console.storage.eviction import clear, evict, used_bytes
from tests.core import factories as f
from tests.core.conftest import assert_consistent
from tests.storage.runner import connect, in_transaction
from tests.storage.world import Models, assert_same_model, world


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    connection = connect(tmp_path / "console.db")
    yield connection
    connection.close()


def save(conn: sqlite3.Connection, batch: Batch) -> int:
    return in_transaction(conn, lambda cn: save_rows(cn, batch))


def batch_of(models: Models, *, fetched_at: int = 1) -> Batch:
    """Everything of ``models``; every conversation's timeline loaded, read at
    ``fetched_at`` plus its index (the last ones are the most recently read)."""
    rows = [r for m in models.messages if (r := c.message_row(m)) is not None]
    return Batch(
        websites=[c.website_row(w) for w in models.websites],
        operators=[c.operator_row(o) for o in models.operators],
        people=[c.person_row(p, 1) for p in models.people],
        conversations=[c.conversation_row(v) for v in models.conversations],
        messages=rows,
        timelines=[(v.session_id, 1, None, 0, fetched_at + i)
                   for i, v in enumerate(models.conversations)])


def test_a_saved_world_loads_back_as_it_was(conn: sqlite3.Connection) -> None:
    models = world(1)
    assert save(conn, batch_of(models)) > 500
    loaded = in_transaction(conn, lambda cn: load_snapshot(
        cn, conversations=10_000, timelines=10_000, messages=10_000))
    snap = loaded.snapshot
    assert loaded.skipped == 0
    for mine, theirs in ((snap.websites, models.websites), (snap.operators, models.operators)):
        assert len(mine) == len(theirs)
        for a, b in zip(mine, theirs, strict=True):  # in the order they were saved
            assert_same_model(a, b)
    # Typing is not kept: it is stale by the next start.
    by_id = {v.session_id: dataclasses.replace(v, compose_visitor=None, compose_operator=None)
             for v in models.conversations}
    assert any(v.compose_visitor is not None for v in models.conversations)
    assert set(by_id) == {v.session_id for v in snap.conversations}
    for conv in snap.conversations:
        assert_same_model(conv, by_id[conv.session_id])
    people = {p.people_id for p in models.people}
    wanted = {v.people_id for v in models.conversations if v.people_id}
    assert {p.people_id for p in snap.people} == wanted & people
    msgs = {(m.session_id, m.fingerprint): m for m in models.messages}
    restored = [m for t in snap.timelines for m in t.messages]
    assert len(restored) == len(msgs)
    for m in restored:
        assert_same_model(m, msgs[(m.session_id, m.fingerprint)])
    store = Store()
    store.restore(snap)
    assert_consistent(store)
    assert store.conversation_count() == len(by_id)


def test_the_snapshot_is_bounded_newest_first(conn: sqlite3.Connection) -> None:
    models = world(2)
    save(conn, batch_of(models))
    snap = in_transaction(conn, lambda cn: load_snapshot(
        cn, conversations=20, timelines=3, messages=5)).snapshot
    newest = sorted(models.conversations, key=lambda v: (-v.updated_at, v.session_id))[:20]
    assert [v.session_id for v in snap.conversations] == [v.session_id for v in newest]
    # The three most recently read timelines among the restored conversations.
    order = {v.session_id: i for i, v in enumerate(models.conversations)}
    kept = sorted((v.session_id for v in newest), key=lambda s: -order[s])[:3]
    assert [t.session_id for t in snap.timelines] == kept
    for saved in snap.timelines:
        all_msgs = sorted((m for m in models.messages if m.session_id == saved.session_id),
                          key=lambda m: m.timestamp)
        if len(all_msgs) > 5:  # cut: the newest five and their ties; history resumes there
            cut = all_msgs[-5].timestamp
            assert {m.fingerprint for m in saved.messages} == {
                m.fingerprint for m in all_msgs if m.timestamp >= cut}
            assert (saved.cursor, saved.at_start) == (cut, False)
        else:
            assert len(saved.messages) == len(all_msgs)


def test_removals_take_what_belongs_to_them(conn: sqlite3.Connection) -> None:
    models = world(1)
    save(conn, batch_of(models))
    with_msgs = [v.session_id for v in models.conversations
                 if any(m.session_id == v.session_id for m in models.messages)]
    gone, dropped, other = with_msgs[:3]
    one = next(m for m in models.messages if m.session_id == other)
    save(conn, Batch(gone_conversations=[gone], gone_timelines=[dropped],
                     gone_messages=[(other, one.fingerprint)],
                     gone_websites=[models.websites[0].website_id],
                     gone_people=[models.people[0].people_id]))

    def count(sql: str, *args: object) -> int:
        return int(conn.execute(sql, args).fetchone()[0])

    assert count("SELECT count(*) FROM conversations WHERE session_id = ?", gone) == 0
    for sid in (gone, dropped):
        assert count("SELECT count(*) FROM messages WHERE session_id = ?", sid) == 0
        assert count("SELECT count(*) FROM timelines WHERE session_id = ?", sid) == 0
    assert count("SELECT count(*) FROM conversations WHERE session_id = ?", dropped) == 1
    assert count("SELECT count(*) FROM messages WHERE session_id = ? AND fingerprint = ?",
                 other, one.fingerprint) == 0
    assert count("SELECT count(*) FROM websites") == len(models.websites) - 1
    assert count("SELECT count(*) FROM people") == len(models.people) - 1


def test_websites_only_keeps_just_those_given(conn: sqlite3.Connection) -> None:
    models = world(1)
    save(conn, batch_of(models))
    first = models.websites[0]
    save(conn, Batch(websites=[c.website_row(first)], websites_only=True,
                     operators=[], operators_only=True))
    assert [r[0] for r in conn.execute("SELECT website_id FROM websites")] == [first.website_id]
    assert conn.execute("SELECT count(*) FROM operators").fetchone()[0] == 0


def test_local_echoes_are_never_rows() -> None:
    msg = Message.from_payload(f.message("s"))
    for status in (MessageStatus.PENDING, MessageStatus.FAILED):
        msg.status = status
        assert c.message_row(msg) is None
    msg.status = MessageStatus.SENT
    assert c.message_row(msg) is not None


def test_timeline_bookkeeping_and_read_dates(conn: sqlite3.Connection) -> None:
    conv = f.conversation()
    sid = conv["session_id"]
    store = Store()
    store.upsert_conversations([conv])
    row = c.conversation_row(store.conversations[sid])
    save(conn, Batch(conversations=[row], timelines=[(sid, 1, 500, 1, 7000)]))
    save(conn, Batch(timelines=[(sid, 1, 400, 0, 0)]))  # 0: the read date stays
    assert conn.execute("SELECT loaded, cursor, at_start, fetched_at FROM timelines").fetchall() \
        == [(1, 400, 0, 7000)]
    snap = load_snapshot(conn)
    assert snap.snapshot.timelines == [SavedTimeline(sid, [], True, 400, False)]


def test_meta_values_round_trip_and_none_deletes(conn: sqlite3.Connection) -> None:
    in_transaction(conn, lambda cn: c.set_meta(cn, {c.SYNC_CURSORS: {"w": 5}, c.FILTER: "mine",
                                                    c.LAST_OPEN: "s"}))
    assert c.get_meta(conn) == {c.SYNC_CURSORS: {"w": 5}, c.FILTER: "mine", c.LAST_OPEN: "s"}
    in_transaction(conn, lambda cn: c.set_meta(cn, {c.FILTER: None}))
    assert c.get_meta(conn, [c.FILTER, c.LAST_OPEN]) == {c.LAST_OPEN: "s"}
    conn.execute("INSERT INTO meta VALUES ('broken', '{')")
    assert "broken" not in c.get_meta(conn)


def test_a_row_that_does_not_decode_is_skipped(conn: sqlite3.Connection) -> None:
    models = world(1)
    save(conn, batch_of(models))
    victim = models.conversations[0].session_id
    conn.execute("UPDATE conversations SET body = '{\"website_id\": 5}' WHERE session_id = ?",
                 (victim,))
    loaded = load_snapshot(conn, conversations=10_000)
    assert loaded.skipped == 1
    assert victim not in {v.session_id for v in loaded.snapshot.conversations}


def _fill(conn: sqlite3.Connection, count: int) -> list[str]:
    """``count`` conversations, updated_at ascending with their index, 20 messages each;
    every conversation's person is its own, but conversations 0 and count-1 share one."""
    sids: list[str] = []
    batch = Batch()
    shared = "people-shared"
    store = Store()
    for i in range(count):
        people_id = shared if i in (0, count - 1) else f"people-{i}"
        payload = f.conversation(updated_at=f.BASE_TIME + i * 1000, people_id=people_id)
        store.upsert_conversations([payload])
        sid = payload["session_id"]
        sids.append(sid)
        batch.conversations.append(c.conversation_row(store.conversations[sid]))
        batch.people.append((people_id, f.WEBSITE, '{"nickname":"x"}', 1))
        for k in range(20):
            msg = Message.from_payload(f.message(sid, timestamp=f.BASE_TIME + k,
                                                 content="lorem ipsum " * 20))
            row = c.message_row(msg)
            assert row is not None
            batch.messages.append(row)
        batch.timelines.append((sid, 1, None, 0, 1))
    save(conn, batch)
    return sids


def test_eviction_respects_the_cap_oldest_first(conn: sqlite3.Connection) -> None:
    sids = _fill(conn, 200)
    before = used_bytes(conn)
    cap = before // 2
    keep = sids[1]  # the oldest but one: the open conversation stays
    result = in_transaction(conn, lambda cn: evict(cn, cap, keep={keep}))
    assert result.after <= cap < result.before == before
    left = [r[0] for r in conn.execute(
        "SELECT session_id FROM conversations ORDER BY updated_at")]
    assert keep in left
    rest = [s for s in left if s != keep]
    assert rest == sids[sids.index(rest[0]):]  # the newest ones, in one run
    assert result.conversations == len(sids) - len(left)
    assert result.messages == 20 * result.conversations
    for table in ("messages", "timelines"):
        held = {r[0] for r in conn.execute(f"SELECT DISTINCT session_id FROM {table}")}  # noqa: S608
        assert held == set(left)
    people = {r[0] for r in conn.execute("SELECT people_id FROM people")}
    assert "people-shared" in people  # the newest conversation still needs it
    assert "people-5" not in people and result.people == result.conversations - 1
    # Under the cap already: nothing to do.
    again = in_transaction(conn, lambda cn: evict(cn, cap))
    assert again.conversations == 0


def test_clear_keeps_drafts_and_the_outbox(conn: sqlite3.Connection) -> None:
    _fill(conn, 5)
    conn.execute("INSERT INTO drafts VALUES ('s', 'hello', 'reply', 1)")
    conn.execute("INSERT INTO outbox (kind, website_id, session_id, body, state, created_ms, "
                 "updated_ms) VALUES ('text', 'w', 's', '{}', 'queued', 1, 1)")
    in_transaction(conn, lambda cn: c.set_meta(cn, {c.FILTER: "mine", "outbox_note": 1}))
    in_transaction(conn, lambda cn: clear(cn, c.META_KEYS))
    for table in ("conversations", "messages", "timelines", "people", "websites", "operators"):
        assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0  # noqa: S608
    assert conn.execute("SELECT count(*) FROM drafts").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == 1
    assert c.get_meta(conn) == {"outbox_note": 1}


def test_restored_empty_database_is_an_empty_snapshot(conn: sqlite3.Connection) -> None:
    loaded = load_snapshot(conn)
    assert loaded.snapshot == Snapshot() and loaded.meta == {} and loaded.skipped == 0
