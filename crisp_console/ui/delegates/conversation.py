"""The conversation list's row: avatar initials, name, website badge, excerpt, relative time,
unread badge, typing indicator, state strip and assignee.

Reads one role (``ITEM_ROLE``: a ``core.Conversation``) and paints everything itself. Rows have
one height (from the font alone), so the view can use ``setUniformItemSizes(True)``. Avatars
are initials on a colour derived from the id: avatar URLs are not fetched here.

A row's paint (elided texts, pills, avatars: 1-2 ms of Python and Qt per row) is kept as a
pixmap per conversation (``RowShots``), keyed by everything it depends on: the fields painted,
the time label, badge, assignee and draft mark, the rect's size, the fonts, the palette, the
selected/hover state and the device pixel ratio. An unchanged row repaints as one blit
(a live feed moves rows, and every move repaints the rows between); any change of what it
shows, a resize, a font or theme change, misses and paints afresh. The pixmap starts from
the palette's Base, as the view's viewport does, so a blit is the very pixels of a paint.

A visitor typing changes only a row's last line of text, many times a second. A row whose
text alone changed since its last paint keeps a second pixmap (``_bases``): the row without
that text, over which the new text is drawn (the text is the paint's last step and overlaps
nothing else, so the pixels are a paint's).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import tzinfo
from typing import Any, NamedTuple

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from crisp_console.core import Conversation
from crisp_console.present.avatars import visitor_key
from crisp_console.present.plain import one_line
from crisp_console.present.previews import last_preview
from crisp_console.present.timefmt import Clock, relative_time, system_clock
from crisp_console.ui.delegates import painting as pt
from crisp_console.ui.delegates.cache import Lru
from crisp_console.ui.delegates.row_fonts import RowFonts
from crisp_console.ui.models.roles import ITEM_ROLE

Role = QPalette.ColorRole
Index = QModelIndex | QPersistentModelIndex
# website_id -> short label, or operator user_id -> name.
Labels = Mapping[str, str] | Callable[[str], str | None]

PAD = 8
STRIP = 3
LINE_GAP = 4
MIN_HINT_WIDTH = 160  # QListView stretches list-mode rows to the viewport anyway
MAX_UNREAD = 99
EXCERPT_CHARS = 300  # of the last message, before eliding to the row's width
# Rows kept painted: a tall window shows ~40; the rest covers scrolling back and forth.
# At 400x52 px that is ~8 MB (x4 at a DPR of 2).
SHOTS = 100
BASES = 24  # rows kept without their text: the ones being typed in, a few at a time

STATE_COLOURS = {
    "pending": QColor("#e8a33d"),  # amber: no operator reply yet
    "unresolved": QColor("#3d8be8"),
    "resolved": QColor("#8c96a0"),
}
DRAFT_COLOUR = QColor("#d2473c")  # red, as chat apps mark an unsent draft


class Ink(NamedTuple):
    """A row's colours for its state (selected rows paint on the highlight)."""

    text: QColor
    muted: QColor
    accent: QColor
    selected: bool
    palette: QPalette


class Base(NamedTuple):
    """A row painted without its last line's text (``_paint_row(with_text=False)``), where that
    text goes and in which colours."""

    key: tuple[Any, ...]
    shot: QPixmap
    area: QRect
    ink: Ink


def _lookup(labels: Labels | None, key: str) -> str:
    if labels is None or not key:
        return ""
    value = labels.get(key) if isinstance(labels, Mapping) else labels(key)
    return value if isinstance(value, str) else ""


