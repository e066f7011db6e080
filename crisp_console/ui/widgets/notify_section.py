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
from PySide6.QtGui import QPalette, QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QLabel,
    QSizePolicy,
    QStyle,
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
    """A muted line under a control saying why it cannot work here."""
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                  | Qt.TextInteractionFlag.TextSelectableByKeyboard)
    label.setAccessibleName(name)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
    label.hide()
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
        # A grid, not a form: a form gives a wrapped note more height than its lines.
        grid = QGridLayout()
        grid.setVerticalSpacing(6)
        grid.addWidget(QLabel("Notify me when the window is in the background about:"),
                       0, 0, 1, 2)
        grid.addWidget(self.notify_new, 1, 1)
        grid.addWidget(self.notify_message, 2, 1)
        through = QLabel("Show them &through")
        through.setBuddy(self.via)
        grid.addWidget(through, 3, 0)
        grid.addWidget(self.via, 3, 1)
        grid.addWidget(self.via_note, 4, 1)
        grid.addWidget(self.sound, 5, 1)
        # The note lines up with the check box's text, not its box.
        indent = self.sound.style().pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth) + 6
        self.sound_note.setContentsMargins(indent, 0, 0, 0)
        grid.addWidget(self.sound_note, 6, 1)
        grid.addWidget(self.alert, 7, 1)
        grid.setColumnStretch(1, 1)
        heading = QLabel("On this desktop:")
        heading.setBuddy(self.facts)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
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
