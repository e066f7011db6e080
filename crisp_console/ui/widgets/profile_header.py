"""The top of the people panel: who the visitor is (avatar, name, email, phone) and where they
are right now (place, local time, device, languages, network).

The local time has a line of its own, so the place's length never cuts it off. Sizes (avatar,
icons, fonts) follow the panel's font. Every line is a plain-text label, elided to its width,
with the full text in a tooltip. Each
one takes focus with Tab; Ctrl+C (the platform's Copy key) or its context menu's "Copy" puts
the full text on the clipboard, and name, email and phone also have a copy button. The avatar
is initials on a colour derived from the id: avatar URLs are never fetched.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPointF, QRect, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QFontMetrics,
    QGuiApplication,
    QIcon,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from crisp_console.present.plain import one_line, tooltip_html
from crisp_console.ui.delegates import painting as pt
from crisp_console.ui.fonts import RelativeFonts

AVATAR_LINES = 2.6  # the avatar's side, in lines of the panel's font (44 px at 9 pt)
ICON_LINES = 0.85  # the copy buttons' icons
COPIED_MS = 1500  # how long a copy button shows its tick
IDENTITY = ("name", "email", "phone")  # with a copy button each
CONTEXT = (("location", "Location"), ("local_time", "Local time"), ("device", "Device"),
           ("languages", "Languages"), ("network", "Network"))
FIELDS = IDENTITY + tuple(name for name, _ in CONTEXT)
FULL_TEXT = "fullText"  # label property: the unelided text
ONLINE = QColor("#2fb463")

Role = QPalette.ColorRole


def icon_pixmap(size: int, ratio: float) -> tuple[QPixmap, QPainter]:
    pixmap = QPixmap(round(size * ratio), round(size * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    return pixmap, painter


def copy_icon(colour: QColor, ratio: float, size: int = 16) -> QIcon:
    """Two overlapping sheets."""
    pixmap, painter = icon_pixmap(size, ratio)
    painter.setPen(QPen(colour, 1.3))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    s = size
    painter.drawRoundedRect(QRectF(s * 0.34, s * 0.3, s * 0.48, s * 0.56), 2, 2)
    back = QPainterPath(QPointF(s * 0.22, s * 0.66))
    back.lineTo(s * 0.18, s * 0.66)
    back.lineTo(s * 0.18, s * 0.14)
    back.lineTo(s * 0.62, s * 0.14)
    back.lineTo(s * 0.62, s * 0.2)
    painter.drawPath(back)
    painter.end()
    return QIcon(pixmap)


def tick_icon(colour: QColor, ratio: float, size: int = 16) -> QIcon:
    pixmap, painter = icon_pixmap(size, ratio)
    pt.draw_ticks(painter, QRect(2, 1, size - 2, size - 2), 1, colour)
    painter.end()
    return QIcon(pixmap)


def avatar_side(font: QFont) -> int:
    return max(32, round(QFontMetrics(font).height() * AVATAR_LINES))


def avatar_pixmap(key: str, name: str, online: bool, font_source: QWidget) -> QPixmap:
    """Initials on the visitor's colour (present/avatars.py), with a green dot while the
    visitor is online; as big as ``font_source``'s font asks."""
    ratio = font_source.devicePixelRatioF()
    side = avatar_side(font_source.font())
    pixmap, painter = icon_pixmap(side, ratio)
    font = pt.scaled_font(font_source.font(), 1.25, bold=True)
    pt.draw_avatar(painter, QRectF(0, 0, side, side).toRect(), key, name, font)
    if online:
        dot = side * 0.28
        painter.setPen(QPen(font_source.palette().color(Role.Window), 2))
        painter.setBrush(ONLINE)
        painter.drawEllipse(QRectF(side - dot - 1, side - dot - 1, dot, dot))
    painter.end()
    return pixmap


