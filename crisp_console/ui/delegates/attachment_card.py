"""The tray's tiles: a preview (the image's thumbnail, cropped to fill its square, or an icon
coloured by the kind of file with its extension on it), the name (elided in the middle, so
the extension stays), what it is and its size, and a remove button (✕) in the corner.

Everything is painted from the row's ``Pending`` (ITEM_ROLE) with the palette's colours, so
light and dark themes need nothing more; names are drawn as text, never as markup.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    QRect,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFontMetrics,
    QImage,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPalette,
)
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from crisp_console.present.plain import one_line
from crisp_console.ui.delegates.painting import draw_image_icon, mix, scaled_font
from crisp_console.ui.models.attachments import IMAGE, LOADING, Pending
from crisp_console.ui.models.roles import ITEM_ROLE

Index = QModelIndex | QPersistentModelIndex
Role = QPalette.ColorRole
PAD = 6
CLOSE = 18  # the remove button's diameter
FAMILY_COLOURS = {"pdf": "#d93025", "text": "#1a73e8", "sheet": "#188038", "slides": "#e37400",
                  "archive": "#8d6e63", "code": "#5f6368", "image": "#9334e6",
                  "audio": "#c2185b", "video": "#00897b"}
FILE_COLOUR = "#607d8b"


def tile_size(metrics: QFontMetrics) -> QSize:
    """One tile: two lines of text beside a square preview, wide enough for ~28 characters."""
    height = max(56, 2 * metrics.height() + 3 * PAD)
    return QSize(max(round(height * 4.2), metrics.averageCharWidth() * 36), height)


def close_rect(tile: QRect) -> QRect:
    """Where a tile's remove button is."""
    return QRect(tile.right() - CLOSE - PAD + 2, tile.top() + PAD - 2, CLOSE, CLOSE)


def preview_rect(tile: QRect) -> QRect:
    side = tile.height() - 2 * PAD
    return QRect(tile.left() + PAD, tile.top() + PAD, side, side)


