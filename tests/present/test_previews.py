"""A last message in words: every message type, from its content and from the wire's raw
excerpt (both agree), and hostile or malformed content that must not crash."""

from __future__ import annotations

from typing import Any

import pytest

from crisp_console.core import excerpt_of
from crisp_console.present.previews import last_preview, message_preview

# (type, content, the words): each also goes through core.excerpt_of and back.
CASES: list[tuple[str, Any, str]] = [
    ("text", "Where is my order?", "Where is my order?"),
    ("note", "Refund approved", "Note: Refund approved"),
    ("event", {"namespace": "state:resolved"}, "Conversation resolved"),
    ("event", {"namespace": "state:resolved", "text": "Conversation resolved"},
     "Conversation resolved"),
    ("event", {"namespace": "state:unresolved"}, "Conversation reopened"),
    ("file", {"name": "invoice.pdf", "url": "https://f.example/invoice.pdf",
              "type": "application/pdf"}, "📎 invoice.pdf"),
    ("file", {"name": "damaged-mug.jpg", "url": "https://f.example/m.jpg",
              "type": "image/jpeg"}, "📎 damaged-mug.jpg"),
    ("animation", {"url": "https://f.example/a/thumbs-up.gif", "type": "image/gif"}, "GIF"),
    ("audio", {"url": "https://f.example/v.webm", "type": "audio/webm"}, "🎤 Voice message"),
    ("picker", {"id": "p", "text": "Which size?", "choices": []}, "Which size?"),
    ("picker", {"id": "p", "choices": []}, "Choices"),
    ("field", {"id": "f", "text": "Your order number?", "explain": "#"}, "Your order number?"),
    ("field", {"id": "f"}, "Question"),
    ("carousel", {"text": "Our mugs", "targets": []}, "Our mugs"),
]


@pytest.mark.parametrize(("kind", "content", "words"), CASES)
def test_each_type_in_words_from_content_and_from_the_raw_excerpt(
        kind: str, content: Any, words: str) -> None:
    assert message_preview(kind, content) == words
    raw = excerpt_of(kind, content)  # what the row holds (the wire's shape)
    assert last_preview(kind, raw) == words
    if kind not in ("text", "note"):  # no preview_message type (older cache): the raw shape
        assert last_preview("", raw) == words


def test_the_raw_shapes_seen_in_the_list_never_show() -> None:
    assert last_preview("event", "[event] state:resolved") == "Conversation resolved"
    assert last_preview("", "[event] state:resolved") == "Conversation resolved"
    assert last_preview("file", "[file] damaged-mug.jpg") == "📎 damaged-mug.jpg"
    assert last_preview("", "[file] damaged-mug.jpg") == "📎 damaged-mug.jpg"
    assert last_preview("animation", "[animation]") == "GIF"
    assert last_preview("audio", "[audio]") == "🎤 Voice message"
    assert last_preview("picker", "[picker]") == "Choices"
    assert last_preview("event", "[event]") == "Event"
    assert last_preview("file", "[file] ") == "📎 File"


def test_excerpts_in_plain_words_are_kept() -> None:
    """Crisp may send its own words rather than our raw shapes."""
    assert last_preview("event", "Conversation resolved") == "Conversation resolved"
    assert last_preview("file", "invoice.pdf") == "📎 invoice.pdf"
    assert last_preview("file", "https://f.example/up/My%20scan.png") == "📎 My scan.png"
    assert last_preview("picker", "Which size?") == "Which size?"
    assert last_preview("event", "[event] website:custom") == "website:custom"


def test_what_a_visitor_typed_stays_as_typed() -> None:
    assert last_preview("text", "[event] state:resolved") == "[event] state:resolved"
    assert last_preview("", "[hello] there") == "[hello] there"
    assert last_preview("", "[file]x") == "[file]x"


def test_no_excerpt_is_empty_and_whitespace_is_one_line() -> None:
    assert last_preview("text", "") == ""
    assert last_preview("note", "") == ""
    assert last_preview("text", "two\nlines\u202e  here") == "two lines here"
    assert last_preview("note", "a\n\nb") == "Note: a b"


def test_audio_with_a_duration_and_events_with_their_own_text() -> None:
    assert message_preview("audio", {"url": "u", "duration": 12}) == "🎤 Voice message · 0:12"
    assert message_preview("event", {"namespace": "x:y", "text": "Rated 5 stars"}) == (
        "Rated 5 stars")
    assert message_preview("event", {"namespace": "x:y"}) == "x:y"
    assert message_preview("file", {"url": "https://f.example/d/report%20Q3.pdf"}) == (
        "📎 report Q3.pdf")
    assert message_preview("carousel", {"targets": [{"x": 1}, {"title": "Blue mug"}]}) == (
        "Blue mug")


HOSTILE: list[Any] = [None, 7, 3.5, True, [], ["x"], {}, {"name": 5}, {"text": {"a": 1}},
                      {"namespace": ["state:resolved"]}, {"url": 9, "duration": float("nan")},
                      {"duration": 10**400}, {"targets": "abc"}, "\u202e<b>x</b>", "x" * 10**5]


@pytest.mark.parametrize("kind", ["text", "note", "event", "file", "animation", "audio",
                                  "picker", "field", "carousel", "unknown", "", None, 5])
def test_hostile_content_never_crashes_and_gives_one_bounded_line(kind: Any) -> None:
    for content in HOSTILE:
        words = message_preview(kind, content)
        assert isinstance(words, str) and "\n" not in words and "\u202e" not in words
        assert len(words) <= 320
        for excerpt in (content, "[event] " + "y" * 10**4, "[file] a\nb"):
            line = last_preview(kind, excerpt)
            assert isinstance(line, str) and "\n" not in line and len(line) <= 320


def test_malformed_structured_content_gets_the_type_word() -> None:
    assert message_preview("file", {"name": 5}) == "📎 File"
    assert message_preview("file", None) == "📎 File"
    assert message_preview("event", []) == "Event"
    assert message_preview("picker", {"text": ["no"]}) == "Choices"
    assert message_preview("note", {"text": "as a mapping"}) == "Note: as a mapping"
    assert message_preview("note", 5) == "Note"
    assert message_preview("mystery", {"x": 1}) == "Message"
    assert message_preview("mystery", "plain words") == "plain words"
