"""Preferences (Ctrl+,): sending, resolving, appearance, notifications, keyboard and the
keymap editor, and Local data (local_data_section.py) when the console has a database.
Opened with open(); ``saved`` carries the new Preferences after Save, and the keymap edits
are already in the registry by then."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from crisp_console.settings import AFTER_RESOLVE, IMAGE_LOADING, THEMES, Preferences, with_changes
from crisp_console.ui.commands import CommandRegistry
from crisp_console.ui.widgets.font_size_box import FontSizeBox
from crisp_console.ui.widgets.keymap_editor import KeymapEditor
from crisp_console.ui.widgets.local_data_section import LocalData, LocalDataSection, Spawn
from crisp_console.ui.widgets.notify_section import NotifyDesktop, NotifySection

SEND_KEYS: dict[object, str] = {True: "Enter sends, Shift+Enter adds a line",
                                False: "Ctrl+Enter sends, Enter adds a line"}
AFTER_RESOLVE_LABELS = {"stay": "Stay on it", "next": "Go to the next conversation, left unread",
                        "next_read": "Go to the next conversation and mark it read",
                        "previous": "Go to the previous conversation, left unread"}
THEME_LABELS = {"system": "Follow the system", "light": "Light", "dark": "Dark"}
IMAGE_LABELS = {"trusted": "From Crisp and the connected host only", "always": "Always",
                "never": "Only when I ask"}


def _combo(choices: Mapping[object, str], name: str) -> QComboBox:
    """A combo box whose items carry their value as data."""
    combo = QComboBox()
    combo.setAccessibleName(name)
    for value, label in choices.items():
        combo.addItem(label, value)
    return combo


def _select(combo: QComboBox, value: object) -> None:
    combo.setCurrentIndex(max(0, combo.findData(value)))


class PreferencesDialog(QDialog):
    saved = Signal(object)  # Preferences

    def __init__(self, prefs: Preferences, registry: CommandRegistry,
                 parent: QWidget | None = None, *, local_data: LocalData | None = None,
                 spawn: Spawn | None = None, desktop: NotifyDesktop | None = None) -> None:
        """``local_data`` (with ``spawn``, which runs its clearing): the Local data tab;
        ``desktop`` (the Notifier): what works on this desktop, in the Notifications tab."""
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.resize(640, 520)
        self._prefs = prefs
        self.send_key = _combo(SEND_KEYS, "Send key")
        self.edit_with_up = QCheckBox("Up in an empty reply box edits my last message")
        self.stale_guard = QCheckBox("Ask before sending a reply when someone wrote since I "
                                     "started it")
        self.after_resolve = _combo({k: AFTER_RESOLVE_LABELS[k] for k in AFTER_RESOLVE},
                                    "After resolving")
        self.theme = _combo({k: THEME_LABELS[k] for k in THEMES}, "Theme")
        self.font_size = FontSizeBox()
        self.load_images = _combo({k: IMAGE_LABELS[k] for k in IMAGE_LOADING}, "Load images")
        self.notifications = NotifySection(desktop)
        self.single_key = QCheckBox("Single-key shortcuts in the conversation list (J, K, E, R…)")
        general = QWidget()
        form = QFormLayout(general)
        form.addRow("&Send key", self.send_key)
        form.addRow("", self.edit_with_up)
        form.addRow("", self.stale_guard)
        form.addRow("After &resolving", self.after_resolve)
        form.addRow("&Theme", self.theme)
        form.addRow("&Font size", self.font_size)
        form.addRow("Load &images", self.load_images)
        form.addRow("", self.single_key)
        self.keymap = KeymapEditor(registry)
        self.tabs = QTabWidget()
        self.tabs.addTab(general, "&General")
        self.tabs.addTab(self.notifications, "&Notifications")
        self.tabs.addTab(self.keymap, "&Keyboard")
        self.local_data: LocalDataSection | None = None
        if local_data is not None and spawn is not None:
            self.local_data = LocalDataSection(local_data, spawn)
            self.tabs.addTab(self.local_data, "Local &data")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.buttons)
        self.load(prefs)

    def load(self, prefs: Preferences) -> None:
        self._prefs = prefs
        _select(self.send_key, prefs.send_on_enter)
        self.edit_with_up.setChecked(prefs.edit_last_with_up)
        self.stale_guard.setChecked(prefs.stale_guard)
        _select(self.after_resolve, prefs.after_resolve)
        _select(self.theme, prefs.theme)
        self.font_size.setValue(prefs.font_size)
        _select(self.load_images, prefs.load_images)
        self.notifications.load(prefs)
        self.single_key.setChecked(prefs.single_key)
        if self.local_data is not None:
            self.local_data.set_cap(prefs.cache_cap_mb)
            self.local_data.refresh()

    def preferences(self) -> Preferences:
        """What the form says now."""
        return with_changes(
            self._prefs, send_on_enter=bool(self.send_key.currentData()),
            edit_last_with_up=self.edit_with_up.isChecked(),
            stale_guard=self.stale_guard.isChecked(),
            after_resolve=str(self.after_resolve.currentData()),
            theme=str(self.theme.currentData()), font_size=self.font_size.value(),
            load_images=str(self.load_images.currentData()),
            **self.notifications.values(), single_key=self.single_key.isChecked(),
            cache_cap_mb=(self.local_data.cap_mb() if self.local_data is not None
                          else self._prefs.cache_cap_mb))

    # ---- Qt overrides ------------------------------------------------------------------------

    def accept(self) -> None:
        self.keymap.apply()
        self.saved.emit(self.preferences())
        super().accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter in the shortcut recorder records a key; it must not press Save.
        if self.keymap.recorder.hasFocus() and event.key() in (Qt.Key.Key_Return,
                                                               Qt.Key.Key_Enter):
            return
        super().keyPressEvent(event)
