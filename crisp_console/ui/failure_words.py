"""Failures in words for the window: the client's wording (``client.describe``), except a spent
daily quota, whose reset time is shown in the operator's own time zone (present/failure_words.py).

It stays in ui/ because it reads the client's exceptions (present/ sits beside the client and
never imports it).
"""

from __future__ import annotations

from datetime import tzinfo

from crisp_console.client import CommandNotAllowedError, StartupError
from crisp_console.client import describe as client_describe
from crisp_console.client.words import clip
from crisp_console.errors import CrispError, QuotaExceededError
from crisp_console.present.failure_words import quota_words

# What a client command raises on purpose; anything else is a bug (logged with its traceback).
EXPECTED = (CrispError, OSError, TimeoutError)


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
