"""Values no Crisp server sends but valid JSON allows: what the store keeps of them.

Identities and a message's timestamp out of range drop the item (counted on the reporter);
other timestamps become 0 (missing), counters are clamped, strings cut to their field's
length, free-form JSON made safe (parse.py). Before, these escaped as TypeError from
``upsert_conversations`` or were kept and crashed the UI later (``datetime`` past year 9999,
Qt's conversion of ints past 2**63).
"""

from __future__ import annotations

import logging
import math
from typing import Any

import pytest

from crisp_console.core import HANDLERS, ApplyResult, Store
from crisp_console.core import parse as p
from tests.core import factories as f
from tests.core.hostile import LONG, assert_within_limits, deep

T = f.BASE_TIME


@pytest.fixture
def sid(store: Store) -> str:
    store.set_websites([f.website()])
    conv = f.conversation()
    store.upsert_conversations([conv])
    return str(conv["session_id"])


def test_conversation_values_out_of_range(store: Store) -> None:
    conv = f.conversation(
        state=["pending"], created_at=-5, updated_at=p.MAX_TIMESTAMP + 1, waiting_since=1e308,
        unread={"operator": 2**70, "visitor": -3}, last_message="m" * 5000,
        preview_message={"fingerprint": 2**53, "from": "user", "type": "text"},
        mentions=["u" * 500, "ok", 7], people_id="p" * 300)
    conv["meta"].update(nickname="n" * 1_000_000, avatar="https://" + "a" * 3000,
                        email="a\ud800b", segments=["s"] * 500,
                        data={"nan": math.nan, "inf": -math.inf, "big": 2**60, "ok": 1.5,
                              "deep": deep(100, as_dict=True), "long": LONG})
    assert store.upsert_conversations([conv]) is ApplyResult.APPLIED
    c = store.conversations[conv["session_id"]]
    assert (c.state, c.created_at, c.updated_at, c.waiting_since) == ("pending", 0, 0, 0)
    assert (c.unread_operator, c.unread_visitor, c.last_fingerprint) == (p.MAX_COUNT, 0, 0)
    assert len(c.nickname) == p.MAX_NAME and c.avatar == "" and c.email == "a\ufffdb"
    assert len(c.last_message) == p.MAX_EXCERPT and c.people_id == ""
    assert c.mentions == ("ok",) and len(c.segments) == p.MAX_LIST
    assert c.data["nan"] is None and c.data["inf"] is None and c.data["big"] is None
    assert c.data["ok"] == 1.5 and len(c.data["long"]) == p.MAX_STRING
    level, depth = c.data["deep"], 1
    while isinstance(level, dict):
        level, depth = level["k"], depth + 1
    assert level is None and depth == p.MAX_DEPTH - 1  # meta is the first level
    assert_within_limits(store)


@pytest.mark.parametrize(("override", "why"), [
    ({"session_id": "s" * 129}, "session_id is longer than 128 characters"),
    ({"session_id": 7}, "session_id must be a non-empty string"),
    ({"website_id": ["w"]}, "website_id must be a non-empty string"),
])
def test_a_conversation_without_a_usable_id_is_dropped(
        store: Store, caplog: pytest.LogCaptureFixture, override: dict[str, Any],
        why: str) -> None:
    good = f.conversation()
    assert store.upsert_conversations([f.conversation(**override), good]) is (
        ApplyResult.APPLIED)
    assert list(store.conversations) == [good["session_id"]]
    assert store.reporter.counts() == {"rest:conversation": 1}
    assert f"rest:conversation: {why}" in caplog.text


@pytest.mark.parametrize(("override", "why"), [
    ({"fingerprint": 2**53}, "fingerprint is out of range"),
    ({"fingerprint": -1}, "fingerprint is out of range"),
    ({"fingerprint": True}, "fingerprint must be an integer"),
    ({"fingerprint": 1.5e15}, "fingerprint must be an integer"),
    ({"timestamp": p.MAX_TIMESTAMP + 1}, "timestamp is out of range"),
    ({"timestamp": -1}, "timestamp is out of range"),
    ({"timestamp": 10**400}, "timestamp is out of range"),
    ({"from": ["user"]}, "from must be one of ['operator', 'user']"),
    ({"type": "t" * 300}, "type is longer than 256 characters"),
])
def test_a_message_out_of_range_is_dropped(store: Store, sid: str,
                                           override: dict[str, Any], why: str) -> None:
    assert store.upsert_messages(sid, [f.message(sid, **override)]) is ApplyResult.MALFORMED
    assert store.apply("message:send", f.message_event(sid, **override)) is (
        ApplyResult.MALFORMED)
    assert store.messages(sid) == []
    assert store.reporter.counts() == {"rest:message": 1, "rtm:message:send": 1}


