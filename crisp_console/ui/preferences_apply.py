"""The preferences in force, the dialog that changes them, and applying them live: send key,
Up-to-edit, single-key mode, notifications, theme, font size, image loading; the keymap goes
back on the QActions. ``prefs`` is the one copy of the preferences in force: whoever reads a
preference while the console runs (after-resolve, say, or the cache's size cap) reads it
here."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QFont
from PySide6.QtWidgets import QApplication, QWidget

from crisp_console.settings import Preferences
from crisp_console.storage.preferences import save_preferences
from crisp_console.ui.commands import CommandRegistry
from crisp_console.ui.keymap import save_keymap
from crisp_console.ui.media import MediaLoader
from crisp_console.ui.notifier import Notifier
from crisp_console.ui.theme import Scheme, Theme, system_scheme
from crisp_console.ui.widgets.composer import Composer, LastOwnMessage
from crisp_console.ui.widgets.local_data_section import LocalData, Spawn

if TYPE_CHECKING:  # the dialog (and its keymap editor) loads when first opened
    from crisp_console.ui.widgets.preferences_dialog import PreferencesDialog

log = logging.getLogger(__name__)


def media_policy(trusted: Callable[[str], bool], prefs: Preferences) -> Callable[[str], bool]:
    """Which image URLs load without the operator asking (Preferences.load_images):
    ``trusted`` is the client's own rule (Crisp's storage hosts, the connected host)."""
    if prefs.load_images == "always":
        return lambda _url: True
    if prefs.load_images == "never":
        return lambda _url: False
    return trusted


class PreferencesFlow:
    def __init__(self, prefs: Preferences, registry: CommandRegistry,
                 actions: Mapping[str, QAction], *, composer: Composer, notifier: Notifier,
                 media: MediaLoader, last_own: LastOwnMessage,
                 trusted_media: Callable[[str], bool], window: QWidget, theme: Theme | None,
                 prefs_path: Path | None, keymap_path: Path | None,
                 message: Callable[[str], None], local_data: LocalData | None = None,
                 spawn: Spawn | None = None) -> None:
        """``last_own``: where Up finds my last message (when the preference allows);
        ``trusted_media``: the client's rule for images (media_policy); ``message(text)``:
        the status bar; ``local_data`` and ``spawn`` (the ui's tasks): the Local data tab."""
        self.prefs = prefs
        self._registry, self._actions = registry, actions
        self._composer, self._notifier, self._media = composer, notifier, media
        self._last_own, self._trusted_media = last_own, trusted_media
        self._window, self.theme = window, theme
        self.prefs_path, self.keymap_path = prefs_path, keymap_path
        self._message = message
        self._local_data, self._spawn = local_data, spawn
        self.dialog: PreferencesDialog | None = None
        app = QApplication.instance()
        self._system_font = QFont(app.font()) if isinstance(app, QApplication) else QFont()
        self.apply(prefs, save=False)

    def font_for(self, prefs: Preferences) -> QFont:
        """The application font ``prefs`` ask for: the system's, at their size if any."""
        font = QFont(self._system_font)
        if prefs.font_size:
            font.setPointSize(prefs.font_size)
        return font

    def system_font_size(self) -> float:
        """The system font's size in points (0 when it is sized in pixels)."""
        return max(0.0, self._system_font.pointSizeF())

    def open(self) -> None:
        if self.dialog is None:
            from crisp_console.ui.widgets.preferences_dialog import PreferencesDialog

            self.dialog = PreferencesDialog(self.prefs, self._registry, self._window,
                                            local_data=self._local_data, spawn=self._spawn,
                                            desktop=self._notifier)
            self.dialog.saved.connect(self._saved)
        else:
            self.dialog.load(self.prefs)
        self._notifier.start()  # this desktop may have changed: look again, in the background
        self.dialog.font_size.set_system_size(self.system_font_size())
        self.dialog.open()

    def _saved(self, prefs: Preferences) -> None:
        self._registry.rebind_actions(self._actions)
        if self.keymap_path is not None:
            try:
                save_keymap(self._registry, self.keymap_path)
            except OSError as exc:
                self._message(f"Shortcuts not saved: {exc}")
        self.apply(prefs, save=True)

    def apply(self, prefs: Preferences, *, save: bool) -> None:
        self.prefs = prefs
        composer, notifier = self._composer, self._notifier
        composer.set_send_on_enter(prefs.send_on_enter)
        composer.set_last_own_message(self._last_own if prefs.edit_last_with_up else None)
        self._registry.set_single_key_enabled(prefs.single_key, self._actions)
        notifier.set_enabled_events(prefs.notify_events())
        notifier.set_sound(prefs.notify_sound)
        notifier.set_via(prefs.notify_via)
        notifier.set_alert(prefs.notify_alert)
        self._media.set_trusted(media_policy(self._trusted_media, prefs))
        font = self.font_for(prefs)
        if self.theme is not None:  # the font and the scheme at once (theme.py says why)
            forced = None if prefs.theme == "system" else Scheme(prefs.theme)
            self.theme.forced = forced
            self.theme.apply(forced or system_scheme(), font)
        else:
            app = QApplication.instance()
            if isinstance(app, QApplication) and font != app.font():
                app.setFont(font)
        if save and self.prefs_path is not None:
            try:
                save_preferences(prefs, self.prefs_path)
            except OSError as exc:
                self._message(f"Preferences not saved: {exc}")
