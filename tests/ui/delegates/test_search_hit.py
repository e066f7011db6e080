"""The search result delegate: rows paint in light and dark palettes, the matches are
highlighted, hostile snippets stay plain text (tags, direction marks, 10k characters), and
long snippets end in "…" within two lines."""

from __future__ import annotations

from datetime import timedelta, timezone
from typing import Any

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QStyle, QStyleOptionViewItem

from crisp_console.client.search import SearchResult
from crisp_console.present.search_rows import SearchRow, search_row
from crisp_console.ui.delegates import painting as pt
from crisp_console.ui.delegates.search_hit import (
    HIT_COLOUR,
    PAD,
    SNIPPET_LINES,
    SearchHitDelegate,
    snippet_layout,
)
from tests.ui.delegates.delegate_helpers import DARK, LIGHT, ObjectModel, palette
from tests.ui.hostile import HOSTILE

pytestmark = pytest.mark.usefixtures("qapp")

R = QPalette.ColorRole
TZ = timezone(timedelta(hours=1))
NOW = 1_700_000_000_000
WIDTH = 340
S, E = "\ue000", "\ue001"


def row(snippet: str, *, name: str = "Grace Hopper", field: str = "message",
        local: bool = True, server: bool = False, website: str = "w-acme") -> SearchRow:
    hit = SearchResult("s1", website, 7 if field == "message" else None, NOW - 3_600_000,
                       snippet, field, local, server)
    made = search_row(hit, None, "vat", (S, E))
    return SearchRow(made.session_id, made.website_id, made.fingerprint, made.timestamp, name,
                     made.text, made.hits, made.label, made.sources, made.field)


def delegate(**kw: Any) -> SearchHitDelegate:
    kw.setdefault("website_labels", {"w-acme": "Acme", "w-globex": "Globex"})
    return SearchHitDelegate(clock=lambda: NOW, tz=TZ, **kw)


def option(rect: QRect, pal: QPalette,
           state: QStyle.StateFlag = QStyle.StateFlag.State_None) -> QStyleOptionViewItem:
    opt = QStyleOptionViewItem()
    opt.rect, opt.palette, opt.font = rect, pal, QApplication.font()
    opt.state = QStyle.StateFlag.State_Enabled | state
    opt.direction = Qt.LayoutDirection.LeftToRight
    return opt


