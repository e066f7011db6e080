"""When a reminder is due: the picker's presets, and the moment a typed "30m", "2 h", "1d" or
"tomorrow" names (``/remind`` and the "Remind me…" palette).

``now`` is an aware datetime in the operator's zone: "9:00" is a wall-clock time there (a
ZoneInfo keeps it 9:00 across a daylight-saving change), "in 1 hour" is an exact hour.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

_DURATION = re.compile(r"^\s*(\d+)\s*(m|min|mins|minutes?|h|hours?|d|days?)\s*$", re.I)
MORNING = time(9, 0)
MONDAY = 0


def remind_presets(now: datetime) -> list[tuple[str, datetime]]:
    """The picker's choices, each a different moment, earliest first. When tomorrow is
    Monday (on a Sunday) "Tomorrow" says so and no second Monday preset repeats it."""
    tomorrow = _morning(now, 1)
    presets = [("In 30 minutes", _after(now, timedelta(minutes=30))),
               ("In 1 hour", _after(now, timedelta(hours=1))),
               ("In 3 hours", _after(now, timedelta(hours=3)))]
    if tomorrow.weekday() == MONDAY:
        return [*presets, ("Tomorrow (Monday) at 9:00", tomorrow)]
    monday = _morning(now, 7 - now.weekday())  # the coming Monday, a week on a Monday
    return [*presets, ("Tomorrow at 9:00", tomorrow), ("Next Monday at 9:00", monday)]


def tomorrow_morning(now: datetime) -> datetime:
    return _morning(now, 1)


def parse_when(text: str, now: datetime) -> datetime | None:
    """"30m", "2 h", "1d", "tomorrow" → a moment; None if it is not understood."""
    text = text.strip().lower()
    if text == "tomorrow":
        return tomorrow_morning(now)
    found = _DURATION.match(text)
    if found is None:
        return None
    amount, unit = int(found.group(1)), found.group(2)[0]
    try:  # "99999999999d" is past what datetime can hold
        delta = {"m": timedelta(minutes=amount), "h": timedelta(hours=amount),
                 "d": timedelta(days=amount)}[unit]
        return _after(now, delta) if amount > 0 else None
    except OverflowError:
        return None


def _morning(now: datetime, days: int) -> datetime:
    """9:00 on the wall clock of ``now``'s zone, ``days`` calendar days after ``now``."""
    return datetime.combine(now.date() + timedelta(days=days), MORNING, tzinfo=now.tzinfo)


def _after(now: datetime, delta: timedelta) -> datetime:
    """``delta`` of real time after ``now`` (not wall-clock time: a DST change between does
    not stretch "in 1 hour"), in ``now``'s zone; naive ``now`` is taken as it is."""
    if now.tzinfo is None:
        return now + delta
    return (now.astimezone(UTC) + delta).astimezone(now.tzinfo)
