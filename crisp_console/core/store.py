"""The Store: every domain object by id, the ordered conversation list, the timelines.

Pure and synchronous: ``apply(event, payload)`` runs the handler of an RTM event (handlers.py),
the bulk methods load REST answers, and every change is announced as a paired Change (see
changes.py) that a Qt model can replay one-to-one.

No public method raises on wire data of any shape: a malformed item is dropped and counted on
``reporter`` (log.py's ThrottledReporter: one WARNING per kind, then counts), and every value
kept is within the limits of parse.py, so nothing stored can break the ordering or the UI.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from crisp_console.core import echo
from crisp_console.core.changes import (
    CONVERSATIONS,
    MESSAGES,
    OPERATORS,
    PEOPLE,
    WEBSITES,
    Change,
    ChangeKind,
    Notifier,
    Observer,
)
from crisp_console.core.directory import Directory
from crisp_console.core.handlers import HANDLERS
from crisp_console.core.models import Conversation, Message
from crisp_console.core.ordering import KEY_FIELDS, KEY_FUNCTIONS, Ordering
from crisp_console.core.parse import MAX_COUNT, MAX_LIST, PayloadError, id_list, is_int
from crisp_console.core.results import APPLIED, ApplyResult, result
from crisp_console.core.sharing import Sharer
from crisp_console.core.sortedrows import SortedRows
from crisp_console.core.timeline import Timeline
from crisp_console.log import ThrottledReporter

log = logging.getLogger(__name__)


class Store(Directory):
    """Domain state of the console. Never raises on wire data; never does I/O.

    Attributes (read them, never mutate them):
        websites, operators, people (directory.py), conversations: dicts by id.
        ordering: the current order of the conversation list.
        reporter: what was dropped, by kind (directory.py).

    ``block_size`` tunes the conversation list's blocks (sortedrows.py); tests make it tiny.
    ``reporter`` defaults to one logging to ``crisp_console.core``.
    """

    def __init__(self, ordering: Ordering = Ordering.ACTIVITY, *, block_size: int = 1000,
                 reporter: ThrottledReporter | None = None) -> None:
        self._notifier = Notifier()  # before Directory, which binds _emit
        super().__init__(reporter)
        self.conversations: dict[str, Conversation] = {}
        self.ordering = ordering
        self._key = KEY_FUNCTIONS[ordering]
        self._rows = SortedRows(self._emit, CONVERSATIONS, block_size)
        self._timelines: dict[str, Timeline] = {}
        self._unknown_events: set[str] = set()
        self._sharer = Sharer()

    # ---- observers -------------------------------------------------------------------------

    def subscribe(self, callback: Observer) -> Callable[[], None]:
        """Call ``callback(change)`` for every Change; returns the unsubscribe function."""
        return self._notifier.subscribe(callback)

    def _emit(self, change: Change) -> None:
        self._notifier.emit(change)

    # ---- reading ---------------------------------------------------------------------------

    def conversation_ids(self) -> list[str]:
        """The conversation list in its current order (a copy)."""
        return self._rows.all_ids()

    def conversation_count(self) -> int:
        return len(self._rows)

    def conversation_at(self, row: int) -> Conversation:
        return self.conversations[self._rows.id_at(row)]

    def row_of(self, session_id: str) -> int:
        """The conversation's row, -1 if absent: two bisections plus its block's first row
        (O(log n); sortedrows.py)."""
        return self._rows.row_of(session_id) if isinstance(session_id, str) else -1

    def messages(self, session_id: str) -> list[Message]:
        """The conversation's timeline as far as the store has it (REST pages, live messages
        since it knew the conversation, local echoes last), oldest first. A copy: use
        ``message_count``/``message_at`` to read rows."""
        tl = self._timelines.get(session_id) if isinstance(session_id, str) else None
        return list(tl.messages) if tl else []

    def message_count(self, session_id: str) -> int:
        tl = self._timelines.get(session_id) if isinstance(session_id, str) else None
        return len(tl) if tl else 0

    def message_at(self, session_id: str, row: int) -> Message:
        return self._timelines[session_id].messages[row]

    def message(self, session_id: str, fingerprint: int) -> Message | None:
        tl = self._timelines.get(session_id) if isinstance(session_id, str) else None
        return tl.by_fp.get(fingerprint) if tl and is_int(fingerprint) else None

    def count(self, predicate: Callable[[Conversation], bool]) -> int:
        """How many conversations match (one pass; for filter badges)."""
        return sum(1 for c in self.conversations.values() if predicate(c))

    # ---- events ----------------------------------------------------------------------------

    def apply(self, event: str, payload: Any) -> ApplyResult:
        """Apply one RTM event. Never raises: a malformed payload is counted on ``reporter``
        under ``rtm:<event>`` (a handler bug under ``bug:rtm:<event>``, its traceback once)."""
        handler = HANDLERS.get(event) if isinstance(event, str) else None
        if handler is None:
            name = event if isinstance(event, str) else repr(type(event))
            if name not in self._unknown_events and len(self._unknown_events) < 256:
                self._unknown_events.add(name)  # log each name once, not once per event
                log.info("no handler for RTM event %.80r; dropped", name)
            return ApplyResult.UNKNOWN_EVENT
        try:
            return handler(self, payload)
        except PayloadError as exc:
            self.reporter.report(f"rtm:{event}", str(exc))
        except Exception as exc:  # noqa: BLE001 - a bug, not bad input: keep the loop alive
            self.reporter.report(f"bug:rtm:{event}", repr(type(exc)), exc_info=exc)
        return ApplyResult.MALFORMED

    # ---- conversations ---------------------------------------------------------------------

    def set_ordering(self, ordering: Ordering) -> None:
        """Re-sort the conversation list under ``ordering``; emits RESET (if it changed)."""
        if ordering is self.ordering:
            return
        self.ordering = ordering
        self._key = key = KEY_FUNCTIONS[ordering]
        self._rows.replace([(key(c), sid) for sid, c in self.conversations.items()])
        self._emit(Change(ChangeKind.RESET, CONVERSATIONS))

    def upsert_conversations(self, payloads: Any) -> ApplyResult:
        """Load REST conversations: new ones are inserted in runs (one INSERTING/INSERTED
        pair per run of adjacent rows), known ones updated (MOVED if needed, CHANGED)."""
        convs = self.parse_list(
            "rest:conversation", lambda d: Conversation.from_payload(d, self._sharer), payloads)
        if convs is None:
            return ApplyResult.MALFORMED
        parsed = {conv.session_id: conv for conv in convs}
        bad = len(payloads) - len(convs)
        changed = False
        new: list[Conversation] = []
        for sid, conv in parsed.items():
            if sid in self.conversations:
                changed |= bool(self.update_conversation(sid, conv.field_values()))
            else:
                new.append(conv)
        if new:
            by_id = {c.session_id: c for c in new}

            def add(ids: list[str]) -> None:
                for sid in ids:
                    self.conversations[sid] = by_id[sid]

            key = self._key
            self._rows.insert_many([(key(c), c.session_id) for c in new], add)
        if bad and not parsed:
            return ApplyResult.MALFORMED
        return result(changed or bool(new))

    def upsert_conversation(self, payload: Any) -> ApplyResult:
        return self.upsert_conversations([payload])

    def update_conversation(self, session_id: str, partial: Mapping[str, Any]) -> frozenset[str]:
        """Set fields of a conversation (field names of ``Conversation``): MOVING/MOVED if its
        sort key changes, then CHANGED with the fields. Returns the changed fields."""
        conv = self.conversations.get(session_id) if isinstance(session_id, str) else None
        if conv is None:
            return frozenset()
        changed = self.checked_update("update:conversation", conv, partial)
        if changed:
            if changed & KEY_FIELDS[self.ordering]:
                row = self._rows.rekey(session_id, self._key(conv))
            else:
                row = self._rows.row_of(session_id)
            self._emit(Change(ChangeKind.CHANGED, CONVERSATIONS, first=row, last=row,
                              fields=changed))
        return changed

    def remove_conversation(self, session_id: str) -> ApplyResult:
        return result(self._remove_conversations([session_id]))

    def _remove_conversations(self, session_ids: Iterable[str]) -> bool:
        """REMOVING/REMOVED per run of rows; a dropped timeline gets its own RESET."""
        dropped: list[str] = []

        def forget(ids: list[str]) -> None:
            for sid in ids:
                del self.conversations[sid]
                if self._timelines.pop(sid, None) is not None:
                    dropped.append(sid)

        present = [sid for sid in session_ids if isinstance(sid, str) and sid in self.conversations]
        self._rows.remove_many(present, forget)
        for sid in dropped:
            self._emit(Change(ChangeKind.RESET, MESSAGES, key=sid))
        return bool(present)

    # ---- timelines -------------------------------------------------------------------------

    def _timeline(self, session_id: str) -> Timeline:
        """The conversation's timeline, created empty on first use (for handlers and echo)."""
        tl = self._timelines.get(session_id)
        if tl is None:
            tl = self._timelines[session_id] = Timeline(session_id)
        return tl

    def upsert_messages(self, session_id: str, payloads: Any) -> ApplyResult:
        """Load a REST page of messages (oldest first, as Crisp sends them): new ones are
        inserted in runs (a page of older history is one range), known ones updated,
        pending local echoes merged."""
        conv = self.conversations.get(session_id) if isinstance(session_id, str) else None
        if conv is None:
            return ApplyResult.UNKNOWN_TARGET
        msgs = self.parse_list("rest:message", Message.from_payload, payloads)
        if msgs is None:
            return ApplyResult.MALFORMED
        tl = self._timeline(conv.session_id)
        new: dict[int, Message] = {}
        page: list[Message] = []  # the page's order, known messages included (anchors)
        changed = 0
        bad = len(payloads) - len(msgs)
        for msg in msgs:
            known = tl.by_fp.get(msg.fingerprint)
            if known is None:
                if msg.fingerprint in new:
                    continue  # twice in one page: the first copy stands
                self._adopt(conv, msg)
                new[msg.fingerprint] = msg
                page.append(msg)
                continue
            if known.is_pending:
                changed += echo.merge(self, conv, known, msg)
            else:  # REST is the fresher copy (read/delivered/edited may have moved)
                changed += bool(tl.update(known, msg.field_values(), self._emit))
            page.append(known)
        tl.insert_page(page, self._emit)
        if new:
            newest = max(reversed(new.values()), key=Message.sort_key)  # the last of equals
            if self._newer_than_preview(conv, newest):
                self._bump(conv, newest, count=False)
        if bad and not new and not changed:
            return ApplyResult.MALFORMED
        return result(bool(new) or bool(changed))

    def clear_messages(self, session_id: str) -> None:
        """Forget a loaded timeline (memory); emits RESET for it."""
        if isinstance(session_id, str) and self._timelines.pop(session_id, None) is not None:
            self._emit(Change(ChangeKind.RESET, MESSAGES, key=session_id))

    def _newer_than_preview(self, conv: Conversation, msg: Message) -> bool:
        """Whether a REST message is newer than the row's preview: an older page (or a jump
        into the past) must not replace the preview the REST row gave."""
        if msg.timestamp > conv.updated_at:
            return True
        shown = self.message(conv.session_id, conv.last_fingerprint)
        return shown is not None and not shown.is_pending and shown.sort_key() < msg.sort_key()

    @staticmethod
    def _adopt(conv: Conversation, msg: Message) -> None:
        """Share the conversation's id strings instead of one copy per message."""
        msg.session_id = conv.session_id
        msg.website_id = conv.website_id

    def _bump(self, conv: Conversation, msg: Message, *, count: bool) -> frozenset[str]:
        """Update the conversation row for a message now in its timeline, as the sandbox
        does: the preview if it is the latest message, activity, and (``count``) the unread
        counters and waiting time (notes and events count for neither)."""
        partial: dict[str, Any] = {}
        if msg.is_pending or self._timeline(conv.session_id).is_latest_sent(msg):
            partial.update(last_message=msg.excerpt(), last_from=msg.from_,
                           last_type=msg.type, last_fingerprint=msg.fingerprint)
        if msg.timestamp > conv.updated_at:
            partial["updated_at"] = msg.timestamp
        mentions = msg.extra.get("mentions") if msg.extra else None
        if isinstance(mentions, list):
            partial["mentions"] = tuple(sorted(set(conv.mentions).union(
                id_list(mentions)))[:MAX_LIST])
        if count and msg.counts_as_unread:
            if msg.from_ == "user":  # counters stop at MAX_COUNT (a REST row may start there)
                partial["unread_operator"] = min(conv.unread_operator + 1, MAX_COUNT)
                partial["waiting_since"] = conv.waiting_since or msg.timestamp
            else:
                partial["unread_visitor"] = min(conv.unread_visitor + 1, MAX_COUNT)
                partial["waiting_since"] = 0
        return self.update_conversation(conv.session_id, partial)

    def _refresh_preview(self, conv: Conversation) -> frozenset[str]:
        """After the preview's message left the timeline: show the latest one left."""
        tl = self._timelines.get(conv.session_id)
        last = tl.messages[-1] if tl and tl.messages else None
        if last is None:
            return self.update_conversation(conv.session_id, {
                "last_message": "", "last_from": "", "last_type": "", "last_fingerprint": 0})
        return self.update_conversation(conv.session_id, {
            "last_message": last.excerpt(), "last_from": last.from_, "last_type": last.type,
            "last_fingerprint": last.fingerprint})

    # ---- local echo (echo.py) --------------------------------------------------------------

    def add_pending(self, session_id: str, *, fingerprint: int, type: str, content: Any,
                    user_id: str, nickname: str, timestamp: int,
                    extra: dict[str, Any] | None = None) -> Message:
        """Show an operator's message before the server has it (status PENDING); ``extra``
        carries keys such as ``mentions`` (which the conversation row picks up at once)."""
        return echo.add_pending(self, session_id, fingerprint=fingerprint, type=type,
                                content=content, user_id=user_id, nickname=nickname,
                                timestamp=timestamp, extra=extra)

    def confirm_pending(self, session_id: str, fingerprint: int) -> ApplyResult:
        """The server accepted the send (REST 202): SENT now, without waiting for the echo."""
        return echo.confirm_pending(self, session_id, fingerprint)

    def fail_pending(self, session_id: str, fingerprint: int, error: str) -> ApplyResult:
        """The send failed: status FAILED with ``error`` (CHANGED)."""
        return echo.fail_pending(self, session_id, fingerprint, error)

    def retry_pending(self, session_id: str, fingerprint: int) -> ApplyResult:
        """A FAILED message is being sent again: back to PENDING (CHANGED)."""
        return echo.retry_pending(self, session_id, fingerprint)

    def discard_pending(self, session_id: str, fingerprint: int) -> ApplyResult:
        """Drop an unsent local echo (REMOVING/REMOVED)."""
        return echo.discard_pending(self, session_id, fingerprint)

    # ---- websites (the rest of the websites, operators and people: directory.py) ------------

    def remove_website(self, website_id: str) -> ApplyResult:
        """Remove a website and its conversations (REMOVING/REMOVED for each)."""
        removed = self.remove_website_conversations(website_id)
        if (self.websites.get(website_id) if isinstance(website_id, str) else None) is not None:
            self._website_rows.remove(website_id, lambda: self.websites.pop(website_id))
            return APPLIED
        return result(removed)

    def remove_website_conversations(self, website_id: str) -> bool:
        return self._remove_conversations(
            [sid for sid, c in self.conversations.items() if c.website_id == website_id])

    def clear(self) -> None:
        """Forget everything (sign-out, account switch): one RESET per collection, and a
        ``messages`` RESET with ``key=None`` for all timelines."""
        self._clear_directory()
        self.conversations = {}
        self._timelines = {}
        self._rows.replace([])
        for collection in (CONVERSATIONS, MESSAGES, WEBSITES, OPERATORS, PEOPLE):
            self._emit(Change(ChangeKind.RESET, collection))
