"""One console: the window, its panes and controller around a ConsoleClient, with an orderly
start and close. app.py runs one; the end-to-end tests run one against the sandbox.

This is ui/'s composition root: it builds every part, gives each only what it uses, and
connects them. Every task of the ui (commands, loads, uploads, the canned editor's save)
belongs to one TaskOwner, ``tasks``: cancelled and awaited on close, before the client
closes.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

from PySide6.QtCore import QSettings

from crisp_console.client import ConsoleClient
from crisp_console.client.tasks import TaskOwner
from crisp_console.client.team_settings import TeamSettings
from crisp_console.core.views import SavedView
from crisp_console.present.canned import CannedResponse
from crisp_console.present.labels import operator_name
from crisp_console.settings import Preferences
from crisp_console.storage.database import Database
from crisp_console.ui.account_info import AccountName
from crisp_console.ui.commands import CommandRegistry
from crisp_console.ui.controller import Controller
from crisp_console.ui.conversation_actions import ConversationActions
from crisp_console.ui.default_commands import build_registry
from crisp_console.ui.feedback import Feedback
from crisp_console.ui.file_drops import FileDrops
from crisp_console.ui.first_frame import FirstFrame
from crisp_console.ui.last_view import LastView, SettingsViewMemory, ViewMemory
from crisp_console.ui.panes import Panes, apply_directory, build_console
from crisp_console.ui.people_loads import PeopleLoads
from crisp_console.ui.preferences_apply import PreferencesFlow
from crisp_console.ui.quit_guard import QuitGuard, Unsent, UnsentLine, review_in_palette
from crisp_console.ui.reply_actions import ReplyActions
from crisp_console.ui.saved_views import (
    SavedViewActions,
    SavedViews,
    SavedViewsMemory,
    SettingsSavedViews,
    known_data_keys,
    known_segments,
)
from crisp_console.ui.search_flow import SearchFlow
from crisp_console.ui.stale_guard import StaleGuard
from crisp_console.ui.team_canned import TeamCanned
from crisp_console.ui.team_controls import install_team_controls
from crisp_console.ui.theme import Theme
from crisp_console.ui.undo import ActionUndo, UndoableCommands
from crisp_console.ui.websites import WebsiteScope
from crisp_console.ui.widgets.local_data_section import LocalData
from crisp_console.ui.widgets.main_window import MainWindow
from crisp_console.ui.widgets.offline_banner import Reachability
from crisp_console.ui.widgets.status_bar import SavedDataSource

log = logging.getLogger(__name__)


class Console:
    def __init__(self, client: ConsoleClient, *, prefs: Preferences | None = None,
                 registry: CommandRegistry | None = None, tasks: TaskOwner | None = None,
                 drafts_path: Path | None = None, settings: QSettings | None = None,
                 canned: list[CannedResponse] | None = None, coalesce: bool = True,
                 theme: Theme | None = None, prefs_path: Path | None = None,
                 keymap_path: Path | None = None, unsent: Unsent | None = None,
                 saved: SavedDataSource | None = None,
                 reachability: Reachability | None = None,
                 local_data: LocalData | None = None,
                 view_memory: ViewMemory | None = None,
                 saved_views: SavedViewsMemory | None = None,
                 database: Database | None = None,
                 account: AccountName | None = None,
                 first_frame: FirstFrame | None = None) -> None:
        """A ``registry`` built by the caller runs its async commands on ``tasks``.
        ``unsent``: the outbox's unsent items; quitting asks about them (None: never asks).
        ``saved``: the saved data a warm start shows, until reconciled (the status bar);
        ``reachability``: whether Crisp answers (the offline banner). ``local_data``: this
        account's database (Preferences → Local data; in memory only, quitting says that
        unsent items are lost). ``view_memory``: where the last view (scope, filter, open
        conversation) is kept; by default the window's ``settings``; ``saved_views``: where
        the saved views are kept (by default the settings too). ``database``: the
        account's (the drafts live in it; its owner closes it after ``aclose()``).
        ``account``: its name and key ("Signed in as …"; the availability is kept per key).
        ``first_frame``: the window and list app.py painted first (ui/first_frame.py); the
        rest is built into it (None: all at once, as the tests do)."""
        self.client = client
        self.tasks = tasks if tasks is not None else TaskOwner()
        prefs = prefs or Preferences()
        if registry is not None and registry.tasks is not self.tasks:
            raise ValueError("the registry must run its commands on the console's tasks")
        self.registry = registry or build_registry(single_key=prefs.single_key,
                                                   tasks=self.tasks)
        self.panes: Panes
        self.panes, self.actions = build_console(client, self.registry, prefs,
                                                 tasks=self.tasks, drafts_path=drafts_path,
                                                 database=database,
                                                 settings=settings, canned=canned,
                                                 coalesce=coalesce, saved=saved,
                                                 reachability=reachability,
                                                 first_frame=first_frame)
        p, store = self.panes, client.store
        self.window: MainWindow = p.window
        self.feedback = feedback = Feedback(p.window.statusBar().showMessage, self.tasks)
        self.preferences = PreferencesFlow(
            prefs, self.registry, self.actions, composer=p.composer, notifier=p.notifier,
            media=p.media, last_own=p.last_own, trusted_media=client.media.trusted,
            window=p.window, theme=theme, prefs_path=prefs_path, keymap_path=keymap_path,
            message=feedback.message, local_data=local_data, spawn=self.tasks.spawn)
        self.controller = controller = Controller(
            store, client.loader, client.commands, p, self.registry, self.actions,
            feedback=feedback, tasks=self.tasks)
        self.team = install_team_controls(client, p.window, p.notifier, self.registry,
                                          self.actions, account=account, settings=settings,
                                          message=feedback.message)
        self.people_loads = PeopleLoads(p.people, client.details, feedback=feedback,
                                        tasks=self.tasks, past=client.past)

        def open_conversation() -> str | None:
            return controller.session_id

        # Resolve, reopen, assign and mark unread offer an undo for a few seconds (Ctrl+Z).
        self.undo = ActionUndo(client.commands, store, feedback=feedback,
                               current=open_conversation, reopen=self._reopen,
                               read=lambda sid: controller.keep_unread(sid, keep=False),
                               parent=p.window)
        commands = UndoableCommands(client.commands, store, self.undo, me=lambda: client.me,
                                    names=lambda: {uid: operator_name(o)
                                                   for uid, o in store.operators.items()})
        self.conversation_actions = ConversationActions(
            commands, client, store, controller, pick=p.palette.pick,
            send=p.composer.request_send,
            after_resolve=lambda: self.preferences.prefs.after_resolve, feedback=feedback,
            tasks=self.tasks)
        # Enter asks first when someone wrote since the reply started; the header says
        # who else is typing or has just replied (stale_guard.py, collision_label.py).
        self.stale_guard = StaleGuard(store, p.composer, me=lambda: client.me,
                                      enabled=lambda: self.preferences.prefs.stale_guard)
        p.thread.header.collision.set_me(lambda: client.me)
        self.conversation_actions.held = self.stale_guard.then  # Send and resolve waits too
        self.reply_actions = ReplyActions(client.replies, client.commands, p.composer,
                                          p.composer.attachments,
                                          open_conversation=open_conversation,
                                          feedback=feedback, tasks=self.tasks,
                                          guard=self.stale_guard)
        self.team_canned = TeamCanned(TeamSettings(client), client, store, p.composer, canned,
                                      open_conversation=open_conversation, feedback=feedback,
                                      tasks=self.tasks, parent=p.window)
        self.websites = WebsiteScope(store, client, p.list_pane, p.media, pick=p.palette.pick,
                                     notify=self._announce, message=feedback.message,
                                     labels=self._website_labels)
        # Searching messages (Ctrl+Shift+F); a chosen message is revealed through the
        # client (its context loaded) and the thread (scrolled to, highlighted).
        self.search = SearchFlow(
            p.search, p.left, client.search, store, tasks=self.tasks,
            scope=self._search_scope, open_conversation=controller.jump_to,
            current=open_conversation, focus_list=p.list_pane.view.setFocus,
            reveal=client, thread=p.thread,
            offline=reachability.offline if reachability is not None else None,
            message=feedback.message)
        if view_memory is None and settings is not None:
            view_memory = SettingsViewMemory(settings)
        if saved_views is None and settings is not None:
            saved_views = SettingsSavedViews(settings)
        self.saved_views = SavedViews(saved_views, parent=p.window)
        self.saved_view_actions = SavedViewActions(
            self.saved_views, p.list_pane, pick=p.palette.pick, create=self._new_saved_view,
            message=feedback.message)
        self.last_view = (LastView(view_memory, store, p.list_pane, controller,
                                   controller.opened.connect)
                          if view_memory is not None else None)
        # Quitting (Ctrl+Q, the close button, the tray) goes through the guard: app.py ends
        # the console on ``quit_guard.confirmed``, not on the window's close_requested.
        self.quit_guard = QuitGuard(unsent, p.window, tasks=self.tasks,
                                    review=self._review_unsent,
                                    show_window=controller.show_window,
                                    kept=lambda: local_data is not None
                                    and local_data.mode != "memory")
        self._wire()
        self._restored: bool | None = None  # restore() not run yet
        self._closed = False

    def _new_saved_view(self) -> SavedView | None:
        from crisp_console.ui.widgets.saved_view_dialog import SavedViewDialog

        store = self.client.store
        dialog = SavedViewDialog(known_segments(store), known_data_keys(store), self.window)
        try:
            return dialog.view() if dialog.exec() else None
        finally:
            dialog.deleteLater()

    def _wire(self) -> None:
        p, registry = self.panes, self.registry
        handlers = {**self.conversation_actions.handlers(), **self.websites.handlers(),
                    **self.saved_view_actions.handlers(),
                    "composer.attach": self.reply_actions.attach_dialog,
                    "team.canned": self.team_canned.edit, "app.settings": self.preferences.open}
        for cid, run in handlers.items():
            registry.set_handler(cid, run)
        self.undo.install(registry, p.thread, p.window)
        p.composer.editor.action_undo_first = self.undo.action_first
        p.composer.editor.edited.connect(self.undo.note_typing)
        reply = self.reply_actions
        p.composer.command_requested.connect(self.conversation_actions.slash_command)
        p.composer.send_requested.connect(reply.send)
        self.stale_guard.send_anyway.connect(reply.send_now)
        p.composer.edit_requested.connect(reply.edit)
        p.composer.typing_changed.connect(reply.typing)
        FileDrops(p.thread.view.viewport(), p.composer.add_files, p.composer.add_image,
                  lambda: p.composer.session_id() is not None)  # a drop on the thread attaches
        p.thread.retry_requested.connect(reply.retry)
        p.composer.set_default_mode(self.team_canned.default_mode)
        self.controller.opened.connect(lambda _sid: self.team_canned.refresh())
        self.controller.opened.connect(self.people_loads.opened)
        p.list_pane.website_changed.connect(self.websites.chosen)
        p.list_pane.website_changed.connect(self.search.scope_changed)
        self.controller.opened.connect(self.search.conversation_opened)
        p.palette.search_chosen.connect(self.search.show)
        self.search.install(registry)
        p.list_pane.set_listings(self.client.pager, ready=False)  # from start()
        p.media.loaded.connect(self.websites.logo_loaded)
        p.window.close_requested.connect(self.quit_guard.request)

    @property
    def prefs(self) -> Preferences:
        """The preferences in force (the preferences dialog changes them)."""
        return self.preferences.prefs

    def notify(self, warnings: list[str]) -> None:
        """Start-up problems (a bad keymap or preferences file) shown, not hidden in a log."""
        if warnings:
            self.feedback.message(" · ".join(warnings), 20_000)

    def _reopen(self, session_id: str) -> None:
        """An undone action's conversation, open again (its row back in the list first)."""
        self.panes.list_pane.flush()
        self.controller.jump_to(session_id)

    def _website_labels(self, labels: Mapping[str, str]) -> None:
        self.panes.thread.set_website_labels(labels)
        self.panes.search.set_website_labels(labels)

    def _search_scope(self) -> list[str]:
        """The websites a search covers: the one the list shows, else every subscribed one."""
        website_id = self.panes.list_pane.website_id()
        return [website_id] if website_id is not None else self.client.websites.ids()

    def _review_unsent(self, lines: list[UnsentLine]) -> None:
        """Quit → Review: the unsent items in the palette; Enter opens the conversation."""
        self.feedback.run(review_in_palette(lines, self.panes.palette.pick,
                                            self.controller.jump_to),
                          "Could not show the unsent items")

    def _announce(self, title: str, body: str) -> None:
        """A website added or removed: in the status bar, and from the tray when the window
        is not in front."""
        self.feedback.message(f"{title}: {body}", 15_000)
        if not self.panes.window.isActiveWindow():
            self.panes.tray.show_message(title, body)

    async def restore(self) -> bool:
        """The saved inbox from the local cache into the store and onto the list: no
        request, no network library loaded (app.py paints it as the first frame, then
        ``start()``s). Whether the cache had conversations; idempotent."""
        if self._restored is None:
            restored = await self.client.restore_cache()
            self._restored = restored is not None and restored.conversations > 0
            if self._restored:
                self._show_directory()
        return self._restored

    async def start(self) -> None:
        """Paint what the local cache saved (``restore()``, unless done), show the replies
        still queued, then connect and show what arrived. A warm start that finds Crisp
        unreachable does not raise: the console reads its cache, replies queue, the banner
        says so."""
        client = self.client
        # The composer's canned responses: the bundled ones (None given: read now, after the
        # first frame) ahead of the team's, which team_canned.load() adds once connected.
        self.team_canned.refresh()
        self.panes.notifier.start()  # what this desktop offers, found in the background
        if await self.restore():
            # Replies queued by earlier runs show at once (on a cold start client.start()
            # resumes them once their conversations are known).
            await client.outbox.resume()
        await client.start()
        self.panes.list_pane.paging.set_ready(True)  # the first pages are in: scrolling reads on
        self._show_directory()
        await self.team_canned.load()
        self.panes.list_pane.flush()

    def _show_directory(self) -> None:
        """Names, "me", the websites, the last view, the unread count, the focus."""
        apply_directory(self.panes, self.client.store, self.client.me)
        self.websites.ready()
        self.team.ready()
        if self.last_view is not None:
            self.last_view.restore()  # the scope, the filter and the conversation left open
        self.panes.list_pane.flush()
        unread = self.panes.unread
        self.controller.show_unread(unread.total(), unread.conversations())
        # Telegram's model: the reply box holds the focus, Alt+Up/Down switch conversations.
        self.panes.composer.editor.setFocus()

    def start_failed(self, words: str) -> None:
        """``start()`` failed: why, in words, above the list and in the status bar, until
        the console is closed."""
        self.panes.list_pane.set_problem(words)
        self.feedback.message(words, 0)

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.panes.window.save_state()
        self.quit_guard.detach()
        self.stale_guard.detach()
        self.search.detach()
        self.panes.detach()
        self.people_loads.detach()
        self.websites.detach()
        self.team.detach()
        self.team_canned.close()
        self.controller.detach()
        await self.panes.notifier.aclose()  # its notifications withdrawn, the bus closed
        await self.tasks.aclose()
        await self.client.aclose()
        self.panes.tray.dispose()
        self.panes.window.hide()
        self.panes.window.deleteLater()
