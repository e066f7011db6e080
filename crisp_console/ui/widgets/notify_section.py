"""Preferences → Notifications: what notifies, which way, with a sound or not, the taskbar's
attention hint and badge, and what works on this desktop, in words.

What works comes from the Notifier (``desktop()``, ``desktop_changed``), whose probe runs in
the background: the section says "Checking this desktop…" until it answers, then lists the
facts ("Desktop notifications: dunst 1.9.0 via the notification service", "No system tray
on this desktop", "No sound device: …") and disables each option that cannot work here, with
the reason beside it. A disabled option keeps the value saved (it may work on another
desktop); the words say what happens instead.
"""

from __future__ import annotations

from typing import Any, Protocol

from PySide6.QtCore import Qt, SignalInstance
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from crisp_console.present.notify_support import (
    DesktopSupport,
    channel_for,
    channel_words,
    sound_problem,
    summary_lines,
    via_problems,
)
from crisp_console.settings import NOTIFY_VIA, Preferences
from crisp_console.ui.widgets.unavailable_note import UnavailableNote

VIA_LABELS = {"auto": "The best this desktop has", "system": "The notification service",
              "tray": "The system tray"}


class NotifyDesktop(Protocol):
    """The Notifier, as far as this section uses it."""

    desktop_changed: SignalInstance

    def desktop(self) -> DesktopSupport: ...


def _note(name: str) -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                  | Qt.TextInteractionFlag.TextSelectableByKeyboard)
    label.setAccessibleName(name)
    label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
    return label


class NotifySection(QWidget):
    def __init__(self, desktop: NotifyDesktop | None = None,
                 parent: QWidget | None = None) -> None:
        """``desktop``: where the facts come from; without one the options are all offered
        and the section says nothing about this desktop."""
        super().__init__(parent)
        self._desktop = desktop
        self.notify_new = QCheckBox("A new &conversation")
        self.notify_message = QCheckBox("A visitor &message")
        self.via = QComboBox()
        self.via.setAccessibleName("Show notifications through")
        for value in NOTIFY_VIA:
            self.via.addItem(VIA_LABELS[value], value)
        self.via_note = _note("Why that way")
        self.sound = QCheckBox("Play a &sound")
        self.sound_note = _note("Why no sound")
        self.alert = QCheckBox("Fl&ash the taskbar entry and show the unread count on the "
                               "app icon")
        self.facts = UnavailableNote("What works on this desktop")
        form = QFormLayout()
        form.addRow(QLabel("Notify me when the window is in the background about:"))
        form.addRow("", self.notify_new)
        form.addRow("", self.notify_message)
        form.addRow("Show them &through", self.via)
        form.addRow("", self.via_note)
        form.addRow("", self.sound)
        form.addRow("", self.sound_note)
        form.addRow("", self.alert)
        heading = QLabel("On this desktop:")
        heading.setBuddy(self.facts)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addSpacing(8)
        layout.addWidget(heading)
        layout.addWidget(self.facts)
        layout.addStretch(1)
        self.via.currentIndexChanged.connect(self.refresh)
        if desktop is not None:
            desktop.desktop_changed.connect(self.refresh)
        self.refresh()

    def load(self, prefs: Preferences) -> None:
        self.notify_new.setChecked(prefs.notify_new_conversation)
        self.notify_message.setChecked(prefs.notify_visitor_message)
        self.via.setCurrentIndex(max(0, self.via.findData(prefs.notify_via)))
        self.sound.setChecked(prefs.notify_sound)
        self.alert.setChecked(prefs.notify_alert)
        self.refresh()

    def values(self) -> dict[str, Any]:
        """The section's Preferences fields, as the form says now."""
        return {"notify_new_conversation": self.notify_new.isChecked(),
                "notify_visitor_message": self.notify_message.isChecked(),
                "notify_via": str(self.via.currentData()),
                "notify_sound": self.sound.isChecked(),
                "notify_alert": self.alert.isChecked()}

    def refresh(self) -> None:
        """Say what works on this desktop and disable what cannot, with the reason."""
        via = str(self.via.currentData())
        if self._desktop is None:
            self.facts.hide()
            self.via_note.hide()
            self.sound_note.hide()
            return
        support = self._desktop.desktop()
        problems = via_problems(support)
        model = self.via.model()
        for row in range(self.via.count()):
            value = str(self.via.itemData(row))
            problem = problems.get(value, "")
            text = VIA_LABELS[value] + (f" ({problem[:1].lower()}{problem[1:]})"
                                        if problem else "")
            self.via.setItemText(row, text)
            self.via.setItemData(row, problem or None, Qt.ItemDataRole.ToolTipRole)
            if isinstance(model, QStandardItemModel):
                item = model.item(row)
                if item is not None:
                    item.setEnabled(not problem)
        chosen = problems.get(via, "")
        if chosen:  # a choice saved on another desktop: say what happens instead
            self._say(self.via_note, f"{chosen}: "
                      + channel_words(channel_for(via, support), support)[len("In use: "):])
        else:
            self._say(self.via_note, "")
        no_sound = "" if support.checking else sound_problem(via, support)
        self.sound.setEnabled(not no_sound)
        self._say(self.sound_note, no_sound)
        self.facts.say("\n".join(summary_lines(via, support)))

    @staticmethod
    def _say(label: QLabel, text: str) -> None:
        label.setText(text)
        label.setVisible(bool(text))
