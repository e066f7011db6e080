"""The controller: wires the panes to each other, and owns "the open conversation".

The open conversation is the one the thread, composer and people panel show; the controller
also has the navigation and pane commands, where the focus goes, and the mark-read policy:
open in an active window is read, unless kept unread (mark unread, resolve's step to a
neighbour) until the operator acts in it (types, sends, opens it again). Conversation actions
(resolve, assign, …) live in conversation_actions.py, writing (send, edit, attach) in
reply_actions.py; each gets only what it uses. What the controller asks of the client is
``Loads`` and ``Edits`` below; every command runs through ``Feedback`` (a failure is a
status-bar message in words) as a task of the ui's one TaskOwner.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from PySide6.QtCore import QObject, QPoint, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import QApplication, QWidget

from crisp_console.client import ConversationDetails
from crisp_console.client.tasks import TaskOwner
from crisp_console.core import CONVERSATIONS, Change, ChangeKind, LiveEvent, Store
from crisp_console.errors import CrispError
from crisp_console.present.filters import Filter
from crisp_console.ui.commands import CommandRegistry
from crisp_console.ui.default_commands import VIEW_FILTERS
from crisp_console.ui.failure_words import describe
from crisp_console.ui.feedback import Feedback
from crisp_console.ui.focus_targets import focus_target, place_focus
from crisp_console.ui.panes import Panes

log = logging.getLogger(__name__)

OpenUrl = Callable[[QUrl], object]
CONTEXT_MENU = ("conversation.resolve", "conversation.reopen", "-", "conversation.assign_to_me",
                "conversation.assign", "conversation.segments", "conversation.remind", "-",
                "conversation.mark_read", "conversation.mark_unread", "-",
                "conversation.block")


class Loads(Protocol):
    """What the controller loads through the client."""

    async def open_conversation(self, session_id: str) -> ConversationDetails: ...

    async def ensure_conversation(self, session_id: str,
                                  websites: Sequence[str] | None = None) -> bool: ...


class Edits(Protocol):
    """The client commands the controller runs for the panes (read, segments, data, notes)."""

    async def mark_read(self, session_id: str) -> object: ...

    async def update_meta(self, session_id: str, patch: dict[str, Any]) -> object: ...

    async def update_person(self, website_id: str, people_id: str,
                            patch: dict[str, Any]) -> object: ...


class Controller(QObject):
    """Signals:
    opened(str): a conversation was bound to the thread, composer and people panel.
    """

    opened = Signal(str)

    def __init__(self, store: Store, loads: Loads, edits: Edits, panes: Panes,
                 registry: CommandRegistry, actions: dict[str, QAction], *,
                 feedback: Feedback, tasks: TaskOwner,
                 open_url: OpenUrl = QDesktopServices.openUrl) -> None:
        super().__init__(panes.window)
        self.store, self._loads, self._edits = store, loads, edits
        self.panes, self.registry, self.actions = panes, registry, actions
        self.feedback, self._tasks = feedback, tasks
        self.session_id: str | None = None
        self._kept_unread: str | None = None  # the open conversation not to mark read
        self._opening_unread = False  # the conversation opening now is kept unread
        self._opening: asyncio.Task[Any] | None = None
        self._open_url = open_url
        self._unsubscribe: list[Callable[[], None]] = []
        self._wire()
        self._install_handlers()

    # ---- wiring ------------------------------------------------------------------------------

    def _wire(self) -> None:
        p = self.panes
        p.list_pane.current_changed.connect(self._on_current)
        p.list_pane.activated.connect(self.open_again)
        # Text typed in the list goes to the open conversation's reply box.
        p.list_pane.set_type_target(
            lambda: p.composer.editor if self.session_id is not None else None)
        p.list_pane.context_menu_requested.connect(self._context_menu)
        p.thread.link_activated.connect(self.open_link)
        p.composer.leave_requested.connect(p.list_pane.view.setFocus)
        p.composer.drafts_changed.connect(self._drafts_changed)
        p.composer.editor.edited.connect(self._acted_in_reply_box)  # typing or pasting
        p.composer.send_requested.connect(self._acted_in_reply_box)
        p.people.conversation_requested.connect(self.jump_to)
        run, edits = self.feedback.run, self._edits
        p.people.segments_edited.connect(
            lambda sid, segments: run(edits.update_meta(sid, {"segments": segments}),
                                      "Segments not saved"))
        p.people.data_edited.connect(
            lambda sid, data: run(edits.update_meta(sid, {"data": data}),
                                  "Custom data not saved"))
        p.people.notepad_edited.connect(
            lambda wid, pid, text: run(edits.update_person(wid, pid, {"notepad": text}),
                                       "Notepad not saved"))
        p.people.link_activated.connect(self.open_link)
        p.palette.conversation_chosen.connect(self.jump_to)
        p.palette.command_chosen.connect(self._palette_command)
        p.palette.person_chosen.connect(self._person_chosen)
        p.notifier.activated.connect(self._notification_clicked)
        p.tray.show_requested.connect(self.show_window)
        p.tray.quit_requested.connect(p.window.close_requested.emit)
        p.tray.message_clicked.connect(self.show_window)
        p.unread.changed.connect(self.show_unread)
        p.window.active_changed.connect(self._active_changed)
        self._unsubscribe.append(self.store.subscribe_live(self._on_live))
        self._unsubscribe.append(self.store.subscribe_live(p.notifier.on_live))
        self._unsubscribe.append(self.store.subscribe(self._on_change))
        self._drafts_changed()

    def detach(self) -> None:
        """Stop following the store (the console then cancels and awaits the ui's tasks)."""
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()

    def _install_handlers(self) -> None:
        r, p = self.registry, self.panes
        lp = p.list_pane
        handlers: dict[str, Callable[[], object]] = {
            "app.palette": p.palette.open_switcher,
            "app.cheat_sheet": p.open_cheat_sheet,
            "app.hide": self.hide_window,
            "app.minimize": p.window.showMinimized,
            "app.quit": p.window.close_requested.emit,
            "conversation.next": lambda: self.step(1, reply=True),
            "conversation.previous": lambda: self.step(-1, reply=True),
            # J/K keep the focus in the list (the aliases get their own handler); R and
            # Enter open the current row as a click does.
            "list.next": lambda: self.step(1),
            "list.previous": lambda: self.step(-1),
            "list.reply": self._open_current,
            "conversation.next_unread": lambda: self.step(1, unread_only=True),
            "conversation.previous_unread": lambda: self.step(-1, unread_only=True),
            "conversation.first": lambda: lp.select_first(),
            "conversation.last": lambda: lp.select_last(),
            "list.newest": lp.show_newest,
            "search.conversations": lp.focus_search,
            "focus.next_pane": lambda: self.cycle_focus(1),
            "focus.previous_pane": lambda: self.cycle_focus(-1),
            "view.people_panel": p.window.toggle_people_panel,
            "composer.reply": lambda: self.focus_composer("reply"),
            "composer.note": lambda: self.focus_composer("note"),
            "composer.toggle_note": p.composer.toggle_mode,
            "thread.first": p.thread.scroll_to_first,
            "thread.latest": p.thread.scroll_to_latest,
            "thread.oldest_unread": p.thread.scroll_to_oldest_unread,
            "thread.find": p.thread.open_find,
            "thread.find_next": lambda: p.thread.find_step(older=True),
            "thread.find_previous": lambda: p.thread.find_step(older=False),
        }
        for name, _label in VIEW_FILTERS:
            handlers[f"view.{name}"] = functools.partial(lp.set_filter, Filter(name))
        for cid, run in handlers.items():
            r.set_handler(cid, run)
        lp.view.hold.pill.command_keys = lambda: r.shortcuts("list.newest")  # for its tooltip

    # ---- opening -----------------------------------------------------------------------------

    def _on_current(self, session_id: object) -> None:
        if isinstance(session_id, str):
            self.open(session_id)

    def open(self, session_id: str, *, focus: str | None = None) -> None:
        """Show a conversation in the thread, composer and people panel; its messages load
        here, the people panel's extras when the panel shows them (people_loads.py)."""
        if session_id not in self.store.conversations:
            return
        p = self.panes
        if session_id != self.session_id:
            focused = QApplication.focusWidget()
            keep_typing = focused is None or focused is p.composer.editor
            p.composer.bind(session_id)
            self.session_id = session_id
            p.thread.bind(session_id)
            p.people.bind(session_id)
            self.opened.emit(session_id)
            self._kept_unread = session_id if self._opening_unread else None
            if self._opening is not None:
                self._opening.cancel()
            self._opening = self._tasks.spawn(self._load(session_id), f"open {session_id}")
            if keep_typing and focus is None:  # Alt+Up/Down while typing: keep typing
                p.composer.editor.setFocus()
        if focus is not None:
            self.focus_composer(focus)
        self.mark_read_if_seen()

    async def _load(self, session_id: str) -> None:
        details = await self.feedback.result(self._loads.open_conversation(session_id),
                                             "Could not load the conversation")
        if details is None:
            return
        self.panes.thread.set_denied(session_id, details.denied.get("messages", ""))
        self.mark_read_if_seen()

    def open_again(self, session_id: str) -> None:
        """Opened by the operator (a click, Enter, the palette…): read even if kept
        unread, and the reply box takes the focus in its mode."""
        if session_id == self._kept_unread:
            self._kept_unread = None
        self.open(session_id, focus="composer")

    def _open_current(self) -> None:
        sid = self.panes.list_pane.current_session_id()
        if sid is not None:
            self.open_again(sid)

    def jump_to(self, session_id: str, website_id: str = "") -> None:
        """Open a conversation from outside the list (palette, people panel, notification,
        search result) to reply, selected in the list (All when the filter hides it). One
        the store lacks is fetched into it first (client loader.ensure_conversation): from
        ``website_id`` when the caller knows it, else from each website."""
        lp = self.panes.list_pane
        if session_id in self.store.conversations:
            if not lp.select_session(session_id):
                lp.set_filter(Filter.ALL)
                lp.set_text("")
                lp.select_session(session_id)
            self.open_again(session_id)
            return
        self.feedback.run(self._fetch_and_open(session_id, website_id),
                          "Could not open the conversation")

    async def _fetch_and_open(self, session_id: str, website_id: str) -> None:
        """Without a website: the open conversation's is the likely one, then the others.
        Opened once fetched, unless the operator opened another one meanwhile."""
        opened = self.session_id
        websites = [website_id] if website_id else list(self.store.websites)
        conv = self.store.conversations.get(opened or "")
        if conv is not None:
            websites.sort(key=lambda wid: wid != conv.website_id)
        if not await self._loads.ensure_conversation(session_id, websites):
            self.feedback.message("That conversation is no longer available")
        elif self.session_id == opened:
            self.jump_to(session_id)

    def _person_chosen(self, website_id: str, people_id: str) -> None:
        latest = max((c for c in self.store.conversations.values()
                      if c.people_id == people_id and c.website_id == website_id),
                     key=lambda c: c.updated_at, default=None)
        if latest is None:
            self.feedback.message("No conversation with this person is loaded yet")
        else:
            self.jump_to(latest.session_id)

    def step(self, step: int, *, unread_only: bool = False, reply: bool = False,
             keep_unread: bool = False) -> None:
        """Move through the list. ``reply``: Alt+Up/Down reach a conversation to answer it,
        so the reply box takes the focus, unless the operator is reading the thread or the
        people panel. ``keep_unread``: the one reached is kept unread (resolve's step)."""
        p = self.panes
        self._opening_unread = keep_unread
        try:
            moved = p.list_pane.select_next(step, unread_only=unread_only)
        finally:
            self._opening_unread = False
        if not moved:
            self.feedback.message("No more unread conversations" if unread_only
                                  else "End of the list")
            return
        focused = QApplication.focusWidget()
        elsewhere = focused is not None and (focused is p.thread.view
                                             or p.people.isAncestorOf(focused))
        if reply and not elsewhere and self.session_id is not None:
            p.composer.editor.setFocus()

    # ---- focus and window ------------------------------------------------------------------------

    def focus_composer(self, mode: str) -> None:
        """"reply", "note": switch to that mode; "composer": keep it (a note stays one)."""
        composer = self.panes.composer
        if self.session_id is None:
            self.feedback.message("Open a conversation first")
            return
        if mode == "note":
            composer.focus_note()
        elif mode == "reply":
            composer.focus_reply()
        else:
            composer.editor.setFocus(Qt.FocusReason.OtherFocusReason)

    def _palette_command(self, command_id: str) -> None:
        """A command picked in the palette runs, then the focus goes where it implies."""
        if self.registry.run(command_id):
            place_focus(self.panes, focus_target(command_id),
                        open_conversation=self.session_id is not None)

    def focus_order(self) -> list[QWidget]:
        p = self.panes
        order: list[QWidget] = [p.left_focus(), p.thread.view, p.composer.editor]
        if p.window.people_visible():
            order.append(p.people)
        return order

    def cycle_focus(self, step: int) -> None:
        order = self.focus_order()
        focused = self.panes.window.focusWidget()
        current = next((i for i, w in enumerate(order)
                        if focused is not None and (w is focused or w.isAncestorOf(focused))),
                       -1)
        target = order[(current + step) % len(order)]
        if target is self.panes.people:
            target.setFocus()
            target.focusNextChild()
        else:
            target.setFocus()

    def show_window(self) -> None:
        w = self.panes.window
        w.showNormal()
        w.raise_()
        w.activateWindow()

    def hide_window(self) -> None:
        if self.panes.tray.available:
            self.panes.window.hide()
        else:
            self.panes.window.showMinimized()

    def _notification_clicked(self, session_id: str) -> None:
        self.show_window()
        self.jump_to(session_id)

    def _context_menu(self, session_id: str, pos: QPoint) -> None:
        self.open(session_id)
        self.panes.window.conversation_menu(self.actions, CONTEXT_MENU).popup(pos)

    def _active_changed(self, active: bool) -> None:
        if active:
            self.mark_read_if_seen()

    def show_unread(self, messages: int, _conversations: int = 0) -> None:
        self.panes.window.set_unread(messages)
        self.panes.tray.set_unread(messages)
        self.panes.notifier.set_unread(messages)  # the launcher's badge

    def _drafts_changed(self) -> None:
        self.panes.list_pane.set_draft_ids(self.panes.drafts.ids())

    # ---- reading -----------------------------------------------------------------------------

    def keep_unread(self, session_id: str, keep: bool = True) -> None:
        """Marked unread: while it stays open it is not marked read, until the operator
        acts in it (a visitor message arriving meanwhile leaves it unread too). ``keep``
        False: marked read by hand (or the mark undone), it is read as usual again."""
        if keep and session_id == self.session_id:
            self._kept_unread = session_id
        elif not keep and session_id == self._kept_unread:
            self._kept_unread = None

    def _acted_in_reply_box(self) -> None:
        sid = self.panes.composer.session_id()
        if sid is not None and sid == self._kept_unread:
            self._kept_unread = None
            self.mark_read_if_seen()

    def mark_read_if_seen(self) -> None:
        """An open conversation in an active window has been seen: tell Crisp, once."""
        sid = self.session_id
        conv = self.store.conversations.get(sid or "")
        if sid is None or conv is None or conv.unread_operator <= 0:
            return
        if sid == self._kept_unread:
            return
        if not self.panes.window.isActiveWindow():
            return
        self._tasks.spawn(self._mark_read(sid), f"mark read {sid}", key=f"read:{sid}")

    async def _mark_read(self, session_id: str) -> None:
        try:
            await self._edits.mark_read(session_id)
        except (CrispError, OSError) as exc:
            log.info("mark read failed for %s: %s", session_id, describe(exc))

    def _on_change(self, change: Change) -> None:
        if (change.kind is ChangeKind.CHANGED and change.collection == CONVERSATIONS
                and "unread_operator" in change.fields and self.session_id is not None
                and change.concerns(self.session_id)):
            self.mark_read_if_seen()

    def _on_live(self, _event: LiveEvent) -> None:
        """Every live event refreshes "synced N s ago"."""
        self.panes.status_bar.mark_synced()

    def open_link(self, url: str) -> None:
        self._open_url(QUrl(url))
