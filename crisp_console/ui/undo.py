"""Undo of destructive conversation actions: resolve, reopen, assign (and unassign) and mark
unread, from any path (single keys, shortcuts, the palette, menus, slash commands), for a
few seconds after each, with Ctrl+Z or the bar's "Undo".

``UndoableCommands`` stands in for the client's commands in ConversationActions: each of
those actions first offers its ``Undo`` (present/undo.py: what it restores), and withdraws
it if Crisp refuses the action (nothing to undo then). A queued action keeps its undo: its
change shows, and the restoring command queues behind it. ``ActionUndo`` holds the one
undo on offer (a second action replaces the first's), shows the bar, and undoes through
the client's normal commands, so the restoring action goes through the durable outbox
like any other. Time comes from an injectable monotonic clock; the bar's timer only asks
it (``check``), so tests move the clock instead of waiting.

Ctrl+Z and the reply box's own undo: whichever came last wins. While the bar shows and the
operator has not typed in the reply box since the action, Ctrl+Z there undoes the action;
once they typed, it undoes their typing (ReplyEdit asks ``action_first``). Other text
fields (the filter, the palette, the search box) keep Ctrl+Z for their text.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Coroutine, Mapping
from datetime import datetime
from typing import Any, Protocol

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QWidget

from crisp_console.client import QueuedError
from crisp_console.core import Store
from crisp_console.errors import QuotaExceededError
from crisp_console.present.undo import Undo, UndoSlot, assign_undo, state_undo, unread_undo
from crisp_console.ui.commands import CommandRegistry
from crisp_console.ui.conversation_actions import ConversationCommands
from crisp_console.ui.feedback import Feedback
from crisp_console.ui.widgets.undo_bar import UndoBar

UNDO_COMMAND = "conversation.undo"
Monotonic = Callable[[], float]


class ClientCommands(ConversationCommands, Protocol):
    """The client's conversation commands (client/commands.py ``Commands``), with the one
    undo needs beyond ConversationActions': putting a state back as it was."""

    async def set_state(self, session_id: str, state: str) -> object: ...


class ActionUndo(QObject):
    """Signals:
    changed: the undo on offer changed (offered, taken, expired or withdrawn).
    """

    changed = Signal()

    def __init__(self, commands: ClientCommands, store: Store, *, feedback: Feedback,
                 current: Callable[[], str | None], reopen: Callable[[str], None],
                 read: Callable[[str], None],
                 monotonic: Monotonic = time.monotonic, parent: QObject | None = None) -> None:
        """``current()``: the open conversation; ``reopen(session_id)``: open it again (an
        undo of an action on a conversation left since brings the operator back to it);
        ``read(session_id)``: it is read again (mark unread undone: the controller stops
        keeping it unread)."""
        super().__init__(parent)
        self._commands, self._store, self._feedback = commands, store, feedback
        self._current, self._reopen, self._read = current, reopen, read
        self.clock = monotonic
        self.slot = UndoSlot()
        self._typed_since = False
        self.bar: UndoBar | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.check)

    # ---- the bar and the keys --------------------------------------------------------------

    def install(self, registry: CommandRegistry, anchor: QWidget, window: QWidget) -> None:
        """Ctrl+Z's handler, and the bar over ``anchor`` (the thread) in ``window``."""
        registry.set_handler(UNDO_COMMAND, self.undo)
        keys = registry.shortcuts(UNDO_COMMAND)
        native = (QKeySequence.fromString(keys[0], QKeySequence.SequenceFormat.PortableText)
                  .toString(QKeySequence.SequenceFormat.NativeText) if keys else "")
        self.bar = UndoBar(anchor, window, keys=native)
        self.bar.undo_clicked.connect(self.undo)
        self.bar.dismissed.connect(self.bar.hide)
        self.changed.connect(self._show)

    def _show(self) -> None:
        undo = self.current()
        if self.bar is not None:
            if undo is None:
                self.bar.hide()
            else:
                self.bar.show_text(undo.label)

    # ---- the offer -------------------------------------------------------------------------

    def current(self) -> Undo | None:
        """What Ctrl+Z undoes now (None: nothing, or its time is up)."""
        return self.slot.current(self.clock())

    def offer(self, undo: Undo) -> None:
        self.slot.offer(undo, self.clock())
        self._typed_since = False
        self._arm()
        self.changed.emit()

    def withdraw(self, undo: Undo) -> None:
        if self.slot.withdraw(undo):
            self._timer.stop()
            self.changed.emit()

    def check(self) -> None:
        """The timer's slot: the offer ends once the clock says its time is up."""
        if self.current() is None:
            self._timer.stop()
            self.changed.emit()
        else:
            self._arm()

    def _arm(self) -> None:
        self._timer.start(max(1, round(self.slot.remaining(self.clock()) * 1000)))

    def note_typing(self) -> None:
        """The operator typed in the reply box: Ctrl+Z there is theirs again."""
        self._typed_since = True

    def action_first(self) -> bool:
        """Whether Ctrl+Z in the reply box undoes the action rather than the typing."""
        return not self._typed_since and self.current() is not None

    # ---- undoing ---------------------------------------------------------------------------

    def undo(self) -> None:
        """Ctrl+Z or "Undo": restore what the last action changed, through the client."""
        undo = self.slot.take(self.clock())
        self._timer.stop()
        if undo is None:
            self._feedback.message("Nothing to undo", 3000)
            return
        self.changed.emit()
        self._feedback.run(self._restore(undo, self._current()), "Not undone")

    async def _restore(self, undo: Undo, open_then: str | None) -> None:
        sid = undo.session_id
        if undo.kind == "state" and undo.before is not None:
            await self._commands.set_state(sid, undo.before)
        elif undo.kind == "assign":
            await self._commands.assign(sid, undo.before)
        elif undo.kind == "unread":
            self._read(sid)
            await self._commands.mark_read(sid)
        self._feedback.message(f"Undone: {undo.label}", 3000)
        if open_then != sid and self._current() == open_then and sid in self._store.conversations:
            self._reopen(sid)  # back to it, unless the operator moved on meanwhile


