"""LocalSearch over a real database (in memory, a plain file, an encrypted one): what the query
language finds, in which order, with which snippets, and that no input makes it raise."""

from __future__ import annotations

import sqlite3

import pytest

from crisp_console.storage import search_rank
from crisp_console.storage.search import HIT_END, HIT_START, LocalHit, match_expression
from tests.storage.conftest import Searchable
from tests.storage.searchutil import BASE, OTHER, conv, keys, msg, person, save, shown

FILLER = [msg("filler", 9000 + i, f"lorem ipsum dolor sit amet {i}") for i in range(40)]


async def find(s: Searchable, text: str, **kw: object) -> list[LocalHit]:
    return await s.search.search(text, **kw)  # type: ignore[arg-type]


@pytest.mark.asyncio
async def test_words_are_prefixes_anded_and_quotes_make_phrases(searchable: Searchable) -> None:
    save(searchable.db, conversations=[conv("s1"), conv("s2")], messages=[
        *FILLER,
        msg("s1", 1, "Can you confirm the refund went through?"),
        msg("s1", 2, "The refund is approved, it went through yesterday"),
        msg("s2", 3, "Refunding takes 5 days"),
    ])
    assert {h.fingerprint for h in await find(searchable, "refu")} == {1, 2, 3}
    assert {h.fingerprint for h in await find(searchable, "refund went")} == {1, 2}
    assert [h.fingerprint for h in await find(searchable, '"refund went through"')] == [1]
    assert [h.fingerprint for h in await find(searchable, '"refund went thr')] == [1]  # typing
    assert await find(searchable, '"refund through"') == []
    assert await find(searchable, "refundx") == []
    assert await find(searchable, "") == [] and await find(searchable, " \t ") == []


@pytest.mark.asyncio
async def test_case_and_accents_are_ignored_both_ways(searchable: Searchable) -> None:
    save(searchable.db, conversations=[conv("s1", nickname="Zoë Müller",
                                            email="zoe.mueller@example.org")],
         messages=[*FILLER, msg("s1", 1, "Merci Zoë, à bientôt"),
                   msg("s1", 2, "I spoke to ZOE yesterday")])
    for text in ("zoe", "ZOË", "Zoe", "zoë"):
        hits = await find(searchable, text)
        assert (hits[0].fingerprint, hits[0].field) == (None, "name"), text
        assert {h.fingerprint for h in hits} == {None, 1, 2}, text
    assert [h.field for h in await find(searchable, "muller")] == ["name"]
    assert [h.fingerprint for h in await find(searchable, "a bientot")] == [1]


@pytest.mark.asyncio
async def test_every_readable_field_is_found_and_named(searchable: Searchable) -> None:
    save(searchable.db, people=[person("p1", notepad="Prefers French, call after 5pm",
                                       company={"name": "Navy"})],
         conversations=[conv("s1", nickname="Ada Lovelace", email="ada@analytical.engine",
                             people_id="p1", phone="+33 6 12 34 56 78",
                             subject="Invoice question", segments=["vip", "churn-risk"],
                             data={"plan": "Unlimited", "cart_total": 421},
                             last="Where is my parcel?", last_fp=7)],
         messages=[
             *FILLER,
             msg("s1", 1, "Escalated to billing", kind="note", from_="operator"),
             msg("s1", 2, {"name": "invoice-2291.pdf", "url": "https://f.example/i.pdf",
                           "type": "application/pdf"}, kind="file"),
             msg("s1", 3, {"id": "topic", "text": "What can we help with?", "choices": [
                 {"value": "billing", "label": "Shipping trouble", "selected": False}]},
                 kind="picker", from_="operator"),
             msg("s1", 4, {"id": "order", "text": "Your order number", "value": "A-7781"},
                 kind="field", from_="operator"),
             msg("s1", 5, {"namespace": "state:resolved", "text": "Conversation resolved"},
                 kind="event", from_="operator"),
             msg("s1", 6, {"url": "https://f.example/voice-note.webm", "type": "audio/webm",
                           "duration": 3}, kind="audio"),
         ])
    expected = {
        "ada": ("name", None), "analytical": ("email", None), "33 6 12": ("phone", None),
        "invoice question": ("subject", None), "churn": ("segment", None),
        "unlimited": ("data", None), "421": ("data", None), "navy": ("data", None),
        "french": ("notepad", None), "escalated": ("note", 1), "invoice-2291": ("file", 2),
        "shipping trouble": ("message", 3), "A-7781": ("message", 4),
        "parcel": ("message", 7),  # the conversation's last message, not cached itself
    }
    for text, (field, fingerprint) in expected.items():
        hits = await find(searchable, text)
        assert [(h.field, h.fingerprint) for h in hits] == [(field, fingerprint)], text
        assert hits[0].session_id == "s1"
    for text in ("resolved", "webm", "voice", "analytical.engine/x"):
        assert await find(searchable, text) == [], text  # events and media carry no text


