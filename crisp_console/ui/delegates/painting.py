"""Small painting helpers shared by the delegates: colours derived from the palette, avatar
initials, pills, and vector icons (ticks, clock, hourglass, file, audio, image, typing dots).

Icons are drawn as paths rather than glyphs, so they look the same whatever fonts the system
has (the offscreen test platform has DejaVu only, without emoji).
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPalette, QPen

from crisp_console.present.avatars import avatar_rgb

Role = QPalette.ColorRole


def mix(a: QColor, b: QColor, t: float) -> QColor:
    """``a`` moved ``t`` (0..1) of the way towards ``b``."""
    return QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * t,
        a.greenF() + (b.greenF() - a.greenF()) * t,
        a.blueF() + (b.blueF() - a.blueF()) * t,
        a.alphaF() + (b.alphaF() - a.alphaF()) * t,
    )


def is_dark(palette: QPalette) -> bool:
    return palette.color(Role.Base).lightnessF() < 0.5


def scaled_font(font: QFont, factor: float, *, bold: bool = False,
                italic: bool = False) -> QFont:
    """A copy of ``font`` ``factor`` times as big (point or pixel sized alike)."""
    out = QFont(font)
    if font.pointSizeF() > 0:
        out.setPointSizeF(max(1.0, font.pointSizeF() * factor))
    elif font.pixelSize() > 0:
        out.setPixelSize(max(1, round(font.pixelSize() * factor)))
    out.setBold(bold)
    out.setItalic(italic)
    return out


def initials(name: str, fallback: str = "?") -> str:
    """Up to two letters: the first of the first and last words ("Grace Hopper" -> "GH").

    Only letters and digits count, so emoji, punctuation and invisible characters are
    skipped; scripts without case keep their letter.
    """
    words = []
    for word in name.split()[:8]:
        first = next((ch for ch in word if ch.isalnum()), "")
        if first:
            words.append(first)
    if not words:
        return fallback
    picked = words[0] + (words[-1] if len(words) > 1 else "")
    return picked.upper()


def avatar_colour(key: str) -> QColor:
    """``key``'s avatar colour (present/avatars.py: one colour per person everywhere)."""
    return QColor(*avatar_rgb(key))


def draw_avatar(painter: QPainter, rect: QRect, key: str, name: str, font: QFont) -> None:
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(avatar_colour(key))
    painter.drawEllipse(rect)
    painter.setPen(QColor("white"))
    painter.setFont(font)
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, initials(name))


def draw_pill(painter: QPainter, rect: QRect, fill: QColor, text: str, colour: QColor,
              font: QFont) -> None:
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(fill)
    radius = rect.height() / 2
    painter.drawRoundedRect(QRectF(rect), radius, radius)
    painter.setPen(colour)
    painter.setFont(font)
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)


def _pen(colour: QColor, width: float) -> QPen:
    pen = QPen(colour, width)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen


def draw_ticks(painter: QPainter, rect: QRect, count: int, colour: QColor) -> None:
    """One tick (sent) or two (delivered/read), fitted in ``rect``."""
    h = rect.height() * 0.6
    painter.setPen(_pen(colour, max(1.3, h / 5)))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    y = rect.center().y() + h * 0.35
    for i in range(count):
        x = rect.left() + 1 + i * h * 0.5
        path = QPainterPath(QPointF(x, y - h * 0.4))
        path.lineTo(x + h * 0.35, y)
        path.lineTo(x + h * 0.95, y - h * 0.8)
        painter.drawPath(path)


def draw_clock(painter: QPainter, rect: QRect, colour: QColor) -> None:
    """A small clock face: the pending (sending) state."""
    side = min(rect.width(), rect.height()) * 0.7
    centre = QPointF(rect.center())
    painter.setPen(_pen(colour, max(1.0, side / 9)))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawEllipse(centre, side / 2, side / 2)
    painter.drawLine(centre, centre + QPointF(0, -side * 0.3))
    painter.drawLine(centre, centre + QPointF(side * 0.22, 0))


