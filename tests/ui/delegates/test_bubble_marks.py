"""The delegate's highlights (bubble_marks.py): marker selections over a bubble's document at
Qt's positions (emoji count twice), the current match in the stronger colour, none without
a find; colours readable in light and dark palettes; a highlight does not change a row's
height."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRect
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QStyleOptionViewItem

from crisp_console.core import Message
from crisp_console.present.find_text import Mark
from crisp_console.present.richtext import safe_html
from crisp_console.ui.delegates import MessageDelegate
from crisp_console.ui.delegates.bubble_marks import mark_colours, paint_flash, selections
from crisp_console.ui.delegates.richtext import SafeDocument
from crisp_console.ui.models import MessageRole
from tests.core import factories as f
from tests.ui.delegates.delegate_helpers import DARK, LIGHT, ObjectModel, palette


def document(text: str) -> SafeDocument:
    doc = SafeDocument()
    doc.setHtml(safe_html(text))
    return doc


def test_selections_cover_each_occurrence_at_qts_positions(qapp: Any) -> None:
    doc = document("😀 Refund?\nyes, the réfund https://x.test/refund")
    colours = mark_colours(palette(LIGHT))
    found = selections(doc, Mark("refund", found=True), colours)
    assert [s.cursor.selectedText() for s in found] == ["Refund", "réfund", "refund"]
    assert found[0].cursor.selectionStart() == 3  # after the emoji's two code units and a space
    assert all(s.format.background().color() == colours.found for s in found)
    current = selections(doc, Mark("refund", found=True, current=True), colours)
    assert all(s.format.background().color() == colours.current for s in current)
    assert selections(doc, None, colours) == []
    assert selections(doc, Mark(flash=True), colours) == []
    assert selections(doc, Mark("zebra", found=True), colours) == []


def test_colours_differ_from_the_palette_base_in_light_and_dark(qapp: Any) -> None:
    for colours_of in (LIGHT, DARK):
        pal = palette(colours_of)
        c = mark_colours(pal)
        assert len({c.found.name(), c.current.name(), pal.base().color().name()}) == 3
        image = QImage(20, 20, QImage.Format.Format_ARGB32)
        image.fill(pal.base().color())
        painter = QPainter(image)
        paint_flash(painter, QRect(0, 0, 20, 20), Mark(flash=True), c)
        painter.end()
        assert image.pixelColor(10, 10) != pal.base().color()  # the tint shows


class MarkedModel(ObjectModel):
    def __init__(self, items: list[Any], mark: Mark | None) -> None:
        super().__init__(items)
        self.mark = mark

    def data(self, index: Any, role: int = 0) -> Any:
        if role == int(MessageRole.MARK):
            return self.mark
        return super().data(index, role)


def test_a_highlight_changes_no_height(qapp: Any) -> None:
    msg = Message.from_payload(f.message("s", content="the refund, please " * 8))
    heights = []
    for mark in (None, Mark("refund", found=True, current=True, flash=True)):
        model = MarkedModel([msg], mark)
        delegate = MessageDelegate()
        option = QStyleOptionViewItem()
        option.rect = QRect(0, 0, 400, 100)
        option.palette = palette(LIGHT)
        heights.append(delegate.sizeHint(option, model.index(0)).height())
        image = QImage(400, heights[-1], QImage.Format.Format_ARGB32)
        image.fill(0)
        painter = QPainter(image)
        option.rect = QRect(0, 0, 400, heights[-1])
        delegate.paint(painter, option, model.index(0))  # paints without a view
        painter.end()
    assert heights[0] == heights[1]