class ConversationDelegate(QStyledItemDelegate):
    """Paints conversation rows.

    ``website_labels`` maps a website_id to a short badge label; a mapping shows badges only
    when it holds more than one website, a callable whenever it returns a non-empty label.
    ``operator_names`` maps an assignee's user_id to a name for its initials. ``clock`` (epoch
    ms) and ``tz`` drive the relative times, so tests can fix them.
    """

    def __init__(self, parent: QWidget | None = None, *, clock: Clock = system_clock,
                 tz: tzinfo | None = None, website_labels: Labels | None = None,
                 operator_names: Labels | None = None) -> None:
        super().__init__(parent)
        self.clock = clock
        self.tz = tz
        self._websites = website_labels
        self._operators = operator_names
        self._drafts: frozenset[str] = frozenset()
        self._height_for: tuple[QFont, int] | None = None
        self._fonts: RowFonts | None = None
        # session_id -> (what the row's paint depended on, the painted row)
        self._shots: Lru[str, tuple[tuple[Any, ...], QPixmap]] = Lru(SHOTS)
        self._bases: Lru[str, Base] = Lru(BASES)
        self.cache_rows = True  # False: every paint paints (tests compare the two)
        self.row_hits = 0
        self.row_misses = 0
        self.text_repaints = 0  # misses drawn over a kept row without its text

    def set_website_labels(self, labels: Labels | None) -> None:
        """Replace the badge labels (then repaint the view)."""
        self._websites = labels

    def set_operator_names(self, names: Labels | None) -> None:
        self._operators = names

    def set_draft_ids(self, ids: Collection[str]) -> None:
        """The conversations with a saved draft: their rows show a "Draft" tag (then repaint)."""
        self._drafts = frozenset(ids)

    def website_badge(self, conv: Conversation) -> str:
        """The badge label for ``conv``'s website, or "" when no badge is shown."""
        labels = self._websites
        if isinstance(labels, Mapping) and len(labels) < 2:
            return ""
        return one_line(_lookup(labels, conv.website_id), 24)

    def row_height(self, font: QFont) -> int:
        """Every row's height for ``font``: two text lines beside the avatar, with padding."""
        if self._height_for is None or self._height_for[0] != font:
            line = QFontMetrics(font).height()
            self._height_for = (QFont(font), 2 * PAD + 2 * line + LINE_GAP)
        return self._height_for[1]

    # ---- painting ----------------------------------------------------------------------------

    def _fonts_for(self, font: QFont) -> RowFonts:
        if self._fonts is None or self._fonts.font != font:
            self._fonts = RowFonts(font)
        return self._fonts

    def _paint_row(self, painter: QPainter, option: QStyleOptionViewItem,
                   conv: Conversation, *, with_text: bool = True) -> tuple[QRect, Ink]:
        """The row; without its last line's text when ``with_text`` is False. Returns where
        that text goes and the row's colours."""
        rect: QRect = option.rect
        pal: QPalette = option.palette
        state = option.state
        selected = bool(state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(rect, pal.color(Role.Highlight))
        elif state & QStyle.StateFlag.State_MouseOver:
            painter.fillRect(rect, pt.mix(pal.color(Role.Base), pal.color(Role.Highlight), 0.1))
        text = pal.color(Role.HighlightedText if selected else Role.Text)
        base = pal.color(Role.Highlight if selected else Role.Base)
        ink = Ink(text, pt.mix(text, base, 0.4), text if selected else pal.color(Role.Link),
                  selected, pal)

        painter.fillRect(QRect(rect.left(), rect.top(), STRIP, rect.height()),
                         STATE_COLOURS.get(conv.state, STATE_COLOURS["pending"]))

        f = self._fonts_for(option.font)
        line = f.fm.height()
        side = 2 * line + LINE_GAP
        top = rect.top() + (rect.height() - side) // 2
        name = one_line(conv.nickname or conv.email, 120) or "Visitor"
        avatar = QRect(rect.left() + STRIP + PAD, top, side, side)
        pt.draw_avatar(painter, avatar, visitor_key(conv.people_id, conv.session_id), name,
                       f.bold)

        left = avatar.right() + 1 + PAD
        right = rect.right() - PAD
        line1 = QRect(left, top, right - left + 1, line)
        line2 = QRect(left, top + line + LINE_GAP, right - left + 1, line)
        self._paint_title(painter, line1, conv, name, f, ink)
        area = self._paint_marks(painter, line2, conv, f, ink)
        if with_text:
            self._paint_text(painter, area, conv, f, ink)
        return area, ink

    def _paint_title(self, painter: QPainter, line: QRect, conv: Conversation, name: str,
                     f: RowFonts, ink: Ink) -> None:
        right = line.right()
        when = relative_time(conv.updated_at, self.clock(), self.tz)
        if when:
            width = f.small_fm.horizontalAdvance(when)
            painter.setFont(f.small)
            painter.setPen(ink.muted)
            painter.drawText(QRect(right - width + 1, line.top(), width, line.height()),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, when)
            right -= width + PAD
        badge = self.website_badge(conv)
        unread = conv.unread_operator > 0
        if badge:
            # Both whole when they fit; else the name keeps at least two thirds of the room.
            room = max(0, right - line.left())
            named = (f.bold_fm if unread else f.fm).horizontalAdvance(name) + PAD
            width = min(f.small_fm.horizontalAdvance(badge) + 10,
                        max(room // 3, room - named))
            height = f.small_fm.height() + 2
            pill = QRect(right - width + 1, line.center().y() - height // 2 + 1, width, height)
            pal = ink.palette
            fill = (pt.mix(pal.color(Role.Highlight), pal.color(Role.HighlightedText), 0.25)
                    if ink.selected else pt.mix(pal.color(Role.Base), pal.color(Role.Text), 0.12))
            shown = f.small_fm.elidedText(badge, Qt.TextElideMode.ElideRight, max(0, width - 8))
            pt.draw_pill(painter, pill, fill, shown, ink.text, f.small)
            right -= width + PAD // 2
        painter.setFont(f.bold if unread else f.font)
        painter.setPen(ink.text)
        width = max(0, right - line.left())
        shown = (f.bold_fm if unread else f.fm).elidedText(name, Qt.TextElideMode.ElideRight,
                                                            width)
        painter.drawText(QRect(line.left(), line.top(), width, line.height()),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, shown)

    def _paint_marks(self, painter: QPainter, line: QRect, conv: Conversation, f: RowFonts,
                     ink: Ink) -> QRect:
        """The last line's assignee, unread count and draft tag; returns the room left for
        its text."""
        right = line.right()
        pal = ink.palette
        if conv.assigned:
            who = _lookup(self._operators, conv.assigned)
            side = f.small_fm.height() + 2
            circle = QRect(right - side + 1, line.center().y() - side // 2 + 1, side, side)
            pt.draw_avatar(painter, circle, conv.assigned, who, f.tiny)
            right -= side + PAD // 2
        if conv.unread_operator > 0:
            count = str(min(conv.unread_operator, MAX_UNREAD)) + (
                "+" if conv.unread_operator > MAX_UNREAD else "")
            height = f.small_fm.height() + 2
            width = max(height, f.small_bold_fm.horizontalAdvance(count) + 10)
            pill = QRect(right - width + 1, line.center().y() - height // 2 + 1, width, height)
            fill = pal.color(Role.HighlightedText if ink.selected else Role.Highlight)
            colour = pal.color(Role.Highlight if ink.selected else Role.HighlightedText)
            pt.draw_pill(painter, pill, fill, count, colour, f.small_bold)
            right -= width + PAD // 2
        area = QRect(line.left(), line.top(), max(0, right - line.left()), line.height())
        if conv.session_id in self._drafts:
            tag = "Draft"
            width = f.small_bold_fm.horizontalAdvance(tag)
            painter.setFont(f.small_bold)
            painter.setPen(ink.text if ink.selected else DRAFT_COLOUR)
            painter.drawText(QRect(area.left(), area.top(), width, area.height()),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, tag)
            area.setLeft(area.left() + width + PAD // 2)
        return area

    def _paint_text(self, painter: QPainter, area: QRect, conv: Conversation, f: RowFonts,
                    ink: Ink) -> None:
        """The last line's text: the visitor typing, else the last message's excerpt."""
        if conv.compose_visitor is not None:
            self._paint_typing(painter, area, conv.compose_visitor, f, ink.accent)
            return
        pal = ink.palette
        excerpt = last_preview(conv.last_type, conv.last_message, EXCERPT_CHARS)
        if not excerpt:
            body, fm, excerpt = f.italic, f.italic_fm, "No messages yet"
        elif conv.unread_operator > 0 and not ink.selected:
            body, fm = f.bold, f.bold_fm
        else:
            body, fm = f.font, f.fm
        painter.setFont(body)
        painter.setPen(ink.muted if conv.unread_operator == 0 or ink.selected else
                       pt.mix(ink.muted, pal.color(Role.Text), 0.6))
        shown = fm.elidedText(excerpt, Qt.TextElideMode.ElideRight, area.width())
        painter.drawText(area, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, shown)

    @staticmethod
    def _paint_typing(painter: QPainter, area: QRect, excerpt: str, f: RowFonts,
                      accent: QColor) -> None:
        dots = pt.draw_typing_dots(painter, area, accent)
        text = one_line(excerpt) or "typing…"
        painter.setFont(f.italic)
        painter.setPen(accent)
        rest = QRect(area.left() + dots + PAD // 2, area.top(),
                     max(0, area.width() - dots - PAD // 2), area.height())
        shown = f.italic_fm.elidedText(text, Qt.TextElideMode.ElideRight, rest.width())
        painter.drawText(rest, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, shown)

    # ---- Qt overrides ------------------------------------------------------------------------

    def _shot_key(self, option: QStyleOptionViewItem, conv: Conversation,
                  dpr: float) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
        """Everything a row's paint reads (see _paint_row), as two comparable tuples: what
        all but the last line's text reads, and what that text reads."""
        rect: QRect = option.rect
        state = option.state
        return ((conv.state, conv.nickname, conv.email, conv.people_id, conv.session_id,
                 conv.unread_operator, conv.assigned,
                 relative_time(conv.updated_at, self.clock(), self.tz),
                 self.website_badge(conv), _lookup(self._operators, conv.assigned or ""),
                 conv.session_id in self._drafts, rect.width(), rect.height(),
                 self._fonts_for(option.font).serial, option.palette.cacheKey(),
                 bool(state & QStyle.StateFlag.State_Selected),
                 bool(state & QStyle.StateFlag.State_MouseOver), dpr),
                (conv.compose_visitor, conv.last_type, conv.last_message))

    def _shot(self, option: QStyleOptionViewItem, conv: Conversation, dpr: float) -> QPixmap:
        key = self._shot_key(option, conv, dpr)
        sid = conv.session_id
        kept = self._shots.get(sid)
        if kept is not None and kept[0] == key:
            self.row_hits += 1
            return kept[1]
        self.row_misses += 1
        base = self._bases.get(sid)
        if base is None or base.key != key[0]:
            base = None
            if kept is not None and kept[0][0] == key[0]:  # its text alone changed: keep
                bare, area, ink = self._paint(option, conv, dpr, with_text=False)  # without it
                # option.palette lives as long as the option: a kept row keeps its own copy.
                base = Base(key[0], bare, area, ink._replace(palette=QPalette(ink.palette)))
                self._bases.put(sid, base)
        if base is None:
            shot = self._paint(option, conv, dpr, with_text=True)[0]
        else:
            self.text_repaints += 1
            shot = base.shot.copy()
            self._draw(shot, option, lambda p: self._paint_text(
                p, base.area, conv, self._fonts_for(option.font), base.ink))
        self._shots.put(sid, (key, shot))
        return shot

    def _paint(self, option: QStyleOptionViewItem, conv: Conversation, dpr: float, *,
               with_text: bool) -> tuple[QPixmap, QRect, Ink]:
        """A pixmap of the row (without its last line's text unless ``with_text``), where
        that text goes, and the row's colours."""
        rect: QRect = option.rect
        shot = QPixmap(max(1, round(rect.width() * dpr)), max(1, round(rect.height() * dpr)))
        shot.setDevicePixelRatio(dpr)
        shot.fill(option.palette.color(Role.Base))  # what the viewport paints under a row
        laid: list[tuple[QRect, Ink]] = []
        self._draw(shot, option, lambda p: laid.append(
            self._paint_row(p, option, conv, with_text=with_text)))
        return shot, *laid[0]

    @staticmethod
    def _draw(shot: QPixmap, option: QStyleOptionViewItem,
              paint: Callable[[QPainter], object]) -> None:
        rect: QRect = option.rect
        p = QPainter(shot)
        try:
            p.translate(-rect.left(), -rect.top())
            p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            p.setClipRect(rect)
            paint(p)
        finally:
            p.end()

    def forget_rows(self) -> None:
        """Drop every painted row (their memory; any change would miss them anyway)."""
        self._shots.clear()
        self._bases.clear()

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        conv: Any = index.data(ITEM_ROLE)
        if not isinstance(conv, Conversation):
            return  # a row being removed, or a model without the role: nothing to show
        rect: QRect = option.rect
        if self.cache_rows and rect.width() > 0 and rect.height() > 0:
            device = painter.device()
            dpr = device.devicePixelRatioF() if device is not None else 1.0
            painter.drawPixmap(rect.topLeft(), self._shot(option, conv, dpr))
            return
        painter.save()
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            painter.setClipRect(option.rect)
            self._paint_row(painter, option, conv)
        finally:
            painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        return QSize(MIN_HINT_WIDTH, self.row_height(option.font))
