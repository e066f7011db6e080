"""Opening the preferences dialog and applying what it saved, live: send key, single-key
mode, notifications, theme, font size, image loading; the keymap goes back on the QActions."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from crisp_console.settings import Preferences
from crisp_console.storage.preferences import save_preferences
from crisp_console.ui.controller import Controller
from crisp_console.ui.keymap import save_keymap
from crisp_console.ui.panes import media_policy
from crisp_console.ui.theme import Scheme, Theme, system_scheme
from crisp_console.ui.widgets.preferences_dialog import PreferencesDialog

log = logging.getLogger(__name__)


class PreferencesFlow:
    def __init__(self, controller: Controller, *, theme: Theme | None,
                 prefs_path: Path | None, keymap_path: Path | None,
                 on_change: Callable[[Preferences], None] | None = None) -> None:
        self.c = controller
        self.theme = theme
        self.prefs_path, self.keymap_path = prefs_path, keymap_path
        self.on_change = on_change
        self.dialog: PreferencesDialog | None = None
        app = QApplication.instance()
        self._system_font = QFont(app.font()) if isinstance(app, QApplication) else QFont()
        controller.registry.set_handler("app.settings", self.open)
        self.apply(controller.prefs, save=False)

    def open(self) -> None:
        if self.dialog is None:
            self.dialog = PreferencesDialog(self.c.prefs, self.c.registry, self.c.panes.window)
            self.dialog.saved.connect(self._saved)
        else:
            self.dialog.load(self.c.prefs)
        self.dialog.open()

    def _saved(self, prefs: Preferences) -> None:
        self.c.registry.rebind_actions(self.c.actions)
        if self.keymap_path is not None:
            try:
                save_keymap(self.c.registry, self.keymap_path)
            except OSError as exc:
                self.c.message(f"Shortcuts not saved: {exc}")
        self.apply(prefs, save=True)

    def apply(self, prefs: Preferences, *, save: bool) -> None:
        c = self.c
        c.prefs = prefs
        p = c.panes
        p.composer.set_send_on_enter(prefs.send_on_enter)
        p.composer.set_last_own_message(p.last_own if prefs.edit_last_with_up else None)
        c.registry.set_single_key_enabled(prefs.single_key, c.actions)
        p.notifier.set_enabled_events(prefs.notify_events())
        p.notifier.set_sound(prefs.notify_sound)
        p.media.set_trusted(media_policy(c.client, prefs))
        if self.theme is not None:
            forced = None if prefs.theme == "system" else Scheme(prefs.theme)
            self.theme.forced = forced
            self.theme.apply(forced or system_scheme())
        app = QApplication.instance()
        if isinstance(app, QApplication):
            font = QFont(self._system_font)
            if prefs.font_size:
                font.setPointSize(prefs.font_size)
            if font != app.font():
                app.setFont(font)
        if save and self.prefs_path is not None:
            try:
                save_preferences(prefs, self.prefs_path)
            except OSError as exc:
                c.message(f"Preferences not saved: {exc}")
        if self.on_change is not None:
            self.on_change(prefs)
