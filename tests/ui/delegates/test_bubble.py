"""The thread delegate: every message type paints (light and dark), size hints are cached,
links and retry are reported on click, and hostile content loads nothing."""

from __future__ import annotations

import itertools
from datetime import timedelta, timezone
from typing import Any

import pytest
from PySide6.QtCore import (
    QEvent,
    QPoint,
    QPointF,
    QRect,
    Qt,
    QUrl,
)
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QListView, QStyle, QStyleOptionViewItem

from crisp_console.core import Message, MessageStatus
from crisp_console.present.content import footer_parts
from crisp_console.present.richtext import MAX_TEXT
from crisp_console.ui.delegates import MessageDelegate, bubble_texts
from crisp_console.ui.delegates.bubble_layout import Metrics
from crisp_console.ui.delegates.bubble_paint import colours_of, fit_parts, parts_width
from crisp_console.ui.delegates.richtext import SafeDocument
from crisp_console.ui.models import ITEM_ROLE
from tests.ui.delegates.delegate_helpers import DARK, LIGHT, ObjectModel, palette

pytestmark = pytest.mark.usefixtures("qapp")

R = QPalette.ColorRole
TZ = timezone(timedelta(hours=1))
NOW = 1_700_000_000_000
MIN = 60_000
WIDTH = 520
_fp = itertools.count(100_000_000_000_000)


def msg(kind: str = "text", content: Any = "Hello", *, sender: str = "user",
        ts: int = NOW - 10 * MIN, **kw: Any) -> Message:
    kw.setdefault("user_id", "op1" if sender == "operator" else "session")
    kw.setdefault("nickname", "Ada Lovelace" if sender == "operator" else "Grace Hopper")
    return Message(next(_fp), "session", "website", kind, sender, content=content,
                   timestamp=ts, **kw)


def every_type() -> list[Message]:
    t = NOW - 2 * 24 * 60 * MIN
    return [
        msg("text", "Hi! See https://shop.example/orders/2291?x=1&y=2.", ts=t),
        msg("file", {"name": "mug.jpg", "url": "https://f.example/mug.jpg", "type": "image/jpeg"},
            ts=t + MIN),
        msg("file", {"name": "invoice.pdf", "url": "https://f.example/i.pdf",
                     "type": "application/pdf", "size": 48213}, ts=t + 2 * MIN),
        msg("event", {"namespace": "state:resolved"}, sender="operator", ts=t + 30 * MIN),
        msg("text", "Sorry to hear that!", sender="operator", read="chat", ts=NOW - 30 * MIN),
        msg("note", "@Bob check <b>stripe</b>", sender="operator", ts=NOW - 29 * MIN),
        msg("text", "Edited", sender="operator", edited=True, delivered="chat",
            ts=NOW - 28 * MIN),
        msg("animation", {"url": "https://f.example/a/thumbs-up.gif", "type": "image/gif"},
            sender="operator", ts=NOW - 27 * MIN),
        msg("audio", {"url": "https://f.example/v.webm", "type": "audio/webm", "duration": 7},
            ts=NOW - 20 * MIN),
        msg("picker", {"id": "t", "text": "Topic?", "required": True, "choices": [
            {"value": "a", "label": "Billing", "selected": True},
            {"value": "b", "label": "FAQ", "action": {"type": "link",
                                                       "target": "https://d.example/faq"}}]},
            sender="operator", automated=True, ts=NOW - 19 * MIN),
        msg("field", {"id": "o", "text": "Order?", "explain": "A-…", "value": "A-2291"},
            sender="operator", ts=NOW - 18 * MIN),
        msg("carousel", {"text": "Plans", "targets": [
            {"title": "Essentials", "description": "€25", "image": "https://f.example/e.png",
             "actions": [{"label": "Compare", "url": "https://s.example/pricing"}]}]},
            sender="operator", ts=NOW - 17 * MIN),
        msg("text", "مرحبا، هل يمكنك مساعدتي؟ 😀", ts=NOW - 10 * MIN),
        msg("text", {"broken": True}, ts=NOW - 9 * MIN),
        msg("mystery", None, ts=NOW - 9 * MIN),
        msg("text", "Sending…", sender="operator", status=MessageStatus.PENDING, ts=NOW),
        msg("text", "Failed", sender="operator", status=MessageStatus.FAILED, error="x", ts=NOW),
        msg("text", "Queued", sender="operator", status=MessageStatus.QUEUED, ts=NOW),
    ]


