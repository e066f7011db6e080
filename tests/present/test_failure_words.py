"""A spent daily quota in words: its reset (midnight UTC) in the operator's own time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from crisp_console.present.failure_words import quota_words, reset_time

RESETS = datetime(2026, 11, 22, 0, 0, tzinfo=UTC)
PARIS = timezone(timedelta(hours=1))
NEW_YORK = timezone(timedelta(hours=-5))


def test_the_reset_is_midnight_utc_in_local_time() -> None:
    assert reset_time(RESETS, PARIS) == "01:00"
    assert reset_time(RESETS, NEW_YORK) == "19:00"
    assert reset_time(RESETS.replace(tzinfo=None), PARIS) == "01:00"  # naive: UTC
    assert quota_words(RESETS, PARIS) == "daily API quota spent, resets at 01:00"
