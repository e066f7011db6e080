"""The controller: wires the panes to each other and to the ConsoleClient.

It owns "the open conversation" (the one the thread, composer and people panel show), the
navigation and pane commands, and the mark-read policy. Conversation actions (resolve,
assign, …) live in conversation_actions.py, writing (send, edit, attach) in
reply_actions.py. All I/O runs as owned tasks; a failure becomes a status-bar message, never
an exception into Qt: ``run`` (or ``report``) prefixes what failed ("Not assigned") to why,
in words (ui/failure_words.py): a 403 says the token may not do it, a spent quota when it
resets, an answer the console cannot read says so.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import QObject, QPoint, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import QApplication, QWidget

from crisp_console.client import ConsoleClient
from crisp_console.client.tasks import TaskOwner
from crisp_console.core import CONVERSATIONS, Change, ChangeKind, LiveEvent
from crisp_console.errors import CrispError
from crisp_console.present.filters import Filter
from crisp_console.settings import Preferences
from crisp_console.ui.commands import CommandRegistry
from crisp_console.ui.default_commands import VIEW_FILTERS
from crisp_console.ui.failure_words import EXPECTED, describe
from crisp_console.ui.panes import Panes

log = logging.getLogger(__name__)

OpenUrl = Callable[[QUrl], object]
CONTEXT_MENU = ("conversation.resolve", "conversation.reopen", "-", "conversation.assign_to_me",
                "conversation.assign", "conversation.segments", "conversation.remind", "-",
                "conversation.mark_read", "conversation.mark_unread", "-",
                "conversation.block")

__all__ = ["Controller", "describe"]


class Controller(QObject):
    """Signals:
    opened(str): a conversation was bound to the thread, composer and people panel.
    """

    opened = Signal(str)

    def __init__(self, client: ConsoleClient, panes: Panes, registry: CommandRegistry,
                 actions: dict[str, QAction], prefs: Preferences, *,
                 open_url: OpenUrl = QDesktopServices.openUrl) -> None:
        super().__init__(panes.window)
        self.client, self.panes, self.registry = client, panes, registry
        self.actions, self.prefs = actions, prefs
        self.store = client.store
        self.tasks = TaskOwner()
        self.session_id: str | None = None
        self._open_task: asyncio.Task[None] | None = None
        self._open_url = open_url
        self._unsubscribe: list[Callable[[], None]] = []
        self._wire()
        self._install_handlers()

    # ---- wiring ------------------------------------------------------------------------------

    def _wire(self) -> None:
        p = self.panes
        p.list_pane.current_changed.connect(self._on_current)
        p.list_pane.activated.connect(lambda sid: self.open(sid, focus="reply"))
        p.list_pane.context_menu_requested.connect(self._context_menu)
        p.thread.link_activated.connect(self.open_link)
        p.composer.leave_requested.connect(p.list_pane.view.setFocus)
        p.composer.drafts_changed.connect(self._drafts_changed)
        p.people.conversation_requested.connect(self.jump_to)
        commands = self.client.commands
        p.people.segments_edited.connect(
            lambda sid, segments: self.run(commands.update_meta(sid, {"segments": segments}),
                                           "Segments not saved"))
        p.people.data_edited.connect(
            lambda sid, data: self.run(commands.update_meta(sid, {"data": data}),
                                       "Custom data not saved"))
        p.people.notepad_edited.connect(
            lambda wid, pid, text: self.run(commands.update_person(wid, pid, {"notepad": text}),
                                            "Notepad not saved"))
        p.people.link_activated.connect(self.open_link)
        p.palette.conversation_chosen.connect(self.jump_to)
        p.palette.command_chosen.connect(self.registry.run)
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
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()

    async def aclose(self) -> None:
        self.detach()
        if self._open_task is not None:
            self._open_task.cancel()
        await self.tasks.aclose()

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
            # J/K keep the focus in the list (the aliases get their own handler).
            "list.next": lambda: self.step(1),
            "list.previous": lambda: self.step(-1),
            "conversation.next_unread": lambda: self.step(1, unread_only=True),
            "conversation.previous_unread": lambda: self.step(-1, unread_only=True),
            "conversation.first": lambda: lp.select_first(),
            "conversation.last": lambda: lp.select_last(),
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
        }
        for name, _label in VIEW_FILTERS:
            handlers[f"view.{name}"] = functools.partial(lp.set_filter, Filter(name))
        for cid, run in handlers.items():
            r.set_handler(cid, run)

    # ---- opening -----------------------------------------------------------------------------

    def _on_current(self, session_id: object) -> None:
        if isinstance(session_id, str):
            self.open(session_id)

    def open(self, session_id: str, *, focus: str | None = None) -> None:
        """Show a conversation in the thread, composer and people panel (details load later)."""
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
            p.people.set_loading(True)
            if self._open_task is not None:
                self._open_task.cancel()
            self._open_task = asyncio.get_running_loop().create_task(
                self._load(session_id), name=f"open {session_id}")
            if keep_typing and focus is None:  # Alt+Up/Down while typing: keep typing
                p.composer.editor.setFocus()
        if focus is not None:
            self.focus_composer(focus)
        self.mark_read_if_seen()

    async def _load(self, session_id: str) -> None:
        try:
            details = await self.client.loader.open_conversation(session_id)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - said in words, whatever it is
            self.report("Could not load the conversation", exc)
            return
        finally:
            if self.session_id == session_id:
                self.panes.people.set_loading(False)
        self.panes.thread.set_denied(session_id, details.denied.get("messages", ""))
        self.panes.people.set_details(session_id, details)
        self.mark_read_if_seen()

    def jump_to(self, session_id: str) -> None:
        """Open a conversation from outside the list (palette, people panel, notification)."""
        lp = self.panes.list_pane
        if session_id in self.store.conversations:
            if not lp.select_session(session_id):
                lp.set_filter(Filter.ALL)
                lp.set_text("")
                lp.select_session(session_id)
            self.open(session_id)
            return
        self.run(self._fetch_and_open(session_id), "Could not open the conversation")

    async def _fetch_and_open(self, session_id: str) -> None:
        """A conversation not loaded yet (an older one of this person): the open
        conversation's website is the likely one, then the others."""
        conv = self.store.conversations.get(self.session_id or "")
        websites = list(self.store.websites)
        if conv is not None:
            websites.sort(key=lambda wid: wid != conv.website_id)
        for website_id in websites:
            await self.client.loader.fetch_conversation(website_id, session_id)
            if session_id in self.store.conversations:
                self.jump_to(session_id)
                return
        self.message("That conversation is no longer available")

    def _person_chosen(self, website_id: str, people_id: str) -> None:
        latest = max((c for c in self.store.conversations.values()
                      if c.people_id == people_id and c.website_id == website_id),
                     key=lambda c: c.updated_at, default=None)
        if latest is None:
            self.message("No conversation with this person is loaded yet")
        else:
            self.jump_to(latest.session_id)

    def step(self, step: int, *, unread_only: bool = False, reply: bool = False) -> None:
        """Move through the list. ``reply``: Alt+Up/Down reach a conversation to answer it,
        so the reply box takes the focus, unless the operator is reading the thread or the
        people panel."""
        p = self.panes
        if not p.list_pane.select_next(step, unread_only=unread_only):
            self.message("No more unread conversations" if unread_only else "End of the list")
            return
        focused = QApplication.focusWidget()
        elsewhere = focused is not None and (focused is p.thread.view
                                             or p.people.isAncestorOf(focused))
        if reply and not elsewhere and self.session_id is not None:
            p.composer.editor.setFocus()

    # ---- focus and window ------------------------------------------------------------------------

    def focus_composer(self, mode: str) -> None:
        composer = self.panes.composer
        if self.session_id is None:
            self.message("Open a conversation first")
            return
        if mode == "note":
            composer.focus_note()
        else:
            composer.focus_reply()

    def focus_order(self) -> list[QWidget]:
        p = self.panes
        order: list[QWidget] = [p.list_pane.view, p.thread.view, p.composer.editor]
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

    def _drafts_changed(self) -> None:
        self.panes.list_pane.set_draft_ids(self.panes.drafts.ids())

    # ---- reading -----------------------------------------------------------------------------

    def mark_read_if_seen(self) -> None:
        """An open conversation in an active window has been seen: tell Crisp, once."""
        sid = self.session_id
        conv = self.store.conversations.get(sid or "")
        if sid is None or conv is None or conv.unread_operator <= 0:
            return
        if not self.panes.window.isActiveWindow():
            return
        self.tasks.spawn(self._mark_read(sid), f"mark read {sid}", key=f"read:{sid}")

    async def _mark_read(self, session_id: str) -> None:
        try:
            await self.client.commands.mark_read(session_id)
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

    # ---- helpers -----------------------------------------------------------------------------

    def run(self, coro: Coroutine[Any, Any, Any], failure: str) -> None:
        """Run a client command; a refusal becomes a status-bar message."""
        async def guarded() -> None:
            try:
                await coro
            except Exception as exc:  # noqa: BLE001 - said in words, whatever it is
                self.report(failure, exc)
        if self.tasks.spawn(guarded(), failure) is None:
            coro.close()  # closing down: the command never starts

    def report(self, failure: str, exc: BaseException) -> None:
        """``failure`` (what did not happen) and why, in words, in the status bar. An error
        no command raises on purpose is a bug: its traceback goes to the log."""
        if isinstance(exc, EXPECTED):
            log.info("%s: %s", failure, describe(exc))
        else:
            log.error("%s: unexpected error", failure, exc_info=exc)
        self.message(f"{failure}: {describe(exc)}", 15_000)

    def message(self, text: str, timeout_ms: int = 8000) -> None:
        self.panes.window.statusBar().showMessage(text, timeout_ms)
