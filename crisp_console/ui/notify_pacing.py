"""When a desktop notification may show: the pacing that keeps them from flooding.

The Notifier decides whether something notifies and which way it goes; this decides when,
so that the rule lives in one place with its own timers. One notification per conversation,
updated in place, at most once every ``interval_s`` (10 s): an update inside those 10 s is
held back and shown when they are up, so it shows the latest. When more than BURST_COUNT
conversations would notify within BURST_S, the rest are folded into one "N new messages"
(key SUMMARY), shown when that burst window ends.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Collection

from PySide6.QtCore import QObject

from crisp_console.ui.timers import single_shot

PER_CONVERSATION_S = 10.0
BURST_S = 2.0
BURST_COUNT = 3  # individual notifications within BURST_S before they are summarised
SUMMARY = "summary"  # the key of the "N new messages" notification

Show = Callable[[str, str, str, str], None]  # (key, title, body, session_id)


class Pacing:
    """Holds back, or folds into a summary, what ``offer`` is given; ``show`` shows it.

    The timers belong to ``owner`` (the Notifier) and call its ``summary_due`` and
    ``updates_due``, which call ``flush`` and ``update_due`` here. The callbacks are passed
    per call, not kept: a Notifier left undetached must still die with its last reference.
    ``clock`` gives seconds (monotonic).
    """

    def __init__(self, owner: QObject, clock: Callable[[], float], *,
                 summary_due: Callable[[], None], updates_due: Callable[[], None]) -> None:
        self._clock = clock
        self.interval_s = PER_CONVERSATION_S  # the tests shorten it
        self._last_by_session: dict[str, float] = {}
        self._due: dict[str, tuple[str, str]] = {}  # session -> the update its 10 s hold back
        self._recent: deque[float] = deque()  # times of the last individual notifications
        self._batch: list[tuple[str, str]] = []  # (name, session_id) waiting for the summary
        self._summary = single_shot(owner, int(BURST_S * 1000), summary_due)
        self._later = single_shot(owner, 1000, updates_due)

    @property
    def held(self) -> Collection[str]:
        """The conversations with an update held back."""
        return self._due.keys()

    def offer(self, show: Show, session_id: str, title: str, body: str, name: str) -> None:
        """A notification about ``session_id``: shown now, held back, or batched."""
        now = self._clock()
        last = self._last_by_session.get(session_id)
        if last is not None and now - last < self.interval_s:
            self._due[session_id] = (title, body)  # shown when the 10 s are up: the latest
            self._schedule_due()
            return
        self._due.pop(session_id, None)
        self._last_by_session[session_id] = now
        if len(self._last_by_session) > 512:  # forget the old ones, keep it small
            self._last_by_session = {s: t for s, t in self._last_by_session.items()
                                     if now - t < self.interval_s or s in self._due}
        recent = self._recent
        while recent and now - recent[0] >= BURST_S:
            recent.popleft()
        if len(recent) >= BURST_COUNT:
            self._batch.append((name or title, session_id))
            if not self._summary.isActive():
                self._summary.start()
            return
        recent.append(now)
        show(session_id, title, body, session_id)

    def drop(self, session_id: str) -> None:
        """Nothing is held back for ``session_id`` any more."""
        self._due.pop(session_id, None)

    def flush(self, show: Show) -> None:
        """Show the summary of a burst now."""
        self._summary.stop()
        if not self._batch:
            return
        names = list(dict.fromkeys(name for name, _sid in self._batch))
        count, session_id = len(self._batch), self._batch[-1][1]
        self._batch.clear()
        shown = ", ".join(names[:3])
        body = f"From {shown}" + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        show(SUMMARY, f"{count} new messages", body, session_id)

    def update_due(self, show: Show, may_show: Callable[[str], bool]) -> None:
        """Show the updates their conversation's 10 s held back, once those are up;
        ``may_show(session_id)`` again (the window may have come to the front meanwhile)."""
        self._later.stop()
        now = self._clock()
        for sid, (title, body) in list(self._due.items()):
            wait = self._last_by_session.get(sid, now) + self.interval_s - now
            if wait > 0:
                continue
            del self._due[sid]
            if may_show(sid):
                self._last_by_session[sid] = now
                show(sid, title, body, sid)
        self._schedule_due()

    def stop(self) -> None:
        """Stop both timers: nothing batched or held back shows on its own any more."""
        self._summary.stop()
        self._later.stop()

    def _schedule_due(self) -> None:
        if not self._due:
            return
        now = self._clock()
        wait = min(self._last_by_session.get(sid, now) + self.interval_s - now
                   for sid in self._due)
        self._later.start(max(0, int(wait * 1000) + 1))
