"""When a reminder is due: the picker's presets, and the moment a typed "30m", "2 h", "1d" or
"tomorrow" names (``/remind`` and the "Remind me…" palette)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

_DURATION = re.compile(r"^\s*(\d+)\s*(m|min|mins|minutes?|h|hours?|d|days?)\s*$", re.I)


def remind_presets(now: datetime) -> list[tuple[str, datetime]]:
    tomorrow = (now + timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    monday = (now + timedelta(days=7 - now.weekday())).replace(hour=9, minute=0, second=0,
                                                               microsecond=0)
    return [("In 30 minutes", now + timedelta(minutes=30)), ("In 1 hour", now + timedelta(hours=1)),
            ("In 3 hours", now + timedelta(hours=3)), ("Tomorrow at 9:00", tomorrow),
            ("Next Monday at 9:00", monday)]


def parse_when(text: str, now: datetime) -> datetime | None:
    """"30m", "2 h", "1d", "tomorrow" → a moment; None if it is not understood."""
    text = text.strip().lower()
    if text == "tomorrow":
        return remind_presets(now)[3][1]
    found = _DURATION.match(text)
    if found is None:
        return None
    amount, unit = int(found.group(1)), found.group(2)[0]
    try:  # "99999999999d" is past what datetime can hold
        delta = {"m": timedelta(minutes=amount), "h": timedelta(hours=amount),
                 "d": timedelta(days=amount)}[unit]
        return now + delta if amount > 0 else None
    except OverflowError:
        return None
