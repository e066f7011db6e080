"""The tray icon: the unread count as a badge and a tooltip, a small menu, notifications.

Wraps QSystemTrayIcon when the desktop has a tray. Without one (offscreen tests, some
Wayland desktops) it is a no-op that keeps its state, so the rest of the app never checks.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QAction, QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from crisp_console.present.labels import badge_text
from crisp_console.ui.theme import RESOURCES

APP_ICON = RESOURCES / "icons" / "crisp-console.svg"
APP_NAME = "crisp-console"
BADGE_SIZES = (32, 64)
BADGE_COLOUR = QColor("#d2473c")  # the usual notification red; readable on any tray
MESSAGE_MS = 8000  # how long a notification stays up where the desktop lets us choose


def badge_icon(icon: QIcon, count: int) -> QIcon:
    """A copy of ``icon`` with ``count`` in a red badge at its top right (32 and 64 px);
    ``icon`` itself when the count is 0."""
    if count <= 0:
        return icon
    text = badge_text(count)
    out = QIcon()
    for size in BADGE_SIZES:
        pixmap = QPixmap(icon.pixmap(QSize(size, size)))
        if pixmap.isNull():
            pixmap = QPixmap(size, size)
            pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        font = QFont()
        font.setBold(True)
        font.setPixelSize(max(8, round(size * (0.36 if len(text) < 3 else 0.3))))
        painter.setFont(font)
        height = size * 0.56
        width = max(height, painter.fontMetrics().horizontalAdvance(text) + size * 0.18)
        width = min(width, float(size))
        badge = QRectF(size - width, 0, width, height)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(BADGE_COLOUR)
        painter.drawRoundedRect(badge, height / 2, height / 2)
        painter.setPen(QColor("#ffffff"))
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)
        painter.end()
        out.addPixmap(pixmap)
    return out


class TrayIcon(QObject):
    """Signals:
        show_requested: "Show crisp-console" in the menu, or a click on the icon.
        quit_requested: "Quit" in the menu.
        message_clicked: the operator clicked the last notification.
    """

    show_requested = Signal()
    quit_requested = Signal()
    message_clicked = Signal()

    def __init__(self, icon: QIcon, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._base = icon
        self._icon = icon
        self._unread = 0
        self._badges: dict[str, QIcon] = {}  # badge text -> icon: a count repaints once
        self.messages: list[tuple[str, str]] = []  # what show_message was given
        self.menu = QMenu()
        self.show_action = QAction(f"Show {APP_NAME}", self.menu)
        self.unread_action = QAction(self.menu)
        self.unread_action.setEnabled(False)  # information, not an action
        self.quit_action = QAction("Quit", self.menu)
        self.menu.addAction(self.show_action)
        self.menu.addAction(self.unread_action)
        self.menu.addSeparator()
        self.menu.addAction(self.quit_action)
        self.show_action.triggered.connect(self.show_requested)
        self.quit_action.triggered.connect(self.quit_requested)
        self._tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self._tray = QSystemTrayIcon(icon, self)
            self._tray.setContextMenu(self.menu)
            self._tray.activated.connect(self._activated)
            self._tray.messageClicked.connect(self.message_clicked)
            self._tray.show()
        self._refresh()

    @property
    def available(self) -> bool:
        """Whether a real tray icon is shown."""
        return self._tray is not None

    def unread(self) -> int:
        return self._unread

    def icon(self) -> QIcon:
        """The icon as shown, badge included."""
        return self._icon

    def tooltip(self) -> str:
        return f"{APP_NAME} — {self._unread} unread" if self._unread else APP_NAME

    def set_unread(self, count: int) -> None:
        count = max(0, count)
        if count == self._unread:
            return
        self._unread = count
        self._refresh()

    def show_message(self, title: str, body: str) -> None:
        """A desktop notification through the tray (plain text; the Notifier sanitises)."""
        self.messages.append((title, body))
        if self._tray is not None and QSystemTrayIcon.supportsMessages():
            self._tray.showMessage(title, body, self._base, MESSAGE_MS)

    def dispose(self) -> None:
        """Remove the icon from the tray (at quit: some desktops keep a dead one otherwise)."""
        if self._tray is not None:
            self._tray.hide()
        self.menu.deleteLater()

    # -- internals --

    def _refresh(self) -> None:
        count = self._unread
        if count:
            text = badge_text(count)
            icon = self._badges.get(text)
            if icon is None:
                icon = self._badges[text] = badge_icon(self._base, count)
            self._icon = icon
        else:
            self._icon = self._base
        self.unread_action.setText(f"Unread: {count}")
        if self._tray is not None:
            self._tray.setIcon(self._icon)
            self._tray.setToolTip(self.tooltip())

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger,
                      QSystemTrayIcon.ActivationReason.DoubleClick):
            self.show_requested.emit()
