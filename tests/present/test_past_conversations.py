"""The people panel's past conversations, without Qt: order, the rows shown and the ones to
fetch (present/past_conversations.py), and each row's lines and tooltip."""

from __future__ import annotations

from datetime import UTC

from crisp_console.core import Conversation
from crisp_console.present.past_conversations import (
    LOOKUP_WORDS,
    PAGE,
    past_line,
    past_view,
    short_id,
)
from tests.core import factories as f

NOW = f.BASE_TIME  # 2023-11-14 22:13:20 UTC
HOUR = 3_600_000


def sid(n: int) -> str:
    return f"session_{n:08d}-0000-4000-8000-000000000000"


def conv(n: int, **overrides: object) -> Conversation:
    return Conversation.from_payload(f.conversation(sid(n), **overrides))


def store_of(*convs: Conversation) -> dict[str, Conversation]:
    return {c.session_id: c for c in convs}


def nothing_asked(_sid: str) -> bool:
    return False


def test_known_newest_first_then_unknown_in_the_servers_order_without_the_open_one() -> None:
    convs = store_of(conv(1, updated_at=NOW - 5 * HOUR), conv(2, updated_at=NOW - HOUR),
                     conv(3, updated_at=NOW))
    ids = [sid(9), sid(1), sid(3), sid(8), sid(2), sid(1)]  # a repeat, and the open one (3)
    view = past_view(ids, sid(3), convs, PAGE, nothing_asked)
    assert view.shown == [sid(2), sid(1), sid(9), sid(8)]
    assert view.wanted == [sid(9), sid(8)] and view.more == 0 and view.total == 4


def test_only_the_rows_shown_are_wanted_and_the_rest_wait_behind_show_more() -> None:
    convs = store_of(conv(1), conv(2))
    unknown = [sid(n) for n in range(10, 22)]
    view = past_view([sid(1), *unknown, sid(2)], None, convs, PAGE, nothing_asked)
    assert view.shown == [sid(1), sid(2), *unknown[:3]]
    assert view.wanted == unknown[:3] and view.more == 9 and view.total == 14
    more = past_view([sid(1), *unknown, sid(2)], None, convs, 2 * PAGE, nothing_asked)
    assert more.wanted == unknown[:8] and more.more == 4


def test_fetched_ones_sort_among_the_known_and_the_shown_rows_stay_the_same() -> None:
    ids = [sid(1), sid(10), sid(11), sid(12), sid(13), sid(14), sid(15)]
    first = past_view(ids, None, store_of(conv(1)), PAGE, nothing_asked)
    assert first.wanted == [sid(10), sid(11), sid(12), sid(13)] and first.more == 2
    # They arrive in the store (older or newer than the known one): the same five show.
    convs = store_of(conv(1, updated_at=NOW - 2 * HOUR), conv(10, updated_at=NOW),
                     conv(11, updated_at=NOW - 9 * HOUR), conv(12, updated_at=NOW - HOUR),
                     conv(13, updated_at=NOW - 3 * HOUR))
    after = past_view(ids, None, convs, PAGE, nothing_asked)
    assert after.shown == [sid(10), sid(12), sid(1), sid(13), sid(11)]
    assert set(after.shown) == set(first.shown)
    assert after.wanted == [] and after.more == 2


def test_standing_lookups_are_not_wanted_again() -> None:
    asked = {sid(10), sid(12)}
    view = past_view([sid(10), sid(11), sid(12)], None, {}, PAGE, asked.__contains__)
    assert view.wanted == [sid(11)]
    assert past_view([sid(10)], None, {}, 0, nothing_asked) == past_view(
        [sid(10)], None, {}, -1, nothing_asked)


def test_a_known_conversation_shows_state_date_and_last_message() -> None:
    c = conv(1, state="resolved", updated_at=NOW - 3 * HOUR,
             last_message="Thanks!\nThe refund\tarrived", meta={"nickname": "Grace"})
    line = past_line(c.session_id, c, None, "", NOW, UTC)
    assert (line.head, line.body) == ("Resolved · 3 h", "Thanks! The refund arrived")
    assert line.text == "Resolved · 3 h\nThanks! The refund arrived"
    assert line.tip == "Resolved · Today · 19:13\nGrace\nThanks! The refund arrived"
    old = conv(2, state="pending", updated_at=NOW - 400 * 24 * HOUR, last_message="")
    line = past_line(old.session_id, old, "done", "", NOW, UTC)
    assert (line.head, line.body) == ("Pending · 10 Oct 2022", "No messages")
    assert line.tip.startswith("Pending · 10 October 2022 · 22:13\n")


def test_a_last_event_or_file_reads_in_words_not_its_raw_excerpt() -> None:
    resolved = conv(1, last_message="[event] state:resolved",
                    preview_message={"type": "event", "from": "operator", "fingerprint": 5})
    line = past_line(resolved.session_id, resolved, None, "", NOW, UTC)
    assert line.body == "Conversation resolved"
    assert line.tip.endswith("\nConversation resolved")
    photo = conv(2, last_message="[file] damaged-mug.jpg",
                 preview_message={"type": "file", "from": "user", "fingerprint": 6})
    assert past_line(photo.session_id, photo, None, "", NOW, UTC).body == "📎 damaged-mug.jpg"


def test_the_unresolved_state_and_an_unusable_date() -> None:
    c = conv(1, state="unresolved", updated_at=0, created_at=0)
    line = past_line(c.session_id, c, None, "", NOW, UTC)
    assert line.head == "Unresolved" and line.tip.startswith("Unresolved\n")


def test_an_unknown_conversation_shows_its_short_id_and_its_lookup() -> None:
    s = "session_1a2b3c4d-0000-4000-8000-000000000000"
    assert short_id(s) == "1a2b3c4d"
    assert past_line(s, None, None, "", NOW).text == "Conversation 1a2b3c4d"
    loading = past_line(s, None, "loading", "", NOW)
    assert loading.text == "Conversation 1a2b3c4d\nLoading…"
    failed = past_line(s, None, "failed", "Crisp did not answer (timeout)\nsecond line", NOW)
    assert failed.body == "Could not be loaded"
    assert failed.tip == (f"Conversation 1a2b3c4d\nCould not be loaded: Crisp did not answer "
                          f"(timeout) second line\n{s}")
    assert past_line(s, None, "gone", "", NOW).body == "No longer available"
    assert past_line(s, None, "denied", "", NOW).body == "Not allowed for this token"
    assert past_line(s, None, "quota", "", NOW).body == LOOKUP_WORDS["quota"]
    assert past_line(s, None, "something new", "", NOW).body == ""


def test_visitor_text_stays_one_plain_line() -> None:
    hostile = "<b>bold</b>\n\u202eevil " + "long " * 400
    c = conv(1, last_message=hostile, meta={"nickname": "<img src=x>\nName"})
    line = past_line(c.session_id, c, None, "", NOW, UTC)
    assert "\n" not in line.body and "\u202e" not in line.body and len(line.body) <= 200
    assert line.body.startswith("<b>bold</b> ")  # text, escaped by whoever renders it
    assert "\n" not in line.head
    assert len(line.tip) < 700 and line.tip.count("\n") == 2
