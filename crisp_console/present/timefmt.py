"""Time labels for rows and bubbles, pure (no Qt): relative times, clock times, day labels,
durations, and the status bar's "2 min ago" and "14:02".

Timestamps are epoch milliseconds, as everywhere in core. ``tz`` is a ``tzinfo`` or ``None``
for the machine's local time; tests pass a fixed zone and a fixed "now". Labels are English
for now (the app has no translations yet).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, tzinfo

Clock = Callable[[], int]  # epoch milliseconds

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WEEKDAYS_LONG = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTHS_LONG = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")

MINUTE = 60_000
HOUR = 60 * MINUTE
DAY = 24 * HOUR


def system_clock() -> int:
    return int(time.time() * 1000)


def local_time(ts_ms: int, tz: tzinfo | None = None) -> datetime | None:
    """``ts_ms`` as a datetime in ``tz`` (local when None); None for absurd timestamps."""
    try:
        return datetime.fromtimestamp(ts_ms / 1000, tz)
    except (OverflowError, OSError, ValueError, TypeError):
        return None


def relative_time(ts_ms: int, now_ms: int, tz: tzinfo | None = None) -> str:
    """The list's time label: "now", "5 min", "3 h", "Mon", "12 Mar", "12 Mar 2023".

    Under a minute (or in the future, from clock skew) is "now"; under an hour counts
    minutes; under a day counts hours; within the last six calendar days gives the weekday;
    older gives the date, with the year when it is not this year's. A zero or unparseable
    timestamp gives "".
    """
    if ts_ms <= 0:
        return ""
    then, now = local_time(ts_ms, tz), local_time(now_ms, tz)
    if then is None or now is None:
        return ""
    delta = now_ms - ts_ms
    if delta < MINUTE:
        return "now"
    if delta < HOUR:
        return f"{delta // MINUTE} min"
    if delta < DAY:
        return f"{delta // HOUR} h"
    if (now.date() - then.date()).days < 7:
        return WEEKDAYS[then.weekday()]
    if then.year == now.year:
        return f"{then.day} {MONTHS[then.month - 1]}"
    return f"{then.day} {MONTHS[then.month - 1]} {then.year}"


def clock_time(ts_ms: int, tz: tzinfo | None = None) -> str:
    """"14:05" (24-hour) for a bubble's footer; "" for an unusable timestamp."""
    then = local_time(ts_ms, tz) if ts_ms > 0 else None
    return "" if then is None else f"{then.hour:02d}:{then.minute:02d}"


def day_label(ts_ms: int, now_ms: int, tz: tzinfo | None = None) -> str:
    """A day separator's text: "Today", "Yesterday", "Monday 12 March", "12 March 2023"."""
    then, now = local_time(ts_ms, tz), local_time(now_ms, tz)
    if then is None or now is None:
        return ""
    days = (now.date() - then.date()).days
    if days == 0:
        return "Today"
    if days == 1:
        return "Yesterday"
    if then.year == now.year:
        return f"{WEEKDAYS_LONG[then.weekday()]} {then.day} {MONTHS_LONG[then.month - 1]}"
    return f"{then.day} {MONTHS_LONG[then.month - 1]} {then.year}"


def moment(then: datetime, now: datetime, tz: tzinfo | None = None) -> str:
    """A past moment for the status bar: "14:02" today (in ``tz``, local when None), else
    "21 Nov 14:02", with the year when it is not this year's. Both datetimes are aware."""
    then, now = then.astimezone(tz), now.astimezone(tz)
    clock = f"{then.hour:02d}:{then.minute:02d}"
    if then.date() == now.date():
        return clock
    if then.year == now.year:
        return f"{then.day} {MONTHS[then.month - 1]} {clock}"
    return f"{then.day} {MONTHS[then.month - 1]} {then.year} {clock}"


def ago(seconds: float) -> str:
    """How long ago, for the status bar: "just now", "42 s ago", "10 min ago", "2 h ago"."""
    if seconds < 5:
        return "just now"
    if seconds < 60:
        return f"{int(seconds)} s ago"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    return f"{int(seconds // 3600)} h ago"


def duration(seconds: object) -> str:
    """"0:07", "1:02:03" for an audio message; "" when not a usable number."""
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        return ""
    if not 0 <= seconds < 100 * 3600:  # also rejects NaN
        return ""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
