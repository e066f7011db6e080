"""The status bar's availability switch: the console's own Online/Away (a button with a
menu), and beside it what Crisp says of "me" (a label). ui/availability.py owns both states;
this only shows them and says which one the operator picked."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QToolButton, QWidget

from crisp_console.present.plain import tooltip_html
from crisp_console.present.team_words import (
    MODE_HINTS,
    MODE_TITLES,
    MODES,
    ONLINE,
    mode_text,
    mode_tip,
)


class AvailabilitySwitch(QWidget):
    """Signals: mode_chosen(mode): the operator picked "online" or "away" in the menu."""

    mode_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("availabilitySwitch")
        self.button = QToolButton(self)
        self.button.setObjectName("availabilityButton")
        self.button.setAutoRaise(True)
        self.button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.button.setAccessibleName("Console availability")
        self.menu = QMenu(self.button)
        self.menu.setToolTipsVisible(True)
        group = QActionGroup(self.menu)
        self.actions_by_mode: dict[str, QAction] = {}
        for mode in MODES:
            action = self.menu.addAction(f"{MODE_TITLES[mode]} — {MODE_HINTS[mode]}")
            action.setCheckable(True)
            action.setToolTip(mode_tip(mode))
            group.addAction(action)
            action.triggered.connect(lambda _checked=False, m=mode: self.mode_chosen.emit(m))
            self.actions_by_mode[mode] = action
        self.menu.addSeparator()
        self.crisp_action = self.menu.addAction("")
        self.crisp_action.setEnabled(False)  # information: Crisp's own, not switchable here
        # popup(), not setMenu(): a tool button's menu runs exec(), a nested event loop.
        self.button.clicked.connect(self.show_menu)
        self.crisp_label = QLabel(self)
        self.crisp_label.setObjectName("crispAvailability")
        self.crisp_label.setTextFormat(Qt.TextFormat.PlainText)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.button)
        layout.addWidget(self.crisp_label)
        self.set_mode(ONLINE)
        self.set_crisp("", "")

    def set_mode(self, mode: str) -> None:
        self.button.setText(f"{mode_text(mode)} ▾")  # ▾: it opens a menu
        self.button.setToolTip(tooltip_html(mode_tip(mode) + "\nClick to switch; or Ctrl+K, "
                                            "\"availability\"."))
        action = self.actions_by_mode.get(mode)
        if action is not None:
            action.setChecked(True)

    def show_menu(self) -> None:
        """The menu above the button (the status bar is at the window's bottom)."""
        height = self.menu.sizeHint().height()
        self.menu.popup(self.button.mapToGlobal(QPoint(0, -height)))

    def mode_text(self) -> str:
        return self.button.text()

    def set_crisp(self, text: str, tip: str) -> None:
        """Crisp's availability of "me" (``text``), and the words of its tooltip."""
        self.crisp_label.setText(text)
        self.crisp_label.setToolTip(tooltip_html(tip))
        self.crisp_action.setText(f"{text} (set in Crisp's app)" if text else "")
        self.crisp_action.setVisible(bool(text))
