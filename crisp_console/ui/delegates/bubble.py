"""The thread's delegate: paints a bubble (or a system line) for every message type.

Reads one role (``ITEM_ROLE``: a ``core.Message``), plus the same role of the row above for
author grouping and day separators (``grouping.row_flags``). Text is safe HTML
(``content.body_of``) laid out in a ``SafeDocument`` that loads nothing; images and animations
are fixed-size boxes showing what ``media`` (a ``ui.media.MediaLoader``) has decoded, else a
placeholder saying whether the image is loading, blocked (click or Enter loads it) or
unavailable. The delegate never starts a load by itself: the pane requests the visible
media, and a click (or ``activate``) asks on the operator's behalf. Heights are cached by
``(fingerprint, revision + status + flags + width)``; laid-out documents by revision and
wrap width. ``history_start`` adds the "Start of the conversation" banner above row 0.
Highlights (the MARK role: a find's matches, a revealed message) are bubble_marks.py's.
Whoever owns the view calls ``clear()`` when the viewport's width, the font or the palette
changes, and ``invalidate(fingerprint)`` when a row's grouping may have changed.

Signals:
    link_activated(str): a link (or a loaded media box) was clicked; the URL passed
        ``allowed_link`` (http, https or mailto). The view opens it with QDesktopServices.
    retry_requested(object): "Failed — retry" was clicked on this FAILED ``core.Message``.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QFont,
    QMouseEvent,
    QPainter,
    QPalette,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from crisp_console.core import Message, MessageStatus
from crisp_console.present.content import (
    Body,
    event_text,
    first_link,
    footer_parts,
    media_hint,
)
from crisp_console.present.find_text import Mark
from crisp_console.present.grouping import RowFlags, row_flags
from crisp_console.present.richtext import allowed_link
from crisp_console.present.timefmt import Clock, clock_time, day_label, system_clock
from crisp_console.ui.delegates import bubble_layout as bl
from crisp_console.ui.delegates import bubble_marks as bm
from crisp_console.ui.delegates import bubble_paint as bp
from crisp_console.ui.delegates import bubble_shots as bs
from crisp_console.ui.delegates.bubble_media import LoadMedia, MediaSource
from crisp_console.ui.delegates.bubble_texts import BubbleTexts, revision
from crisp_console.ui.delegates.cache import SizeHintCache
from crisp_console.ui.models.roles import ITEM_ROLE

Index = QModelIndex | QPersistentModelIndex
DEFAULT_WIDTH = 480  # when neither the view nor the option tells the row's width
START_BANNER = "Start of the conversation"
Target = str | Message | LoadMedia  # open a URL, retry a message, load an image


class MessageDelegate(QStyledItemDelegate):
    link_activated = Signal(str)
    retry_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None, *, clock: Clock = system_clock,
                 tz: tzinfo | None = None, cache_size: int = 4000,
                 document_cache_size: int = 512, media: MediaSource | None = None) -> None:
        super().__init__(parent)
        self.clock = clock
        self.tz = tz
        self.media = media
        self.history_start = False  # the first row is the conversation's first message
        self.size_cache = SizeHintCache(cache_size)
        self._texts = BubbleTexts(document_cache_size)  # bodies and documents (bubble_texts.py)
        self._metrics: bl.Metrics | None = None
        self._colours: dict[int, bp.Colours] = {}
        self.shots = bs.BubbleShots()  # painted bubbles (bubble_shots.py)
        self.cache_shots = True  # False: every paint paints (tests compare the two)

    def invalidate(self, fingerprint: int) -> None:
        """Forget the cached height of one message (it changed or its neighbour did)."""
        self.size_cache.invalidate(fingerprint)
        self.shots.drop(fingerprint)

    def row_changed(self, index: QModelIndex) -> None:
        """A row's message changed (an edit, a merged echo): forget its height and tell the
        view to lay it out again. List-mode QListView does not re-measure rows on
        ``dataChanged`` by itself; the view's owner calls this for the changed rows."""
        msg = _message(index)
        if msg is not None:
            self.size_cache.invalidate(msg.fingerprint)
            self.shots.drop(msg.fingerprint)
        self.sizeHintChanged.emit(index)

    def clear(self) -> None:
        """Forget every cached height and document (on resize, font or palette change)."""
        self.size_cache.clear()
        self._texts.clear_documents()
        self._colours.clear()
        self.shots.clear()

    def layout_for(self, option: QStyleOptionViewItem, index: Index) -> bl.BubbleLayout | None:
        """The row's geometry at ``option.rect``'s width (relative to its top-left)."""
        msg = _message(index)
        if msg is None:
            return None
        return self._layout(msg, self._flags(index, msg), option.rect.width(),
                            self._metrics_for(option.font), self._colours_for(option.palette),
                            self._banner(index))

    def media_url(self, index: Index) -> str | None:
        """The URL of the row's image or animation (only URLs ``allowed_link`` accepts)."""
        msg = _message(index)
        if msg is None or msg.type == "event":
            return None
        body = self._texts.body(msg)
        return body.target if body.media is not None else None

    def activation(self, index: Index) -> Target | None:
        """What Enter on the row does: retry a failed message, load its image when that is
        not shown yet, else open its first link (a loaded image opens full size)."""
        msg = _message(index)
        if msg is None:
            return None
        if msg.status is MessageStatus.FAILED:
            return msg
        if msg.type == "event":
            return None
        body = self._texts.body(msg)
        url = body.target if body.media is not None else None
        if url and self.media is not None and self.media.state(url) != "loaded":
            return LoadMedia(url)
        return first_link(body)

    def activate(self, index: Index) -> bool:
        """Do what Enter on the row does (see ``activation``); False when there is nothing."""
        return self._perform(self.activation(index))

    def _perform(self, target: Target | None) -> bool:
        if isinstance(target, Message):
            self.retry_requested.emit(target)
        elif isinstance(target, LoadMedia):
            if self.media is None:
                return False
            self.media.request(target.url, user_asked=True)
        elif target is not None:
            self.link_activated.emit(target)
        return target is not None

    # ---- layout ------------------------------------------------------------------------------

    def _banner(self, index: Index) -> bool:
        return self.history_start and index.row() == 0

    def _flags(self, index: Index, msg: Message) -> RowFlags:
        row = index.row()
        prev = index.sibling(row - 1, index.column()).data(ITEM_ROLE) if row > 0 else None
        return row_flags(prev if isinstance(prev, Message) else None, msg, self.tz)

    def _metrics_for(self, font: QFont) -> bl.Metrics:
        if self._metrics is None or self._metrics.font != font:
            self._metrics = bl.Metrics(font)
        return self._metrics

    def _colours_for(self, pal: QPalette) -> bp.Colours:
        key = pal.cacheKey()
        found = self._colours.get(key)
        if found is None:
            if len(self._colours) > 8:
                self._colours.clear()
            found = self._colours[key] = bp.colours_of(pal)
        return found

    def _layout(self, msg: Message, flags: RowFlags, width: int, m: bl.Metrics,
                c: bp.Colours, banner: bool = False) -> bl.BubbleLayout:
        out = self._layout_row(msg, flags, width, m, c)
        return bl.with_banner(out, width, m) if banner else out

    def _layout_row(self, msg: Message, flags: RowFlags, width: int, m: bl.Metrics,
                    c: bp.Colours) -> bl.BubbleLayout:
        if msg.type == "event":
            return bl.layout_event(width, flags, m)
        body = self._texts.body(msg)
        doc = self._texts.document(msg, body, bl.max_text_width(width, m, body), m, c.link)
        parts = footer_parts(msg, self.tz)
        out = bl.layout_bubble(width, flags, m, operator=msg.from_ == "operator",
                               note=msg.type == "note", body=body, text=doc,
                               footer_width=bp.parts_width(parts, m))
        if msg.status is MessageStatus.FAILED and out.footer is not None:
            fitted = bp.fit_parts(parts, out.footer.width(), m)
            size = min(bp.failure_width(fitted, m), out.footer.width())
            out.retry = QRect(out.footer.right() - size + 1, out.footer.top(), size,
                              out.footer.height())
        return out

    # ---- painting ----------------------------------------------------------------------------

    def _paint_row(self, painter: QPainter, option: QStyleOptionViewItem, msg: Message,
                   lay: bl.BubbleLayout, m: bl.Metrics, c: bp.Colours,
                   mark: Mark | None = None) -> None:
        marks = bm.mark_colours(option.palette) if mark is not None else None
        if lay.banner is not None:
            bp.paint_day(painter, lay.banner, START_BANNER, m, c)
        if lay.day is not None:
            bp.paint_day(painter, lay.day, day_label(msg.timestamp, self.clock(), self.tz), m, c)
        if lay.event_line is not None:
            when = clock_time(msg.timestamp, self.tz)
            text = event_text(msg.content) + (f" · {when}" if when else "")
            bp.paint_event(painter, lay.event_line, text, m, c)
            if marks is not None:
                bm.paint_outline(painter, lay.event_line, mark, marks, lay.event_line.height() / 2)
            return
        if lay.header is not None:
            bp.paint_header(painter, lay.header, msg, m, c)
        if lay.bubble is None:
            return
        bp.paint_frame(painter, lay.bubble, msg, c)
        if marks is not None:
            bm.paint_outline(painter, lay.bubble, mark, marks, bl.RADIUS)
        if lay.note_label is not None:
            bp.paint_note_label(painter, lay.note_label, m, c)
        body = self._texts.body(msg)
        if lay.media is not None:
            self._paint_media(painter, lay.media, body, msg.type, m, c)
        if lay.icon is not None:
            bp.paint_icon(painter, lay.icon, body.icon, c)
        if lay.text is not None:
            wrap = bl.max_text_width(option.rect.width(), m, body)
            doc = self._texts.document(msg, body, wrap, m, c.link)
            if doc is not None:
                found = bm.selections(doc.doc, mark, marks) if marks is not None else []
                bp.paint_document(painter, doc, lay.text, option.palette, c, found)
        if lay.footer is not None:
            bp.paint_footer(painter, lay.footer, bp.fit_parts(footer_parts(msg, self.tz),
                                                              lay.footer.width(), m), m, c)

    def _paint_media(self, painter: QPainter, rect: QRect, body: Body, kind: str,
                     m: bl.Metrics, c: bp.Colours) -> None:
        url, media = body.target, self.media
        if media is None or not url:
            bp.paint_media(painter, rect, body.media or "", kind, m, c)
            return
        hint, actionable = media_hint(media.state(url), kind)
        bp.paint_media(painter, rect, body.media or "", kind, m, c, image=media.image(url),
                       hint=hint, actionable=actionable)

    # ---- Qt overrides ------------------------------------------------------------------------

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        msg = _message(index)
        if msg is None:
            return
        m, c = self._metrics_for(option.font), self._colours_for(option.palette)
        flags, banner = self._flags(index, msg), self._banner(index)
        lay = self._layout(msg, flags, option.rect.width(), m, c, banner)
        mark = bm.mark_of(index)
        rect = option.rect
        if self.cache_shots and mark is None and lay.media is None \
                and 0 < rect.height() <= bs.MAX_HEIGHT and rect.width() > 0:
            device = painter.device()
            dpr = device.devicePixelRatioF() if device is not None else 1.0
            key = self._shot_key(option, msg, flags, banner, lay, m, dpr)
            painter.drawPixmap(rect.topLeft(), self.shots.shot(
                msg.fingerprint, key, rect, dpr, option.palette.color(QPalette.ColorRole.Base),
                lambda p: self._paint_whole(p, option, msg, lay, m, c, None)))
            return
        self._paint_whole(painter, option, msg, lay, m, c, mark)

    def _shot_key(self, option: QStyleOptionViewItem, msg: Message, flags: RowFlags,
                  banner: bool, lay: bl.BubbleLayout, m: bl.Metrics,
                  dpr: float) -> tuple[Any, ...]:
        day = day_label(msg.timestamp, self.clock(), self.tz) if lay.day is not None else None
        return bs.shot_key(option, msg, revision(msg), footer_parts(msg, self.tz),
                           (flags, banner, day, m.key), dpr)

    def _paint_whole(self, painter: QPainter, option: QStyleOptionViewItem, msg: Message,
                     lay: bl.BubbleLayout, m: bl.Metrics, c: bp.Colours,
                     mark: Mark | None) -> None:
        painter.save()
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            painter.setClipRect(option.rect)
            if option.state & QStyle.StateFlag.State_Selected:
                painter.fillRect(option.rect, c.selection)
            if mark is not None:
                bm.paint_flash(painter, option.rect, mark, bm.mark_colours(option.palette))
            painter.translate(option.rect.topLeft())
            self._paint_row(painter, option, msg, lay, m, c, mark)
        finally:
            painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        msg = _message(index)
        if msg is None:
            return QSize(0, 0)
        width = _row_width(option)
        flags = self._flags(index, msg)
        banner = self._banner(index)
        m = self._metrics_for(option.font)
        key = (revision(msg), flags, banner, width, m.key)
        height = self.size_cache.get(msg.fingerprint, key)
        if height is None:
            c = self._colours_for(option.palette)
            height = self._layout(msg, flags, width, m, c, banner).height
            self.size_cache.put(msg.fingerprint, key, height)
        # The width is nominal: list-mode QListView rows span the viewport anyway.
        return QSize(min(width, bl.MIN_BUBBLE), height)

    def editorEvent(self, event: QEvent, model: Any, option: QStyleOptionViewItem,
                    index: Index) -> bool:
        if event.type() not in (QEvent.Type.MouseButtonRelease, QEvent.Type.MouseMove):
            return super().editorEvent(event, model, option, index)
        if not isinstance(event, QMouseEvent):
            return False
        target = self._hit(event.position() - QPointF(option.rect.topLeft()), option, index)
        if event.type() == QEvent.Type.MouseMove:
            _set_pointer(option.widget, target is not None)
            return False
        if event.button() != Qt.MouseButton.LeftButton or target is None:
            return False
        return self._perform(target)

    def _hit(self, pos: QPointF, option: QStyleOptionViewItem, index: Index) -> Target | None:
        """What is under ``pos`` (row-relative): a URL to open, a Message to retry, an image
        to load, or None."""
        msg = _message(index)
        lay = self.layout_for(option, index)
        if msg is None or lay is None:
            return None
        point = pos.toPoint()
        if lay.retry is not None and lay.retry.contains(point):
            return msg
        body = self._texts.body(msg)
        if lay.media is not None and lay.media.contains(point) and body.target:
            if self.media is not None and self.media.state(body.target) != "loaded":
                return LoadMedia(body.target)
            return body.target if allowed_link(body.target) else None
        if lay.text is not None and lay.text.contains(point):
            m = self._metrics_for(option.font)
            c = self._colours_for(option.palette)
            wrap = bl.max_text_width(option.rect.width(), m, body)
            doc = self._texts.document(msg, body, wrap, m, c.link)
            if doc is not None:
                anchor = doc.doc.documentLayout().anchorAt(pos - QPointF(lay.text.topLeft()))
                return anchor if allowed_link(anchor) else None
        return None


def _message(index: Index) -> Message | None:
    msg = index.data(ITEM_ROLE) if index.isValid() else None
    return msg if isinstance(msg, Message) else None


def _row_width(option: QStyleOptionViewItem) -> int:
    """The width rows are laid out at: the view's viewport (QListView passes a meaningless
    rect to sizeHint), else the option's rect."""
    view = option.widget
    if isinstance(view, QAbstractItemView) and view.viewport().width() > 0:
        return view.viewport().width()
    return option.rect.width() if option.rect.width() > 0 else DEFAULT_WIDTH


def _set_pointer(widget: QWidget | None, over_target: bool) -> None:
    if isinstance(widget, QAbstractItemView):
        if over_target:
            widget.viewport().setCursor(Qt.CursorShape.PointingHandCursor)
        else:
            widget.viewport().unsetCursor()