def test_message_content_is_kept_whole_up_to_max_text(store: Store, sid: str) -> None:
    long_text = "é" * (p.MAX_TEXT - 1) + "!"
    structured = {"name": "f.pdf", "url": "https://x/" + "u" * 50_000, "size": math.inf,
                  "nested": deep(50, as_dict=False)}
    payloads = [f.message(sid, content=long_text), f.message(sid, content=LONG),
                f.message(sid, type="file", content=structured, timestamp=T + 1)]
    assert store.upsert_messages(sid, payloads) is ApplyResult.APPLIED
    kept, cut, file = store.messages(sid)
    assert kept.content == long_text  # the longest real message loses nothing
    assert len(cut.content) == p.MAX_TEXT
    assert file.content["url"] == structured["url"] and file.content["size"] is None
    assert file.excerpt() == "[file] f.pdf"
    assert_within_limits(store)


def test_event_values_out_of_range(store: Store, sid: str) -> None:
    assert store.apply("message:acknowledge:read:send",
                       f.ack_event(sid, [1, 2**53])) is ApplyResult.MALFORMED
    assert store.apply("message:compose:send", f.session_event(
        sid, type="start", excerpt=LONG)) is ApplyResult.APPLIED
    assert len(store.conversations[sid].compose_visitor or "") == p.MAX_EXCERPT
    assert store.apply("session:set_avatar", f.session_event(
        sid, avatar="https://" + "a" * 5000)) is ApplyResult.APPLIED
    assert store.conversations[sid].avatar == ""
    assert store.apply("session:set_nickname", f.session_event(sid, nickname=LONG)) is (
        ApplyResult.APPLIED)
    assert len(store.conversations[sid].nickname) == p.MAX_NAME
    assert store.apply("session:set_routing", f.session_event(sid, routing_id="r" * 200)) is (
        ApplyResult.MALFORMED)
    for count, kept in ((2**40, p.MAX_COUNT), (-5, 0)):
        store.apply("website:update_visitors_count",
                    {"website_id": f.WEBSITE, "visitors_count": count})
        assert store.websites[f.WEBSITE].visitors_count == kept
    assert store.apply("website:update_visitors_count", {
        "website_id": f.WEBSITE, "visitors_count": 2**60}) is ApplyResult.MALFORMED
    assert_within_limits(store)


@pytest.mark.parametrize("partial", [
    {"updated_at": "soon"}, {"updated_at": p.MAX_TIMESTAMP + 1}, {"updated_at": True},
    {"unread_operator": -1}, {"last_fingerprint": 2**53}, {"nickname": "n" * 300},
    {"meta": {"a": math.nan}}, {"segments": ["s", 3]}, {"state": None},
    {"data": {"d": deep(30, as_dict=True)}}, {"updated_at": 5, "nickname": 5},
])
def test_a_domain_update_out_of_range_changes_nothing(store: Store, sid: str,
                                                      partial: dict[str, Any]) -> None:
    before = store.conversations[sid].field_values()
    assert store.update_conversation(sid, partial) == frozenset()
    assert store.conversations[sid].field_values() == before
    assert store.reporter.counts() == {"update:conversation": 1}


def test_local_echo_checks_its_identity_and_mends_the_rest(store: Store, sid: str) -> None:
    def add(**kw: Any) -> Any:
        args: dict[str, Any] = {"fingerprint": 5, "type": "text", "content": "hi",
                                "user_id": f.OPERATOR, "nickname": "Ada", "timestamp": T}
        return store.add_pending(kw.pop("session_id", sid), **{**args, **kw})

    with pytest.raises(KeyError):
        add(session_id="unknown")
    with pytest.raises(KeyError):
        add(session_id=["unhashable"])
    for fingerprint in (2**53, -1, True, "5"):
        with pytest.raises(ValueError, match="fingerprint"):
            add(fingerprint=fingerprint)
    with pytest.raises(ValueError, match="type"):
        add(type="")
    msg = add(timestamp=10**20, content={"x": math.nan}, nickname=LONG, user_id=None,
              extra={"mentions": ["u"], "odd": math.inf})
    assert (msg.timestamp, msg.content, len(msg.nickname), msg.user_id) == (
        p.MAX_TIMESTAMP, {"x": None}, p.MAX_NAME, "")
    assert msg.extra == {"mentions": ["u"], "odd": None}
    assert store.fail_pending(sid, 5, LONG) is ApplyResult.APPLIED
    assert len(store.message(sid, 5).error or "") == p.MAX_ERROR  # type: ignore[union-attr]
    assert_within_limits(store)


