"""Failures in words for the window: the client's wording (``client.describe``), except a spent
daily quota, whose reset time is shown in the operator's own time zone.

Crisp's quota resets at midnight UTC; an operator in Paris reads "resets at 01:00" (02:00 in
summer), never a UTC time to convert in their head.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from crisp_console.client import CommandNotAllowedError, StartupError
from crisp_console.client import describe as client_describe
from crisp_console.client.words import clip
from crisp_console.errors import CrispError, QuotaExceededError

# What a client command raises on purpose; anything else is a bug (logged with its traceback).
EXPECTED = (CrispError, OSError, TimeoutError)


def reset_time(resets_at: datetime, tz: tzinfo | None = None) -> str:
    """HH:MM of ``resets_at`` in ``tz`` (None: the local time zone). A naive datetime is
    taken as UTC, as the client's are."""
    aware = resets_at if resets_at.tzinfo is not None else resets_at.replace(tzinfo=UTC)
    return aware.astimezone(tz).strftime("%H:%M")


def quota_words(resets_at: datetime, tz: tzinfo | None = None) -> str:
    return f"daily API quota spent, resets at {reset_time(resets_at, tz)}"


def describe(exc: BaseException, tz: tzinfo | None = None) -> str:
    """What went wrong, in words: never empty, never a traceback, peer text clipped."""
    if isinstance(exc, QuotaExceededError):
        return quota_words(exc.resets_at, tz)
    if isinstance(exc, StartupError) and isinstance(exc.error, QuotaExceededError):
        return f"Could not {exc.step}: {quota_words(exc.error.resets_at, tz)}."
    if isinstance(exc, CommandNotAllowedError):  # names the action the token may not do
        return clip(exc.message, 240)
    if isinstance(exc, KeyError):  # the store no longer holds it
        return "it is no longer in the console"
    if not isinstance(exc, EXPECTED):  # its text may be anything: the log has it
        return f"an unexpected error ({type(exc).__name__}; the log has the details)"
    return client_describe(exc) or type(exc).__name__
