"""Author grouping and day separators of the thread, pure (no Qt).

Given the previous message (or None for the first row), a message either continues the
previous one's group (same author, same kind of bubble, close in time: no name header, tight
spacing) or starts a new group; and a day separator goes above it when the local calendar day
changed. The delegate computes this from the row above, so inserting a history page only
changes the flags of the row just below it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from typing import Protocol

from crisp_console.present.timefmt import local_time

GROUP_GAP_MS = 5 * 60_000  # messages further apart than this start a new group


class Groupable(Protocol):
    """What grouping reads of a message (``core.Message`` has all of it)."""

    type: str
    from_: str
    user_id: str
    timestamp: int


@dataclass(frozen=True, slots=True)
class RowFlags:
    continuation: bool = False  # same group as the message above: no header
    day_separator: bool = False  # a new local day starts with this message


def needs_day_separator(prev: Groupable | None, msg: Groupable,
                        tz: tzinfo | None = None) -> bool:
    """True above the first message and wherever the local calendar day changes."""
    if prev is None:
        return True
    then, now = local_time(prev.timestamp, tz), local_time(msg.timestamp, tz)
    if then is None or now is None:
        return False  # a broken timestamp is no reason to draw a separator
    return then.date() != now.date()


def is_continuation(prev: Groupable | None, msg: Groupable, tz: tzinfo | None = None,
                    gap_ms: int = GROUP_GAP_MS) -> bool:
    """Whether ``msg`` joins the group of ``prev``: same sender side and author, neither is an
    event, both notes or both not, at most ``gap_ms`` apart, and on the same day."""
    if prev is None or prev.type == "event" or msg.type == "event":
        return False
    if prev.from_ != msg.from_ or prev.user_id != msg.user_id:
        return False
    if (prev.type == "note") != (msg.type == "note"):
        return False
    # abs(): a local echo carries the local clock, which may run behind the server's.
    if abs(msg.timestamp - prev.timestamp) > gap_ms:
        return False
    return not needs_day_separator(prev, msg, tz)


def row_flags(prev: Groupable | None, msg: Groupable, tz: tzinfo | None = None,
              gap_ms: int = GROUP_GAP_MS) -> RowFlags:
    return RowFlags(continuation=is_continuation(prev, msg, tz, gap_ms),
                    day_separator=needs_day_separator(prev, msg, tz))
