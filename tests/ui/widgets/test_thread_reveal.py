"""Revealing a message in the thread: it is scrolled into view (centred), flashed through the
MARK role until the flash timer fires (the test fires it), the operator moves on or another
conversation is shown; ``reveal_text`` opens the find bar on a query. The highlights are
painted: the viewport's pixels show the marker and the flash colours."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from crisp_console.present.find_text import Mark
from crisp_console.ui.delegates.bubble_marks import mark_colours
from tests.ui.widgets.find_helpers import (
    centred,
    in_view,
    marks,
    row_rect,
    shown_window,
    words_store,
)
from tests.ui.widgets.test_thread_pane import ManualTimer

Attach = Callable[[QAbstractItemModel], Any]
timers: list[ManualTimer] = []


def flash_timer(parent: object, interval_ms: int, slot: Callable[[], None]) -> ManualTimer:
    timer = ManualTimer(parent, interval_ms, slot)
    timers.append(timer)
    return timer


def colours_in(image: QImage, colour: QColor, rows: range | None = None) -> int:
    """How many pixels of ``image`` (in ``rows``, all by default) are ``colour`` (±3 per
    channel: antialiasing blends the edges)."""
    count = 0
    for y in rows if rows is not None else range(image.height()):
        for x in range(0, image.width(), 2):
            pixel = image.pixelColor(x, y)
            if abs(pixel.red() - colour.red()) <= 3 and abs(pixel.green() - colour.green()) <= 3 \
                    and abs(pixel.blue() - colour.blue()) <= 3:
                count += 1
    return count


def test_reveal_centres_the_message_and_flashes_it_until_the_timer(
        qtbot: QtBot, live_tester: Attach) -> None:
    timers.clear()
    store, sid = words_store()
    win = shown_window(qtbot, store, flash_timer=flash_timer)
    pane = win.pane
    pane.bind(sid)
    pane.flush()
    live_tester(pane.model)
    assert pane.at_bottom() and not in_view(pane, 12)
    fp = pane.model.message_at(12).fingerprint
    assert pane.reveal(fp)
    assert centred(pane, 12) and pane.view.viewport().rect().contains(row_rect(pane, 12))
    assert marks(pane) == {12: Mark(flash=True)}
    # The flash is painted: the row is tinted and outlined with the highlight colour.
    image = pane.view.viewport().grab().toImage()
    rect = row_rect(pane, 12)
    outline = mark_colours(pane.view.palette()).outline
    assert colours_in(image, outline, range(rect.top(), rect.bottom() + 1)) > 20
    assert timers[-1].isActive()
    timers[-1].fire()
    assert marks(pane) == {} and centred(pane, 12)  # the view stays where it was taken


def test_the_flash_ends_when_the_operator_moves_on_or_leaves(qtbot: QtBot) -> None:
    timers.clear()
    store, sid = words_store()
    win = shown_window(qtbot, store, flash_timer=flash_timer)
    pane = win.pane
    pane.bind(sid)
    pane.flush()
    assert pane.reveal(pane.model.message_at(3).fingerprint) and marks(pane)
    pane.view.setFocus()
    qtbot.waitUntil(pane.view.hasFocus)
    QTest.keyClick(pane.view, Qt.Key.Key_Down)
    assert marks(pane) == {} and not timers[-1].isActive()
    assert pane.reveal(pane.model.message_at(3).fingerprint) and marks(pane)
    other = store.conversation_ids()[1]
    pane.bind(other)
    pane.bind(sid)
    assert marks(pane) == {}
    assert not pane.reveal(123456789)  # not in this thread: nothing moves, nothing flashes
    assert marks(pane) == {}


def test_a_revealed_match_is_both_found_and_flashed(qtbot: QtBot) -> None:
    store, sid = words_store()
    win = shown_window(qtbot, store)
    pane = win.pane
    pane.bind(sid)
    pane.flush()
    assert pane.reveal_text("refund")
    assert pane.find_bar.isVisible() and pane.find_bar.query() == "refund"
    assert pane.find_bar.count.text() == "1 of 3" and centred(pane, 30)
    assert pane.reveal(pane.model.message_at(17).fingerprint)
    assert marks(pane)[17] == Mark("refund", found=True, flash=True)
    assert marks(pane)[30] == Mark("refund", found=True, current=True)
    # The matches are painted with the marker colours, the current one stronger.
    pane.view.scrollTo(pane.model.index(30))
    pane.flush()
    image = pane.view.viewport().grab().toImage()
    rect = row_rect(pane, 30)
    colours = mark_colours(pane.view.palette())
    assert colours_in(image, colours.current, range(rect.top(), rect.bottom() + 1)) > 20
    assert not pane.reveal_text("zebra")
    assert pane.find_bar.count.text().startswith("No matches")
