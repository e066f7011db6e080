"""The website switcher above the conversation list: every subscribed Crisp website by name
and logo, and "All websites", the unified inbox.

It is a plain QComboBox, so it works from the keyboard as any combo does (Tab to it, Alt+Down
or F4 opens it, letters jump); Ctrl+Shift+K opens the same choice in the palette. The list
refreshes each website's unread count when it opens, so a count is never stale when read.
With a single website there is nothing to switch and the switcher hides itself.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QImage, QPainter, QPainterPath, QPixmap
from PySide6.QtWidgets import QComboBox, QSizePolicy, QWidget

from crisp_console.present.plain import tooltip_html

ALL_TITLE = "All websites"
ICON_PX = 20
ID_ROLE = Qt.ItemDataRole.UserRole + 1
NAME_ROLE = Qt.ItemDataRole.UserRole + 2
# Unread conversations per website id (None: all of them together).
UnreadCounts = Callable[[], Mapping[str | None, int]]


@dataclass(frozen=True, slots=True)
class WebsiteEntry:
    website_id: str
    name: str
    domain: str = ""
    note: str = ""  # why part of it is unavailable (its details refused: named by its id)


def initials(name: str) -> str:
    words = [w for w in name.replace(".", " ").split() if w[:1].isalnum()]
    if not words:
        return "?"
    if len(words) == 1:
        return words[0][:2].upper()
    return (words[0][0] + words[1][0]).upper()


def badge_colour(website_id: str) -> QColor:
    """A stable, readable colour per website (white initials stay legible on it)."""
    hue = int(hashlib.sha1(website_id.encode(), usedforsecurity=False).hexdigest()[:4], 16) % 360
    return QColor.fromHsl(hue, 150, 95)


def badge_icon(entry: WebsiteEntry, logo: QImage | None = None, size: int = ICON_PX) -> QIcon:
    """The website's logo cut to a rounded square, or its initials on its colour."""
    pixmap = QPixmap(size * 2, size * 2)  # drawn at 2x: crisp on HiDPI, scaled down elsewhere
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    rect = QRect(0, 0, size * 2, size * 2)
    path = QPainterPath()
    path.addRoundedRect(rect, size * 0.4, size * 0.4)
    painter.setClipPath(path)
    if logo is not None and not logo.isNull():
        painter.drawImage(rect, logo.scaled(rect.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                            Qt.TransformationMode.SmoothTransformation))
    else:
        painter.fillRect(rect, badge_colour(entry.website_id))
        font = QFont()
        font.setBold(True)
        font.setPixelSize(int(size * 0.85))
        painter.setFont(font)
        painter.setPen(QColor("white"))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, initials(entry.name))
    painter.end()
    return QIcon(pixmap)


class WebsiteSwitcher(QComboBox):
    """Signals:
    website_chosen(object): the operator picked a website id, or None for all websites.
    """

    website_chosen = Signal(object)

    def __init__(self, *, unread: UnreadCounts | None = None, all_icon: QIcon | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._unread = unread
        self._entries: dict[str, WebsiteEntry] = {}
        self._logos: dict[str, QImage] = {}
        self._all_icon = all_icon or QIcon()
        self.setIconSize(QSize(ICON_PX, ICON_PX))
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(12)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Website")
        self.setToolTip("Show one website's conversations, or all of them (Ctrl+Shift+K)")
        self.addItem(self._all_icon, ALL_TITLE)
        self.setItemData(0, None, ID_ROLE)
        self.setItemData(0, ALL_TITLE, NAME_ROLE)
        self.activated.connect(self._activated)
        self.setVisible(False)

    # ---- content -----------------------------------------------------------------------------

    def set_websites(self, entries: Sequence[WebsiteEntry]) -> None:
        """Replace the list (sorted by name); the current choice stays when it still exists,
        else the switcher falls back to all websites (without emitting: the caller decides)."""
        current = self.current()
        self._entries = {e.website_id: e for e in entries}
        self._logos = {k: v for k, v in self._logos.items() if k in self._entries}
        self.blockSignals(True)
        try:
            while self.count() > 1:
                self.removeItem(1)
            for entry in sorted(entries, key=lambda e: (e.name.casefold(), e.website_id)):
                self.addItem(badge_icon(entry, self._logos.get(entry.website_id)), entry.name)
                row = self.count() - 1
                self.setItemData(row, entry.website_id, ID_ROLE)
                self.setItemData(row, entry.name, NAME_ROLE)
                tip = "\n".join(t for t in (entry.domain or entry.name, entry.note) if t)
                self.setItemData(row, tooltip_html(tip), Qt.ItemDataRole.ToolTipRole)
            self._select(current if current in self._entries else None)
        finally:
            self.blockSignals(False)
        self.setVisible(len(self._entries) > 1)

    def set_logo(self, website_id: str, logo: QImage) -> None:
        entry = self._entries.get(website_id)
        if entry is None or logo.isNull():
            return
        self._logos[website_id] = logo
        row = self._row(website_id)
        if row >= 0:
            self.setItemIcon(row, badge_icon(entry, logo))

    def entries(self) -> list[WebsiteEntry]:
        return list(self._entries.values())

    def icon_of(self, website_id: str | None) -> QIcon:
        if website_id is None:
            return self._all_icon
        entry = self._entries.get(website_id)
        return badge_icon(entry, self._logos.get(website_id)) if entry else QIcon()

    # ---- the choice --------------------------------------------------------------------------

    def current(self) -> str | None:
        value = self.currentData(ID_ROLE)
        return value if isinstance(value, str) else None

    def set_current(self, website_id: str | None) -> None:
        """Show ``website_id`` as chosen (unknown ids: all websites); emits nothing."""
        self.blockSignals(True)
        try:
            self._select(website_id if website_id in self._entries else None)
        finally:
            self.blockSignals(False)

    def refresh_counts(self) -> None:
        """Write each row's unread count into its text ("Acme — 3 unread")."""
        counts = self._unread() if self._unread is not None else {}
        for row in range(self.count()):
            name = self.itemData(row, NAME_ROLE)
            n = counts.get(self.itemData(row, ID_ROLE), 0)
            self.setItemText(row, f"{name} — {n} unread" if n else str(name))

    # ---- internals ---------------------------------------------------------------------------

    def _row(self, website_id: str | None) -> int:
        for row in range(self.count()):
            if self.itemData(row, ID_ROLE) == website_id:
                return row
        return -1

    def _select(self, website_id: str | None) -> None:
        self.setCurrentIndex(max(0, self._row(website_id)))

    def _activated(self, row: int) -> None:
        value = self.itemData(row, ID_ROLE)
        self.website_chosen.emit(value if isinstance(value, str) else None)

    # ---- Qt overrides ------------------------------------------------------------------------

    def showPopup(self) -> None:
        self.refresh_counts()
        super().showPopup()

    def hidePopup(self) -> None:
        super().hidePopup()
        # The closed combo shows the plain name: a count there would go stale unseen.
        for row in range(self.count()):
            self.setItemText(row, str(self.itemData(row, NAME_ROLE)))