def paint(d: SearchHitDelegate, items: list[SearchRow], pal: QPalette,
          state: QStyle.StateFlag = QStyle.StateFlag.State_None) -> tuple[QImage, int]:
    model = ObjectModel(items)
    height = d.sizeHint(option(QRect(), pal), model.index(0)).height()
    image = QImage(WIDTH, height * len(items), QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(pal.color(R.Base))
    painter = QPainter(image)
    for n in range(len(items)):
        d.paint(painter, option(QRect(0, n * height, WIDTH, height), pal, state), model.index(n))
    painter.end()
    return image, height


def colours(image: QImage, rect: QRect) -> set[int]:
    return {image.pixel(x, y) for x in range(max(0, rect.left()), rect.right() + 1)
            for y in range(max(0, rect.top()), min(image.height(), rect.bottom() + 1))}


def hostile_rows() -> list[SearchRow]:
    rows = [row(f"{text} {S}vat{E} {text}", name=text) for text in HOSTILE]
    rows.append(row("\u202e" + "مرحبا بالعالم " * 3 + f"{S}vat{E}\u200f done"))
    rows.append(row(("long " * 2000) + f"{S}vat{E}", name="x" * 10_000))
    rows.append(row("Your VAT number please", field="conversation", local=False, server=True))
    return rows


@pytest.mark.parametrize("pal", [LIGHT, DARK], ids=["light", "dark"])
@pytest.mark.parametrize("state", [QStyle.StateFlag.State_None, QStyle.StateFlag.State_Selected,
                                   QStyle.StateFlag.State_MouseOver],
                         ids=["plain", "selected", "hover"])
def test_every_row_paints_inside_its_rect(pal: dict[QPalette.ColorRole, str],
                                          state: QStyle.StateFlag) -> None:
    items = hostile_rows()
    image, height = paint(delegate(), items, palette(pal), state)
    for n in range(len(items)):
        assert len(colours(image, QRect(PAD, n * height + PAD, 200, height - 2 * PAD))) > 4


def test_matches_are_highlighted_on_the_hit_colour() -> None:
    pal = palette(LIGHT)
    fill = pt.mix(pal.color(R.Base), HIT_COLOUR, 0.55).rgb()
    image, height = paint(delegate(), [row(f"the {S}vat{E} number"), row("no match here")], pal)
    body = QRect(0, height // 3, WIDTH, height * 2 // 3)
    assert fill in colours(image, body)
    assert fill not in colours(image, body.translated(0, height))


def test_hostile_snippets_are_laid_out_as_plain_text() -> None:
    ink, muted, fill = QColor("black"), QColor("grey"), QColor("yellow")
    for text in HOSTILE:
        layout = snippet_layout(text, [(0, 3)], 0, QApplication.font(), 4000,
                                Qt.LayoutDirection.LeftToRight, ink=ink, muted=muted,
                                hit_fill=fill)
        assert layout.text() == text  # every tag and entity is a character, nothing else
        assert [(f.start, f.length) for f in layout.formats()] == [(0, 3)]


def test_long_snippets_end_in_an_ellipsis_within_two_lines() -> None:
    text = "word " * 400
    layout = snippet_layout(text, [(0, 4), (1500, 1504)], 0, QApplication.font(), 300,
                            Qt.LayoutDirection.LeftToRight, ink=QColor("black"),
                            muted=QColor("grey"), hit_fill=QColor("yellow"))
    assert layout.lineCount() == SNIPPET_LINES
    assert layout.text().endswith("…") and len(layout.text()) < 200
    assert [(f.start, f.length) for f in layout.formats()] == [(0, 4)]  # the cut one went
    last = layout.lineAt(layout.lineCount() - 1)
    assert last.textStart() + last.textLength() == len(layout.text())  # all of it shown


def test_rows_are_uniform_and_follow_the_font() -> None:
    d, pal = delegate(), palette(LIGHT)
    model = ObjectModel(hostile_rows())
    heights = {d.sizeHint(option(QRect(), pal), model.index(n)).height()
               for n in range(model.rowCount())}
    assert len(heights) == 1
    big = QFont(QApplication.font())
    big.setPointSizeF(big.pointSizeF() * 2)
    assert d.row_height(big) > min(heights)


def test_websites_named_only_when_there_are_several() -> None:
    r = row(f"{S}vat{E}")
    assert delegate().website(r.website_id) == "Acme"
    assert delegate(website_labels={"w-acme": "Acme"}).website(r.website_id) == ""
    assert delegate(website_labels={"w-acme": "Acme"}).website(r.website_id, always=True) == \
        "Acme"
    assert delegate(website_labels=lambda _w: "A\u202eB\nC").website(r.website_id) == "AB C"
    with_site, _ = paint(delegate(), [r], palette(LIGHT))
    without, _ = paint(delegate(website_labels=None), [r], palette(LIGHT))
    assert with_site != without


def test_the_sources_change_the_painting() -> None:
    pal = palette(LIGHT)
    saved, _ = paint(delegate(), [row(f"{S}vat{E}")], pal)
    both, _ = paint(delegate(), [row(f"{S}vat{E}", server=True)], pal)
    assert saved != both
    assert delegate().when(row("x")) == "1 h"


def test_rows_without_a_search_row_paint_nothing() -> None:
    pal = palette(LIGHT)
    model = ObjectModel([None, "text"])
    image = QImage(WIDTH, 60, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(pal.color(R.Base))
    painter = QPainter(image)
    for n in range(2):
        delegate().paint(painter, option(QRect(0, 0, WIDTH, 60), pal), model.index(n))
    painter.end()
    assert colours(image, image.rect()) == {pal.color(R.Base).rgba()}