class ProfileHeader(QWidget):
    """Signals:
    copied(text): a field's full text was put on the clipboard.
    """

    copied = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.labels: dict[str, QLabel] = {}
        self.copy_buttons: dict[str, QToolButton] = {}
        self._captions: dict[str, QLabel] = {}
        self._fonts = RelativeFonts(self)
        self._icon_side = 16
        self.avatar = QLabel(self)
        self.avatar.setAccessibleName("Avatar")
        self._avatar_args = ("", "", False)

        identity = QVBoxLayout()
        identity.setSpacing(1)
        for field in IDENTITY:
            row = QHBoxLayout()
            row.setSpacing(2)
            row.addWidget(self._make_label(field), 1)
            row.addWidget(self._make_copy_button(field))
            identity.addLayout(row)
        self._fonts.set(self.labels["name"], 1.15, bold=True)

        top = QHBoxLayout()
        top.setSpacing(10)
        top.addWidget(self.avatar, 0, Qt.AlignmentFlag.AlignTop)
        top.addLayout(identity, 1)

        context = QGridLayout()
        context.setHorizontalSpacing(10)
        context.setVerticalSpacing(3)
        context.setColumnStretch(1, 1)
        for line, (field, caption) in enumerate(CONTEXT):
            title = QLabel(caption, self)
            self._fonts.set(title, 0.9)
            title.setForegroundRole(Role.PlaceholderText)
            self._captions[field] = title
            context.addWidget(title, line, 0, Qt.AlignmentFlag.AlignTop)
            context.addWidget(self._make_label(field), line, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addLayout(top)
        layout.addLayout(context)
        self._sized(self.font())
        self._fonts.on_change(self._sized)
        self.set_identity("", "", "", "", online=False)
        self.set_context()

    # ---- content --------------------------------------------------------------------------

    def set_identity(self, key: str, name: str, email: str, phone: str, *,
                     online: bool) -> None:
        """``key`` (people or session id) picks the avatar's colour."""
        self._set("name", name)
        self._set("email", email)
        self._set("phone", phone)
        args = (key, one_line(name, 120), online)
        if args != self._avatar_args or self.avatar.pixmap().isNull():
            self._avatar_args = args
            self.avatar.setPixmap(avatar_pixmap(key, args[1], online, self))
        self.avatar.setAccessibleDescription("online" if online else "offline")

    def set_context(self, location: str = "", device: str = "", languages: str = "",
                    network: str = "", *, local_time: str = "", device_tip: str = "",
                    languages_tip: str = "") -> None:
        self._set("location", location)
        self._set("local_time", local_time)
        self._set("device", device, device_tip)
        self._set("languages", languages, languages_tip)
        self._set("network", network)

    def focus_order(self) -> list[QWidget]:
        """The Tab stops, top to bottom."""
        order: list[QWidget] = []
        for field in FIELDS:
            order.append(self.labels[field])
            if field in self.copy_buttons:
                order.append(self.copy_buttons[field])
        return order

    def text(self, field: str) -> str:
        """The full (unelided) text of a field."""
        return str(self.labels[field].property(FULL_TEXT) or "")

    def copy(self, field: str) -> None:
        """Put the field's full text on the clipboard."""
        text = self.text(field)
        if not text:
            return
        QGuiApplication.clipboard().setText(text)
        self.copied.emit(text)
        button = self.copy_buttons.get(field)
        if button is not None:
            button.setIcon(self._tick)
            QTimer.singleShot(COPIED_MS, button, lambda: button.setIcon(self._copy))

    # ---- building -------------------------------------------------------------------------

    def _make_label(self, field: str) -> QLabel:
        label = QLabel(self)
        label.setObjectName(f"{field}Field")
        label.setProperty("copyable", True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setIndent(0)  # else the focus frame adds half an "x": elided text would overflow
        label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        label.setMinimumWidth(1)
        label.setAccessibleName(field.capitalize())
        label.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        # No QAction shortcut: a window-wide Ctrl+C would make it ambiguous. The key is
        # handled in eventFilter; the menu only shows it.
        action = QAction("Copy", label)
        action.setShortcut(QKeySequence(QKeySequence.StandardKey.Copy))
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        action.setShortcutVisibleInContextMenu(True)
        action.triggered.connect(lambda: self.copy(field))
        label.addAction(action)
        label.installEventFilter(self)
        self.labels[field] = label
        return label

    def _make_copy_button(self, field: str) -> QToolButton:
        button = QToolButton(self)
        button.setObjectName(f"{field}Copy")
        button.setAutoRaise(True)
        button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        button.setToolTip(f"Copy {field}")
        button.setAccessibleName(f"Copy {field}")
        button.clicked.connect(lambda: self.copy(field))
        self.copy_buttons[field] = button
        return button

    def _set(self, field: str, text: str, tip: str = "") -> None:
        label = self.labels[field]
        full = text if isinstance(text, str) else ""
        label.setProperty(FULL_TEXT, full)
        label.setAccessibleDescription(one_line(full, 500))
        label.setToolTip(tooltip_html(tip or full) if full else "")
        label.setVisible(bool(full) or field == "name")
        button = self.copy_buttons.get(field)
        if button is not None:
            button.setVisible(bool(full))
        caption = self._captions.get(field)
        if caption is not None:
            caption.setVisible(bool(full))
        self._elide(label)

    def _elide(self, label: QLabel) -> None:
        full = one_line(str(label.property(FULL_TEXT) or ""), 1000)
        width = label.contentsRect().width()
        label.setText(QFontMetrics(label.font()).elidedText(
            full, Qt.TextElideMode.ElideRight, width) if width > 8 else full)

    def _sized(self, font: QFont) -> None:
        """Avatar and icons at the size of ``font`` (the header's, after a change)."""
        side = avatar_side(font)
        self.avatar.setFixedSize(side, side)
        icon = self._icon_side = max(12, round(QFontMetrics(font).height() * ICON_LINES))
        for button in self.copy_buttons.values():
            button.setIconSize(QSize(icon, icon))
        self._refresh_icons()
        key, name, online = self._avatar_args
        self.avatar.setPixmap(avatar_pixmap(key, name, online, self))
        for label in self.labels.values():
            self._elide(label)

    def _refresh_icons(self) -> None:
        ratio = self.devicePixelRatioF()
        colour = self.palette().color(Role.ButtonText)
        self._copy = copy_icon(colour, ratio, self._icon_side)
        self._tick = tick_icon(self.palette().color(Role.Highlight), ratio, self._icon_side)
        for button in self.copy_buttons.values():
            button.setIcon(self._copy)

    # ---- Qt overrides ---------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if isinstance(watched, QLabel) and watched in self.labels.values():
            field = str(watched.objectName()).removesuffix("Field")
            if kind in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride) and isinstance(
                    event, QKeyEvent) and event.matches(QKeySequence.StandardKey.Copy):
                event.accept()  # claim the key before any window-wide shortcut sees it
                if kind == QEvent.Type.KeyPress:
                    self.copy(field)
                return True
            if kind in (QEvent.Type.Resize, QEvent.Type.FontChange):
                self._elide(watched)
        return super().eventFilter(watched, event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self._refresh_icons()
            key, name, online = self._avatar_args
            self.avatar.setPixmap(avatar_pixmap(key, name, online, self))
        super().changeEvent(event)