@pytest.mark.asyncio
async def test_the_last_message_excerpt_gives_way_to_the_message_itself(
        searchable: Searchable) -> None:
    save(searchable.db, conversations=[conv("s1", last="Please cancel my plan", last_fp=5)],
         messages=FILLER)
    [hit] = await find(searchable, "cancel")
    assert (hit.field, hit.fingerprint, hit.timestamp) == ("message", 5, BASE)
    save(searchable.db, messages=[msg("s1", 5, "Please cancel my plan", ts=BASE + 9)])
    [hit] = await find(searchable, "cancel")
    assert (hit.field, hit.fingerprint, hit.timestamp) == ("message", 5, BASE + 9)


@pytest.mark.asyncio
async def test_ranking_names_first_then_bm25_then_the_most_recent(
        searchable: Searchable) -> None:
    save(searchable.db, conversations=[conv("named", nickname="Vatsal Rao"), conv("talk")],
         messages=[*FILLER,
                   msg("talk", 1, "our vat number is on the invoice we sent you last week, "
                                  "together with the delivery note and the receipt", ts=BASE),
                   msg("talk", 2, "vat vat", ts=BASE + 1000),
                   msg("talk", 3, "vat number", ts=BASE + 5000),
                   msg("talk", 4, "vat number", ts=BASE + 9000)])
    hits = await find(searchable, "vat")
    assert hits[0].session_id == "named" and hits[0].field == "name"
    assert [h.fingerprint for h in hits[1:]] == [2, 4, 3]  # capped at 3 per conversation
    assert [h.rank for h in hits] == sorted(h.rank for h in hits)
    hits = await find(searchable, "vat number")
    assert [h.fingerprint for h in hits] == [4, 3, 1]  # 4 and 3 tie: the newer first


@pytest.mark.asyncio
async def test_one_conversation_cannot_fill_the_list(searchable: Searchable) -> None:
    save(searchable.db, conversations=[conv("chatty"), conv("q1"), conv("q2")], messages=[
        *FILLER, *(msg("chatty", i, f"invoice {i}") for i in range(1, 11)),
        msg("q1", 20, "my invoice"), msg("q2", 21, "an invoice")])
    hits = await find(searchable, "invoice")
    by = [h.session_id for h in hits]
    assert by.count("chatty") == search_rank.PER_CONVERSATION == 3
    assert {"q1", "q2"} <= set(by) and len(hits) == 5
    assert len(await find(searchable, "invoice", limit=2)) == 2
    assert await find(searchable, "invoice", limit=0) == []


@pytest.mark.asyncio
async def test_older_windows_are_read_when_the_newest_hold_too_few_conversations(
        searchable: Searchable, monkeypatch: pytest.MonkeyPatch) -> None:
    save(searchable.db, conversations=[conv("chatty"), conv("old")], messages=[
        *FILLER, msg("old", 1, "invoice from last year", ts=BASE),
        *(msg("chatty", 100 + i, f"invoice {i}") for i in range(12))])
    monkeypatch.setattr(search_rank, "WINDOW", 4)  # the newest 4, 8, 12: all chatty's
    monkeypatch.setattr(search_rank, "WINDOWS", 3)
    assert "old" not in {h.session_id for h in await find(searchable, "invoice")}
    monkeypatch.setattr(search_rank, "WINDOWS", 4)  # the 4th window reaches it
    hits = await find(searchable, "invoice")
    assert [h.session_id for h in hits].count("chatty") == 3 and hits[-1].session_id == "old"


@pytest.mark.asyncio
async def test_website_filter(searchable: Searchable) -> None:
    save(searchable.db, conversations=[conv("here", nickname="Refund Ray"),
                                       conv("there", website=OTHER, nickname="Refund Rita")],
         messages=[*FILLER, msg("here", 1, "refund please"),
                   msg("there", 2, "refund now", website=OTHER)])
    assert {h.session_id for h in await find(searchable, "refund")} == {"here", "there"}
    other = await find(searchable, "refund", website_ids=[OTHER])
    assert keys(other) == [("there", None), ("there", 2)]
    assert all(h.website_id == OTHER for h in other)
    assert await find(searchable, "refund", website_ids=[]) == []
    assert await find(searchable, "refund", website_ids=["unknown"]) == []


@pytest.mark.asyncio
async def test_snippets_mark_the_matches_and_nothing_else(searchable: Searchable) -> None:
    long = " ".join(["word"] * 60 + ["refund"] + ["word"] * 60)
    save(searchable.db, conversations=[conv("s1")], messages=[
        *FILLER, msg("s1", 1, "I would like a Refund for my order"),
        msg("s1", 2, long),
        msg("s1", 3, f"{HIT_START}fake{HIT_END} <b>refunded</b> & more")])
    by_fp = {h.fingerprint: h for h in await find(searchable, "refund")}
    assert shown(by_fp[1]) == "I would like a [Refund] for my order"
    assert shown(by_fp[2]).startswith("…") and "[refund]" in shown(by_fp[2])
    assert shown(by_fp[2]).endswith("…") and len(shown(by_fp[2]).split()) <= 17
    # Visitor text as it is (no escaping here: the UI escapes), the markers only ours.
    assert shown(by_fp[3]) == "\u0020fake\u0020 <b>[refunded]</b> & more"
    assert all(h.snippet.count(HIT_START) == h.snippet.count(HIT_END) == 1
               for h in by_fp.values())


