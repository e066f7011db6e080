"""The remind picker's presets (every weekday, several zones, a daylight-saving change) and
its free-form durations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from crisp_console.present.reminders import parse_when, remind_presets

NOW = datetime(2026, 12, 6, 15, 0)  # a Sunday
BERLIN = ZoneInfo("Europe/Berlin")
ZONES = [UTC, timezone(timedelta(hours=-8)), timezone(timedelta(hours=5, minutes=30)),
         BERLIN, ZoneInfo("America/Los_Angeles"), ZoneInfo("Pacific/Kiritimati")]
WEEK = [datetime(2026, 12, 7 + day) for day in range(7)]  # Monday 7 … Sunday 13 December


@pytest.mark.parametrize(("text", "delta"), [("30m", timedelta(minutes=30)),
                                             ("2 h", timedelta(hours=2)),
                                             ("1d", timedelta(days=1))])
def test_durations(text: str, delta: timedelta) -> None:
    assert parse_when(text, NOW) == NOW + delta


@pytest.mark.parametrize("text", ["0m", "soon", "9999999d", "99999999999d",
                                  "999999999999999999999h"])
def test_nonsense_and_overflow_are_not_understood(text: str) -> None:
    assert parse_when(text, NOW) is None
    assert parse_when(text, NOW.replace(tzinfo=BERLIN)) is None


@pytest.mark.parametrize("zone", ZONES, ids=str)
@pytest.mark.parametrize("day", WEEK, ids=lambda d: d.strftime("%a"))
@pytest.mark.parametrize("clock", [(0, 0), (8, 59), (9, 0), (15, 0), (23, 59)],
                         ids=lambda c: f"{c[0]:02d}{c[1]:02d}")
def test_presets_never_repeat_a_moment_and_come_in_order(
        zone: timezone | ZoneInfo, day: datetime, clock: tuple[int, int]) -> None:
    now = day.replace(hour=clock[0], minute=clock[1], tzinfo=zone)
    presets = remind_presets(now)
    moments = [moment for _, moment in presets]
    labels = [label for label, _ in presets]
    assert len(set(moments)) == len(moments) and moments == sorted(moments)
    assert len(set(labels)) == len(labels)
    assert all(m > now and m.tzinfo is not None for m in moments)
    named = dict(presets)
    assert named["In 30 minutes"] - now == timedelta(minutes=30)
    tomorrow = (now.date() + timedelta(days=1))
    mornings = [m for label, m in presets if "9:00" in label]
    assert all((m.hour, m.minute) == (9, 0) for m in mornings)
    assert mornings[0].date() == tomorrow
    assert parse_when("tomorrow", now) == mornings[0]
    if tomorrow.weekday() == 0:  # on a Sunday: one Monday morning, said as such
        assert labels[-1] == "Tomorrow (Monday) at 9:00" and len(mornings) == 1
    else:
        assert named["Next Monday at 9:00"].weekday() == 0
        gap = named["Next Monday at 9:00"].date() - now.date()
        assert timedelta(days=2) <= gap <= timedelta(days=7)
        assert "Tomorrow at 9:00" in named


def test_a_sunday_has_one_monday_morning() -> None:
    presets = dict(remind_presets(NOW))
    assert presets["Tomorrow (Monday) at 9:00"] == datetime(2026, 12, 7, 9, 0)
    assert "Next Monday at 9:00" not in presets and "Tomorrow at 9:00" not in presets
    assert presets["In 3 hours"] == datetime(2026, 12, 6, 18, 0)
    assert parse_when(" Tomorrow ", NOW) == datetime(2026, 12, 7, 9, 0)
    wednesday = datetime(2026, 12, 9, 23, 30)
    assert dict(remind_presets(wednesday))["Next Monday at 9:00"] == datetime(2026, 12, 14, 9, 0)
    assert dict(remind_presets(wednesday))["Tomorrow at 9:00"] == datetime(2026, 12, 10, 9, 0)


def test_nine_stays_nine_across_a_daylight_saving_change() -> None:
    # Berlin leaves summer time at 03:00 on Sunday 25 October 2026.
    saturday = datetime(2026, 10, 24, 15, 0, tzinfo=BERLIN)
    sunday_morning = dict(remind_presets(saturday))["Tomorrow at 9:00"]
    assert (sunday_morning.hour, sunday_morning.utcoffset()) == (9, timedelta(hours=1))
    late = datetime(2026, 10, 25, 1, 30, tzinfo=BERLIN)  # summer time, before the change
    in_hour = dict(remind_presets(late))["In 3 hours"]
    assert in_hour.astimezone(UTC) - late.astimezone(UTC) == timedelta(hours=3)
    assert (in_hour.hour, in_hour.minute) == (3, 30)  # 01:30 +2 → 03:30 +1: three real hours
