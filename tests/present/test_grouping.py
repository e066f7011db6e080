"""Author grouping and day separators: pure rules, no Qt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

import pytest

from crisp_console.core import Message, MessageStatus
from crisp_console.present.grouping import (
    GROUP_GAP_MS,
    RowFlags,
    is_continuation,
    needs_day_separator,
    row_flags,
)

PARIS_WINTER = timezone(timedelta(hours=1))
TOKYO = timezone(timedelta(hours=9))


def ms(year: int, month: int, day: int, hour: int, minute: int, tz: timezone = UTC) -> int:
    return int(datetime(year, month, day, hour, minute, tzinfo=tz).timestamp() * 1000)


@dataclass
class Msg:
    type: str = "text"
    from_: str = "user"
    user_id: str = "visitor"
    timestamp: int = ms(2024, 3, 12, 10, 0)


def at(ts: int, **kw: str) -> Msg:
    return Msg(timestamp=ts, **kw)


T0 = ms(2024, 3, 12, 10, 0)


def test_first_message_starts_a_group_under_a_separator() -> None:
    assert row_flags(None, Msg()) == RowFlags(continuation=False, day_separator=True)


def test_same_author_close_in_time_continues() -> None:
    assert is_continuation(at(T0), at(T0 + 60_000))
    assert is_continuation(at(T0), at(T0 + GROUP_GAP_MS))
    assert not is_continuation(at(T0), at(T0 + GROUP_GAP_MS + 1))


def test_a_custom_gap() -> None:
    assert not is_continuation(at(T0), at(T0 + 61_000), gap_ms=60_000)


@pytest.mark.parametrize(("prev", "msg"), [
    (Msg(from_="user"), Msg(from_="operator", user_id="visitor")),
    (Msg(from_="operator", user_id="op1"), Msg(from_="operator", user_id="op2")),
    (Msg(type="note", from_="operator"), Msg(type="text", from_="operator")),
    (Msg(type="text", from_="operator"), Msg(type="note", from_="operator")),
    (Msg(type="event"), Msg()),
    (Msg(), Msg(type="event")),
])
def test_what_breaks_a_group(prev: Msg, msg: Msg) -> None:
    assert not is_continuation(prev, msg)


def test_notes_group_with_notes_and_rich_types_group_with_text() -> None:
    assert is_continuation(Msg(type="note", from_="operator"), Msg(type="note", from_="operator"))
    assert is_continuation(Msg(type="text"), Msg(type="file"))
    assert is_continuation(Msg(type="picker"), Msg(type="carousel"))


def test_out_of_order_local_echo_still_groups() -> None:
    """A pending echo carries the local clock, which may be a little behind the server's."""
    assert is_continuation(at(T0 + 30_000), at(T0))


def test_day_separator_follows_the_local_calendar() -> None:
    late = ms(2024, 3, 12, 23, 30, tz=PARIS_WINTER)
    early = ms(2024, 3, 13, 0, 10, tz=PARIS_WINTER)  # 40 minutes later, the next day
    assert needs_day_separator(at(late), at(early), PARIS_WINTER)
    assert not is_continuation(at(late), at(early), PARIS_WINTER)
    # The same instants are both on the 13th in Tokyo: no separator, one group.
    assert not needs_day_separator(at(late), at(early), TOKYO)
    assert is_continuation(at(late), at(early), TOKYO, gap_ms=60 * 60_000)


def test_no_separator_within_a_day() -> None:
    assert not needs_day_separator(at(ms(2024, 3, 12, 0, 0)), at(ms(2024, 3, 12, 23, 59)), UTC)


def test_broken_timestamps_draw_no_separator() -> None:
    assert not needs_day_separator(at(10**20), at(T0), UTC)
    assert row_flags(at(10**20), at(T0), UTC).day_separator is False


def test_flags_for_a_realistic_thread() -> None:
    thread = [
        Msg(timestamp=T0),
        Msg(timestamp=T0 + 60_000),
        Msg(from_="operator", user_id="op1", timestamp=T0 + 120_000),
        Msg(type="note", from_="operator", user_id="op1", timestamp=T0 + 180_000),
        Msg(type="event", from_="operator", user_id="op1", timestamp=T0 + 240_000),
        Msg(timestamp=T0 + 86_400_000),
    ]
    flags = [row_flags(prev, msg, UTC) for prev, msg in zip([None, *thread], thread,
                                                            strict=False)]
    assert [(f.continuation, f.day_separator) for f in flags] == [
        (False, True), (True, False), (False, False), (False, False), (False, False),
        (False, True)]


def test_core_messages_fit_the_protocol() -> None:
    def message(fp: int, ts: int, status: MessageStatus = MessageStatus.SENT) -> Message:
        return Message(fp, "s", "w", "text", "operator", user_id="op1", timestamp=ts,
                       status=status)

    assert is_continuation(message(1, T0), message(2, T0 + 1000, MessageStatus.PENDING), UTC)
