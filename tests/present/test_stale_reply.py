"""What the stale-reply guard shows (present/stale_reply.py): what arrived since a reply
started, from the timeline as the store holds it."""

from __future__ import annotations

from typing import Any

from crisp_console.core import Message, MessageStatus
from crisp_console.present.stale_reply import (
    COLLEAGUE,
    ME,
    TEXT_LIMIT,
    VISITOR,
    ReplyStart,
    arrived_since,
    headline,
    sender_label,
    shown,
)
from tests.core import factories as f

SID = "session_stale"
T0 = f.BASE_TIME
NOW = T0 + 1_000_000  # the wall clock: only consulted before a timeline has anything
ME_ID, ANA = "op-me", "op-ana"


def msg(ts: int, from_: str = "user", *, user: str = "", status: MessageStatus =
        MessageStatus.SENT, **extra: Any) -> Message:
    payload = f.message(SID, from_=from_, timestamp=ts, **extra)
    if user:
        payload["user"] = f.operator_user(user, {ANA: "Ana Silva", ME_ID: "Me"}.get(
            user, "Ada Lovelace"))
    m = Message.from_payload(payload)
    m.status = status
    return m


def timeline(*msgs: Message) -> list[Message]:
    return sorted(msgs, key=Message.sort_key)


def test_nothing_new_nothing_arrived() -> None:
    before = timeline(msg(T0), msg(T0 + 1, "operator", user=ANA))
    start = ReplyStart.of(before, loaded=True, at=NOW)
    assert arrived_since(start, before, ME_ID) == []


def test_the_visitor_a_colleague_a_colleagues_note_and_me_elsewhere_arrive() -> None:
    before = [msg(T0)]
    start = ReplyStart.of(before, loaded=True, at=NOW)
    new = [msg(T0 + 10, content="Never mind, found it"),
           msg(T0 + 20, "operator", user=ANA, content="Refunded"),
           msg(T0 + 30, "operator", user=ANA, type="note", content="I'm on it"),
           msg(T0 + 40, "operator", user=ME_ID, content="Answered from my phone")]
    got = arrived_since(start, timeline(*before, *new), ME_ID)
    assert [(a.sender, a.note, a.text) for a in got] == [
        (VISITOR, False, "Never mind, found it"), (COLLEAGUE, False, "Refunded"),
        (COLLEAGUE, True, "I'm on it"), (ME, False, "Answered from my phone")]
    assert [a.fingerprint for a in got] == [m.fingerprint for m in new]


def test_this_consoles_sends_events_bots_and_history_never_arrive() -> None:
    before = [msg(T0 + 100), msg(T0 + 200)]
    start = ReplyStart.of(before, loaded=True, at=NOW)
    pending = msg(T0 + 300, "operator", user=ME_ID, status=MessageStatus.PENDING)
    failed = msg(T0 + 301, "operator", user=ME_ID, status=MessageStatus.FAILED)
    confirmed_echo = msg(T0 + 302, "operator", user=ME_ID)
    start.own(confirmed_echo.fingerprint)  # the guard saw it as a local echo
    event = msg(T0 + 303, "operator", user=ANA, type="event",
                content={"namespace": "state:resolved"})
    bot = msg(T0 + 304, "operator", user=ANA, automated=True)
    older_page = msg(T0 + 50)  # scrolled up: history, not news
    same_as_oldest = msg(T0 + 100)
    now = timeline(older_page, same_as_oldest, *before, pending, failed, confirmed_echo,
                   event, bot)
    assert arrived_since(start, now, ME_ID) == []


def test_a_visitor_message_that_is_edited_or_removed() -> None:
    before = [msg(T0)]
    start = ReplyStart.of(before, loaded=True, at=NOW)
    before[0].content = "edited"  # an edit of an older message: nothing new
    assert arrived_since(start, before, ME_ID) == []
    late = msg(T0 + 5)
    assert len(arrived_since(start, [*before, late], ME_ID)) == 1
    assert arrived_since(start, before, ME_ID) == []  # removed again: gone from the list


