"""The remind picker's free-form durations."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from crisp_console.present.reminders import parse_when, remind_presets

NOW = datetime(2026, 12, 6, 15, 0)


@pytest.mark.parametrize(("text", "delta"), [("30m", timedelta(minutes=30)),
                                             ("2 h", timedelta(hours=2)),
                                             ("1d", timedelta(days=1))])
def test_durations(text: str, delta: timedelta) -> None:
    assert parse_when(text, NOW) == NOW + delta


@pytest.mark.parametrize("text", ["0m", "soon", "9999999d", "99999999999d",
                                  "999999999999999999999h"])
def test_nonsense_and_overflow_are_not_understood(text: str) -> None:
    assert parse_when(text, NOW) is None


def test_presets_and_tomorrow() -> None:
    # NOW is a Sunday at 15:00: tomorrow and next Monday are the same morning.
    presets = dict(remind_presets(NOW))
    assert presets["In 30 minutes"] == NOW + timedelta(minutes=30)
    assert presets["In 3 hours"] == datetime(2026, 12, 6, 18, 0)
    assert presets["Tomorrow at 9:00"] == datetime(2026, 12, 7, 9, 0)
    assert presets["Next Monday at 9:00"] == datetime(2026, 12, 7, 9, 0)
    assert parse_when(" Tomorrow ", NOW) == datetime(2026, 12, 7, 9, 0)
    wednesday = datetime(2026, 12, 9, 23, 30)
    assert dict(remind_presets(wednesday))["Next Monday at 9:00"] == datetime(2026, 12, 14, 9, 0)