def draw_hourglass(painter: QPainter, rect: QRect, colour: QColor) -> None:
    """An hourglass: the queued state (waits for the connection), unlike the clock of a
    send in progress."""
    side = min(rect.width(), rect.height()) * 0.72
    box = QRectF(0, 0, side * 0.72, side)
    box.moveCenter(QPointF(rect.center()))
    pen = _pen(colour, max(1.0, side / 9))
    painter.setPen(pen)
    painter.drawLine(box.topLeft(), box.topRight())
    painter.drawLine(box.bottomLeft(), box.bottomRight())
    glass = QPainterPath(box.topLeft())
    glass.lineTo(box.bottomRight())
    glass.lineTo(box.bottomLeft())
    glass.lineTo(box.topRight())
    glass.closeSubpath()
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(glass)
    sand = QPainterPath(QPointF(box.center().x(), box.center().y() + side * 0.12))
    sand.lineTo(box.left() + box.width() * 0.2, box.bottom())
    sand.lineTo(box.right() - box.width() * 0.2, box.bottom())
    sand.closeSubpath()
    painter.setBrush(colour)
    painter.drawPath(sand)


def draw_alert(painter: QPainter, rect: QRect, colour: QColor) -> None:
    """A filled circle with "!": the failed state."""
    side = min(rect.width(), rect.height()) * 0.75
    circle = QRectF(0, 0, side, side)
    circle.moveCenter(QPointF(rect.center()))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawEllipse(circle)
    painter.setPen(_pen(QColor("white"), max(1.2, side / 7)))
    c = circle.center()
    painter.drawLine(c + QPointF(0, -side * 0.25), c + QPointF(0, side * 0.05))
    painter.drawPoint(c + QPointF(0, side * 0.25))


def draw_typing_dots(painter: QPainter, rect: QRect, colour: QColor) -> int:
    """Three dots left-aligned in ``rect``; returns the width they took."""
    r = max(1.5, rect.height() / 9)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    y = rect.center().y() + 0.5
    for i in range(3):
        painter.drawEllipse(QPointF(rect.left() + r + i * r * 3, y), r, r)
    return round(r * 8)


def draw_file_icon(painter: QPainter, rect: QRect, colour: QColor) -> None:
    """A page with a folded corner."""
    w, h = rect.width() * 0.7, rect.height() * 0.85
    x, y = rect.center().x() - w / 2, rect.center().y() - h / 2
    fold = w * 0.35
    path = QPainterPath(QPointF(x, y))
    path.lineTo(x + w - fold, y)
    path.lineTo(x + w, y + fold)
    path.lineTo(x + w, y + h)
    path.lineTo(x, y + h)
    path.closeSubpath()
    path.moveTo(x + w - fold, y)
    path.lineTo(x + w - fold, y + fold)
    path.lineTo(x + w, y + fold)
    painter.setPen(_pen(colour, max(1.2, w / 12)))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(path)


def draw_play_icon(painter: QPainter, rect: QRect, colour: QColor) -> None:
    """A play triangle in a circle: an audio message."""
    side = min(rect.width(), rect.height()) * 0.9
    circle = QRectF(0, 0, side, side)
    circle.moveCenter(QPointF(rect.center()))
    painter.setPen(_pen(colour, max(1.2, side / 14)))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawEllipse(circle)
    c = circle.center()
    s = side * 0.22
    triangle = QPainterPath(c + QPointF(-s * 0.7, -s))
    triangle.lineTo(c + QPointF(s * 1.1, 0))
    triangle.lineTo(c + QPointF(-s * 0.7, s))
    triangle.closeSubpath()
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawPath(triangle)


def draw_image_icon(painter: QPainter, rect: QRect, colour: QColor) -> None:
    """A framed mountain and sun: the image/animation placeholder's picture."""
    w, h = rect.width(), rect.height()
    frame = QRectF(rect.left() + w * 0.1, rect.top() + h * 0.2, w * 0.8, h * 0.6)
    painter.setPen(_pen(colour, max(1.2, w / 16)))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRoundedRect(frame, 2, 2)
    hills = QPainterPath(QPointF(frame.left(), frame.bottom()))
    hills.lineTo(frame.left() + frame.width() * 0.35, frame.top() + frame.height() * 0.45)
    hills.lineTo(frame.left() + frame.width() * 0.6, frame.top() + frame.height() * 0.75)
    hills.lineTo(frame.left() + frame.width() * 0.75, frame.top() + frame.height() * 0.55)
    hills.lineTo(frame.right(), frame.bottom())
    painter.drawPath(hills)
    painter.setBrush(colour)
    painter.drawEllipse(QPointF(frame.left() + frame.width() * 0.75,
                                frame.top() + frame.height() * 0.28), w * 0.05, w * 0.05)