class AttachmentCardDelegate(QStyledItemDelegate):
    """Signals:
        remove_clicked(int): the remove button of this row was clicked.
    """

    remove_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._hover: int = -1  # the row whose remove button is under the pointer

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        return tile_size(option.fontMetrics)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        item = index.data(ITEM_ROLE)
        if not isinstance(item, Pending):
            return
        palette: QPalette = option.palette
        tile = QRect(option.rect).adjusted(1, 1, -1, -1)
        base, text = palette.color(Role.Base), palette.color(Role.Text)
        # The keyboard's place (the current tile while the tray has the focus); otherwise
        # the selection is not shown: Delete acts only from the tray.
        focused = bool(option.state & QStyle.StateFlag.State_HasFocus)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        border = palette.color(Role.Highlight) if focused else mix(base, text, 0.2)
        painter.setPen(border)
        painter.setBrush(mix(base, text, 0.04))
        painter.drawRoundedRect(QRectF(tile).adjusted(0.5, 0.5, -0.5, -0.5), 7, 7)
        if focused:  # a second ring: the keyboard's place must be seen at a glance
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(QRectF(tile).adjusted(1.5, 1.5, -1.5, -1.5), 6, 6)
        square = preview_rect(tile)
        self._paint_preview(painter, square, item, base, text)
        self._paint_text(painter, option, tile, square, item, text, base)
        self._paint_close(painter, close_rect(tile), index.row() == self._hover, base, text)
        painter.restore()

    def _paint_preview(self, painter: QPainter, square: QRect, item: Pending, base: QColor,
                       text: QColor) -> None:
        clip = QPainterPath()
        clip.addRoundedRect(QRectF(square), 5, 5)
        if item.preview == IMAGE and item.thumbnail is not None:
            painter.save()
            painter.setClipPath(clip)
            painter.fillRect(square, mix(base, text, 0.08))
            painter.drawImage(QRectF(square), item.thumbnail, cover(item.thumbnail, square.size()))
            painter.restore()
            return
        if item.preview == LOADING:
            painter.fillPath(clip, mix(base, text, 0.08))
            draw_image_icon(painter, square.adjusted(8, 8, -8, -8), mix(base, text, 0.45))
            return
        kind = item.kind
        painter.fillPath(clip, QColor(FAMILY_COLOURS.get(kind.family, FILE_COLOUR)))
        fold = square.width() // 4  # the page's folded corner
        corner = QPainterPath(QPointF(square.right() - fold + 1, square.top()))
        corner.lineTo(square.right() + 1, square.top() + fold)
        corner.lineTo(square.right() - fold + 1, square.top() + fold)
        corner.closeSubpath()
        painter.fillPath(corner, QColor(255, 255, 255, 110))
        font = scaled_font(painter.font(), 0.8 if len(kind.badge) > 3 else 0.9, bold=True)
        painter.setFont(font)
        painter.setPen(QColor("white"))
        painter.drawText(square, Qt.AlignmentFlag.AlignCenter, kind.badge)

    def _paint_text(self, painter: QPainter, option: QStyleOptionViewItem, tile: QRect,
                    square: QRect, item: Pending, text: QColor, base: QColor) -> None:
        left = square.right() + PAD + 2
        right = close_rect(tile).left() - 4
        width = max(0, right - left)
        name_font = scaled_font(option.font, 1.0, bold=True)
        name_metrics = QFontMetrics(name_font)
        line = name_metrics.height()
        top = tile.top() + (tile.height() - 2 * line - 2) // 2
        painter.setFont(name_font)
        painter.setPen(text)
        name = name_metrics.elidedText(one_line(item.name, 1000), Qt.TextElideMode.ElideMiddle,
                                       width)
        painter.drawText(QRect(left, top, width, line),
                         int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), name)
        painter.setFont(option.font)
        painter.setPen(mix(text, base, 0.4))
        details = option.fontMetrics.elidedText(item.details(), Qt.TextElideMode.ElideRight,
                                                tile.right() - PAD - left)
        painter.drawText(QRect(left, top + line + 2, tile.right() - PAD - left, line),
                         int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                         details)

    def _paint_close(self, painter: QPainter, rect: QRect, hover: bool, base: QColor,
                     text: QColor) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(mix(base, text, 0.3 if hover else 0.12))
        painter.drawEllipse(QRectF(rect))
        pen = painter.pen()
        pen.setStyle(Qt.PenStyle.SolidLine)
        pen.setColor(text if hover else mix(text, base, 0.25))
        pen.setWidthF(1.6)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        inner = QRectF(rect).adjusted(5.5, 5.5, -5.5, -5.5)
        painter.drawLine(inner.topLeft(), inner.bottomRight())
        painter.drawLine(inner.topRight(), inner.bottomLeft())

    def editorEvent(self, event: QEvent, model: QAbstractItemModel,
                    option: QStyleOptionViewItem, index: Index) -> bool:
        kind = event.type()
        if not isinstance(event, QMouseEvent):
            return super().editorEvent(event, model, option, index)
        on_close = close_rect(QRect(option.rect).adjusted(1, 1, -1, -1)).contains(
            event.position().toPoint())
        if kind == QEvent.Type.MouseMove:
            hover = index.row() if on_close else -1
            if hover != self._hover:
                self._hover = hover
                if option.widget is not None:
                    option.widget.update()
        elif on_close and kind == QEvent.Type.MouseButtonRelease \
                and event.button() == Qt.MouseButton.LeftButton:
            self._hover = -1
            self.remove_clicked.emit(index.row())
            return True
        elif on_close and kind in (QEvent.Type.MouseButtonPress,
                                   QEvent.Type.MouseButtonDblClick):
            return True  # the button's press selects nothing
        return super().editorEvent(event, model, option, index)

    def leave(self) -> None:
        """The pointer left the view: no button is hovered."""
        self._hover = -1


def cover(image: QImage, box: QSize) -> QRectF:
    """The part of ``image`` that fills ``box`` keeping its aspect (centred, cropped)."""
    w, h = image.width(), image.height()
    if w <= 0 or h <= 0 or box.isEmpty():
        return QRectF(0, 0, max(w, 1), max(h, 1))
    target = box.width() / box.height()
    if w / h > target:  # wider: crop the sides
        cw = h * target
        return QRectF((w - cw) / 2, 0, cw, h)
    ch = w / target
    return QRectF(0, (h - ch) / 2, w, ch)
