"""One console: the window, its panes and controller around a ConsoleClient, with an orderly
start and close. app.py runs one; the end-to-end tests run one against the sandbox."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QSettings

from crisp_console.client import ConsoleClient
from crisp_console.present.canned import CannedResponse
from crisp_console.settings import Preferences
from crisp_console.ui.commands import CommandRegistry
from crisp_console.ui.controller import Controller
from crisp_console.ui.conversation_actions import ConversationActions
from crisp_console.ui.default_commands import build_registry
from crisp_console.ui.panes import Panes, apply_directory, build_console
from crisp_console.ui.preferences_apply import PreferencesFlow
from crisp_console.ui.reply_actions import ReplyActions
from crisp_console.ui.team_canned import TeamCanned
from crisp_console.ui.theme import Theme
from crisp_console.ui.websites import WebsiteScope
from crisp_console.ui.widgets.main_window import MainWindow

log = logging.getLogger(__name__)


class Console:
    def __init__(self, client: ConsoleClient, *, prefs: Preferences | None = None,
                 registry: CommandRegistry | None = None, drafts_path: Path | None = None,
                 settings: QSettings | None = None, canned: list[CannedResponse] | None = None,
                 coalesce: bool = True, theme: Theme | None = None,
                 prefs_path: Path | None = None, keymap_path: Path | None = None) -> None:
        self.client = client
        self.prefs = prefs or Preferences()
        self.registry = registry or build_registry(single_key=self.prefs.single_key)
        self.panes: Panes
        self.panes, self.actions = build_console(client, self.registry, self.prefs,
                                                 drafts_path=drafts_path, settings=settings,
                                                 canned=canned, coalesce=coalesce)
        self.controller = Controller(client, self.panes, self.registry, self.actions, self.prefs)
        self.conversation_actions = ConversationActions(self.controller)
        self.reply_actions = ReplyActions(self.controller)
        self.team_canned = TeamCanned(self.controller, canned)
        self.websites = WebsiteScope(self.controller, settings)
        self.preferences = PreferencesFlow(self.controller, theme=theme, prefs_path=prefs_path,
                                           keymap_path=keymap_path)
        self._closed = False

    @property
    def window(self) -> MainWindow:
        return self.panes.window

    def notify(self, warnings: list[str]) -> None:
        """Start-up problems (a bad keymap or preferences file) shown, not hidden in a log."""
        if warnings:
            self.controller.message(" · ".join(warnings), 20_000)

    async def start(self) -> None:
        """Connect, then show what arrived: names, "me", and the first conversation."""
        await self.client.start()
        apply_directory(self.panes, self.client)
        self.websites.ready()
        await self.team_canned.load()
        self.panes.list_pane.flush()
        unread = self.panes.unread
        self.controller.show_unread(unread.total(), unread.conversations())
        # Telegram's model: the reply box holds the focus, Alt+Up/Down switch conversations.
        self.panes.composer.editor.setFocus()

    def start_failed(self, words: str) -> None:
        """``start()`` failed: why, in words, above the list and in the status bar, until
        the console is closed."""
        self.panes.list_pane.set_problem(words)
        self.controller.message(words, 0)

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.panes.window.save_state()
        self.panes.detach()
        self.websites.detach()
        self.team_canned.close()
        await self.controller.aclose()
        await self.client.aclose()
        self.panes.tray.dispose()
        self.panes.window.hide()
        self.panes.window.deleteLater()
