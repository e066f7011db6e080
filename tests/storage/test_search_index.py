"""The search index follows the cache in save_rows' own transaction: upserts replace documents,
removals delete them (a message, a timeline, a conversation with everything of it), a profile
change reaches its conversations' cards, eviction and clear leave nothing behind."""

from __future__ import annotations

import logging
import sqlite3
from functools import partial

import pytest

from crisp_console.storage import search_index
from crisp_console.storage.cache import Batch, save_rows
from crisp_console.storage.database import Database
from crisp_console.storage.eviction import clear, evict, used_bytes
from tests.storage.conftest import Searchable
from tests.storage.searchutil import BASE, conv, keys, msg, person, save


async def found(s: Searchable, text: str) -> list[tuple[str, int | None]]:
    return keys(await s.search.search(text))


def consistent(db: Database) -> dict[str, int]:
    """Checks that every map row has its document and the reverse; the row counts."""
    def check(conn: sqlite3.Connection) -> dict[str, int]:
        q = conn.execute
        docs = dict(q("SELECT rowid, ref FROM search_text").fetchall())
        mapped = {doc: ref for ref, _fp, doc in q("SELECT ref, fingerprint, doc FROM "
                                                  "search_messages")}
        assert docs == mapped
        refs = {r[0] for r in q("SELECT ref FROM search_sessions")}
        cards = {r[0] for r in q("SELECT rowid FROM search_cards")}
        assert set(docs.values()) <= refs and cards <= refs
        pairs = q("SELECT count(*) FROM search_text t JOIN search_messages m ON m.doc = "
                  "t.rowid WHERE m.ref = t.ref AND m.fingerprint = t.fingerprint").fetchone()
        assert pairs[0] == len(docs)
        return {"docs": len(docs), "cards": len(cards), "sessions": len(refs)}
    return db.read(check).result()


@pytest.mark.asyncio
async def test_upserts_replace_and_unchanged_rows_keep_their_document(
        searchable: Searchable) -> None:
    db = searchable.db
    save(db, conversations=[conv("s1", nickname="Ada")], messages=[
        msg("s1", 1, "the parcel is late"), msg("s1", 2, "ok")])
    assert await found(searchable, "parcel") == [("s1", 1)]
    before = db.read(lambda c: c.execute("SELECT doc FROM search_messages").fetchall()).result()
    save(db, messages=[msg("s1", 1, "the parcel is late"), msg("s1", 2, "ok")])  # read flags..
    after = db.read(lambda c: c.execute("SELECT doc FROM search_messages").fetchall()).result()
    assert before == after  # no churn when the text did not change
    save(db, messages=[msg("s1", 1, "the package is late", edited=True)])  # an edit
    assert await found(searchable, "parcel") == []
    assert await found(searchable, "package") == [("s1", 1)]
    save(db, messages=[msg("s1", 1, "   ")])  # nothing left to read: no document
    assert await found(searchable, "package") == []
    save(db, conversations=[conv("s1", nickname="Grace")])
    assert await found(searchable, "ada") == [] and await found(searchable, "grace") == [
        ("s1", None)]
    assert consistent(db) == {"docs": 1, "cards": 1, "sessions": 1}


@pytest.mark.asyncio
async def test_removals(searchable: Searchable) -> None:
    db = searchable.db
    save(db, conversations=[conv("s1", nickname="Ada"), conv("s2", nickname="Bea"),
                            conv("s3", nickname="Cy")],
         messages=[msg(s, fp, f"refund {s}") for s, fp in
                   (("s1", 1), ("s1", 2), ("s2", 3), ("s2", 4), ("s3", 5))])
    save(db, gone_messages=[("s1", 1)])
    assert {k for k in await found(searchable, "refund")} == {
        ("s1", 2), ("s2", 3), ("s2", 4), ("s3", 5)}
    save(db, gone_timelines=["s2"])  # the messages go, the conversation stays
    assert await found(searchable, "refund s2") == []
    assert await found(searchable, "bea") == [("s2", None)]
    save(db, gone_conversations=["s3"])  # with everything of it
    assert await found(searchable, "cy") == [] and await found(searchable, "refund s3") == []
    assert consistent(db) == {"docs": 1, "cards": 2, "sessions": 2}
    # Removed and seen again in one batch: saved (removals first, as the cache does).
    save(db, gone_conversations=["s1"], conversations=[conv("s1", nickname="Ada")],
         messages=[msg("s1", 9, "refund again")])
    assert await found(searchable, "refund") == [("s1", 9)]
    assert consistent(db) == {"docs": 1, "cards": 2, "sessions": 2}