def test_a_catch_up_after_a_gap_counts_even_behind_a_newer_live_message() -> None:
    """A colleague answered while the feed was down; the visitor's newer message came live
    first, then the catch-up brought the colleague's (chatwoot#14934)."""
    before = [msg(T0)]
    start = ReplyStart.of(before, loaded=True, at=NOW)
    live = msg(T0 + 500)
    caught_up = msg(T0 + 300, "operator", user=ANA, content="Done, refunded")
    got = arrived_since(start, timeline(*before, live, caught_up), ME_ID)
    assert [a.text for a in got] == ["Done, refunded", live.content]


def test_a_start_before_anything_was_loaded_waits_for_the_timeline() -> None:
    start = ReplyStart.of([], loaded=False, at=T0 + 10)
    assert not start.settled
    assert arrived_since(start, [msg(T0)], ME_ID) == []  # not settled: nothing to compare
    assert not start.settle([])
    # The first page: what was written by the start is taken in, what came after is news.
    loaded = [msg(T0), msg(T0 + 10), msg(T0 + 11, content="after the start")]
    assert start.settle(loaded)
    assert not start.settle([*loaded, msg(T0 + 12)])  # settled once
    got = arrived_since(start, [*loaded, msg(T0 + 12, content="later")], ME_ID)
    assert [a.text for a in got] == ["after the start", "later"]
    only_new = ReplyStart.of([], loaded=False, at=T0)
    assert only_new.settle([msg(T0 + 1)]) and only_new.since == T0
    assert len(arrived_since(only_new, [msg(T0 + 1)], ME_ID)) == 1
    empty = ReplyStart.of([], loaded=True, at=T0)  # a conversation with no message yet
    assert empty.settled and empty.since == 0
    assert len(arrived_since(empty, [msg(T0 - 5)], ME_ID)) == 1


def test_me_unknown_every_operator_is_a_colleague() -> None:
    start = ReplyStart.of([msg(T0)], loaded=True, at=NOW)
    got = arrived_since(start, [msg(T0), msg(T0 + 1, "operator", user=ME_ID)], None)
    assert [a.sender for a in got] == [COLLEAGUE]


def test_text_is_one_plain_line_cut_with_an_ellipsis_structured_content_is_named() -> None:
    start = ReplyStart.of([msg(T0)], loaded=True, at=NOW)
    long = msg(T0 + 1, content="word " * 200)
    hostile = msg(T0 + 2, content="\u202eevil\n<b>bold</b>")
    file = msg(T0 + 3, type="file", content={"name": "invoice.pdf", "url": "https://x/y",
                                             "type": "application/pdf"})
    empty = msg(T0 + 4, content="")
    got = arrived_since(start, [msg(T0), long, hostile, file, empty], ME_ID)
    assert len(got[0].text) == TEXT_LIMIT and got[0].text.endswith("…")
    assert got[1].text == "evil <b>bold</b>"  # plain text: shown as is, never as markup
    assert got[2].text == "📎 invoice.pdf"  # in words, as the list says it
    assert got[3].text == "[text]"


def test_labels_and_headline() -> None:
    start = ReplyStart.of([msg(T0)], loaded=True, at=NOW)
    got = arrived_since(start, [
        msg(T0), msg(T0 + 1), msg(T0 + 2, "operator", user=ANA, type="note", content="n"),
        msg(T0 + 3, "operator", user=ME_ID), msg(T0 + 4, "operator", user="op-unknown")],
        ME_ID)
    names = {ANA: "Ana Silva"}
    assert [sender_label(a, "Grace Hopper", names) for a in got] == [
        "Grace Hopper", "Ana Silva, private note", "You, elsewhere", "Ada Lovelace"]
    assert sender_label(got[0], "", {}) == "visitor1"  # the message's own nickname
    assert headline(got[:1]) == "1 new message since you started this reply"
    assert headline(got) == "4 new messages since you started this reply"
    assert shown(got, 3) == (got[1:], 1)
    assert shown(got, 4) == (got, 0)
