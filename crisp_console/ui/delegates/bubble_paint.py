"""Painting of a thread row's parts (the delegate decides what goes where: bubble_layout).

Colours all come from the palette (``colours_of``), with two fixed hues (note yellow, error
red) blended into it, so light and dark palettes both work.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from PySide6.QtCore import QPoint, QRect, QRectF, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QFontMetrics,
    QImage,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
)

from crisp_console.core import Message, MessageStatus
from crisp_console.present.content import Part
from crisp_console.present.plain import one_line
from crisp_console.ui.delegates import bubble_layout as bl
from crisp_console.ui.delegates import painting as pt

Role = QPalette.ColorRole
NOTE_HUE = QColor("#f2b705")
ERROR = QColor("#d64545")
FOOTER_GAP = 5


class Colours(NamedTuple):
    text: QColor
    muted: QColor
    link: QColor
    operator: QColor
    visitor: QColor
    note: QColor
    note_accent: QColor
    rule: QColor
    media: QColor
    selection: QColor


def colours_of(pal: QPalette) -> Colours:
    """Every colour a row uses, from the palette (so light and dark both work)."""
    base, text, high = pal.color(Role.Base), pal.color(Role.Text), pal.color(Role.Highlight)
    dark = pt.is_dark(pal)
    visitor = pt.mix(base, text, 0.10 if dark else 0.06)
    selection = QColor(high)
    selection.setAlphaF(0.18)
    return Colours(
        text=text,
        muted=pt.mix(text, base, 0.45),
        link=pal.color(Role.Link),
        operator=pt.mix(base, high, 0.32 if dark else 0.16),
        visitor=visitor,
        note=pt.mix(base, NOTE_HUE, 0.20 if dark else 0.26),
        note_accent=pt.mix(NOTE_HUE, text, 0.15 if dark else 0.45),
        rule=pt.mix(base, text, 0.18),
        media=pt.mix(visitor, text, 0.06),
        selection=selection,
    )


def fit_parts(parts: list[Part], width: int, m: bl.Metrics) -> list[Part]:
    """``parts`` within ``width``: the first error or status text (why a send failed, what a
    queued one waits for) elided to fit."""
    over = parts_width(parts, m) - width
    if over <= 0:
        return parts
    for i, (kind, text) in enumerate(parts):
        if kind in ("error", "status") and text:
            room = max(0, m.sfm.horizontalAdvance(text) - over)
            short = m.sfm.elidedText(text, Qt.TextElideMode.ElideRight, room)
            return [*parts[:i], (kind, short), *parts[i + 1:]]
    return parts


def failure_width(parts: list[Part], m: bl.Metrics) -> int:
    """The width of the failed send's parts (the alert icon onwards): the retry target."""
    kinds = [kind for kind, _ in parts]
    return parts_width(parts[kinds.index("alert"):], m) if "alert" in kinds else 0


def parts_width(parts: list[Part], m: bl.Metrics) -> int:
    side = m.sfm.height()
    widths = [m.sfm.horizontalAdvance(text) if text else _icon_width(kind, side)
              for kind, text in parts]
    return sum(widths) + FOOTER_GAP * max(0, len(widths) - 1)


def paint_header(painter: QPainter, rect: QRect, msg: Message, m: bl.Metrics,
                 c: Colours) -> None:
    name = msg.nickname or ("Operator" if msg.from_ == "operator" else "Visitor")
    if msg.automated:
        name += " · automated"
    painter.setFont(m.bold_small)
    painter.setPen(c.muted)
    align = (Qt.AlignmentFlag.AlignRight if msg.from_ == "operator"
             else Qt.AlignmentFlag.AlignLeft) | Qt.AlignmentFlag.AlignVCenter
    painter.drawText(rect, align, m.sfm.elidedText(one_line(name, 200),
                                                   Qt.TextElideMode.ElideRight, rect.width()))


def paint_frame(painter: QPainter, rect: QRect, msg: Message, c: Colours) -> None:
    """The bubble itself: note, operator or visitor fill; a red outline when sending failed,
    a dashed one while it is queued."""
    note = msg.type == "note"
    fill = c.note if note else c.operator if msg.from_ == "operator" else c.visitor
    if msg.status is MessageStatus.FAILED:
        painter.setPen(ERROR)
    elif msg.status is MessageStatus.QUEUED:  # waiting: a dashed outline (and the footer's words)
        painter.setPen(QPen(c.muted, 1, Qt.PenStyle.DashLine))
    elif note:
        painter.setPen(pt.mix(fill, NOTE_HUE, 0.6))
    else:
        painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(fill)
    painter.drawRoundedRect(QRectF(rect).adjusted(0.5, 0.5, -0.5, -0.5), bl.RADIUS, bl.RADIUS)


def paint_note_label(painter: QPainter, rect: QRect, m: bl.Metrics, c: Colours) -> None:
    painter.setFont(m.bold_small)
    painter.setPen(c.note_accent)
    painter.drawText(rect, Qt.AlignmentFlag.AlignLeft, "Note")


def paint_day(painter: QPainter, rect: QRect, label: str, m: bl.Metrics, c: Colours) -> None:
    """A centred day label between two rules."""
    width = m.sfm.horizontalAdvance(label) + 16
    mid = rect.center().y()
    painter.setPen(c.rule)
    left_end = rect.center().x() - width // 2
    painter.drawLine(rect.left() + bl.H_MARGIN, mid, left_end, mid)
    painter.drawLine(left_end + width, mid, rect.right() - bl.H_MARGIN, mid)
    painter.setFont(m.bold_small)
    painter.setPen(c.muted)
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, label)


