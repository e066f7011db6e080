"""A search result's row: the visitor's name, the website (when there are several), where the
result was found ("saved", "Crisp") and the date on the first line; under it, two lines of
the snippet with the matches highlighted.

Reads one role (``ITEM_ROLE``: a present/search_rows.py SearchRow). The snippet is visitor
text: it is laid out as plain text in a QTextLayout and the matches are formats over ranges
of it (background and weight), so no character of it is ever read as markup. Rows have one
height (from the font alone), so the view can use uniform item sizes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import tzinfo

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QRect, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPalette,
    QTextCharFormat,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from crisp_console.present.plain import one_line
from crisp_console.present.search_rows import CRISP, SearchRow
from crisp_console.present.search_snippets import Range
from crisp_console.present.timefmt import Clock, relative_time, system_clock
from crisp_console.ui.delegates import painting as pt
from crisp_console.ui.delegates.row_fonts import RowFonts
from crisp_console.ui.models.roles import ITEM_ROLE

Role = QPalette.ColorRole
Index = QModelIndex | QPersistentModelIndex
Labels = Mapping[str, str] | Callable[[str], str | None]

PAD = 8
LINE_GAP = 3
SNIPPET_LINES = 2
MIN_HINT_WIDTH = 160
SITE_MIN = 72  # pixels the website's name keeps beside a long visitor name…
SITE_FLOOR = 32  # …and below which an elided name is left out
HIT_COLOUR = QColor("#ffc929")  # amber, mixed into the base colour: light and dark alike
ELLIPSIS = "…"
UNBOUNDED = 1_000_000  # the width of an elided last line: it never wraps again


class SearchHitDelegate(QStyledItemDelegate):
    """Paints SearchRows. ``website_labels``: website id -> name; a mapping shows the name
    only when it holds more than one website. ``clock`` and ``tz`` drive the dates."""

    def __init__(self, parent: QWidget | None = None, *, clock: Clock = system_clock,
                 tz: tzinfo | None = None, website_labels: Labels | None = None) -> None:
        super().__init__(parent)
        self.clock, self.tz = clock, tz
        self._websites = website_labels
        self._fonts: RowFonts | None = None

    def set_website_labels(self, labels: Labels | None) -> None:
        self._websites = labels

    def website(self, website_id: str, *, always: bool = False) -> str:
        """The website's name for a row; "" when the console has only one (unless
        ``always``)."""
        labels = self._websites
        if labels is None or (isinstance(labels, Mapping) and len(labels) < 2 and not always):
            return ""
        value = labels.get(website_id) if isinstance(labels, Mapping) else labels(website_id)
        return one_line(value, 40) if isinstance(value, str) else ""

    def when(self, row: SearchRow) -> str:
        return relative_time(row.timestamp, self.clock(), self.tz)

    def row_height(self, font: QFont) -> int:
        line = QFontMetrics(font).height()
        return 2 * PAD + (1 + SNIPPET_LINES) * line + LINE_GAP

    def _fonts_for(self, font: QFont) -> RowFonts:
        if self._fonts is None or self._fonts.font != font:
            self._fonts = RowFonts(font)
        return self._fonts

    # ---- painting ----------------------------------------------------------------------------

    def _paint_row(self, painter: QPainter, option: QStyleOptionViewItem, row: SearchRow) -> None:
        rect: QRect = option.rect
        pal: QPalette = option.palette
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(rect, pal.color(Role.Highlight))
        elif option.state & QStyle.StateFlag.State_MouseOver:
            painter.fillRect(rect, pt.mix(pal.color(Role.Base), pal.color(Role.Highlight), 0.1))
        text = pal.color(Role.HighlightedText if selected else Role.Text)
        base = pal.color(Role.Highlight if selected else Role.Base)
        muted = pt.mix(text, base, 0.4)
        f = self._fonts_for(option.font)
        line = f.fm.height()
        left, right = rect.left() + PAD, rect.right() - PAD
        top = rect.top() + PAD
        self._paint_head(painter, QRect(left, top, right - left + 1, line), row, f, pal,
                         selected, text, muted)
        body = QRect(left, top + line + LINE_GAP, right - left + 1, SNIPPET_LINES * line)
        self._paint_snippet(painter, body, row, option, pal, selected, text, muted)
        painter.setPen(pt.mix(pal.color(Role.Base), pal.color(Role.Text), 0.12))
        painter.drawLine(rect.left() + PAD, rect.bottom(), rect.right() - PAD, rect.bottom())

    def _paint_head(self, painter: QPainter, line: QRect, row: SearchRow, f: RowFonts,
                    pal: QPalette, selected: bool, text: QColor, muted: QColor) -> None:
        right = line.right()
        when = self.when(row)
        if when:
            width = f.small_fm.horizontalAdvance(when)
            painter.setFont(f.small)
            painter.setPen(muted)
            painter.drawText(QRect(right - width + 1, line.top(), width, line.height()),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, when)
            right -= width + PAD
        height = f.small_fm.height() + 1
        for source in reversed(row.sources):
            width = f.small_fm.horizontalAdvance(source) + 10
            pill = QRect(right - width + 1, line.center().y() - height // 2 + 1, width, height)
            accent = pal.color(Role.Link) if source == CRISP else pal.color(Role.Text)
            if selected:
                fill = pt.mix(pal.color(Role.Highlight), pal.color(Role.HighlightedText), 0.25)
                ink = text
            else:
                fill = pt.mix(pal.color(Role.Base), accent, 0.14)
                ink = pt.mix(accent, pal.color(Role.Base), 0.15)
            pt.draw_pill(painter, pill, fill, source, ink, f.small)
            right -= width + PAD // 2
        if row.sources:
            right -= PAD // 2
        # The name first; the website gets what is left (at least a little, else nothing).
        avail = max(0, right - line.left())
        site = self.website(row.website_id)
        name_width = avail
        if site:
            wanted = f.small_fm.horizontalAdvance(site)
            spare = avail - f.bold_fm.horizontalAdvance(row.name) - PAD
            width = min(wanted, max(spare, min(SITE_MIN, avail // 4)))
            if width >= min(wanted, SITE_FLOOR):
                shown = f.small_fm.elidedText(site, Qt.TextElideMode.ElideRight, width)
                painter.setFont(f.small)
                painter.setPen(muted)
                painter.drawText(QRect(right - width + 1, line.top(), width, line.height()),
                                 Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                                 shown)
                name_width = max(0, avail - width - PAD)
        painter.setFont(f.bold)
        painter.setPen(text)
        name = f.bold_fm.elidedText(row.name, Qt.TextElideMode.ElideRight, name_width)
        painter.drawText(QRect(line.left(), line.top(), name_width, line.height()),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name)

    def _paint_snippet(self, painter: QPainter, box: QRect, row: SearchRow,
                       option: QStyleOptionViewItem, pal: QPalette, selected: bool,
                       text: QColor, muted: QColor) -> None:
        prefix = f"{row.label}: " if row.label else ""
        shown = prefix + row.text
        hits = [(a + len(prefix), b + len(prefix)) for a, b in row.hits]
        if selected:
            hit_fill = pt.mix(pal.color(Role.Highlight), pal.color(Role.HighlightedText), 0.3)
        else:
            hit_fill = pt.mix(pal.color(Role.Base), HIT_COLOUR, 0.55)
        layout = snippet_layout(shown, hits, len(prefix), option.font, box.width(),
                                option.direction, ink=text, muted=muted, hit_fill=hit_fill)
        painter.setPen(text)
        layout.draw(painter, QPointF(box.left(), box.top()))

    # ---- Qt overrides ------------------------------------------------------------------------

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        row = index.data(ITEM_ROLE)
        if not isinstance(row, SearchRow):
            return
        painter.save()
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            painter.setClipRect(option.rect)
            self._paint_row(painter, option, row)
        finally:
            painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        return QSize(MIN_HINT_WIDTH, self.row_height(option.font))


def snippet_layout(text: str, hits: list[Range], prefix: int, font: QFont, width: int,
                   direction: Qt.LayoutDirection, *, ink: QColor, muted: QColor,
                   hit_fill: QColor, lines: int = SNIPPET_LINES) -> QTextLayout:
    """``text`` laid out as plain text in at most ``lines`` lines of ``width``, the last one
    ending "…" when it does not fit; the first ``prefix`` characters muted, ``hits`` bold
    on ``hit_fill``. The layout holds no markup: formats over ranges only."""
    layout = _lay_out(text, hits, prefix, font, width, direction, ink, muted, hit_fill, lines)
    last = layout.lineAt(layout.lineCount() - 1) if layout.lineCount() else None
    if last is None or last.textStart() + last.textLength() >= len(text):
        return layout
    # The last line, elided as if all bold (the widest it can be) and laid out unwrapped.
    bold = QFont(font)
    bold.setBold(True)
    start = last.textStart()
    tail = QFontMetrics(bold).elidedText(text[start:], Qt.TextElideMode.ElideRight, width)
    short = text[:start] + tail
    end = len(short) - (1 if tail.endswith(ELLIPSIS) else 0)
    kept = [(a, min(b, end)) for a, b in hits if a < end]
    return _lay_out(short, kept, min(prefix, end), font, width, direction, ink, muted,
                    hit_fill, lines, last_unbounded=True)


def _lay_out(text: str, hits: list[Range], prefix: int, font: QFont, width: int,
             direction: Qt.LayoutDirection, colour: QColor, muted: QColor, hit_fill: QColor,
             lines: int, *, last_unbounded: bool = False) -> QTextLayout:
    layout = QTextLayout(text, font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    option.setTextDirection(direction)
    layout.setTextOption(option)
    formats: list[QTextLayout.FormatRange] = []
    if prefix:
        formats.append(_format(0, prefix, foreground=muted))
    for a, b in hits:
        formats.append(_format(a, b - a, foreground=colour, background=hit_fill, bold=True))
    layout.setFormats(formats)
    layout.beginLayout()
    y = 0.0
    for n in range(lines):
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(UNBOUNDED if last_unbounded and n == lines - 1 else max(1, width))
        line.setPosition(QPointF(0, y))
        y += line.height()
    layout.endLayout()
    return layout


def _format(start: int, length: int, *, foreground: QColor,
            background: QColor | None = None, bold: bool = False) -> QTextLayout.FormatRange:
    fmt = QTextCharFormat()
    fmt.setForeground(foreground)
    if background is not None:
        fmt.setBackground(background)
    if bold:
        fmt.setFontWeight(QFont.Weight.Bold)
    r = QTextLayout.FormatRange()
    r.start, r.length, r.format = start, length, fmt
    return r
