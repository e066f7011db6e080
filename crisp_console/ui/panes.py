"""Builds the console's widgets around one ConsoleClient: the window, its panes, the palette,
the tray and the notifier. app.py (and the end-to-end tests) call ``build_console``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from crisp_console.client import ConsoleClient
from crisp_console.client.tasks import TaskOwner
from crisp_console.core import Store
from crisp_console.present.canned import CannedResponse
from crisp_console.present.labels import operator_name
from crisp_console.settings import Preferences
from crisp_console.storage.database import Database
from crisp_console.storage.drafts import DraftStore
from crisp_console.ui.commands import CommandRegistry, attach_actions
from crisp_console.ui.desktop_notify import ServiceNotifications
from crisp_console.ui.first_frame import FirstFrame, build_first_frame
from crisp_console.ui.launcher_badge import LauncherBadge
from crisp_console.ui.media import MediaLoader
from crisp_console.ui.notifier import Notifier
from crisp_console.ui.preferences_apply import media_policy
from crisp_console.ui.sound import SOUND_FILE, SoundPlayer
from crisp_console.ui.unread import UnreadCounter
from crisp_console.ui.widgets.command_palette import CommandPalette
from crisp_console.ui.widgets.composer import Composer
from crisp_console.ui.widgets.left_column import LeftColumn
from crisp_console.ui.widgets.list_pane import ListPane
from crisp_console.ui.widgets.main_window import MainWindow
from crisp_console.ui.widgets.offline_banner import OfflineBanner, Reachability
from crisp_console.ui.widgets.people_panel import PeoplePanel
from crisp_console.ui.widgets.search_pane import SearchPane
from crisp_console.ui.widgets.status_bar import ConnectionStatusBar, SavedDataSource
from crisp_console.ui.widgets.thread_pane import ThreadPane
from crisp_console.ui.widgets.tray_icon import APP_ICON, TrayIcon

if TYPE_CHECKING:  # the cheat sheet loads when first opened
    from crisp_console.ui.widgets.cheat_sheet import CheatSheetDialog


@dataclass
class Panes:
    window: MainWindow
    list_pane: ListPane
    thread: ThreadPane
    composer: Composer
    people: PeoplePanel
    palette: CommandPalette
    status_bar: ConnectionStatusBar
    tray: TrayIcon
    notifier: Notifier
    unread: UnreadCounter
    drafts: DraftStore
    registry: CommandRegistry
    media: MediaLoader
    last_own: Callable[[str], tuple[int, str] | None]
    offline_banner: OfflineBanner
    search: SearchPane
    left: LeftColumn  # the list pane, or the search pane in its place
    cheat_sheet: CheatSheetDialog | None = field(default=None)

    def left_focus(self) -> QWidget:
        """The left column's stop in the F6 cycle: the list, or the search pane (its box
        takes the focus; from its results F6 goes on to the thread)."""
        return self.search if self.left.showing_search() else self.list_pane.view

    def open_cheat_sheet(self) -> None:
        from crisp_console.ui.cheatsheet import cheat_sheet_rows
        from crisp_console.ui.widgets.cheat_sheet import CheatSheetDialog

        rows = cheat_sheet_rows(self.registry)
        if self.cheat_sheet is None:
            self.cheat_sheet = CheatSheetDialog(rows, self.window)
        else:
            self.cheat_sheet.set_groups(rows)
        self.cheat_sheet.open()

    def detach(self) -> None:
        """Stop every store/gateway subscription before the client closes."""
        for part in (self.status_bar, self.offline_banner, self.unread, self.list_pane,
                     self.thread, self.people, self.palette, self.notifier, self.media):
            detach = getattr(part, "detach", None)
            if detach is not None:
                detach()
        self.drafts.save()


def build_console(client: ConsoleClient, registry: CommandRegistry, prefs: Preferences, *,
                  tasks: TaskOwner, drafts_path: Path | None, settings: QSettings | None,
                  canned: list[CannedResponse] | None = None, coalesce: bool = True,
                  saved: SavedDataSource | None = None,
                  reachability: Reachability | None = None,
                  database: Database | None = None,
                  first_frame: FirstFrame | None = None) -> tuple[Panes, dict[str, QAction]]:
    """Every pane; ``tasks`` (the ui's TaskOwner) runs their loads. ``saved``: the data a warm
    start shows (the status bar says so until it is reconciled); ``reachability``: whether
    Crisp answers (the offline banner); ``database``: the account's, which keeps the drafts
    (``drafts_path``, the old drafts.json, is moved into it once). ``canned``: the composer's
    first canned responses (None: none until the console's TeamCanned feeds the bundled ones,
    after the first frame). ``first_frame``: the window and list pane app.py painted first
    (built here when None), which the rest is built into."""
    store = client.store
    if first_frame is None:
        first_frame = build_first_frame(client, registry, settings=settings,
                                        coalesce=coalesce, saved=saved,
                                        reachability=reachability)
    ff = first_frame
    list_pane, search, left, window, icon = ff.list_pane, ff.search, ff.left, ff.window, ff.icon
    drafts = DraftStore(drafts_path, database=database)
    media = MediaLoader(client.media.fetch, tasks=tasks,
                        trusted=media_policy(client.media.trusted, prefs))
    thread = ThreadPane(store, load_older=client.loader.load_older, tasks=tasks, media=media,
                        coalesce=coalesce)

    def last_own(session_id: str) -> tuple[int, str] | None:
        message = client.replies.last_own_message(session_id)
        if message is None or not isinstance(message.content, str):
            return None
        return message.fingerprint, message.content

    composer = Composer(registry, drafts, canned=canned or (),
                        send_on_enter=prefs.send_on_enter,
                        last_own_message=last_own if prefs.edit_last_with_up else None)
    people = PeoplePanel(store)
    window.place(thread_pane=thread, composer=composer, people_panel=people)
    palette = CommandPalette(registry, store, window)
    tray = TrayIcon(icon, window)
    notifier = Notifier(store.conversations, window, tray=tray, sound=prefs.notify_sound,
                        enabled_events=prefs.notify_events(), via=prefs.notify_via,
                        alert=prefs.notify_alert, subscribe=store.subscribe,
                        service=ServiceNotifications(tasks.spawn, icon=APP_ICON,
                                                     sound=SOUND_FILE),
                        player=SoundPlayer(SOUND_FILE), badge=LauncherBadge(tasks.spawn))
    unread = UnreadCounter(store)
    actions = ff.actions  # the list's attached with the first frame
    attach_actions(registry, actions, "thread", thread.view)
    attach_actions(registry, actions, "composer", composer.editor)
    panes = Panes(window=window, list_pane=list_pane, thread=thread, composer=composer,
                  people=people, palette=palette, status_bar=ff.status_bar, tray=tray,
                  notifier=notifier, unread=unread, drafts=drafts, registry=registry,
                  media=media, last_own=last_own, offline_banner=ff.banner, search=search,
                  left=left)
    return panes, actions


def apply_directory(panes: Panes, store: Store, me: str | None) -> None:
    """Names of operators, and "me", once the client has loaded them (website names are
    ui/websites.py's: they change while the console runs)."""
    operators = {uid: operator_name(o) for uid, o in store.operators.items()}
    panes.list_pane.set_user_id(me)
    panes.list_pane.set_operator_names(operators)
    panes.thread.set_operator_names(operators)
    ordered = sorted(operators.items(), key=lambda item: (item[0] != me, item[1].lower()))
    panes.composer.set_operators(ordered)