JUNK_IDS: list[Any] = [None, ["x"], {"k": 1}, 3, 1.5]


@pytest.mark.parametrize("junk", JUNK_IDS, ids=repr)
def test_junk_ids_at_every_entry_point(store: Store, sid: str, junk: Any) -> None:
    s = store
    assert s.upsert_messages(junk, [f.message(sid)]) is ApplyResult.UNKNOWN_TARGET
    assert s.update_conversation(junk, {"nickname": "x"}) == frozenset()
    assert s.update_website(junk, {}) is ApplyResult.UNKNOWN_TARGET
    assert s.update_operator(junk, {}) is ApplyResult.UNKNOWN_TARGET
    assert s.update_person(junk, {}) is ApplyResult.UNKNOWN_TARGET
    assert s.remove_person(junk) is ApplyResult.IGNORED
    assert s.remove_conversation(junk) is ApplyResult.IGNORED
    assert s.remove_website(junk) is ApplyResult.IGNORED
    for call in (s.confirm_pending, s.retry_pending, s.discard_pending):
        assert call(junk, junk) is ApplyResult.UNKNOWN_TARGET
        assert call(sid, junk) is ApplyResult.UNKNOWN_TARGET
    assert s.fail_pending(junk, junk, junk) is ApplyResult.UNKNOWN_TARGET
    assert (s.message(junk, junk), s.messages(junk), s.message_count(junk)) == (None, [], 0)
    assert s.row_of(junk) == -1
    assert (s.timeline_loaded(junk), s.history_cursor(junk), s.at_history_start(junk)) == (
        False, None, False)
    assert s.add_history_page(junk, junk, older=True) is ApplyResult.UNKNOWN_TARGET
    assert s.update_meta(junk, {"nickname": "x"}) is ApplyResult.UNKNOWN_TARGET
    assert s.mark_read(junk) is s.mark_unread(junk) is ApplyResult.UNKNOWN_TARGET
    assert s.remove_message(junk, junk) is ApplyResult.UNKNOWN_TARGET
    assert s.upsert_person(f.profile(), junk) is ApplyResult.APPLIED
    assert s.set_websites(junk) is s.set_operators(junk) is s.upsert_conversations(junk) is (
        ApplyResult.MALFORMED)
    assert list(s.conversations) == [sid]


def test_a_flood_of_bad_events_logs_a_few_lines(store: Store, sid: str,
                                                caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="crisp_console.core")
    bad = f.message_event(sid, timestamp=10**20)
    for _ in range(2000):
        assert store.apply("message:send", bad) is ApplyResult.MALFORMED
    lines = [r for r in caplog.records if r.name.startswith("crisp_console.core")]
    assert [r.levelno for r in lines] == [logging.WARNING] * 4  # 1st, 10th, 100th, 1000th
    assert not any(r.exc_info for r in lines)
    assert store.reporter.counts() == {"rtm:message:send": 2000}


def test_a_handler_bug_logs_its_traceback_once(store: Store, monkeypatch: pytest.MonkeyPatch,
                                               caplog: pytest.LogCaptureFixture) -> None:
    def broken(store: Store, payload: Any) -> ApplyResult:
        raise RuntimeError("bug")

    monkeypatch.setitem(HANDLERS, "session:set_state", broken)
    for _ in range(20):
        assert store.apply("session:set_state", {}) is ApplyResult.MALFORMED
    lines = [r for r in caplog.records if r.name.startswith("crisp_console.core")]
    assert [(r.levelno, bool(r.exc_info)) for r in lines] == [
        (logging.ERROR, True), (logging.WARNING, False)]
    assert store.reporter.counts() == {"bug:rtm:session:set_state": 20}
