"""The conversation delegate's painted rows (RowShots in conversation.py): a repaint of
unchanged rows reuses them, any change of what a row shows (its fields, the time label,
the width, the font, the palette, the state) paints afresh, and a reused row is the very
pixels a paint makes."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QFont, QImage, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QStyle

from crisp_console.core import Conversation
from crisp_console.ui.delegates import ConversationDelegate
from tests.ui.delegates.delegate_helpers import (
    DARK,
    DRAWING_CHANGES,
    LIGHT,
    ObjectModel,
    drawing_change,
    palette,
)
from tests.ui.delegates.test_conversation import MIN, NOW, conv, delegate, option, variety

pytestmark = pytest.mark.usefixtures("qapp")

R = QPalette.ColorRole
WIDTH = 380


def paint(d: ConversationDelegate, items: list[Conversation], pal: QPalette, *,
          width: int = WIDTH, font: QFont | None = None, dpr: float = 1.0,
          state: QStyle.StateFlag = QStyle.StateFlag.State_None) -> QImage:
    model = ObjectModel(items)
    font = font or QApplication.font()
    height = d.sizeHint(option(QRect(), pal, font=font), model.index(0)).height()
    image = QImage(round(width * dpr), round(height * len(items) * dpr),
                   QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(dpr)
    image.fill(pal.color(R.Base))
    painter = QPainter(image)
    for row in range(len(items)):
        d.paint(painter, option(QRect(0, row * height, width, height), pal, state, font),
                model.index(row))
    painter.end()
    return image


def uncached() -> ConversationDelegate:
    d = delegate()
    d.cache_rows = False
    return d


@pytest.mark.parametrize("pal", [LIGHT, DARK], ids=["light", "dark"])
@pytest.mark.parametrize("state", [QStyle.StateFlag.State_None,
                                   QStyle.StateFlag.State_Selected,
                                   QStyle.StateFlag.State_MouseOver],
                         ids=["plain", "selected", "hover"])
@pytest.mark.parametrize("dpr", [1.0, 2.0])
def test_a_kept_row_is_the_pixels_of_a_paint(pal: dict[QPalette.ColorRole, str],
                                             state: QStyle.StateFlag, dpr: float) -> None:
    items, colours = list(variety()), palette(pal)
    cached = delegate()
    first = paint(cached, items, colours, state=state, dpr=dpr)
    again = paint(cached, items, colours, state=state, dpr=dpr)  # every row reused
    assert cached.row_hits == len(items)
    direct = paint(uncached(), items, colours, state=state, dpr=dpr)
    assert first == direct
    assert again == direct


def test_a_repaint_of_unchanged_rows_reuses_them() -> None:
    d, pal = delegate(), palette(LIGHT)
    items = [conv(f"s{i}", nickname=f"Visitor {i}") for i in range(10)]
    paint(d, items, pal)
    assert (d.row_hits, d.row_misses) == (0, 10)
    paint(d, items, pal)
    assert (d.row_hits, d.row_misses) == (10, 10)
    paint(d, items[3:] + items[:3], pal)  # rows moved (a live feed reorders): still theirs
    assert (d.row_hits, d.row_misses) == (20, 10)


@pytest.mark.parametrize("change", [
    "field", "typing", "time", "width", "font", "palette", "selected", "badge", "draft",
    "operator",
])
def test_whatever_a_row_shows_changing_paints_it_afresh(change: str) -> None:
    d, pal = delegate(), palette(LIGHT)
    items = [conv(f"s{i}", nickname=f"Visitor {i}", assigned="op1") for i in range(4)]
    paint(d, items, pal)
    kw: dict[str, Any] = {}
    now = [NOW]
    d.clock = lambda: now[0]
    if change == "field":
        items[0].apply_update({"last_message": "Something new"})  # the store updates in place
    elif change == "typing":
        items[0].apply_update({"compose_visitor": "I am typ"})
    elif change == "time":
        now[0] = NOW + 90 * MIN  # "5 min" becomes "1 h"-ish: every row's label changes
    elif change in DRAWING_CHANGES:
        kw, other = drawing_change(change, WIDTH - 40)
        pal = other or pal
    elif change == "badge":
        d.set_website_labels({"w-acme": "ACME Corp", "w-globex": "Globex"})
    elif change == "draft":
        d.set_draft_ids({"s0"})
    elif change == "operator":
        d.set_operator_names({"op1": "Grace Hopper"})
    hits, misses = d.row_hits, d.row_misses
    after = paint(d, items, pal, **kw)
    fresh = d.row_misses - misses
    whole = change in ("time", "width", "font", "palette", "selected", "badge", "operator")
    assert fresh == (4 if whole else 1), change
    assert d.row_hits - hits == 4 - fresh
    d.cache_rows = False
    assert after == paint(d, items, pal, **kw)  # what it shows is the change's


def test_rows_kept_are_bounded() -> None:
    from crisp_console.ui.delegates.conversation import SHOTS

    d, pal = delegate(), palette(LIGHT)
    items = [dataclasses.replace(conv("x"), session_id=f"s{i}") for i in range(SHOTS + 30)]
    paint(d, items, pal)
    assert len(d._shots) == SHOTS  # noqa: SLF001
    d.forget_rows()
    assert len(d._shots) == 0  # noqa: SLF001


@pytest.mark.parametrize("pal", [LIGHT, DARK], ids=["light", "dark"])
@pytest.mark.parametrize("state", [QStyle.StateFlag.State_None,
                                   QStyle.StateFlag.State_Selected],
                         ids=["plain", "selected"])
@pytest.mark.parametrize("dpr", [1.0, 2.0])
def test_a_row_whose_text_alone_changes_is_drawn_over_itself_without_it(
        pal: dict[QPalette.ColorRole, str], state: QStyle.StateFlag, dpr: float) -> None:
    d, colours = delegate(), palette(pal)
    d.set_draft_ids({"s1"})
    items = [conv("s0", nickname="Ada", assigned="op1", unread_operator=2),
             conv("s1", nickname="Bob", last_message="Hello there")]
    paint(d, items, colours, state=state, dpr=dpr)
    for step, text in enumerate(["I", "I am", "I am typing a long question about my order",
                                 None]):
        for item in items:  # typing, and then not (its last message shows again)
            item.apply_update({"compose_visitor": text})
        misses = d.row_misses
        after = paint(d, items, colours, state=state, dpr=dpr)
        assert d.row_misses - misses == 2
        assert d.text_repaints == 2 * (step + 1)  # every change after the first kept row
        assert after == paint(uncached_like(d), items, colours, state=state, dpr=dpr), text


def uncached_like(d: ConversationDelegate) -> ConversationDelegate:
    other = uncached()
    other.set_draft_ids({"s1"})
    return other


def test_a_change_beyond_the_text_paints_the_whole_row_again() -> None:
    d, pal = delegate(), palette(LIGHT)
    items = [conv("s0", nickname="Ada")]
    paint(d, items, pal)
    items[0].apply_update({"compose_visitor": "Hel"})
    paint(d, items, pal)
    assert d.text_repaints == 1
    items[0].apply_update({"compose_visitor": "Hello", "unread_operator": 3})  # and a badge
    after = paint(d, items, pal)
    assert d.text_repaints == 1  # painted whole: the kept row lacks the badge
    assert after == paint(uncached(), items, pal)
    items[0].apply_update({"compose_visitor": "Hello!"})
    after = paint(d, items, pal)
    assert d.text_repaints == 2  # the row with its badge, kept without its text anew
    assert after == paint(uncached(), items, pal)


def test_rows_kept_without_their_text_are_bounded_and_forgotten() -> None:
    from crisp_console.ui.delegates.conversation import BASES

    d, pal = delegate(), palette(LIGHT)
    items = [dataclasses.replace(conv("x"), session_id=f"s{i}") for i in range(BASES + 6)]
    paint(d, items, pal)
    for item in items:
        item.apply_update({"compose_visitor": "typing"})
    paint(d, items, pal)
    assert len(d._bases) == BASES  # noqa: SLF001
    d.forget_rows()
    assert len(d._bases) == len(d._shots) == 0  # noqa: SLF001
