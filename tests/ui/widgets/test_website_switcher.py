"""The website switcher widget and the website scope of the list's filter and counts."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from crisp_console.present.filters import ConversationFilter, Filter
from crisp_console.present.plain import tooltip_html
from crisp_console.ui.models import FilterCounts
from crisp_console.ui.widgets.list_pane import ListPane
from crisp_console.ui.widgets.website_switcher import (
    ALL_TITLE,
    WebsiteEntry,
    WebsiteSwitcher,
    badge_colour,
    initials,
)
from tests.present.seeded import SITES, seeded_store

ACME = WebsiteEntry("w-acme", "Acme", "acme.test")
ZETA = WebsiteEntry("w-zeta", "zeta shop", "zeta.test")


def make(qtbot: QtBot, counts: dict[str | None, int] | None = None) -> WebsiteSwitcher:
    switcher = WebsiteSwitcher(unread=lambda: counts or {})
    qtbot.addWidget(switcher)
    return switcher


def test_lists_all_websites_first_then_by_name_and_hides_with_one(qtbot: QtBot) -> None:
    switcher = make(qtbot)
    switcher.set_websites([ZETA])
    assert not switcher.isVisible()  # nothing to switch between
    switcher.set_websites([ZETA, ACME])
    assert switcher.isVisible()
    assert [switcher.itemText(i) for i in range(switcher.count())] == [ALL_TITLE, "Acme",
                                                                       "zeta shop"]
    assert switcher.itemData(2, Qt.ItemDataRole.ToolTipRole) == tooltip_html("zeta.test")


def test_choice_survives_a_refresh_and_falls_back_when_its_website_goes(qtbot: QtBot) -> None:
    switcher = make(qtbot)
    switcher.set_websites([ACME, ZETA])
    chosen: list[object] = []
    switcher.website_chosen.connect(chosen.append)
    switcher.set_current("w-zeta")
    assert switcher.current() == "w-zeta" and chosen == []  # set_current emits nothing
    switcher.set_websites([ZETA, ACME, WebsiteEntry("w-new", "New")])
    assert switcher.current() == "w-zeta"
    switcher.set_websites([ACME])
    assert switcher.current() is None


def test_keyboard_choice_emits_the_website(qtbot: QtBot) -> None:
    switcher = make(qtbot)
    switcher.set_websites([ACME, ZETA])
    qtbot.waitExposed(switcher)
    switcher.setFocus()
    with qtbot.waitSignal(switcher.website_chosen) as blocker:
        qtbot.keyClick(switcher, Qt.Key.Key_Down)
    assert blocker.args == ["w-acme"]
    with qtbot.waitSignal(switcher.website_chosen) as blocker:
        qtbot.keyClick(switcher, Qt.Key.Key_Up)
    assert blocker.args == [None]


def test_unread_counts_show_only_while_the_list_is_open(qtbot: QtBot) -> None:
    switcher = make(qtbot, {None: 5, "w-acme": 5})
    switcher.set_websites([ACME, ZETA])
    switcher.refresh_counts()
    assert switcher.itemText(0) == f"{ALL_TITLE} — 5 unread"
    assert switcher.itemText(1) == "Acme — 5 unread" and switcher.itemText(2) == "zeta shop"
    switcher.hidePopup()
    assert switcher.itemText(1) == "Acme"


def test_logo_replaces_the_initials_badge(qtbot: QtBot) -> None:
    switcher = make(qtbot)
    switcher.set_websites([ACME, ZETA])
    before = switcher.itemIcon(1).pixmap(20, 20).toImage()
    logo = QImage(64, 64, QImage.Format.Format_ARGB32)
    logo.fill(QColor("#00ff00"))
    switcher.set_logo("w-acme", logo)
    after = switcher.itemIcon(1).pixmap(20, 20).toImage()
    assert after != before
    assert after.pixelColor(10, 10).green() > 200 and after.pixelColor(10, 10).red() < 50


def test_initials_and_colours() -> None:
    assert initials("Acme") == "AC" and initials("zeta shop") == "ZS"
    assert initials("shop.example.com") == "SE" and initials("  ") == "?"
    assert badge_colour("w-acme") == badge_colour("w-acme")
    assert badge_colour("w-acme") != badge_colour("w-zeta")


def test_filter_and_counts_follow_the_website_scope() -> None:
    store = seeded_store(24)
    first = SITES[0]
    scoped = ConversationFilter(Filter.ALL, website_id=first)
    convs = list(store.conversations.values())
    assert [c for c in convs if scoped(c)] == [c for c in convs if c.website_id == first]
    counts = FilterCounts(store, coalesce=False)
    assert counts.count(Filter.ALL) == 24
    counts.set_website_id(first)
    assert counts.count(Filter.ALL) == 12
    assert counts.count(Filter.UNREAD) == sum(1 for c in convs
                                              if c.website_id == first and c.unread_operator)
    counts.set_website_id(None)
    assert counts.count(Filter.ALL) == 24
    counts.detach()


def test_list_pane_scopes_rows_counts_and_emits(qtbot: QtBot) -> None:
    store = seeded_store(24)
    pane = ListPane(store, coalesce=False)
    qtbot.addWidget(pane)
    pane.set_filter(Filter.ALL)
    with qtbot.waitSignal(pane.website_changed) as blocker:
        pane.set_website(SITES[1])
    assert blocker.args == [SITES[1]]
    pane.flush()
    sites = {store.conversations[pane.model.session_id_at(r)].website_id
             for r in range(pane.model.rowCount())}
    assert sites == {SITES[1]} and pane.model.rowCount() == 12
    assert pane.counts.count(Filter.ALL) == 12
    unread = pane.unread_by_website()
    assert unread[None] == unread.get(SITES[0], 0) + unread.get(SITES[1], 0) > 0
    pane.set_website(None)
    pane.flush()
    assert pane.model.rowCount() == 24
    pane.detach()