@pytest.mark.asyncio
async def test_one_letter_words(searchable: Searchable) -> None:
    save(searchable.db, conversations=[conv("s1", nickname="Victor")], messages=[
        *FILLER, msg("s1", 1, "very valid values"), msg("s1", 2, "order A-2291 and v 2")])
    # The cards take any prefix; in the messages a one-letter word is a word.
    assert keys(await find(searchable, "v")) == [("s1", None), ("s1", 2)]
    assert keys(await find(searchable, "a-2291")) == [("s1", 2)]
    assert keys(await find(searchable, "va")) == [("s1", 1)]


@pytest.mark.asyncio
async def test_a_very_common_term_is_ordered_by_time_and_bounded(
        searchable: Searchable, monkeypatch: pytest.MonkeyPatch) -> None:
    convs = [conv(f"s{i}") for i in range(8)]
    save(searchable.db, conversations=convs, messages=[
        *FILLER, *(msg(f"s{i}", 100 + i, "thanks" + " and more" * i, ts=BASE + i * 1000)
                   for i in range(8))])
    ranked = await find(searchable, "thanks")
    assert [h.fingerprint for h in ranked] == list(range(100, 108))  # bm25: shortest first
    monkeypatch.setattr(search_rank, "COMMON", 3)  # "thanks" is common now: newest first
    hits = await find(searchable, "thanks")
    assert [h.fingerprint for h in hits] == [107, 106, 105, 104, 103, 102, 101, 100]
    assert {h.rank for h in hits} == {0.0}
    monkeypatch.setattr(search_rank, "WINDOW", 2)  # and only the newest are candidates
    monkeypatch.setattr(search_rank, "WINDOWS", 1)
    assert [h.fingerprint for h in await find(searchable, "thanks")] == [107, 106]
    monkeypatch.setattr(search_rank, "WINDOWS", 2)  # older windows while hits are short
    assert [h.fingerprint for h in await find(searchable, "thanks")] == [107, 106, 105, 104]


HOSTILE = [
    '"', '""', '"*', "*", "**", "^", "^x", "x^", "NEAR", "NEAR(a b, 2)", "a NEAR b", "a AND",
    "AND", "OR", "NOT", "NOT x", "x NOT", "-x", "+x", "body:x", "body : x", "{body site}: x",
    "- {site} : s1", "site:s1", "x\x00y", "\x00", "a" * 10_000, " ".join(["word"] * 5000),
    "😀🙈", "👨‍👩‍👧 family", "שלום עולם", "مرحبا بالعالم", "\u202eevil\u202c",
    "'; DROP TABLE x; --",
    "(((", ")", "()", "\\", "%_", f"{HIT_START}{HIT_END}", "col:", ":", "x:y:z", '"a" "b',
    "\u0301\u0301", "e\u0301", "\uff56\uff41\uff54", "\ufeffvat", "1e10", "0x1f", "-1", "*refund*",
    '"refund" AND "x" OR', "refund^", "re*und", "NEAR/2", "r\u00e9fund", "\n\t\r",
]


@pytest.mark.asyncio
@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
async def test_hostile_input_never_raises(searchable: Searchable, text: str) -> None:
    save(searchable.db, conversations=[conv("s1", nickname="Refund Ray")],
         messages=[msg("s1", 1, "refund s1 site body near word x y")])
    hits = await find(searchable, text)
    assert isinstance(hits, list)
    assert all(isinstance(h, LocalHit) for h in hits)


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_match_expression_is_always_valid_fts5(text: str) -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5 (a, b, tokenize = "
                 "'unicode61 remove_diacritics 2')")
    conn.execute("INSERT INTO t VALUES ('refund near word', 'x')")
    match = match_expression(text)
    if match is not None:
        conn.execute("SELECT count(*) FROM t WHERE t MATCH ?", (match,)).fetchone()
    conn.close()


def test_match_expression_language() -> None:
    assert match_expression("refu") == '"refu" *'
    assert match_expression("vat number") == '"vat" * AND "number" *'
    assert match_expression('"refund went" vat') == '"refund went" AND "vat" *'
    assert match_expression('"refund we') == '"refund we" *'
    assert match_expression("A-2291") == '"A 2291" *'
    assert match_expression("NEAR(a b)") == '"NEAR a" * AND "b" *'
    assert match_expression("  ") is None and match_expression('""') is None
    assert match_expression("😀 *^") is None
