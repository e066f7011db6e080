"""What a bubble shows: bodies of every message type (malformed content included), event lines,
file names, a media placeholder's words, the first link a bubble opens, and its footer."""

from __future__ import annotations

from datetime import UTC
from typing import Any

import pytest

from crisp_console.core import Message, MessageStatus
from crisp_console.present.content import (
    QUEUED_WORDS,
    UNSUPPORTED,
    Body,
    body_of,
    event_text,
    file_name_of,
    first_link,
    footer_parts,
    status_words,
)
from tests.core import factories as f


def test_media_target_only_when_allowed() -> None:
    assert body_of("animation", {"url": "https://f.example/a/thumbs-up.gif"}).target == (
        "https://f.example/a/thumbs-up.gif")
    assert body_of("animation", {"url": "javascript:alert(1)//x.gif"}).target is None
    assert body_of("file", {"url": "file:///etc/x.png", "type": "image/png"}).target is None


MALFORMED: list[Any] = [
    None, 42, 3.5, True, [], ["a"], {}, {"name": None}, {"url": 42}, {"choices": "nope"},
    {"choices": [None, 1, "x", {"label": None}, {"label": ["x"]}]}, {"targets": {"a": 1}},
    {"targets": [None, {"actions": "x"}, {"actions": [None, {"url": 3}]}]},
    {"text": None, "explain": 7, "value": {"x": 1}}, {"duration": float("nan")},
    {"duration": -5}, {"duration": 1e300}, {"size": "big"}, {"size": -1}, {"namespace": 5},
]


@pytest.mark.parametrize("kind", ["text", "note", "file", "animation", "audio", "picker",
                                  "field", "carousel", "event", "unknown", None, 7])
@pytest.mark.parametrize("content", MALFORMED, ids=range(len(MALFORMED)))
def test_malformed_content_never_raises(kind: Any, content: Any) -> None:
    body = body_of(kind, content)
    assert isinstance(body.html, str)
    assert isinstance(event_text(content), str)


def test_fallback_for_unusable_content() -> None:
    assert body_of("text", {"broken": True}).unsupported
    assert UNSUPPORTED in body_of("text", None).html
    assert body_of("picker", {"choices": []}).unsupported
    assert body_of("carousel", 42).unsupported
    assert not body_of("mystery", "some text").unsupported  # an unknown type shows its text
    assert not body_of("mystery", {"text": "hi"}).unsupported


def test_event_texts() -> None:
    assert event_text({"namespace": "state:resolved"}) == "Conversation resolved"
    assert event_text({"namespace": "x:y", "text": "Custom"}) == "Custom"
    assert event_text({"namespace": "x:y"}) == "x:y"
    assert event_text(None) == "Event"


def test_file_names_from_urls() -> None:
    assert file_name_of("https://f.example/a/b/thumbs%20up.gif?x=1") == "thumbs up.gif"
    assert file_name_of("https://f.example/") == ""
    assert file_name_of("https://[::1") == ""
    assert file_name_of(None) == ""


def test_first_link_prefers_the_media_then_the_text() -> None:
    body = body_of("text", "see javascript:x then https://a.example/1 and https://b.example/2")
    assert first_link(body) == "https://a.example/1"
    image = body_of("file", {"name": "a.png", "url": "https://f.example/a.png",
                             "type": "image/png"})
    assert first_link(image) == "https://f.example/a.png"
    assert first_link(body_of("text", "no link here")) is None
    # Only our own markup is read, and what it finds passes the gate again.
    assert first_link(Body('<a href="javascript:alert(1)">x</a>')) is None
    assert first_link(Body('<a href="https://x.example/?a=1&amp;b=2">x</a>')) == (
        "https://x.example/?a=1&b=2")


def message(**kw: Any) -> Message:
    return Message.from_payload(f.message("session_footer", **kw))


def test_footer_parts_say_time_ticks_and_a_sends_state() -> None:
    at = f.BASE_TIME  # 22:13:20 UTC
    visitor = message(timestamp=at)
    assert footer_parts(visitor, UTC) == [("muted", "22:13")]
    sent = message(from_="operator", timestamp=at)
    assert footer_parts(sent, UTC) == [("muted", "22:13"), ("ticks1", "")]
    sent.delivered = "urn:crisp.im:client:0"
    assert footer_parts(sent, UTC)[-1] == ("ticks2", "")
    sent.read = "urn:crisp.im:client:0"
    sent.edited = True
    assert footer_parts(sent, UTC) == [("muted", "edited"), ("muted", "22:13"), ("read", "")]
    note = message(from_="operator", type="note", timestamp=at)
    assert footer_parts(note, UTC) == [("muted", "22:13")]  # visitors never see notes
    pending = message(from_="operator", timestamp=at)
    pending.status = MessageStatus.PENDING
    assert footer_parts(pending, UTC) == [("clock", ""), ("muted", "Sending…")]
    failed = message(from_="operator", timestamp=at)
    failed.status, failed.error = MessageStatus.FAILED, "Not sent:\n\u202equota spent"
    assert footer_parts(failed, UTC) == [("alert", ""), ("error", "Not sent: quota spent"),
                                         ("error", "— retry")]
    failed.error = ""
    assert footer_parts(failed, UTC)[1] == ("error", "Failed")
    queued = message(from_="operator", timestamp=at)
    queued.status, queued.error = MessageStatus.QUEUED, "No connection to Crisp"
    assert footer_parts(queued, UTC) == [("queued", ""), ("status", QUEUED_WORDS)]


def test_status_words_name_every_unsent_state() -> None:
    msg = message(from_="operator")
    assert status_words(msg) == ""
    msg.status = MessageStatus.PENDING
    assert status_words(msg) == "Sending…"
    msg.status = MessageStatus.QUEUED
    assert status_words(msg) == "Queued — goes out by itself"
    msg.status, msg.error = MessageStatus.FAILED, "Not sent: timeout"
    assert status_words(msg) == "Not sent: timeout — retry"