class UndoableCommands:
    """The client's commands, with an undo offered for resolve, reopen, assign and mark
    unread. ``names()``: operators' names by user id; ``me()``: mine."""

    def __init__(self, commands: ClientCommands, store: Store, undo: ActionUndo, *,
                 names: Callable[[], Mapping[str, str]],
                 me: Callable[[], str | None]) -> None:
        self._commands, self._store, self._undo = commands, store, undo
        self._names, self._me = names, me

    async def _offered(self, undo: Undo | None,
                       command: Coroutine[Any, Any, object]) -> object:
        if undo is not None:
            self._undo.offer(undo)
        try:
            return await command
        except (QueuedError, QuotaExceededError):
            raise  # it waits, shown as done: it can still be undone
        except BaseException:
            if undo is not None:
                self._undo.withdraw(undo)
            raise

    def _state(self, session_id: str, state: str) -> Undo | None:
        conv = self._store.conversations.get(session_id)
        return state_undo(conv, state) if conv is not None else None

    async def resolve(self, session_id: str) -> object:
        return await self._offered(self._state(session_id, "resolved"),
                                   self._commands.resolve(session_id))

    async def reopen(self, session_id: str) -> object:
        return await self._offered(self._state(session_id, "unresolved"),
                                   self._commands.reopen(session_id))

    async def assign(self, session_id: str, user_id: str | None) -> object:
        conv = self._store.conversations.get(session_id)
        undo = assign_undo(conv, user_id, self._names(), self._me()) if conv else None
        return await self._offered(undo, self._commands.assign(session_id, user_id))

    async def mark_unread(self, session_id: str) -> object:
        conv = self._store.conversations.get(session_id)
        undo = unread_undo(conv) if conv is not None else None
        return await self._offered(undo, self._commands.mark_unread(session_id))

    async def mark_read(self, session_id: str) -> object:
        return await self._commands.mark_read(session_id)

    async def set_state(self, session_id: str, state: str) -> object:
        return await self._commands.set_state(session_id, state)

    async def update_meta(self, session_id: str, patch: dict[str, Any]) -> object:
        return await self._commands.update_meta(session_id, patch)

    async def remind(self, session_id: str, when: datetime, note: str) -> object:
        return await self._commands.remind(session_id, when, note)

    async def block(self, session_id: str, blocked: bool = True) -> object:
        return await self._commands.block(session_id, blocked)
