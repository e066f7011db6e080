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
# A batch this short is never a cut one: Crisp's history batches are longer (the sandbox's
# hold 40; Crisp's size is unconfirmed, its clients show dozens).
FULL_BATCH = 20
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
    fetch's error, or LookupIncomplete when the read cannot be complete: ``max_pages``
    batches did not reach back far enough, the server did not honour the cursor, or more
    messages share one millisecond than a batch holds.
    """
    floor = sought.since_ms - skew_ms
    cursor: int | None = None
    previous: int | None = None  # the oldest timestamp of the batch before
    largest = 0  # the longest batch seen: a shorter one holds all there is before its cursor
    for _ in range(max_pages):
        raw = await fetch(cursor)
        if not raw:
            return False  # the start of the conversation
        batch = [m for m in raw if isinstance(m, dict) and _stamp(m) is not None]
        if cursor is not None and any(ts > cursor for m in batch if (ts := _stamp(m))):
            raise LookupIncomplete("Crisp answered messages newer than the cursor asked for")
        if any(matches(m, sought) for m in batch):
            return True
        if not batch:
            raise LookupIncomplete("a history batch without a usable timestamp")
        oldest = min(ts for m in batch if (ts := _stamp(m)) is not None)
        if oldest < floor:
            return False  # read back past the first attempt: everything since was seen
        if previous is not None and oldest >= previous:
            # Only messages of one millisecond came back (the cursor overlaps it, below).
            if len(batch) < max(largest, FULL_BATCH):
                return False  # all of them, and nothing older: the start
            raise LookupIncomplete("more messages share one millisecond than a batch holds")
        largest = max(largest, len(batch))
        previous = oldest
        # One millisecond of overlap: if Crisp split a run of equal timestamps between two
        # batches, a strict cursor would skip the rest of the run (replies sent at once
        # share a millisecond); the overlap reads the run again, whole.
        cursor = oldest + 1
    raise LookupIncomplete(f"could not read back to the first attempt within {max_pages} "
                           f"batches of history")