def delegate() -> MessageDelegate:
    return MessageDelegate(clock=lambda: NOW, tz=TZ)


def option(rect: QRect, pal: QPalette,
           state: QStyle.StateFlag = QStyle.StateFlag.State_None) -> QStyleOptionViewItem:
    opt = QStyleOptionViewItem()
    opt.rect = rect
    opt.palette = pal
    opt.font = QApplication.font()
    opt.state = QStyle.StateFlag.State_Enabled | state
    return opt


def paint_thread(d: MessageDelegate, model: ObjectModel, pal: QPalette,
                 width: int = WIDTH) -> tuple[QImage, list[QRect]]:
    rects, y = [], 0
    for row in range(model.rowCount()):
        height = d.sizeHint(option(QRect(0, 0, width, 0), pal), model.index(row)).height()
        rects.append(QRect(0, y, width, height))
        y += height
    image = QImage(width, max(1, y), QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(pal.color(R.Base))
    painter = QPainter(image)
    for row, rect in enumerate(rects):
        d.paint(painter, option(rect, pal), model.index(row))
    painter.end()
    return image, rects


def release(d: MessageDelegate, model: ObjectModel, row: int, rect: QRect, pos: QPoint,
            pal: QPalette) -> bool:
    event = QMouseEvent(QEvent.Type.MouseButtonRelease, QPointF(pos), QPointF(pos),
                        Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier)
    return d.editorEvent(event, model, option(rect, pal), model.index(row))


def scan_clicks(d: MessageDelegate, model: ObjectModel, row: int, area: QRect, origin: QRect,
                pal: QPalette) -> list[str]:
    """Click every other pixel of ``area`` (row-relative) and collect the reported links."""
    seen: list[str] = []
    d.link_activated.connect(seen.append)
    try:
        for y in range(area.top(), area.bottom() + 1, 2):
            for x in range(area.left(), area.right() + 1, 2):
                release(d, model, row, origin, origin.topLeft() + QPoint(x, y), pal)
    finally:
        d.link_activated.disconnect(seen.append)
    return seen


# ---- painting --------------------------------------------------------------------------------


@pytest.mark.parametrize("pal", [LIGHT, DARK], ids=["light", "dark"])
def test_every_message_type_paints(pal: dict[QPalette.ColorRole, str]) -> None:
    d, qpal = delegate(), palette(pal)
    model = ObjectModel(every_type())
    image, rects = paint_thread(d, model, qpal)
    colours = colours_of(qpal)
    for row, item in enumerate(model.items):
        lay = d.layout_for(option(rects[row], qpal), model.index(row))
        assert lay is not None and lay.height == rects[row].height()
        if item.type == "event":
            assert lay.bubble is None and lay.event_line is not None
            continue
        assert lay.bubble is not None
        # The bubble's left padding shows its fill: note, operator or visitor colour.
        spot = rects[row].topLeft() + QPoint(lay.bubble.left() + 4, lay.bubble.center().y())
        expected = (colours.note if item.type == "note" else
                    colours.operator if item.from_ == "operator" else colours.visitor)
        assert QColor(image.pixel(spot)).rgb() == expected.rgb(), (row, item.type)


def test_operator_right_visitor_left() -> None:
    d, pal = delegate(), palette(LIGHT)
    model = ObjectModel([msg("text", "hi"), msg("text", "hello", sender="operator")])
    rect = QRect(0, 0, WIDTH, 100)
    visitor = d.layout_for(option(rect, pal), model.index(0))
    operator = d.layout_for(option(rect, pal), model.index(1))
    assert visitor is not None and visitor.bubble is not None
    assert operator is not None and operator.bubble is not None
    assert visitor.bubble.left() < WIDTH // 4
    assert operator.bubble.right() > WIDTH * 3 // 4
    assert operator.bubble.width() < WIDTH * 0.8  # short text: a short bubble


def test_grouping_and_day_separators_change_the_height() -> None:
    d, pal = delegate(), palette(LIGHT)
    day1 = NOW - 24 * 60 * MIN
    items = [msg(ts=day1), msg(ts=day1 + MIN), msg(ts=NOW), msg(sender="operator", ts=NOW)]
    model = ObjectModel(items)
    lays = [d.layout_for(option(QRect(0, 0, WIDTH, 0), pal), model.index(r)) for r in range(4)]
    first, cont, new_day, new_author = [lay for lay in lays if lay is not None]
    assert first.day is not None and first.header is not None
    assert cont.day is None and cont.header is None
    assert new_day.day is not None and new_day.header is not None
    assert new_author.day is None and new_author.header is not None
    assert cont.height < new_author.height < new_day.height


def test_selection_tints_the_row() -> None:
    d, pal = delegate(), palette(LIGHT)
    model = ObjectModel([msg()])
    rect = QRect(0, 0, WIDTH, d.sizeHint(option(QRect(0, 0, WIDTH, 0), pal),
                                         model.index(0)).height())
    images = []
    for state in (QStyle.StateFlag.State_None, QStyle.StateFlag.State_Selected):
        image = QImage(WIDTH, rect.height(), QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(pal.color(R.Base))
        painter = QPainter(image)
        d.paint(painter, option(rect, pal, state), model.index(0))
        painter.end()
        images.append(image)
    corner = QPoint(WIDTH - 2, 1)
    assert QColor(images[0].pixel(corner)) == pal.color(R.Base)
    assert QColor(images[1].pixel(corner)) != pal.color(R.Base)


def test_rows_without_a_message_paint_nothing_and_have_no_size() -> None:
    d, pal = delegate(), palette(LIGHT)
    model = ObjectModel([None, "nope"])
    for row in range(2):
        assert d.sizeHint(option(QRect(0, 0, WIDTH, 0), pal), model.index(row)).height() == 0
        assert d.layout_for(option(QRect(0, 0, WIDTH, 0), pal), model.index(row)) is None


# ---- size-hint cache -------------------------------------------------------------------------


def test_size_hints_are_cached_by_revision_and_width() -> None:
    d, pal = delegate(), palette(LIGHT)
    item = msg("text", "A message long enough to wrap at a narrow width. " * 4,
               sender="operator")
    model = ObjectModel([item])
    cache = d.size_cache

    def hint(width: int) -> int:
        return d.sizeHint(option(QRect(0, 0, width, 0), pal), model.index(0)).height()

    first = hint(WIDTH)
    assert (cache.hits, cache.misses) == (0, 1)
    assert hint(WIDTH) == first
    assert (cache.hits, cache.misses) == (1, 1)
    narrow = hint(260)
    assert cache.misses == 2 and narrow > first
    assert hint(260) == narrow and cache.hits == 2
    item.status = MessageStatus.PENDING  # a new status is a new revision
    hint(WIDTH)
    assert cache.misses == 3
    item.content = "short now"  # an edit: new content, new revision
    assert hint(WIDTH) < first and cache.misses == 4
    d.invalidate(item.fingerprint)
    hint(WIDTH)
    assert cache.misses == 5
    hint(WIDTH)
    d.clear()
    hint(WIDTH)
    assert cache.misses == 6 and len(cache) == 1


def test_cache_is_bounded() -> None:
    d = MessageDelegate(clock=lambda: NOW, tz=TZ, cache_size=10)
    pal = palette(LIGHT)
    model = ObjectModel([msg(content=f"m{i}") for i in range(30)])
    for row in range(30):
        d.sizeHint(option(QRect(0, 0, WIDTH, 0), pal), model.index(row))
    assert len(d.size_cache) == 10


def test_a_real_view_lays_out_at_its_viewport_width(qtbot: Any) -> None:
    view = QListView()
    qtbot.addWidget(view)
    view.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
    view.setPalette(palette(DARK))
    d = MessageDelegate(view, clock=lambda: NOW, tz=TZ)
    view.setItemDelegate(d)
    model = ObjectModel(every_type())
    view.setModel(model)
    view.resize(WIDTH, 500)
    view.show()
    qtbot.waitExposed(view)
    view.grab()
    wide = view.sizeHintForIndex(model.index(0)).height()
    rect = view.visualRect(model.index(0))
    assert rect.width() == view.viewport().width()
    view.resize(240, 500)
    d.clear()  # what the view's owner does on resize
    view.doItemsLayout()
    assert view.sizeHintForIndex(model.index(0)).height() > wide
    view.grab()


# ---- clicks ----------------------------------------------------------------------------------


def test_clicking_a_link_reports_it() -> None:
    d, pal = delegate(), palette(LIGHT)
    model = ObjectModel([msg("text", "see https://shop.example/o?x=1&y=2 now")])
    rect = QRect(0, 40, WIDTH, 200)
    lay = d.layout_for(option(rect, pal), model.index(0))
    assert lay is not None and lay.text is not None
    seen = scan_clicks(d, model, 0, lay.text, rect, pal)
    assert seen and set(seen) == {"https://shop.example/o?x=1&y=2"}
    assert not release(d, model, 0, rect, rect.topLeft() + QPoint(WIDTH - 2, 2), pal)


def test_hostile_links_are_never_reported() -> None:
    d, pal = delegate(), palette(LIGHT)
    model = ObjectModel([
        msg("text", '<a href="javascript:alert(1)">click me</a> javascript:alert(1) '
                    "file:///etc/passwd"),
        msg("picker", {"text": "Pick", "choices": [
            {"label": "Evil", "action": {"type": "link", "target": "javascript:alert(1)"}},
            {"label": "Data", "action": {"type": "link", "target": "data:text/html,x"}}]}),
        msg("carousel", {"text": "c", "targets": [
            {"title": "t", "actions": [{"label": "go", "url": "vbscript:x"}]}]}),
        msg("animation", {"url": "javascript:alert(1)//x.gif"}),
    ])
    for row in range(model.rowCount()):
        rect = QRect(0, 0, WIDTH, 300)
        lay = d.layout_for(option(rect, pal), model.index(row))
        assert lay is not None and lay.bubble is not None
        assert scan_clicks(d, model, row, lay.bubble, rect, pal) == []


def test_clicking_media_opens_its_url() -> None:
    d, pal = delegate(), palette(LIGHT)
    url = "https://f.example/a/thumbs-up.gif"
    model = ObjectModel([msg("animation", {"url": url, "type": "image/gif"})])
    rect = QRect(0, 0, WIDTH, 300)
    lay = d.layout_for(option(rect, pal), model.index(0))
    assert lay is not None and lay.media is not None
    seen: list[str] = []
    d.link_activated.connect(seen.append)
    assert release(d, model, 0, rect, lay.media.center(), pal)
    assert seen == [url]


def test_clicking_failed_retries() -> None:
    d, pal = delegate(), palette(LIGHT)
    failed = msg("text", "x", sender="operator", status=MessageStatus.FAILED, error="offline")
    pending = msg("text", "y", sender="operator", status=MessageStatus.PENDING)
    model = ObjectModel([failed, pending])
    retried: list[Message] = []
    d.retry_requested.connect(retried.append)
    rect = QRect(0, 0, WIDTH, 200)
    lay = d.layout_for(option(rect, pal), model.index(0))
    assert lay is not None and lay.retry is not None and lay.footer is not None
    assert lay.footer.contains(lay.retry)
    assert release(d, model, 0, rect, lay.retry.center(), pal)
    assert retried == [failed]
    pending_lay = d.layout_for(option(rect, pal), model.index(1))
    assert pending_lay is not None and pending_lay.retry is None


@pytest.mark.parametrize("width", [WIDTH, 260])
def test_a_failed_send_says_why_within_its_bubble(width: int) -> None:
    """The client's words for the failure (Message.error) are in the footer, elided to the
    bubble (the full words are the row's tooltip), and the retry target stays inside it."""
    d, pal = delegate(), palette(LIGHT)
    words = ("Not sent: the daily API quota is spent; it resets at 01:00 — it will be sent "
             "then")  # client/send_words.py
    short = msg("text", "ok", sender="operator", status=MessageStatus.FAILED,
                error="Not sent: offline")
    long = msg("text", "ok", sender="operator", status=MessageStatus.FAILED, error=words)
    untold = msg("text", "ok", sender="operator", status=MessageStatus.FAILED)
    rect = QRect(0, 0, width, 300)
    font_metrics = Metrics(QApplication.font())
    model = ObjectModel([short, long, untold])
    texts = []
    for row, failed in enumerate((short, long, untold)):
        lay = d.layout_for(option(rect, pal), model.index(row))
        assert lay is not None and lay.footer is not None and lay.retry is not None
        assert lay.footer.contains(lay.retry) and lay.bubble is not None
        assert lay.bubble.contains(lay.footer)
        fitted = fit_parts(footer_parts(failed, TZ), lay.footer.width(), font_metrics)
        assert parts_width(fitted, font_metrics) <= lay.footer.width()
        assert fitted[-1] == ("error", "— retry")
        texts.append(fitted[-2][1])
    assert texts[0] == "Not sent: offline"
    assert texts[1].startswith("Not sent: the daily")
    assert texts[1].endswith("…")  # the full words are the tooltip
    assert texts[2] == "Failed"
    image = QImage(width, 300, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    d.paint(painter, option(rect, pal), model.index(1))  # elided, not drawn past the bubble
    painter.end()


@pytest.mark.parametrize("width", [WIDTH, 260])
def test_a_queued_reply_says_it_waits_within_its_bubble(width: int) -> None:
    """QUEUED: an hourglass and "Queued — goes out by itself", elided to a
    narrow bubble; nothing to click (it goes by itself), and Enter does not retry it."""
    d, pal = delegate(), palette(DARK)
    queued = msg("text", "Thanks, I will check", sender="operator",
                 status=MessageStatus.QUEUED, error="No connection to Crisp")
    model = ObjectModel([queued])
    rect = QRect(0, 0, width, 300)
    lay = d.layout_for(option(rect, pal), model.index(0))
    assert lay is not None and lay.footer is not None and lay.bubble is not None
    assert lay.retry is None and d.activation(model.index(0)) is None
    assert lay.bubble.contains(lay.footer)
    font_metrics = Metrics(QApplication.font())
    fitted = fit_parts(footer_parts(queued, TZ), lay.footer.width(), font_metrics)
    assert fitted[0] == ("queued", "") and fitted[1][0] == "status"
    assert parts_width(fitted, font_metrics) <= lay.footer.width()
    if width == WIDTH:
        assert fitted[1][1] == "Queued — goes out by itself"
    else:
        assert fitted[1][1].startswith("Queued")  # whole, or elided with "…" to fit
    image = QImage(width, 300, QImage.Format.Format_ARGB32)
    image.fill(pal.color(R.Base))
    painter = QPainter(image)
    d.paint(painter, option(rect, pal), model.index(0))
    painter.end()


# ---- hostile content -------------------------------------------------------------------------


class RecordingDocument(SafeDocument):
    requested: list[str] = []
    laid_out: list[int] = []  # the length of every text given to a document

    def loadResource(self, type: int, name: QUrl | str) -> Any:
        RecordingDocument.requested.append(str(name))
        return super().loadResource(type, name)

    def setHtml(self, html: str) -> None:
        RecordingDocument.laid_out.append(len(html))
        super().setHtml(html)


HOSTILE: list[Any] = [
    "<script>alert(1)</script><img src=http://evil.example/p.png>",
    '<img src="file:///etc/passwd"><link rel=stylesheet href=http://evil.example/s.css>',
    "\u202egnp.exe \u200b\u200d zero-width 😀👍🏽 مرحبا",
    "x" * 200_000,
    ("word " * 20 + "\n") * 2_000,
    "https://" + "a" * 5000 + ".example/",
]


@pytest.mark.parametrize("pal", [LIGHT, DARK], ids=["light", "dark"])
def test_hostile_content_paints_and_loads_nothing(pal: dict[QPalette.ColorRole, str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    probe = RecordingDocument()  # first prove the probe sees a load when there is one
    probe.setHtml('<img src="http://evil.example/p.png">')
    probe.setTextWidth(200)
    probe.size()
    assert any("evil.example" in url for url in RecordingDocument.requested)
    RecordingDocument.requested = []
    monkeypatch.setattr(bubble_texts, "SafeDocument", RecordingDocument)
    items = [msg("text", text) for text in HOSTILE]
    items += [msg("note", HOSTILE[0], sender="operator")]
    items += [msg(kind, content) for kind in ("file", "picker", "carousel", "field", "audio")
              for content in ({"name": HOSTILE[0], "url": HOSTILE[0], "text": HOSTILE[1],
                               "choices": [{"label": HOSTILE[0]}], "targets": [
                                   {"title": HOSTILE[0], "image": "http://e.example/x.png"}]},)]
    RecordingDocument.laid_out = []
    image, rects = paint_thread(delegate(), ObjectModel(items), palette(pal))
    # Bounded work: no document is given more than the cut text (200,000 x's come in).
    assert RecordingDocument.laid_out and max(RecordingDocument.laid_out) < 4 * MAX_TEXT
    assert RecordingDocument.requested == []
    assert all(0 < rect.height() < 20_000 for rect in rects)  # huge text is cut, not endless
    assert not image.isNull()


MALFORMED: list[Any] = [None, 42, [], {}, {"name": None, "url": 7}, {"choices": "x"},
                        {"targets": [None, {"actions": 5}]}, {"duration": "long"}, b"x"]


@pytest.mark.parametrize("kind", ["text", "note", "file", "animation", "audio", "picker",
                                  "field", "carousel", "event", "unknown"])
def test_malformed_content_still_paints(kind: str) -> None:
    items = [msg(kind, content, sender=sender) for content in MALFORMED
             for sender in ("user", "operator")]
    _image, rects = paint_thread(delegate(), ObjectModel(items), palette(LIGHT))
    assert all(rect.height() > 0 for rect in rects)


def test_a_changed_row_is_measured_again(qtbot: Any) -> None:
    view = QListView()
    qtbot.addWidget(view)
    d = MessageDelegate(view, clock=lambda: NOW, tz=TZ)
    view.setItemDelegate(d)
    item = msg("text", "short", sender="operator", status=MessageStatus.PENDING)
    model = ObjectModel([msg(), item])
    view.setModel(model)
    view.resize(WIDTH, 400)
    view.show()
    qtbot.waitExposed(view)
    before = view.visualRect(model.index(1)).height()
    item.status = MessageStatus.SENT
    item.content = "a much longer text that wraps over several lines of the bubble " * 6
    model.dataChanged.emit(model.index(1), model.index(1), [ITEM_ROLE])
    d.row_changed(model.index(1))
    qtbot.waitUntil(lambda: view.visualRect(model.index(1)).height() > before)
