"""Geometry of one thread row: day separator, author header, bubble and its parts.

The same layout serves ``sizeHint`` (its height), ``paint`` and hit-testing (links, media box,
retry), so the three can never disagree. Coordinates are relative to the row's top-left.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QRect
from PySide6.QtGui import QFont, QFontMetrics, QTextDocument

from crisp_console.present.content import Body
from crisp_console.present.grouping import RowFlags
from crisp_console.ui.delegates.painting import scaled_font

H_MARGIN = 12  # between the view's edges and the bubbles
GROUP_GAP = 8  # above a group's first bubble
CONTINUATION_GAP = 2  # between bubbles of one group
BOTTOM_GAP = 2
PAD_H = 10  # inside a bubble
PAD_V = 6
PART_GAP = 4  # between a bubble's parts (label, media, text, footer)
RADIUS = 10
BUBBLE_FRACTION = 0.75  # of the row's width a bubble may take
MIN_BUBBLE = 220  # ... but at least this much when the row has room
MEDIA_WIDTH = 220  # image/animation placeholder box, 16:9
ICON_GAP = 8


@dataclass(frozen=True, slots=True)
class DocEntry:
    """A laid-out text document and its size (text width already set to ``width``)."""

    doc: QTextDocument
    width: int
    height: int


class Metrics:
    """The fonts and font metrics a row uses, derived from the view's font once."""

    __slots__ = ("body", "bold_small", "fm", "font", "key", "sfm", "small")

    def __init__(self, font: QFont) -> None:
        self.font = QFont(font)
        self.key = font.key()
        self.small = scaled_font(font, 0.85)
        self.bold_small = scaled_font(font, 0.85, bold=True)
        self.fm = QFontMetrics(font)
        self.sfm = QFontMetrics(self.small)

    @property
    def icon_side(self) -> int:
        return round(self.fm.height() * 1.8)


@dataclass(slots=True)
class BubbleLayout:
    """Where everything of one row goes. ``bubble`` is empty for event rows, which use
    ``event_line`` instead."""

    height: int
    day: QRect | None = None
    header: QRect | None = None
    event_line: QRect | None = None
    bubble: QRect | None = None
    note_label: QRect | None = None
    media: QRect | None = None
    icon: QRect | None = None
    text: QRect | None = None  # where the document is drawn (its top-left and size)
    footer: QRect | None = None
    retry: QRect | None = None  # the clickable "Failed — retry" part of the footer
    banner: QRect | None = None  # "Start of the conversation", above the first row


_PARTS = ("day", "header", "event_line", "bubble", "note_label", "media", "icon", "text",
          "footer", "retry")


def day_height(m: Metrics) -> int:
    return m.sfm.height() + 14


def banner_height(m: Metrics) -> int:
    return m.sfm.height() + 16


def with_banner(lay: BubbleLayout, width: int, m: Metrics) -> BubbleLayout:
    """``lay`` moved down to make room for the conversation-start banner above it."""
    dy = banner_height(m)
    for name in _PARTS:
        rect = getattr(lay, name)
        if rect is not None:
            setattr(lay, name, rect.translated(0, dy))
    lay.banner = QRect(0, 0, width, dy)
    lay.height += dy
    return lay


def max_text_width(width: int, m: Metrics, body: Body) -> int:
    """The width a bubble's document wraps at, for a row ``width`` wide."""
    inner_max = max(40, _max_bubble(width) - 2 * PAD_H)
    return max(20, inner_max - (_icon_width(m) if body.icon else 0))


def layout_event(width: int, flags: RowFlags, m: Metrics) -> BubbleLayout:
    y = 0
    day = None
    if flags.day_separator:
        day = QRect(0, 0, width, day_height(m))
        y += day.height()
    line = QRect(H_MARGIN, y + PART_GAP, max(0, width - 2 * H_MARGIN), m.sfm.height() + 8)
    return BubbleLayout(height=line.bottom() + 1 + PART_GAP, day=day, event_line=line)


def layout_bubble(width: int, flags: RowFlags, m: Metrics, *, operator: bool, note: bool,
                  body: Body, text: DocEntry | None, footer_width: int) -> BubbleLayout:
    """The row of a bubble ``width`` wide; ``text`` is the body's laid-out document (None
    when the body has no text) and ``footer_width`` what the footer line needs."""
    out = BubbleLayout(height=0)
    y = 0
    if flags.day_separator:
        out.day = QRect(0, 0, width, day_height(m))
        y += out.day.height()
    y += CONTINUATION_GAP if flags.continuation else GROUP_GAP
    inner_max = max(40, _max_bubble(width) - 2 * PAD_H)
    if not flags.continuation:
        out.header = QRect(H_MARGIN, y, max(0, width - 2 * H_MARGIN), m.sfm.height() + 2)
        y += out.header.height()

    icon_w = _icon_width(m) if body.icon else 0
    media_w = min(MEDIA_WIDTH, inner_max) if body.media is not None else 0
    note_w = m.sfm.horizontalAdvance("Note") + 2 if note else 0
    text_w = text.width if text is not None else 0
    content_w = min(inner_max, max(text_w + icon_w, media_w, note_w, footer_width, 24))

    parts_y = PAD_V  # inside the bubble from here on
    if note:
        out.note_label = QRect(PAD_H, parts_y, content_w, m.sfm.height())
        parts_y += out.note_label.height() + PART_GAP // 2
    if body.media is not None:
        out.media = QRect(PAD_H, parts_y, media_w, media_w * 9 // 16)
        parts_y += out.media.height() + PART_GAP
    text_h = text.height if text is not None else 0
    if body.icon:
        out.icon = QRect(PAD_H, parts_y + max(0, (text_h - m.icon_side) // 2),
                         m.icon_side, m.icon_side)
        text_h = max(text_h, m.icon_side)
    if text is not None:
        top = parts_y + (text_h - text.height) // 2
        out.text = QRect(PAD_H + icon_w, top, text.width, text.height)
    parts_y += text_h
    if text_h:
        parts_y += PART_GAP // 2
    out.footer = QRect(PAD_H, parts_y, content_w, m.sfm.height())
    parts_y += out.footer.height() + PAD_V

    bubble_w = content_w + 2 * PAD_H
    left = width - H_MARGIN - bubble_w if operator else H_MARGIN
    out.bubble = QRect(left, y, bubble_w, parts_y)
    for name in ("note_label", "media", "icon", "text", "footer"):
        rect = getattr(out, name)
        if rect is not None:
            setattr(out, name, rect.translated(left, y))
    out.height = out.bubble.bottom() + 1 + BOTTOM_GAP
    return out


def _max_bubble(width: int) -> int:
    room = max(0, width - 2 * H_MARGIN)
    return min(room, max(MIN_BUBBLE, math.floor(room * BUBBLE_FRACTION)))


def _icon_width(m: Metrics) -> int:
    return m.icon_side + ICON_GAP