@pytest.mark.asyncio
async def test_a_profile_change_reaches_the_cards_of_its_conversations(
        searchable: Searchable) -> None:
    db = searchable.db
    save(db, people=[person("p1", notepad="speaks Portuguese")])  # before its conversations
    save(db, conversations=[conv("s1", people_id="p1"), conv("s2", people_id="p1"),
                            conv("s3", people_id="p2")])
    assert {k for k in await found(searchable, "portuguese")} == {("s1", None), ("s2", None)}
    save(db, people=[person("p1", notepad="speaks Finnish", segments=["beta-tester"])])
    assert await found(searchable, "portuguese") == []
    assert {k for k in await found(searchable, "finnish beta")} == {("s1", None), ("s2", None)}
    save(db, gone_people=["p1"])
    assert await found(searchable, "finnish") == []
    save(db, people=[person("p2", notepad="likes tea")],
         conversations=[conv("s3", people_id="p2", nickname="Cy")])  # both in one batch
    assert await found(searchable, "tea") == [("s3", None)]
    assert consistent(db)["cards"] == 1  # s1 and s2 have nothing left to search


@pytest.mark.asyncio
async def test_eviction_and_clear(searchable: Searchable) -> None:
    db = searchable.db
    for i in range(30):
        save(db, conversations=[conv(f"s{i}", nickname=f"Visitor{i}",
                                     updated_at=BASE + i * 1000)],
             messages=[msg(f"s{i}", 100 * i + k, f"refund number {i} " + "text " * 40)
                       for k in range(20)])
    used = db.read(used_bytes).result()
    result = db.write(partial(evict, cap_bytes=used // 2, keep={"s0"})).result()
    assert 0 < result.conversations < 30
    left = {r[0] for r in db.read(lambda c: c.execute(
        "SELECT session_id FROM conversations").fetchall()).result()}
    assert "s0" in left and "s1" not in left  # the oldest go first, the open one stays
    hits = {sid for sid, _fp in await found(searchable, "refund")}
    assert hits <= left and "s0" in hits
    assert await found(searchable, "visitor1") == []
    counts = consistent(db)
    assert counts["cards"] == len(left) and counts["docs"] == 20 * len(left)
    db.write(partial(clear, meta_keys=())).result()
    assert await found(searchable, "refund") == [] and await found(searchable, "visitor0") == []
    assert consistent(db) == {"docs": 0, "cards": 0, "sessions": 0}
    save(db, conversations=[conv("new", nickname="Afterwards")],
         messages=[msg("new", 1, "refund after clear")])
    assert await found(searchable, "refund") == [("new", 1)]


@pytest.mark.asyncio
async def test_a_row_that_does_not_decode_is_not_indexed_and_logged_once(
        searchable: Searchable, caplog: pytest.LogCaptureFixture) -> None:
    db = searchable.db
    bad = [("s1", 7, BASE, "{not json"), ("s1", 8, BASE, "[1, 2]")]
    with caplog.at_level(logging.WARNING, logger="crisp_console.storage"):
        save(db, conversations=[conv("s1"), ("s2", conv("s2")[1], BASE, "nope")],
             messages=[*bad, msg("s1", 9, "readable")])
    assert await found(searchable, "readable") == [("s1", 9)]
    warnings = [r for r in caplog.records if "does not decode" in r.getMessage()]
    assert len(warnings) == 1
    assert consistent(db)["docs"] == 1


def test_same_second_bursts_get_rowids_of_their_own(searchable: Searchable) -> None:
    db = searchable.db
    rows = [msg("s1", i, f"burst {i}", ts=BASE + i % 7) for i in range(200)]
    save(db, conversations=[conv("s1")], messages=rows[:100])
    save(db, messages=rows[100:])
    counts = consistent(db)
    assert counts["docs"] == 200
    first = search_index.first_rowid(BASE)
    rowids = db.read(lambda c: [r[0] for r in c.execute(
        "SELECT rowid FROM search_text ORDER BY rowid")]).result()
    assert rowids[0] == first and len(set(rowids)) == 200
    assert rowids[-1] < first + 200 + search_index.SLOTS * 60  # spilled, not scattered


def test_save_rows_indexes_in_its_own_transaction(searchable: Searchable) -> None:
    """A batch that fails after the index was written leaves neither (one transaction)."""
    db = searchable.db

    def failing(conn: sqlite3.Connection) -> None:
        save_rows(conn, Batch(conversations=[conv("s1", nickname="Ada")],
                              messages=[msg("s1", 1, "hello there")]))
        raise RuntimeError("after the write")

    with pytest.raises(RuntimeError):
        db.write(failing).result()
    assert consistent(db) == {"docs": 0, "cards": 0, "sessions": 0}
