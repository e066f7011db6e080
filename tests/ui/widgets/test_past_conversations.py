"""The people panel's "Past conversations" section against a Store built from payload
factories, with the client's lookups stood in for by a dict: what each row says (known,
loading, failed), which rows show and which are asked for, "Show more", and how store
changes and lookups re-render it."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from crisp_console.client.past import LOOKUP_STATES, Lookup
from crisp_console.core import Store
from crisp_console.present.past_conversations import LOOKUP_WORDS
from crisp_console.ui.widgets.past_conversations import PastConversations
from crisp_console.ui.widgets.people_panel import PeoplePanel
from tests.core import factories as f
from tests.ui.widgets.test_people_panel import NOW, PAST, SID, UNKNOWN, build_store, details

HOUR = 3_600_000


def unknown(n: int) -> str:
    return f"session_0e0e{n:04d}-0000-4000-8000-000000000000"


class Lookups(dict[str, Lookup]):
    """The client's lookups, as a dict the test fills; ``wanted`` records what was asked,
    and ``changed`` hears the ids whose lookup ``want`` set (as the client's observers do)."""

    def __init__(self) -> None:
        super().__init__()
        self.wanted: list[tuple[str, list[str]]] = []
        self.changed: Any = lambda ids: None

    def lookup(self, session_id: str) -> Lookup | None:
        return self.get(session_id)

    def want(self, website_id: str, session_ids: list[str]) -> None:
        self.wanted.append((website_id, session_ids))
        for sid in session_ids:
            self[sid] = Lookup("loading", 0.0)
        self.changed(session_ids)


@pytest.fixture
def store() -> Store:
    return build_store()


@pytest.fixture
def lookups() -> Lookups:
    return Lookups()


@pytest.fixture
def section(qtbot: QtBot, store: Store, lookups: Lookups) -> PastConversations:
    widget = PastConversations(store, clock=lambda: NOW)
    qtbot.addWidget(widget)
    widget.set_lookups(lookups.lookup)
    widget.wanted.connect(lookups.want)
    lookups.changed = widget.looked_up
    off = store.subscribe(widget.on_change)  # the panel forwards the store's changes
    widget.destroyed.connect(lambda *_: off())
    widget.bind(SID)
    widget.resize(320, 400)
    return widget


def texts(section: PastConversations) -> list[str]:
    return [section.list.item(row).text() for row in range(section.list.count())]


def test_every_state_a_client_lookup_can_take_has_words() -> None:
    assert set(LOOKUP_STATES) == set(LOOKUP_WORDS)


def test_known_rows_show_state_date_and_last_message_and_unknown_ones_are_asked_for(
        section: PastConversations, lookups: Lookups) -> None:
    section.set_ids([SID, PAST[0], UNKNOWN, PAST[1]])
    assert section.list.keys() == [PAST[1], PAST[0], UNKNOWN]  # never the open one
    assert texts(section) == ["Unresolved · 1 h\nInvoice for March?",
                              "Resolved · Mon\nThanks, that fixed it",
                              "Conversation 0d0d0d0d\nLoading…"]
    assert lookups.wanted == [(f.WEBSITE, [UNKNOWN])]
    assert section.total() == 3 and section.more.isHidden()
    assert not section.placeholder.isVisibleTo(section)


def test_a_failed_lookup_shows_the_id_and_a_short_reason(section: PastConversations,
                                                         lookups: Lookups) -> None:
    lookups[UNKNOWN] = Lookup("failed", 0.0, "Crisp did not answer <b>in time</b>")
    section.set_ids([PAST[0], UNKNOWN])
    assert texts(section)[1] == "Conversation 0d0d0d0d\nCould not be loaded"
    tip = section.list.item(1).toolTip()
    assert "Crisp did not answer &lt;b&gt;in time&lt;/b&gt;" in tip and "<b>in" not in tip
    assert lookups.wanted == []  # a standing lookup is not asked again
    lookups[UNKNOWN] = Lookup("gone", 0.0)
    section.looked_up([UNKNOWN])
    assert texts(section)[1] == "Conversation 0d0d0d0d\nNo longer available"


def test_a_fetched_conversation_takes_its_place_among_the_known_ones(
        section: PastConversations, store: Store, lookups: Lookups) -> None:
    section.set_ids([PAST[0], UNKNOWN, PAST[1]])
    store.upsert_conversation(f.conversation(UNKNOWN, state="pending", updated_at=NOW - 2 * HOUR,
                                             last_message="Where is my parcel?"))
    assert section.list.keys() == [PAST[1], UNKNOWN, PAST[0]]
    assert texts(section)[1] == "Pending · 2 h\nWhere is my parcel?"
    store.update_conversation(UNKNOWN, {"state": "resolved"})
    assert texts(section)[1] == "Resolved · 2 h\nWhere is my parcel?"
    lookups[UNKNOWN] = Lookup("done", 0.0)
    store.remove_conversation(UNKNOWN)  # removed later: it was looked up, it is gone now
    assert texts(section)[2] == "Conversation 0d0d0d0d\nNo longer available"


def test_a_few_rows_show_and_show_more_asks_for_the_next_few(
        qtbot: QtBot, section: PastConversations, lookups: Lookups) -> None:
    ids = [PAST[0], *(unknown(n) for n in range(12))]
    section.set_ids(ids)
    section.show()
    qtbot.waitExposed(section)
    section.activateWindow()
    assert section.list.keys() == ids[:5]
    assert lookups.wanted == [(f.WEBSITE, ids[1:5])]
    assert section.more.isVisible() and section.more.text() == "Show more (8)"
    section.more.setFocus()
    qtbot.waitUntil(section.more.hasFocus, timeout=1000)
    qtbot.keyClick(section.more, Qt.Key.Key_Space)
    assert section.list.keys() == ids[:10]
    assert lookups.wanted[1:] == [(f.WEBSITE, ids[5:10])]
    assert section.list.currentRow() == 5 and section.more.text() == "Show more (3)"
    qtbot.mouseClick(section.more, Qt.MouseButton.LeftButton)
    assert section.list.keys() == ids and section.more.isHidden()
    assert section.list.hasFocus()  # the button went: the focus goes to the list
    section.bind(SID)  # another opening starts again with a few
    section.set_ids(ids)
    assert len(section.list.keys()) == 5


def test_activating_a_row_names_the_conversation_and_its_website(
        qtbot: QtBot, section: PastConversations) -> None:
    section.set_ids([PAST[0], UNKNOWN])
    with qtbot.waitSignal(section.conversation_requested) as sent:
        section.list.item_requested.emit(UNKNOWN)
    assert sent.args == [UNKNOWN, f.WEBSITE]


def test_changes_elsewhere_leave_the_rows_alone(section: PastConversations,
                                                store: Store) -> None:
    section.set_ids([PAST[0]])
    before = section.list.item(0)
    store.update_conversation(SID, {"state": "resolved"})
    store.upsert_conversation(f.conversation(unknown(1)))
    store.update_conversation(PAST[0], {"segments": ["vip"]})
    assert section.list.item(0) is before  # not rebuilt


def test_the_panel_counts_every_other_conversation_and_forwards_the_section(
        qtbot: QtBot, store: Store, lookups: Lookups) -> None:
    panel = PeoplePanel(store, clock=lambda: NOW)
    qtbot.addWidget(panel)
    panel.set_lookups(lookups.lookup)
    panel.past_wanted.connect(lookups.want)
    lookups.changed = panel.past_looked_up
    panel.bind(SID)
    panel.set_details(SID, details(past_conversations=[SID, *PAST, *(unknown(n)
                                                                      for n in range(6))]))
    assert panel.titles["past"].text() == "PAST CONVERSATIONS (8)"
    assert lookups.wanted == [(f.WEBSITE, [unknown(0), unknown(1), unknown(2)])]
    lookups[unknown(0)] = Lookup("denied", 0.0, "not allowed")
    panel.past_looked_up([unknown(0)])
    assert panel.past.item(2).text().endswith("\nNot allowed for this token")
