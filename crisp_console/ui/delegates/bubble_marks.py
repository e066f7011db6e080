"""Highlights of the thread's rows (the timeline's MARK role, a ``present.find_text.Mark``):

- a find's matches: every occurrence of the query in the bubble's text gets a marker
  background, yellow for a match, orange for the current match, whose bubble (or event
  line) is also outlined;
- a revealed message's flash: the row is tinted with the highlight colour and its bubble
  outlined, until whoever revealed it clears the mark.

Nothing here changes a row's size: highlights never touch the cached heights.
"""

from __future__ import annotations

from typing import NamedTuple

from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QPainter,
    QPalette,
    QPen,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)

from crisp_console.present.find_text import Mark, find_ranges, utf16_ranges
from crisp_console.ui.delegates import painting as pt
from crisp_console.ui.models.base import Index
from crisp_console.ui.models.roles import MessageRole

Selection = QAbstractTextDocumentLayout.Selection
_MARK = int(MessageRole.MARK)
OUTLINE = 2  # px, the current match's and the flash's outline


class MarkColours(NamedTuple):
    found: QColor
    current: QColor
    flash: QColor
    outline: QColor


def mark_colours(pal: QPalette) -> MarkColours:
    """Marker colours readable under the palette's text, light or dark."""
    dark = pt.is_dark(pal)
    high = pal.color(QPalette.ColorRole.Highlight)
    flash = QColor(high)
    flash.setAlphaF(0.22 if dark else 0.16)
    return MarkColours(found=QColor("#7a6100" if dark else "#ffe066"),
                       current=QColor("#b5520f" if dark else "#ff9a3d"),
                       flash=flash, outline=QColor(high))


def mark_of(index: Index) -> Mark | None:
    mark = index.data(_MARK) if index.isValid() else None
    return mark if isinstance(mark, Mark) else None


def selections(doc: QTextDocument, mark: Mark | None, c: MarkColours) -> list[Selection]:
    """The marker backgrounds of the query's occurrences in ``doc`` (none without a find)."""
    if mark is None or not mark.found or not mark.query:
        return []
    text = doc.toPlainText()
    fmt = QTextCharFormat()
    fmt.setBackground(c.current if mark.current else c.found)
    out = []
    for start, end in utf16_ranges(text, find_ranges(text, mark.query)):
        cursor = QTextCursor(doc)
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        selection = Selection()
        selection.cursor = cursor
        selection.format = fmt
        out.append(selection)
    return out


def paint_flash(painter: QPainter, rect: QRect, mark: Mark | None, c: MarkColours) -> None:
    """The revealed row's tint (``rect``: the whole row)."""
    if mark is not None and mark.flash:
        painter.fillRect(rect, c.flash)


def paint_outline(painter: QPainter, rect: QRect | None, mark: Mark | None, c: MarkColours,
                  radius: float) -> None:
    """The outline of the current match's or the revealed message's bubble (or line)."""
    if rect is None or mark is None or not (mark.current or mark.flash):
        return
    painter.save()
    colour = c.current if mark.current and not mark.flash else c.outline
    painter.setPen(QPen(colour, OUTLINE))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    half = OUTLINE / 2
    painter.drawRoundedRect(QRectF(rect).adjusted(half, half, -half, -half), radius, radius)
    painter.restore()
