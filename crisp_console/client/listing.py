"""How far one List Conversations query has been read on one website (``Listing``, owned
by views.py's ViewPager), and a view's paging over its websites as the UI sees it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Listing:
    """How far one query has been read on one website."""

    next_page: int = 1  # the next page to apply: how far a single reader would be
    exhausted: bool = False
    denied: bool = False  # Crisp refused the list (403) or the website is gone
    read_at: int = 0  # epoch ms of the last page read (0: never)
    oldest: int | None = None  # updated_at of the oldest conversation read: the frontier
    shifted: bool = False  # a row read left the query: read one page back next time
    stale: int = 0  # pages in a row that brought nothing new
    problem: str = ""  # why the last read failed, in words ("" when it did not)
    failed_at: float | None = None  # monotonic time of that failure
    members: set[str] = field(default_factory=set)  # session ids Crisp answered
    # Pages out at once (window.py): launched up to ``launched``, answered but not applied
    # in ``answers`` (a list, or the error), each with the future its reader awaits.
    launched: int = 0
    generation: int = 0  # bumped to drop whatever is out (an end, a shift, a failure)
    answers: dict[int, Any] = field(default_factory=dict)
    readers: dict[int, asyncio.Future[int]] = field(default_factory=dict)
    orphans: dict[tuple[int, int], asyncio.Future[int]] = field(default_factory=dict)
    end_hint: int | None = None  # no page past this one is launched (an empty/short page)

    @property
    def done(self) -> bool:
        return self.exhausted or self.denied

    @property
    def loading(self) -> bool:
        """A page is out, or answered and waiting for the ones before it."""
        return self.launched >= self.next_page

    def can_launch(self) -> bool:
        """Not done, and the next page to launch is not known to be past the end."""
        return not self.done and (self.end_hint is None or self.launched < self.end_hint)


DROPPED = -1  # a page's answer was dropped unapplied (past an end, a shift, a failure)
UNSENT = -2  # dropped before it was asked: no request was made


@dataclass(frozen=True)
class ViewState:
    """A view's paging over its websites: ``exhausted`` (nothing more on Crisp: the count
    is exact), ``loading``, ``read_at`` (epoch ms of the newest page read, 0: none),
    ``problem`` (why the last read failed, "" if it did not)."""

    exhausted: bool
    loading: bool
    read_at: int
    problem: str