def paint_event(painter: QPainter, rect: QRect, text: str, m: bl.Metrics, c: Colours) -> None:
    """A centred system line in a pill (plain text: drawText interprets no markup)."""
    italic = pt.scaled_font(m.small, 1.0, italic=True)
    fm = QFontMetrics(italic)
    shown = fm.elidedText(one_line(text), Qt.TextElideMode.ElideRight, max(0, rect.width() - 24))
    width = min(rect.width(), fm.horizontalAdvance(shown) + 20)
    pill = QRect(rect.center().x() - width // 2, rect.top(), width, rect.height())
    pt.draw_pill(painter, pill, c.media, shown, c.muted, italic)


def paint_media(painter: QPainter, rect: QRect, name: str, kind: str, m: bl.Metrics,
                c: Colours, image: QImage | None = None, hint: str = "",
                actionable: bool = False) -> None:
    """An image or animation box: the decoded ``image`` fitted into it (the box never changes
    size, so row heights stay cached), or else the placeholder: a picture icon, the file's
    name and a ``hint`` line saying what the loader is doing, in the link colour when it says
    what a click would do (``actionable``)."""
    box = QRectF(rect).adjusted(0.5, 0.5, -0.5, -0.5)
    painter.setPen(c.rule)
    painter.setBrush(c.media)
    painter.drawRoundedRect(box, 6, 6)
    if image is not None and not image.isNull():
        _paint_image(painter, rect, image, kind, m, c)
        return
    lines = [f"{name} · {'animation' if kind == 'animation' else 'image'}"]
    if hint:
        lines.append(hint)
    caption_h = m.sfm.height() * len(lines) + 6
    side = min(rect.width(), rect.height() - caption_h) * 0.6
    icon = QRect(0, 0, int(side), int(side))
    icon.moveCenter(QRect(rect.left(), rect.top(), rect.width(),
                          rect.height() - caption_h).center())
    pt.draw_image_icon(painter, icon, c.muted)
    painter.setFont(m.small)
    top = rect.bottom() - caption_h
    for i, line in enumerate(lines):
        caption = QRect(rect.left() + 6, top + i * m.sfm.height(), rect.width() - 12,
                        m.sfm.height() + 6 if i == len(lines) - 1 else m.sfm.height())
        painter.setPen(c.link if i and actionable else c.muted)
        painter.drawText(caption, Qt.AlignmentFlag.AlignCenter, m.sfm.elidedText(
            one_line(line), Qt.TextElideMode.ElideMiddle, caption.width()))


def _paint_image(painter: QPainter, rect: QRect, image: QImage, kind: str, m: bl.Metrics,
                 c: Colours) -> None:
    """``image`` scaled to fit ``rect`` (aspect kept, centred, rounded corners); an animation
    shows its first frame with a "GIF" badge (the full animation opens in the browser)."""
    size = image.size().scaled(rect.size(), Qt.AspectRatioMode.KeepAspectRatio)
    target = QRect(0, 0, max(1, size.width()), max(1, size.height()))
    target.moveCenter(rect.center())
    painter.save()
    clip = QPainterPath()
    clip.addRoundedRect(QRectF(rect), 6, 6)
    painter.setClipPath(clip, Qt.ClipOperation.IntersectClip)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
    painter.drawImage(target, image)
    painter.restore()
    if kind == "animation":
        label = "GIF"
        badge = QRect(0, 0, m.sfm.horizontalAdvance(label) + 10, m.sfm.height() + 2)
        badge.moveBottomLeft(target.bottomLeft() + QPoint(6, -6))
        fill = QColor(0, 0, 0, 150)
        pt.draw_pill(painter, badge, fill, label, QColor("white"), m.bold_small)


def paint_icon(painter: QPainter, rect: QRect, kind: str | None, c: Colours) -> None:
    if kind == "audio":
        pt.draw_play_icon(painter, rect, c.link)
    else:
        pt.draw_file_icon(painter, rect, c.muted)


def paint_document(painter: QPainter, entry: bl.DocEntry, rect: QRect, pal: QPalette,
                   c: Colours,
                   selections: Sequence[QAbstractTextDocumentLayout.Selection] = ()) -> None:
    """The bubble's text; ``selections``: marker backgrounds (a find's matches)."""
    painter.save()
    painter.translate(rect.topLeft())
    context = QAbstractTextDocumentLayout.PaintContext()
    palette = QPalette(pal)
    palette.setColor(Role.Text, c.text)
    context.palette = palette
    context.clip = QRectF(0, 0, rect.width(), rect.height())
    if selections:
        context.selections = list(selections)
    entry.doc.documentLayout().draw(painter, context)
    painter.restore()


def paint_footer(painter: QPainter, rect: QRect, parts: list[Part], m: bl.Metrics,
                 c: Colours) -> None:
    """The footer's parts, right-aligned in ``rect``."""
    x = rect.right() + 1 - parts_width(parts, m)
    side = m.sfm.height()
    painter.setFont(m.small)
    for kind, text in parts:
        if text:
            width = m.sfm.horizontalAdvance(text)
            painter.setPen(ERROR if kind == "error" else c.muted)
            painter.drawText(QRect(x, rect.top(), width, rect.height()),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)
        else:
            width = _icon_width(kind, side)
            box = QRect(x, rect.top(), width, rect.height())
            if kind == "clock":
                pt.draw_clock(painter, box, c.muted)
            elif kind == "queued":
                pt.draw_hourglass(painter, box, c.muted)
            elif kind == "alert":
                pt.draw_alert(painter, box, ERROR)
            else:
                pt.draw_ticks(painter, box, 1 if kind == "ticks1" else 2,
                              c.link if kind == "read" else c.muted)
        x += width + FOOTER_GAP


def _icon_width(kind: str, side: int) -> int:
    return round(side * 1.4) if kind in ("ticks2", "read") else side
