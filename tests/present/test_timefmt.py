"""Relative times, clock times, day labels, durations and "… ago" with a fixed clock and zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from crisp_console.present import timefmt
from crisp_console.present.timefmt import (
    DAY,
    HOUR,
    MINUTE,
    clock_time,
    day_label,
    duration,
    relative_time,
)

TZ = timezone(timedelta(hours=2))
# Wednesday 13 March 2024, 15:30 in TZ.
NOW = int(datetime(2024, 3, 13, 15, 30, tzinfo=TZ).timestamp() * 1000)


@pytest.mark.parametrize(("ago", "label"), [
    (0, "now"),
    (59_999, "now"),
    (-5 * MINUTE, "now"),  # a little in the future: clock skew
    (MINUTE, "1 min"),
    (5 * MINUTE + 59_000, "5 min"),
    (59 * MINUTE, "59 min"),
    (HOUR, "1 h"),
    (3 * HOUR + 59 * MINUTE, "3 h"),
    (23 * HOUR + 59 * MINUTE, "23 h"),
    (DAY, "Tue"),
    (2 * DAY, "Mon"),
    (6 * DAY, "Thu"),  # Thursday 7 March: six calendar days back
    (7 * DAY, "6 Mar"),
    (60 * DAY, "13 Jan"),
    (80 * DAY, "24 Dec 2023"),
])
def test_relative_time(ago: int, label: str) -> None:
    assert relative_time(NOW - ago, NOW, TZ) == label


def test_relative_time_counts_calendar_days_in_the_zone() -> None:
    # 25 h before 00:30 on a Wednesday is 23:30 on Monday: "Mon", not "Tue".
    now = int(datetime(2024, 3, 13, 0, 30, tzinfo=TZ).timestamp() * 1000)
    assert relative_time(now - 25 * HOUR, now, TZ) == "Mon"
    # In Tokyo the same instants are Wednesday 07:30 and Tuesday 06:30.
    assert relative_time(now - 25 * HOUR, now, timezone(timedelta(hours=9))) == "Tue"


@pytest.mark.parametrize("ts", [0, -1, 10**20])
def test_relative_time_of_missing_or_absurd_timestamps(ts: int) -> None:
    assert relative_time(ts, NOW, TZ) == ""


def test_clock_time() -> None:
    assert clock_time(NOW, TZ) == "15:30"
    assert clock_time(NOW, UTC) == "13:30"
    assert clock_time(NOW - 15 * HOUR - 25 * MINUTE, TZ) == "00:05"
    assert clock_time(0, TZ) == ""
    assert clock_time(10**20, TZ) == ""


@pytest.mark.parametrize(("ago", "label"), [
    (0, "Today"),
    (15 * HOUR, "Today"),  # 00:30 the same day
    (16 * HOUR, "Yesterday"),
    (2 * DAY, "Monday 11 March"),
    (100 * DAY, "4 December 2023"),
])
def test_day_label(ago: int, label: str) -> None:
    assert day_label(NOW - ago, NOW, TZ) == label


@pytest.mark.parametrize(("seconds", "label"), [
    (0, "0:00"), (7, "0:07"), (7.6, "0:08"), (65, "1:05"), (3723, "1:02:03"),
    (-1, ""), (None, ""), ("7", ""), (True, ""), (float("nan"), ""), (1e12, ""),
])
def test_duration(seconds: object, label: str) -> None:
    assert duration(seconds) == label


@pytest.mark.parametrize(("seconds", "text"), [(1, "just now"), (42, "42 s ago"),
                                               (600, "10 min ago"), (7300, "2 h ago")])
def test_ago(seconds: float, text: str) -> None:
    assert timefmt.ago(seconds) == text


def test_moment_is_a_clock_today_and_a_date_before() -> None:
    paris = timezone(timedelta(hours=1))
    now = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)
    assert timefmt.moment(datetime(2026, 11, 21, 8, 2, tzinfo=UTC), now, paris) == "09:02"
    # 23:10 UTC on the 20th is already the 21st in Paris: still "today" there.
    assert timefmt.moment(datetime(2026, 11, 20, 23, 10, tzinfo=UTC), now, paris) == "00:10"
    assert timefmt.moment(datetime(2026, 11, 20, 22, 10, tzinfo=UTC), now,
                          paris) == "20 Nov 23:10"
    assert timefmt.moment(datetime(2025, 12, 31, 12, 0, tzinfo=UTC), now,
                          UTC) == "31 Dec 2025 12:00"
