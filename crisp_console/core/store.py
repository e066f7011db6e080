"""The Store: every domain object by id, the ordered conversation list, the timelines.

Pure and synchronous. It is built from parts, each with a public API: ``directory``
(websites, operators, people: directory.py), ``rows`` (the conversations, sorted:
conversations.py), ``threads`` (the timelines with their history bookkeeping: threads.py),
``optimistic`` (the changes waiting for their echo: optimistic.py), ``presence`` (colleagues
typing or just written: presence.py) and ``intake`` (parsing and the reporter of what was
dropped: intake.py). The Store adds the rules that span parts
(a message moves its row: counting.py; a removed conversation takes its timeline along) and
is the one door for callers:

- ``apply(event, payload)``: a live RTM event, through its handler (handlers.py); observers of
  ``subscribe_live`` then hear what it brought (live.py);
- the bulk loaders: REST answers (``upsert_conversations``, ``add_history_page``…);
- the console's own changes, typed (own_changes.py, over edits.py and echo.py):
  ``add_pending``, ``change_state``…

Every change is announced as a paired Change naming its ids (changes.py) that a Qt model can
replay one-to-one. No public method raises on wire data of any shape: a malformed item is
dropped and counted on ``reporter``, and every value kept is within the limits of parse.py.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from crisp_console.core import history
from crisp_console.core.changes import COLLECTIONS, Change, ChangeKind, Observer
from crisp_console.core.conversations import ConversationRows
from crisp_console.core.counting import Arrival, after_message, counts, preview
from crisp_console.core.directory import Directory
from crisp_console.core.handlers import HANDLERS
from crisp_console.core.intake import Intake
from crisp_console.core.live import LiveEvent, VisitedPage, named_ids
from crisp_console.core.models import Conversation, Message, Operator, Person, Website
from crisp_console.core.optimistic import Expectations
from crisp_console.core.ordering import Ordering
from crisp_console.core.own_changes import OwnChanges
from crisp_console.core.parse import PayloadError
from crisp_console.core.presence import Presence
from crisp_console.core.results import APPLIED, ApplyResult, result
from crisp_console.core.snapshot import Snapshot
from crisp_console.core.threads import Threads
from crisp_console.log import ThrottledReporter
from crisp_console.observers import Observers

log = logging.getLogger(__name__)

LiveObserver = Callable[[LiveEvent], None]


class Store(OwnChanges):
    """Domain state of the console. Never raises on wire data; never does I/O.

    Attributes (read them, never mutate them): the parts above, and through them
    ``websites``, ``operators``, ``people``, ``conversations`` (dicts by id), ``ordering``
    and ``reporter``.

    ``block_size`` tunes the conversation list's blocks (sortedrows.py); tests make it tiny.
    ``reporter`` defaults to one logging to ``crisp_console.core``. ``clock`` (monotonic
    seconds) times how long an optimistic change outranks older echoes, and when a
    colleague's typing or message stops showing (``presence``).
    """

    def __init__(self, ordering: Ordering = Ordering.ACTIVITY, *, block_size: int = 1000,
                 reporter: ThrottledReporter | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._changes: Observers[[Change]] = Observers(log, "store observer")
        self._live: Observers[[LiveEvent]] = Observers(log, "store live observer")
        self._frames: Observers[[]] = Observers(log, "store frame observer")
        self._frames_last: Observers[[]] = Observers(log, "store frame observer")
        emit = self._changes.notify
        self.intake = Intake(reporter)
        self.directory = Directory(self.intake, emit)
        self.optimistic = optimistic = Expectations(clock)
        self.rows = ConversationRows(
            self.intake, emit, ordering, block_size,
            held=lambda field, sid, value: optimistic.holds(field, sid, None, value))
        self.threads = Threads(emit)
        self.presence = Presence(clock)  # colleagues typing or just written (presence.py)
        # The parts' own dicts (they are updated in place, never replaced): read-only views.
        self.reporter: ThrottledReporter = self.intake.reporter
        self.conversations: Mapping[str, Conversation] = self.rows.by_id
        self.websites: Mapping[str, Website] = self.directory.websites
        self.operators: Mapping[str, Operator] = self.directory.operators
        self.people: Mapping[str, Person] = self.directory.people
        self._unknown_events: set[str] = set()
        self._brought: tuple[Message | None, tuple[VisitedPage, ...]] = (None, ())

    # ---- observers -------------------------------------------------------------------------

    def subscribe(self, callback: Observer) -> Callable[[], None]:
        """Call ``callback(change)`` for every Change; returns the unsubscribe function."""
        return self._changes.add(callback)

    def subscribe_live(self, callback: LiveObserver) -> Callable[[], None]:
        """Call ``callback(event)`` after every live event ``apply`` was given (live.py)."""
        return self._live.add(callback)

    def subscribe_frames(self, callback: Callable[[], None], *,
                         last: bool = False) -> Callable[[], None]:
        """Call ``callback()`` at every ``end_frame``; ``last``: after every observer added
        without it (a paint, after the models' flushes). Returns the unsubscribe function."""
        return (self._frames_last if last else self._frames).add(callback)

    def end_frame(self) -> None:
        """A frame of changes has been applied (client/batch.py: live events, or a REST
        answer the rows waited for): what shows the store may bring itself up to date now,
        in the same turn of the loop, instead of waiting a timer of its own (the list and
        timeline models' flush, ui/models/coalesce.py; then the list's paint)."""
        self._frames.notify()
        self._frames_last.notify()

    @property
    def observers(self) -> int:
        """How many observers ``subscribe``, ``subscribe_live`` and ``subscribe_frames``
        have (views that forgot to unsubscribe show up here)."""
        return (len(self._changes) + len(self._live) + len(self._frames)
                + len(self._frames_last))

    # ---- reading ---------------------------------------------------------------------------

    @property
    def ordering(self) -> Ordering:
        return self.rows.ordering

    def conversation_ids(self) -> list[str]:
        """The conversation list in its current order (a copy)."""
        return self.rows.ids()

    def conversation_count(self) -> int:
        return len(self.rows)

    def conversation_at(self, row: int) -> Conversation:
        return self.rows.at(row)

    def row_of(self, session_id: str) -> int:
        """The conversation's row, -1 if absent (O(log n))."""
        return self.rows.row_of(session_id)

    def count(self, predicate: Callable[[Conversation], bool]) -> int:
        """How many conversations match (one pass; for filter badges)."""
        return sum(1 for c in self.rows.by_id.values() if predicate(c))

    def website_ids(self) -> list[str]:
        return self.directory.website_ids()

    def operator_ids(self) -> list[str]:
        return self.directory.operator_ids()

    def people_ids(self) -> list[str]:
        return self.directory.people_ids()

    def messages(self, session_id: str) -> list[Message]:
        """The conversation's timeline as far as the store has it (REST pages, live messages
        since it knew the conversation, local echoes last), oldest first. A copy: use
        ``message_count``/``message_at`` to read rows."""
        return self.threads.messages(session_id)

    def message_count(self, session_id: str) -> int:
        return self.threads.count(session_id)

    def message_at(self, session_id: str, row: int) -> Message:
        return self.threads.at(session_id, row)

    def message(self, session_id: str, fingerprint: int) -> Message | None:
        return self.threads.message(session_id, fingerprint)

    def timeline_loaded(self, session_id: str) -> bool:
        """Whether the conversation's newest page of messages was read (threads.py)."""
        return self.threads.loaded(session_id)

    def history_cursor(self, session_id: str) -> int | None:
        """Where the next older page starts, None before any page gave a timestamp."""
        return self.threads.cursor(session_id)

    def at_history_start(self, session_id: str) -> bool:
        """Whether the conversation's first message is loaded."""
        return self.threads.at_start(session_id)

    # ---- live events -----------------------------------------------------------------------

    def apply(self, event: str, payload: Any) -> ApplyResult:
        """Apply one live RTM event. Never raises: a malformed payload is counted on
        ``reporter`` under ``rtm:<event>`` (a handler bug under ``bug:rtm:<event>``, its
        traceback once). Then ``subscribe_live`` observers hear what it brought."""
        handler = HANDLERS.get(event) if isinstance(event, str) else None
        self._brought = (None, ())
        if handler is None:
            name = event if isinstance(event, str) else repr(type(event))
            if name not in self._unknown_events and len(self._unknown_events) < 256:
                self._unknown_events.add(name)  # log each name once, not once per event
                log.info("no handler for RTM event %.80r; dropped", name)
            outcome = ApplyResult.UNKNOWN_EVENT
        else:
            try:
                outcome = handler(self, payload)
            except PayloadError as exc:
                self.reporter.report(f"rtm:{event}", str(exc))
                outcome = ApplyResult.MALFORMED
            except Exception as exc:  # noqa: BLE001 - a bug, not bad input: keep the loop alive
                self.reporter.report(f"bug:rtm:{event}", repr(type(exc)), exc_info=exc)
                outcome = ApplyResult.MALFORMED
        if self._live and isinstance(event, str):
            self._tell(event, payload, outcome)
        return outcome

    def note_live(self, *, message: Message | None = None,
                  pages: tuple[VisitedPage, ...] = ()) -> None:
        """For handlers: what the live event being applied brought, for its LiveEvent."""
        self._brought = (message, pages)

    def _tell(self, event: str, payload: Any, outcome: ApplyResult) -> None:
        message, pages = self._brought
        session_id, website_id = named_ids(payload)
        if message is not None:
            session_id, website_id = message.session_id, message.website_id or website_id
        self._live.notify(LiveEvent(event, outcome, session_id, website_id, message, pages))

    # ---- conversations ---------------------------------------------------------------------

    def set_ordering(self, ordering: Ordering) -> None:
        """Re-sort the conversation list under ``ordering``; emits RESET (if it changed)."""
        self.rows.set_ordering(ordering)

    def upsert_conversations(self, payloads: Any) -> ApplyResult:
        """Load REST conversations (new ones inserted in runs, known ones updated)."""
        return self.rows.upsert(payloads)

    def upsert_conversation(self, payload: Any) -> ApplyResult:
        return self.rows.upsert([payload])

    def update_conversation(self, session_id: str, partial: Mapping[str, Any]) -> frozenset[str]:
        """Set fields of a conversation (MOVING/MOVED if needed, CHANGED); the changed ones."""
        return self.rows.update(session_id, partial)

    def remove_conversation(self, session_id: str) -> ApplyResult:
        return result(self.remove_conversations([session_id]))

    def remove_conversations(self, session_ids: Iterable[Any]) -> bool:
        """REMOVING/REMOVED per run of rows. Each conversation's timeline goes with it,
        bookkeeping included, and gets its own RESET once the rows are done."""
        dropped: list[str] = []

        def forget(ids: list[str]) -> None:
            for sid in ids:
                self.presence.forget(sid)
            dropped.extend(sid for sid in ids if self.threads.take(sid))

        removed = self.rows.remove(session_ids, forget)
        for sid in dropped:
            self.threads.reset(sid)
        return removed

    def is_provisional(self, session_id: Any) -> bool:
        """Built from a live message alone: Crisp's own copy has not come yet (handlers_
        messages.py); the owed fetch brings it (client/fetches.py)."""
        return isinstance(session_id, str) and session_id in self.rows.provisional

    def drop_provisional(self, session_id: str) -> bool:
        """Remove the conversation if it is still provisional (its fetch found it gone or
        refused, or was not owed): True if it was."""
        return session_id in self.rows.provisional and self.remove_conversations([session_id])

    def remove_website_conversations(self, website_id: str) -> bool:
        return self.remove_conversations(
            [sid for sid, c in self.rows.by_id.items() if c.website_id == website_id])

    def remove_website(self, website_id: str) -> ApplyResult:
        """Remove a website and its conversations (REMOVING/REMOVED for each)."""
        removed = self.remove_website_conversations(website_id)
        return APPLIED if self.directory.remove_website(website_id) else result(removed)

    # ---- the row after its timeline changed (counting.py) ----------------------------------

    def bump(self, conv: Conversation, msg: Message, arrival: Arrival) -> frozenset[str]:
        """Update the row for ``msg``, now in its timeline: preview, activity, mentions and
        (if this ``arrival`` counts) the unread counters and the wait."""
        tl = self.threads.get(conv.session_id)
        latest = tl is not None and tl.is_latest_sent(msg)
        return self.rows.update(conv.session_id, after_message(
            conv, msg, latest=latest, count=counts(arrival, conv, msg)))

    def refresh_preview(self, conv: Conversation) -> frozenset[str]:
        """After the preview's message left the timeline: show the latest one left."""
        tl = self.threads.get(conv.session_id)
        return self.rows.update(conv.session_id,
                                preview(tl.messages[-1] if tl and tl.messages else None))

    # ---- timelines -------------------------------------------------------------------------

    def upsert_messages(self, session_id: str, payloads: Any) -> ApplyResult:
        """Load REST messages (oldest first, as Crisp sends them): new ones inserted in runs,
        known ones updated, pending local echoes merged (history.py)."""
        return history.upsert_messages(self, session_id, payloads)

    def add_history_page(self, session_id: str, payloads: Any, *,
                         older: bool) -> ApplyResult:
        """A REST page of the conversation's messages, the newest (``older=False``) or the
        one before ``history_cursor``, with the timeline's bookkeeping (history.py)."""
        return history.add_history_page(self, session_id, payloads, older=older)

    # ---- websites, operators, people (directory.py) ----------------------------------------

    def set_websites(self, payloads: Any) -> ApplyResult:
        return self.directory.set_websites(payloads)

    def upsert_website(self, payload: Any) -> ApplyResult:
        return self.directory.upsert_website(payload)

    def update_website(self, website_id: str, partial: Mapping[str, Any]) -> ApplyResult:
        return self.directory.update_website(website_id, partial)

    def set_operators(self, payloads: Any) -> ApplyResult:
        return self.directory.set_operators(payloads)

    def update_operator(self, user_id: str, partial: Mapping[str, Any]) -> ApplyResult:
        return self.directory.update_operator(user_id, partial)

    def upsert_person(self, payload: Any, website_id: str = "") -> ApplyResult:
        return self.directory.upsert_person(payload, website_id)

    def update_person(self, people_id: str, partial: Mapping[str, Any]) -> ApplyResult:
        return self.directory.update_person(people_id, partial)

    def remove_person(self, people_id: str) -> ApplyResult:
        return self.directory.remove_person(people_id)

    def clear(self) -> None:
        """Forget everything (sign-out, account switch): one RESET per collection, and a
        ``messages`` RESET with ``key=None`` for all timelines."""
        self.directory.clear()
        self.rows.clear()
        self.threads.clear()
        self.presence.clear()
        self._reset_all()

    def restore(self, snapshot: Snapshot) -> None:
        """Replace everything with a saved snapshot (the warm start; snapshot.py): no
        per-row changes, one RESET per collection as ``clear`` announces. The first of an id
        wins; timelines of conversations the snapshot lacks are dropped."""
        self.directory.restore(snapshot.websites, snapshot.operators, snapshot.people)
        self.rows.restore(snapshot.conversations)
        by_id = self.rows.by_id
        self.threads.restore(t for t in snapshot.timelines if t.session_id in by_id)
        self._reset_all()

    def share_restored(self, limit: int = 250) -> bool:
        """Share the heavy meta values of up to ``limit`` more restored conversations, as a
        REST load shares them (memory only: equal values, no change to announce); whether
        some remain. The warm start calls it after the first frame, a slice per loop turn."""
        return self.rows.share_restored(limit)

    def forget_timeline(self, session_id: str) -> bool:
        """Drop a conversation's timeline and its bookkeeping (a saved one that can no
        longer be joined to the server's newest messages); its own RESET. The row stays."""
        if not isinstance(session_id, str) or not self.threads.take(session_id):
            return False
        self.threads.reset(session_id)
        return True

    def _reset_all(self) -> None:
        for collection in COLLECTIONS:
            self._changes.notify(Change(ChangeKind.RESET, collection))
