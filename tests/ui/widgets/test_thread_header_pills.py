"""The thread header's pills take a style sheet only when their colour changes: setting one
again re-polishes the label and relays the header out, and the header refreshes on every
change of the open conversation it shows."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from pytestqt.qtbot import QtBot

from crisp_console.core import Store
from crisp_console.ui.widgets.thread_header import ThreadHeader
from tests.core import factories as f
from tests.ui.event_counts import EventCount


def test_a_refresh_that_keeps_the_state_sets_no_style_sheet_and_a_new_state_does(
        qtbot: QtBot) -> None:
    store = Store()
    store.set_websites([f.website()])
    payload = f.conversation(state="unresolved")
    sid = str(payload["session_id"])
    store.upsert_conversations([payload])
    header = ThreadHeader(store)
    qtbot.addWidget(header)
    header.bind(sid)
    changes = EventCount(QEvent.Type.StyleChange, header.state_pill)
    sheet = header.state_pill.styleSheet()
    header.set_operator_names({"op": "Ada"})  # a refresh: the same state, the same colour
    store.update_conversation(sid, {"nickname": "Katherine"})
    assert header.name_label.text() == "Katherine"  # the header did refresh
    assert changes.count == 0 and header.state_pill.styleSheet() == sheet
    store.apply("session:set_state", f.session_event(sid, state="resolved"))
    assert header.state_pill.text() == "Resolved"
    assert changes.count == 1 and header.state_pill.styleSheet() != sheet
