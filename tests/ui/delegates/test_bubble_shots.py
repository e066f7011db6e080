"""The thread delegate's painted bubbles (bubble_shots.py): a repaint of unchanged bubbles
reuses them, a change of anything a bubble shows paints it afresh, a kept bubble is the very
pixels of a paint, and what is kept is bounded."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QFont, QImage, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QStyle, QStyleOptionViewItem

from crisp_console.core import Message
from crisp_console.ui.delegates import MessageDelegate
from crisp_console.ui.delegates.bubble_shots import BubbleShots
from tests.ui.delegates.delegate_helpers import (
    DARK,
    DRAWING_CHANGES,
    LIGHT,
    ObjectModel,
    drawing_change,
    palette,
)
from tests.ui.delegates.test_bubble import MIN, NOW, TZ, every_type, msg

pytestmark = pytest.mark.usefixtures("qapp")

R = QPalette.ColorRole
WIDTH = 520


def option(rect: QRect, pal: QPalette, state: QStyle.StateFlag,
           font: QFont | None = None) -> QStyleOptionViewItem:
    opt = QStyleOptionViewItem()
    opt.rect, opt.palette, opt.font = rect, pal, font or QApplication.font()
    opt.state = QStyle.StateFlag.State_Enabled | state
    return opt


def paint(d: MessageDelegate, items: list[Message], pal: QPalette, *, width: int = WIDTH,
          dpr: float = 1.0, font: QFont | None = None,
          state: QStyle.StateFlag = QStyle.StateFlag.State_None) -> QImage:
    model = ObjectModel(items)
    rects, y = [], 0
    for row in range(len(items)):
        height = d.sizeHint(option(QRect(0, 0, width, 0), pal, state, font),
                            model.index(row)).height()
        rects.append(QRect(0, y, width, height))
        y += height
    image = QImage(round(width * dpr), round(max(1, y) * dpr),
                   QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(dpr)
    image.fill(pal.color(R.Base))
    painter = QPainter(image)
    for row, rect in enumerate(rects):
        d.paint(painter, option(rect, pal, state, font), model.index(row))
    painter.end()
    return image


def delegate() -> MessageDelegate:
    return MessageDelegate(clock=lambda: NOW, tz=TZ)


def uncached() -> MessageDelegate:
    d = delegate()
    d.cache_shots = False
    return d


def kept_kinds(d: MessageDelegate, items: list[Message], pal: QPalette) -> int:
    """The bubbles without an image (those are never kept)."""
    model = ObjectModel(items)
    opt = option(QRect(0, 0, WIDTH, 100), pal, QStyle.StateFlag.State_None)
    layouts = [d.layout_for(opt, model.index(row)) for row in range(len(items))]
    return sum(1 for lay in layouts if lay is not None and lay.media is None)


@pytest.mark.parametrize("pal", [LIGHT, DARK], ids=["light", "dark"])
@pytest.mark.parametrize("state", [QStyle.StateFlag.State_None,
                                   QStyle.StateFlag.State_Selected], ids=["plain", "selected"])
@pytest.mark.parametrize("dpr", [1.0, 2.0])
def test_a_kept_bubble_is_the_pixels_of_a_paint(pal: dict[QPalette.ColorRole, str],
                                                state: QStyle.StateFlag, dpr: float) -> None:
    items, colours = every_type(), palette(pal)
    cached = delegate()
    first = paint(cached, items, colours, state=state, dpr=dpr)
    misses = cached.shots.misses
    again = paint(cached, items, colours, state=state, dpr=dpr)
    assert cached.shots.hits == misses > 0  # every bubble kept the first time is reused
    assert 0 < misses == kept_kinds(cached, items, colours) < len(items)
    direct = paint(uncached(), items, colours, state=state, dpr=dpr)
    assert first == direct
    assert again == direct


@pytest.mark.parametrize("change", [
    "content", "read", "status", "nickname", "width", "font", "palette", "selected", "day",
])
def test_whatever_a_bubble_shows_changing_paints_it_afresh(change: str) -> None:
    d, pal = delegate(), palette(LIGHT)
    items = [msg("text", f"Message {i}", sender="operator" if i % 2 else "user",
                 ts=NOW - (40 - i) * MIN) for i in range(4)]
    now = [NOW]
    d.clock = lambda: now[0]
    paint(d, items, pal)
    kw: dict[str, Any] = {}
    if change == "content":
        items[1].apply_update({"content": "Edited text", "edited": True})
    elif change == "read":
        items[1].apply_update({"read": "chat"})
    elif change == "status":
        items[1].apply_update({"delivered": "chat"})
    elif change == "nickname":
        items[0].apply_update({"nickname": "Katherine Johnson"})
    elif change in DRAWING_CHANGES:
        kw, other = drawing_change(change, WIDTH - 60)
        pal = other or pal
    elif change == "day":
        now[0] = NOW + 24 * 60 * MIN  # "Today" is now "Yesterday" above the first bubble
    hits, misses = d.shots.hits, d.shots.misses
    after = paint(d, items, pal, **kw)
    fresh = d.shots.misses - misses
    whole = change in ("width", "font", "palette", "selected")
    assert fresh == (4 if whole else 1), change
    assert d.shots.hits - hits == 4 - fresh
    d.cache_shots = False
    assert after == paint(d, items, pal, **kw)  # what it shows is the change's


def test_a_changed_row_and_a_cleared_delegate_forget_their_bubbles() -> None:
    d, pal = delegate(), palette(LIGHT)
    items = [msg("text", f"Message {i}") for i in range(3)]
    paint(d, items, pal)
    assert len(d.shots) == 3
    d.invalidate(items[0].fingerprint)
    assert len(d.shots) == 2
    d.clear()
    assert len(d.shots) == 0 and d.shots.bytes == 0


def test_bubbles_kept_are_bounded_by_their_bytes() -> None:
    pal = palette(LIGHT)
    d = delegate()
    items = [msg("text", f"Message {i}") for i in range(12)]
    paint(d, items, pal)
    one = d.shots.bytes // len(d.shots)
    d.shots = BubbleShots(budget_bytes=5 * one)
    paint(d, items, pal)
    assert len(d.shots) == 5 and d.shots.bytes <= 5 * one
    # The most recently painted are the ones kept.
    assert [m.fingerprint in d.shots for m in items] == [False] * 7 + [True] * 5


def test_a_tall_bubble_is_painted_each_time() -> None:
    d, pal = delegate(), palette(LIGHT)
    long = msg("text", "\n".join(f"Line {i} of a long message" for i in range(80)))
    paint(d, [long], pal)
    assert len(d.shots) == 0 and d.shots.misses == 0
