"""Read before retry: is a reply whose send was ambiguous already in Crisp's history?

Crisp may have stored a message whose POST failed ambiguously (a reset after the body left,
a timeout, a 5xx), and it stores a second one if the POST is repeated (crisp-api.md §10
row 4). So before posting again the console looks for the reply among the conversation's
latest messages. A match needs the fingerprint AND the type AND the content: another
console may have drawn the same fingerprint for another message.

The read pages back from the newest batch with ``timestamp_before`` (never
``timestamp_after``, whose batch is unspecified: §10 row 5) until a batch reaches older than
the first attempt minus a clock-skew margin (the console's clock and Crisp's differ), or the
start of the conversation. Only such a complete read proves the reply absent; a read cut
short (an error, too many pages) proves nothing and raises.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from crisp_console.errors import CrispError

Batch = list[dict[str, Any]]
FetchBefore = Callable[[int | None], Awaitable[Batch]]


class LookupIncomplete(CrispError):
    """The history could not be read far enough back to prove a reply absent."""


@dataclass(frozen=True)
class Sought:
    """What identifies one reply in history."""

    fingerprint: int
    type: str
    content: Any
    since_ms: int  # the console's clock when the first attempt started


def same_content(ours: Any, theirs: Any) -> bool:
    """Whether Crisp's copy carries the content we sent. Tolerant of what a server may
    normalise (surrounding white space, line ends, Unicode form, keys it adds to an object)
    and of nothing else: a different reply under a colliding fingerprint must not match."""
    if isinstance(ours, str):
        return isinstance(theirs, str) and _text(ours) == _text(theirs)
    if isinstance(ours, dict):
        return isinstance(theirs, dict) and all(
            key in theirs and same_content(value, theirs[key]) for key, value in ours.items())
    if isinstance(ours, list):
        return isinstance(theirs, list) and len(ours) == len(theirs) and all(
            same_content(a, b) for a, b in zip(ours, theirs, strict=True))
    if isinstance(ours, bool) or isinstance(theirs, bool):
        return ours is theirs
    return bool(ours == theirs)


def _text(value: str) -> str:
    return unicodedata.normalize("NFC", value.replace("\r\n", "\n")).strip()


def matches(payload: Any, sought: Sought) -> bool:
    if not isinstance(payload, dict):
        return False
    fingerprint = payload.get("fingerprint")
    return (isinstance(fingerprint, int) and not isinstance(fingerprint, bool)
            and fingerprint == sought.fingerprint and payload.get("type") == sought.type
            and same_content(sought.content, payload.get("content")))


def _stamp(payload: dict[str, Any]) -> int | None:
    value = payload.get("timestamp")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if value != value or value in (float("inf"), float("-inf")):  # NaN, infinities
        return None
    return int(value)


async def find_sent(fetch: FetchBefore, sought: Sought, *, skew_ms: int,
                    max_pages: int) -> bool:
    """True when history holds the reply; False when a complete read proves it absent.

    ``fetch(before)`` is Get Messages (``before=None``: the newest batch). Raises the
    fetch's error, or LookupIncomplete when ``max_pages`` batches did not reach back far
    enough (or the server stopped moving back).
    """
    floor = sought.since_ms - skew_ms
    cursor: int | None = None
    previous: int | None = None  # the oldest timestamp of the batch before
    for _ in range(max_pages):
        batch = [m for m in await fetch(cursor) if isinstance(m, dict)]
        if cursor is not None:  # a server ignoring the cursor must not loop us
            batch = [m for m in batch if (ts := _stamp(m)) is not None and ts < cursor]
        if any(matches(m, sought) for m in batch):
            return True
        stamps = [ts for m in batch if (ts := _stamp(m)) is not None]
        if not stamps:
            return False  # the start of the conversation (or nothing datable before it)
        oldest = min(stamps)
        if oldest < floor:
            return False  # read back past the first attempt: everything since was seen
        # One millisecond of overlap: if Crisp split a run of equal timestamps between two
        # batches, a strict cursor would skip the rest of the run (many replies sent at once
        # share a millisecond). Without progress (a run longer than a batch), step strictly.
        cursor = oldest if previous is not None and oldest >= previous else oldest + 1
        previous = oldest
    raise LookupIncomplete(f"could not read back to the first attempt within {max_pages} "
                           f"batches of history")
