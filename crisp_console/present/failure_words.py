"""A spent daily quota in words, with its reset time in the operator's own time zone.

Crisp's quota resets at midnight UTC; an operator in Paris reads "resets at 01:00" (02:00 in
summer), never a UTC time to convert in their head. ui/failure_words.py says every other
failure in the client's words.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo


def reset_time(resets_at: datetime, tz: tzinfo | None = None) -> str:
    """HH:MM of ``resets_at`` in ``tz`` (None: the local time zone). A naive datetime is
    taken as UTC, as the client's are."""
    aware = resets_at if resets_at.tzinfo is not None else resets_at.replace(tzinfo=UTC)
    return aware.astimezone(tz).strftime("%H:%M")


def quota_words(resets_at: datetime, tz: tzinfo | None = None) -> str:
    return f"daily API quota spent, resets at {reset_time(resets_at, tz)}"
