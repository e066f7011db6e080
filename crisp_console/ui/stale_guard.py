"""The stale-reply guard: the send key in reply mode first shows what arrived since the
operator started this reply, and asks: send anyway, edit, or discard. What counts as arrived
is present/stale_reply.py's; the prompt is ui/widgets/stale_prompt.py, inline at the top of
the reply box.

When a reply starts (the decisions):
- at the first keystroke into an empty reply box for that conversation (a box of spaces is
  empty);
- a draft the box shows when its conversation opens, with no start known (a draft restored
  from disk after a restart), starts when it is shown: the earliest moment the operator saw
  that thread with it;
- a draft written earlier in this run keeps its start when the operator switches away and
  back: what arrived meanwhile is exactly what they may not have read;
- a start taken before the thread had loaded anything takes in the first messages that come
  (ReplyStart.settle);
- "Edit" starts it again now (the operator has just seen what arrived): the next send key
  sends, unless something new arrives; clearing the box (sent, discarded, deleted by hand)
  ends it.

What is guarded: sends in reply mode. A private note never is: the visitor never sees it, so
it cannot contradict or repeat an answer, and notes are how colleagues coordinate in the
moment. Commands (/resolve…), edits of a sent message (Up) and attachments are not replies
typed in the box. ``enabled()`` (Preferences.stale_guard) is read at each send: off, the
send key sends at once.

While the prompt asks it follows the conversation: a message that keeps arriving joins the
list, and who is typing now (the visitor, colleagues: present/collision.py) shows beside
it. Typing into the box again means editing; opening another conversation drops the
question (the draft stays, with its start).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import tzinfo

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QBoxLayout

from crisp_console.core import CONVERSATIONS, MESSAGES, Change, ChangeKind, LiveEvent, Store
from crisp_console.present.collision import short_name, typing_text
from crisp_console.present.labels import operator_name
from crisp_console.present.plain import one_line
from crisp_console.present.stale_reply import (
    Arrival,
    ReplyStart,
    arrived_since,
    headline,
    sender_label,
    shown,
)
from crisp_console.present.timefmt import Clock, clock_time, system_clock
from crisp_console.ui.models import display_name
from crisp_console.ui.widgets.composer import Composer
from crisp_console.ui.widgets.stale_prompt import DISCARD, EDIT, SEND, PromptLine, StalePrompt

MAX_LINES = 4  # the newest ones; the thread above shows them all
Pending = tuple[str, str, str, list[str]]  # session_id, text, mode, mentions


class StaleGuard(QObject):
    """Signals:
        send_anyway(str, str, str, list): session_id, text, mode, mentions of a reply the
            operator chose to send anyway (the console sends it as any other).
    """

    send_anyway = Signal(str, str, str, list)

    def __init__(self, store: Store, composer: Composer, *, me: Callable[[], str | None],
                 enabled: Callable[[], bool], wall: Clock = system_clock,
                 tz: tzinfo | None = None, parent: QObject | None = None) -> None:
        """``me``: my user id (the client's identity); ``wall``: epoch ms (a start taken
        before its thread loaded compares the server's timestamps with it)."""
        super().__init__(parent if parent is not None else composer)
        self._store, self._composer = store, composer
        self._me, self._enabled, self._wall, self._tz = me, enabled, wall, tz
        self._starts: dict[str, ReplyStart] = {}
        self._pending: Pending | None = None
        self._then: Callable[[], None] | None = None  # after "Send anyway" (send and resolve)
        self.prompt = StalePrompt()
        box = composer.layout()
        assert isinstance(box, QBoxLayout), "the composer is a column"
        box.insertWidget(0, self.prompt)  # above the mode switch, under the thread
        self.prompt.chosen.connect(self._chosen)
        composer.editor.textChanged.connect(self._on_text)
        composer.editor.edited.connect(self._on_edited)
        self._unsubscribe: list[Callable[[], None]] = [store.subscribe(self._on_change),
                                                       store.subscribe_live(self._on_live)]

    # ---- the send key ------------------------------------------------------------------------

    def holds(self, session_id: str, text: str, mode: str, mentions: Sequence[str]) -> bool:
        """Whether to hold this send and ask first (True: the prompt asks; "Send anyway"
        comes back as ``send_anyway``)."""
        start = self._starts.get(session_id)
        if mode != "reply" or start is None or not self._enabled():
            return False
        arrivals = arrived_since(start, self._store.messages(session_id), self._me())
        if not arrivals:
            return False
        self._pending = (session_id, text, mode, list(mentions))
        self._then = None
        title, lines, earlier = self._lines(session_id, arrivals)
        self.prompt.ask(title, lines, earlier, self._typing_now(session_id))
        return True

    def then(self, session_id: str, action: Callable[[], None]) -> bool:
        """Run ``action`` after the held send of ``session_id`` if it is sent anyway (Send
        and resolve: no resolve unless the reply goes); False when no send of it is held."""
        if self.asking() != session_id:
            return False
        self._then = action
        return True

    def asking(self) -> str | None:
        """The conversation whose send waits for an answer (None: no question)."""
        return self._pending[0] if self._pending is not None else None

    def started(self, session_id: str) -> ReplyStart | None:
        """Where the reply being written in the conversation started (None: no reply)."""
        return self._starts.get(session_id)

    def detach(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []

    # ---- the answer --------------------------------------------------------------------------

    def _chosen(self, choice: str) -> None:
        pending, self._pending = self._pending, None
        then, self._then = self._then, None
        composer = self._composer
        if pending is None or composer.session_id() != pending[0]:
            return
        sid = pending[0]
        if choice == SEND:
            self.send_anyway.emit(*pending)
            if then is not None:
                then()
        elif choice == EDIT:
            self._start(sid)  # seen now: the next send key sends unless more arrives
        elif choice == DISCARD:
            composer.take_sent()  # the box and the draft cleared; this ends the start
            composer.flush_drafts()
        composer.editor.setFocus(Qt.FocusReason.OtherFocusReason)

    def _drop_question(self) -> None:
        """Another conversation opened: the question goes, the draft and its start stay."""
        self._pending = self._then = None
        self.prompt.hide()

    # ---- starts ------------------------------------------------------------------------------

    def _start(self, session_id: str) -> None:
        store = self._store
        self._starts[session_id] = ReplyStart.of(store.messages(session_id),
                                                 store.timeline_loaded(session_id),
                                                 self._wall())

    def _on_text(self) -> None:
        composer = self._composer
        sid = composer.session_id()
        if self._pending is not None and self._pending[0] != sid:
            self._drop_question()
        if sid is None or composer.editing():  # an Up-edit's text is not the draft
            return
        if sid in self._starts and not composer.editor.document().isEmpty():
            return  # typing on: the start stays (no copy of the text per keystroke)
        if not composer.text().strip():
            self._starts.pop(sid, None)
        elif sid not in self._starts:
            self._start(sid)

    def _on_edited(self) -> None:
        if self._pending is not None:
            self.prompt.choose(EDIT)  # typing in the box again: editing

    # ---- following the conversation ----------------------------------------------------------

    def _on_change(self, change: Change) -> None:
        if change.collection == MESSAGES and change.key is not None:
            start = self._starts.get(change.key)
            if start is not None and change.kind is ChangeKind.INSERTED:
                self._inserted(change.key, start, change.fingerprints)
            if self._pending is not None and change.key == self._pending[0] \
                    and change.kind is not ChangeKind.INSERTING:
                self._refresh()
        elif (change.collection == CONVERSATIONS and self._pending is not None
              and change.kind is ChangeKind.CHANGED and "compose_visitor" in change.fields
              and change.concerns(self._pending[0])):
            self._refresh()

    def _inserted(self, sid: str, start: ReplyStart, fingerprints: Sequence[int]) -> None:
        store = self._store
        for fp in fingerprints:
            msg = store.message(sid, fp)
            if msg is not None and msg.is_pending:
                start.own(fp)  # this console's send (a local echo): never news
        if not start.settled:
            start.settle(store.messages(sid))

    def _on_live(self, event: LiveEvent) -> None:
        if self._pending is not None and event.session_id == self._pending[0] \
                and event.event == "message:compose:receive":
            self.prompt.set_context(self._typing_now(event.session_id))

    def _refresh(self) -> None:
        """While asking: the list as it is now (more arrived, or one was removed)."""
        if self._pending is None:
            return
        sid = self._pending[0]
        start = self._starts.get(sid)
        arrivals = arrived_since(start, self._store.messages(sid), self._me()) \
            if start is not None else []
        if not arrivals:  # all of it removed again: nothing stale left to ask about
            self.prompt.choose(EDIT)
            return
        title, lines, earlier = self._lines(sid, arrivals)
        self.prompt.show_lines(title, lines, earlier, self._typing_now(sid))

    # ---- words -------------------------------------------------------------------------------

    def _lines(self, sid: str, arrivals: list[Arrival]) -> tuple[str, list[PromptLine], int]:
        store = self._store
        conv = store.conversations.get(sid)
        visitor = display_name(conv) if conv is not None else ""
        names = {a.user_id: operator_name(op) for a in arrivals
                 if (op := store.operators.get(a.user_id)) is not None}
        listed, earlier = shown(arrivals, MAX_LINES)
        return headline(arrivals), [
            PromptLine(sender_label(a, visitor, names), clock_time(a.timestamp, self._tz),
                       a.text) for a in listed], earlier

    def _typing_now(self, sid: str) -> str:
        """Who is typing in the conversation right now: the visitor, colleagues."""
        store = self._store
        conv = store.conversations.get(sid)
        names = [short_name(c, store.operators) for c in store.presence.typing(sid, self._me())]
        if conv is not None and conv.compose_visitor is not None:
            names.insert(0, one_line(display_name(conv), 80))
        return typing_text(names)
