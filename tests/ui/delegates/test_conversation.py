"""The conversation-list delegate: painting every kind of row in light and dark palettes,
uniform heights, badges, the typing indicator and the state strip."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta, timezone
from typing import Any

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QListView, QStyle, QStyleOptionViewItem

from crisp_console.core import Conversation
from crisp_console.ui.delegates import ConversationDelegate
from crisp_console.ui.delegates.conversation import PAD, STATE_COLOURS, STRIP
from tests.ui.delegates.delegate_helpers import DARK, LIGHT, ObjectModel, palette

pytestmark = pytest.mark.usefixtures("qapp")

R = QPalette.ColorRole
TZ = timezone(timedelta(hours=1))
NOW = 1_700_000_000_000
MIN = 60_000
WIDTH = 380


def conv(sid: str, **kw: Any) -> Conversation:
    kw.setdefault("website_id", "w-acme")
    kw.setdefault("nickname", "Grace Hopper")
    kw.setdefault("last_message", "Hello, I have a question")
    kw.setdefault("updated_at", NOW - 5 * MIN)
    return Conversation(sid, **kw)


def variety() -> Iterator[Conversation]:
    """Every combination worth painting: states, unread counts, typing, assignees, names."""
    names = ["Grace Hopper", "", "مريم الأحمد", "Ada 🚀 Lovelace", "<b>bold</b> <img src=x>",
             "x" * 500, "Zw\u200bj\u202eevil\u202c", "\n\t "]
    n = 0
    for state in ("pending", "unresolved", "resolved", "weird"):
        for unread in (0, 1, 150):
            for typing in (None, "", "I can't find the refu"):
                n += 1
                yield conv(f"s{n}", state=state, unread_operator=unread,
                           compose_visitor=typing, nickname=names[n % len(names)],
                           email="e@example.com" if n % 3 else "",
                           assigned=(None, "op1", "unknown-op")[n % 3],
                           website_id=("w-acme", "w-globex", "w-missing")[n % 3],
                           last_message=("", "line\none\ttwo " * 40, "<script>x</script>")[n % 3],
                           last_type=("text", "note")[n % 2],
                           updated_at=(0, NOW - 20_000, NOW - 400 * 24 * 60 * MIN)[n % 3])


def delegate(**kw: Any) -> ConversationDelegate:
    kw.setdefault("website_labels", {"w-acme": "Acme", "w-globex": "Globex"})
    kw.setdefault("operator_names", {"op1": "Ada Lovelace"})
    return ConversationDelegate(clock=lambda: NOW, tz=TZ, **kw)


def option(rect: QRect, pal: QPalette, state: QStyle.StateFlag = QStyle.StateFlag.State_None,
           font: QFont | None = None) -> QStyleOptionViewItem:
    opt = QStyleOptionViewItem()
    opt.rect = rect
    opt.palette = pal
    opt.font = font or QApplication.font()
    opt.state = QStyle.StateFlag.State_Enabled | state
    return opt


def paint_rows(d: ConversationDelegate, items: list[Conversation], pal: QPalette,
               state: QStyle.StateFlag = QStyle.StateFlag.State_None) -> tuple[QImage, int]:
    model = ObjectModel(items)
    height = d.sizeHint(option(QRect(), pal), model.index(0)).height()
    image = QImage(WIDTH, height * len(items), QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(pal.color(R.Base))
    painter = QPainter(image)
    for row in range(len(items)):
        d.paint(painter, option(QRect(0, row * height, WIDTH, height), pal, state),
                model.index(row))
    painter.end()
    return image, height


def colours_in(image: QImage, rect: QRect) -> set[int]:
    return {image.pixel(x, y) for x in range(rect.left(), rect.right() + 1)
            for y in range(rect.top(), rect.bottom() + 1)}


@pytest.mark.parametrize("pal", [LIGHT, DARK], ids=["light", "dark"])
@pytest.mark.parametrize("state", [QStyle.StateFlag.State_None,
                                   QStyle.StateFlag.State_Selected,
                                   QStyle.StateFlag.State_MouseOver],
                         ids=["plain", "selected", "hover"])
def test_every_kind_of_row_paints(pal: dict[QPalette.ColorRole, str],
                                  state: QStyle.StateFlag) -> None:
    items = list(variety())
    image, height = paint_rows(delegate(), items, palette(pal), state)
    for row, item in enumerate(items):
        strip = STATE_COLOURS.get(item.state, STATE_COLOURS["pending"])
        assert QColor(image.pixel(1, row * height + height // 2)) == strip
        # Something was drawn in the row besides the background and the strip.
        assert len(colours_in(image, QRect(STRIP + PAD, row * height, 200, height))) > 4


def test_selection_and_hover_come_from_the_palette() -> None:
    pal = palette(LIGHT)
    items = [conv("s1", unread_operator=0, last_message="")]
    spot = QRect(WIDTH - 40, 2, 1, 1)  # right edge of the title line, above the time
    plain, _ = paint_rows(delegate(), items, pal)
    selected, _ = paint_rows(delegate(), items, pal, QStyle.StateFlag.State_Selected)
    hover, _ = paint_rows(delegate(), items, pal, QStyle.StateFlag.State_MouseOver)
    assert QColor(plain.pixel(spot.topLeft())) == pal.color(R.Base)
    assert QColor(selected.pixel(spot.topLeft())) == pal.color(R.Highlight)
    hovered = QColor(hover.pixel(spot.topLeft()))
    assert hovered not in (pal.color(R.Base), pal.color(R.Highlight))


def test_rows_are_uniform_and_follow_the_font() -> None:
    d = delegate()
    model = ObjectModel(list(variety()))
    pal = palette(LIGHT)
    heights = {d.sizeHint(option(QRect(), pal), model.index(r)).height()
               for r in range(model.rowCount())}
    assert len(heights) == 1
    big = QFont(QApplication.font())
    big.setPointSizeF(QApplication.font().pointSizeF() * 2)
    assert d.sizeHint(option(QRect(), pal, font=big), model.index(0)).height() > min(heights)


def test_unread_badge_only_for_unread_rows() -> None:
    pal = palette(LIGHT)
    highlight = pal.color(R.Highlight).rgb()
    image, height = paint_rows(delegate(operator_names=None), [
        conv("s1", unread_operator=3), conv("s2", unread_operator=0)], pal)
    line2 = QRect(WIDTH - 60, height // 2, 60 - PAD, height // 2 - PAD)
    assert highlight in colours_in(image, line2)
    assert highlight not in colours_in(image, line2.translated(0, height))


def test_typing_indicator_uses_the_accent() -> None:
    def bluish(image: QImage, rect: QRect) -> int:  # the Link colour is blue, text is grey
        return sum(1 for rgb in colours_in(image, rect)
                   if QColor(rgb).blue() - QColor(rgb).red() > 100)

    pal = palette(LIGHT)
    image, height = paint_rows(delegate(), [
        conv("s1", compose_visitor="Hel", unread_operator=0),
        conv("s2", compose_visitor=None, unread_operator=0)], pal)
    excerpt = QRect(60, height // 2, 150, height // 2 - PAD)
    assert bluish(image, excerpt) > 3
    assert bluish(image, excerpt.translated(0, height)) == 0


def test_website_badges_only_with_several_websites() -> None:
    row = conv("s1", website_id="w-acme")
    assert delegate(website_labels={"w-acme": "Acme"}).website_badge(row) == ""
    assert delegate(website_labels=None).website_badge(row) == ""
    assert delegate().website_badge(row) == "Acme"
    assert delegate().website_badge(conv("s2", website_id="w-missing")) == ""
    by_call = delegate(website_labels=lambda wid: "A\u202eB\nC" if wid == "w-acme" else None)
    assert by_call.website_badge(row) == "AB C"
    assert by_call.website_badge(conv("s3", website_id="other")) == ""
    d = delegate(website_labels=None)
    d.set_website_labels({"w-acme": "Acme", "w-b": "B"})
    assert d.website_badge(row) == "Acme"


def test_the_badge_changes_the_painting() -> None:
    pal = palette(LIGHT)
    items = [conv("s1")]
    with_badge, _ = paint_rows(delegate(), items, pal)
    without, _ = paint_rows(delegate(website_labels=None), items, pal)
    assert with_badge != without


def test_the_clock_drives_the_time_label() -> None:
    pal = palette(LIGHT)
    items = [conv("s1", updated_at=NOW - 5 * MIN)]
    a, _ = paint_rows(delegate(), items, pal)
    b, _ = paint_rows(delegate(), items, pal)
    later = delegate()
    later.clock = lambda: NOW + 3 * 60 * MIN
    c, _ = paint_rows(later, items, pal)
    assert a == b
    assert a != c


def test_rows_without_a_conversation_paint_nothing() -> None:
    pal = palette(LIGHT)
    model = ObjectModel([None, "not a conversation"])
    image = QImage(WIDTH, 60, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(pal.color(R.Base))
    painter = QPainter(image)
    for row in range(2):
        delegate().paint(painter, option(QRect(0, 0, WIDTH, 60), pal), model.index(row))
    painter.end()
    assert colours_in(image, image.rect()) == {pal.color(R.Base).rgba()}


def test_in_a_real_list_view(qtbot: Any) -> None:
    view = QListView()
    qtbot.addWidget(view)
    view.setUniformItemSizes(True)
    view.setPalette(palette(DARK))
    d = delegate()
    view.setItemDelegate(d)
    items = list(variety())[:8]
    model = ObjectModel(items)
    view.setModel(model)
    view.resize(WIDTH, 8 * d.row_height(view.font()) + 4)
    view.show()
    qtbot.waitExposed(view)
    assert view.visualRect(model.index(0)).width() == view.viewport().width()
    image = view.grab().toImage()
    assert image.width() == WIDTH


class TextRecorder(QPainter):
    """A painter that keeps every text it draws (the delegate calls drawText from Python)."""

    def __init__(self, device: QImage) -> None:
        super().__init__(device)
        self.texts: list[str] = []

    def drawText(self, *args: Any) -> None:  # type: ignore[override]
        self.texts.extend(a for a in args if isinstance(a, str))
        super().drawText(*args)


@pytest.mark.parametrize(("kind", "excerpt", "words"), [
    ("event", "[event] state:resolved", "Conversation resolved"),
    ("file", "[file] damaged-mug.jpg", "📎 damaged-mug.jpg"),
    ("", "[event] state:resolved", "Conversation resolved"),
    ("note", "Refund approved", "Note: Refund approved"),
    ("text", "[file] typed by a visitor", "[file] typed by a visitor"),
])
def test_the_last_message_is_painted_in_words(kind: str, excerpt: str, words: str) -> None:
    pal = palette(LIGHT)
    model = ObjectModel([conv("s1", last_type=kind, last_message=excerpt)])
    image = QImage(1200, 200, QImage.Format.Format_ARGB32_Premultiplied)
    painter = TextRecorder(image)
    d = delegate()
    d.cache_rows = False  # its texts are drawn on this painter (the cache paints the same)
    d.paint(painter, option(QRect(0, 0, 1200, 100), pal), model.index(0))
    painter.end()
    assert words in painter.texts
    assert not any(t.startswith(("[event]", "[file]")) for t in painter.texts) or kind == "text"
