"""The people panel against a Store built from payload factories: what it shows on bind and on
details, how it follows live store changes, and what its editors ask for (driven by keys)."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from crisp_console.client import ConversationDetails
from crisp_console.core import ApplyResult, Store
from crisp_console.ui import theme
from crisp_console.ui.widgets.notepad_editor import NOT_SAVED, NotepadEditor
from crisp_console.ui.widgets.people_panel import PeoplePanel
from tests.core import factories as f

NOW = f.BASE_TIME  # 22:13 UTC
PID = "3c1f2b6e-6f0a-4c8e-b5d2-8a9e0c1d2e3f"
SID = "session_0a0a0a0a-0000-4000-8000-000000000001"
PAST = ["session_0b0b0b0b-0000-4000-8000-000000000002",
        "session_0c0c0c0c-0000-4000-8000-000000000003"]
UNKNOWN = "session_0d0d0d0d-0000-4000-8000-000000000004"
HOSTILE = "<b>bold</b> <img src='http://evil.example/x.png'>\n\u202eevil " + "long " * 400


def build_store() -> Store:
    store = Store()
    store.set_websites([f.website()])
    main = f.conversation(SID, availability="online")
    main["meta"]["device"]["timezone"] = 60  # the sandbox's convention: minutes east of UTC
    main["meta"]["data"] = {"cart_total": 42, "plan": "pro", "newsletter": True}
    store.upsert_conversations([
        main,
        f.conversation(PAST[0], state="resolved", updated_at=NOW - 86_400_000,
                       last_message="Thanks, that fixed it", meta={"nickname": "Grace H."}),
        f.conversation(PAST[1], state="unresolved", updated_at=NOW - 3_600_000,
                       last_message="Invoice for March?", meta={"nickname": "Grace H."}),
    ])
    store.upsert_person({"people_id": PID, "email": "grace@example.com",
                         "notepad": "Prefers email.",
                         "person": {"nickname": "Grace Hopper", "phone": "+33 6 00 00 00 00"}},
                        f.WEBSITE)
    return store


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> int:
        return self.now


@pytest.fixture
def store() -> Store:
    return build_store()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def panel(qtbot: QtBot, store: Store, clock: Clock) -> PeoplePanel:
    widget = PeoplePanel(store, clock=clock)
    qtbot.addWidget(widget)
    widget.resize(340, 1400)
    widget.bind(SID)
    return widget


def shown(qtbot: QtBot, panel: PeoplePanel) -> PeoplePanel:
    panel.show()
    qtbot.waitExposed(panel)
    panel.activateWindow()
    return panel


def focus(qtbot: QtBot, widget: QWidget) -> None:
    widget.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(widget.hasFocus, timeout=1000)


def details(**overrides: Any) -> ConversationDetails:
    values: dict[str, Any] = {
        "pages": [{"page_title": "Pricing", "page_url": "https://shop.example/pricing",
                   "page_referrer": "", "timestamp": NOW - 60_000},
                  {"page_title": "Checkout", "page_url": "https://shop.example/checkout",
                   "page_referrer": "https://shop.example/pricing", "timestamp": NOW}],
        "past_conversations": [SID, PAST[0], UNKNOWN, PAST[1]],
        "profile": {"people_id": PID, "notepad": "Prefers email."},
    }
    values.update(overrides)
    return ConversationDetails(**values)


def text(panel: PeoplePanel, field: str) -> str:
    return panel.header.text(field)


def cell(panel: PeoplePanel, row: int, column: int) -> str:
    item = panel.data_editor.table.item(row, column)
    assert item is not None
    return item.text()


# ---- binding and details -------------------------------------------------------------------


def test_unbound_panel_shows_the_empty_state(qtbot: QtBot, store: Store) -> None:
    panel = PeoplePanel(store, clock=Clock())
    qtbot.addWidget(panel)
    assert panel.session_id() is None
    assert panel.stack.currentWidget() is panel.empty
    panel.bind(SID)
    assert panel.stack.currentWidget() is panel.scroll_area
    panel.bind(None)
    assert panel.stack.currentWidget() is panel.empty


def test_bind_shows_identity_and_live_context_from_the_store(panel: PeoplePanel) -> None:
    assert panel.session_id() == SID
    assert text(panel, "name") == "Grace Hopper"
    assert text(panel, "email") == "grace@example.com"
    assert text(panel, "phone") == "+33600000000"  # the session's meta wins over the profile
    assert text(panel, "location") == "Paris, France"
    assert text(panel, "local_time") == "23:13 (UTC+1)"
    assert text(panel, "device") == "Chrome 120 · Linux 6"
    assert text(panel, "languages") == "French, English"
    assert text(panel, "network") == "10.1.2.3 · Orange (AS3215)"
    assert panel.chips.segments() == ["customer", "vip"]
    assert panel.data_editor.data() == {"cart_total": 42, "plan": "pro", "newsletter": True}
    assert panel.notepad.text() == "Prefers email."
    assert panel.pages.count() == 0 and panel.past.count() == 0  # they come with the details


def test_set_details_fills_pages_and_past_conversations(panel: PeoplePanel) -> None:
    panel.set_details(SID, details())
    assert panel.pages.keys() == ["https://shop.example/checkout", "https://shop.example/pricing"]
    assert panel.pages.item(0).text() == "Checkout\nnow · https://shop.example/checkout"
    # The bound conversation is not its own past; known ones newest first, unknown ones after.
    assert panel.past.keys() == [PAST[1], PAST[0], UNKNOWN]
    assert panel.past.item(0).text() == "Unresolved · 1 h\nInvoice for March?"
    assert panel.past.item(2).text() == "Conversation 0d0d0d0d"
    assert panel.titles["past"].text() == "PAST CONVERSATIONS (3)"


def test_details_of_another_session_are_ignored(panel: PeoplePanel, store: Store) -> None:
    panel.set_details(PAST[0], details())
    store.apply("session:sync:pages", f.session_event(PAST[0], pages=details().pages))
    assert panel.pages.count() == 0 and panel.past.count() == 0


def test_pages_arrive_live_newest_first_and_capped(panel: PeoplePanel, store: Store) -> None:
    panel.set_details(SID, details())
    store.apply("session:sync:pages", f.session_event(SID, pages=[
        {"page_title": f"P{i}", "page_url": f"https://shop.example/{i}", "timestamp": NOW + i}
        for i in range(60)]))
    keys = panel.pages.keys()
    assert len(keys) == 50 and keys[0] == "https://shop.example/59"


def test_a_past_conversation_fetched_later_gets_its_label(panel: PeoplePanel,
                                                          store: Store) -> None:
    panel.set_details(SID, details())
    store.upsert_conversation(f.conversation(UNKNOWN, updated_at=NOW - 1000,
                                             meta={"nickname": "Grace (email)"}))
    assert panel.past.keys()[0] == UNKNOWN
    assert panel.past.item(0).text().startswith("Unresolved · now\n")


# ---- live updates --------------------------------------------------------------------------


def test_live_nickname_segments_and_data_rerender(panel: PeoplePanel, store: Store) -> None:
    store.apply("session:set_nickname", f.session_event(SID, nickname="Admiral Hopper"))
    assert text(panel, "name") == "Admiral Hopper"
    store.apply("session:set_segments", f.session_event(SID, segments=["vip", "navy"]))
    assert panel.chips.segments() == ["vip", "navy"]
    assert [c.text() for c in panel.chips.chips] == ["vip", "navy"]
    store.apply("session:set_data", f.session_event(SID, data={"rank": "admiral"}))
    assert panel.data_editor.data() == {"rank": "admiral"}


def test_changes_to_other_conversations_leave_the_panel_alone(panel: PeoplePanel,
                                                              store: Store) -> None:
    store.apply("session:set_nickname", f.session_event(PAST[0], nickname="Someone else"))
    assert text(panel, "name") == "Grace Hopper"


def test_profile_updates_reach_header_and_notepad(panel: PeoplePanel, store: Store) -> None:
    store.apply("session:set_phone", f.session_event(SID, phone=None))
    assert text(panel, "phone") == "+33 6 00 00 00 00"  # now from the contact's profile
    store.apply("people:profile:updated", {"people_id": PID, "update": {
        "notepad": "Call after 6pm.", "person": {"nickname": "G", "phone": "+1 555"}}})
    assert text(panel, "phone") == "+1 555"
    assert panel.notepad.text() == "Call after 6pm."


def test_geolocation_and_sync_events_update_the_context(panel: PeoplePanel,
                                                        store: Store) -> None:
    store.apply("session:sync:geolocation", f.session_event(
        SID, geolocation={"country": "DE", "city": "Berlin"}))
    assert text(panel, "location") == "Berlin, Germany"

    def sync(sid: str, kind: str, value: object) -> ApplyResult:
        return store.apply(f"session:sync:{kind}", f.session_event(sid, **{kind: value}))

    assert sync(SID, "timezone", {"offset": -300}) is ApplyResult.APPLIED
    assert text(panel, "local_time") == "17:13 (UTC-5)"
    assert sync(SID, "locales", {"locales": ["de"]}) is ApplyResult.APPLIED
    assert text(panel, "languages") == "German"
    assert sync(SID, "system", {"os": {"name": "iOS", "version": "17.4"},
                                "browser": {"name": "Safari", "major": "17"}}) is (
        ApplyResult.APPLIED)
    assert text(panel, "device") == "Safari 17 · iOS 17.4"
    assert sync(PAST[0], "locales", ["fr"]) is ApplyResult.APPLIED  # another conversation's
    assert text(panel, "languages") == "German"
    assert sync(SID, "timezone", "soon") is ApplyResult.MALFORMED
    assert text(panel, "local_time") == "17:13 (UTC-5)"


def test_local_time_follows_the_injected_clock(panel: PeoplePanel, clock: Clock) -> None:
    clock.now = NOW + 47 * 60_000
    panel.refresh_clock()
    assert text(panel, "local_time") == "00:00 (UTC+1)"


def test_removed_conversation_and_store_reset(panel: PeoplePanel, store: Store) -> None:
    store.apply("session:removed", f.session_event(SID))
    assert panel.stack.currentWidget() is panel.empty
    assert "no longer available" in panel.empty.text()
    store.upsert_conversation(f.conversation(SID))
    assert panel.stack.currentWidget() is panel.scroll_area
    store.clear()
    assert panel.stack.currentWidget() is panel.empty


def test_a_deleted_panel_stops_listening(qtbot: QtBot, store: Store,
                                         caplog: pytest.LogCaptureFixture) -> None:
    listening = store.observers
    panel = PeoplePanel(store, clock=Clock())
    assert store.observers > listening
    panel.bind(SID)
    panel.deleteLater()
    qtbot.waitUntil(lambda: store.observers == listening, timeout=1000)
    with caplog.at_level(logging.ERROR):
        store.apply("session:set_nickname", f.session_event(SID, nickname="After"))
    assert not caplog.records


# ---- segments ------------------------------------------------------------------------------


def test_delete_on_a_focused_chip_asks_for_the_list_without_it(qtbot: QtBot,
                                                               panel: PeoplePanel) -> None:
    shown(qtbot, panel)
    focus(qtbot, panel.chips.chips[0])
    with qtbot.waitSignal(panel.segments_edited) as sent:
        qtbot.keyClick(panel.chips.chips[0], Qt.Key.Key_Delete)
    assert sent.args == [SID, ["vip"]]
    # Before the store answers, Backspace on the next chip builds on the first removal.
    with qtbot.waitSignal(panel.segments_edited) as sent:
        qtbot.keyClick(panel.chips.chips[1], Qt.Key.Key_Backspace)
    assert sent.args == [SID, []]


def test_focus_moves_to_a_neighbour_once_the_removal_shows(qtbot: QtBot, panel: PeoplePanel,
                                                           store: Store) -> None:
    shown(qtbot, panel)
    panel.segments_edited.connect(lambda sid, segments: store.apply(
        "session:set_segments", f.session_event(sid, segments=segments)))
    focus(qtbot, panel.chips.chips[1])
    qtbot.keyClick(panel.chips.chips[1], Qt.Key.Key_Delete)
    assert panel.chips.segments() == ["customer"]
    qtbot.waitUntil(panel.chips.chips[0].hasFocus, timeout=1000)
    qtbot.keyClick(panel.chips.chips[0], Qt.Key.Key_Delete)
    qtbot.waitUntil(panel.chips.add_edit.hasFocus, timeout=1000)


def test_focus_stays_on_its_segment_when_the_list_changes_elsewhere(
        qtbot: QtBot, panel: PeoplePanel, store: Store) -> None:
    shown(qtbot, panel)
    focus(qtbot, panel.chips.chips[1])  # "vip"
    store.apply("session:set_segments", f.session_event(SID, segments=["new", "customer", "vip"]))
    qtbot.waitUntil(panel.chips.chips[2].hasFocus, timeout=1000)
    assert panel.chips.chips[2].text() == "vip"


def test_adding_segments_emits_the_full_list(qtbot: QtBot, panel: PeoplePanel) -> None:
    shown(qtbot, panel)
    edit = panel.chips.add_edit
    focus(qtbot, edit)
    qtbot.keyClicks(edit, "trial, vip,  beta ")
    with qtbot.waitSignal(panel.segments_edited) as sent:
        qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert sent.args == [SID, ["customer", "vip", "trial", "beta"]]
    assert edit.text() == ""


def test_add_field_completes_from_segments_in_the_store(qtbot: QtBot, panel: PeoplePanel,
                                                       store: Store) -> None:
    store.apply("session:set_segments", f.session_event(PAST[0], segments=["churn-risk"]))
    shown(qtbot, panel)
    focus(qtbot, panel.chips.add_edit)
    completions = panel.chips.add_edit.completer().model().stringList()  # type: ignore[attr-defined]
    assert "churn-risk" in completions and "vip" not in completions  # vip is on already


def test_chips_are_tab_stops_before_the_add_field(qtbot: QtBot, panel: PeoplePanel) -> None:
    shown(qtbot, panel)
    first, second = panel.chips.chips
    assert first.nextInFocusChain() is second
    focus(qtbot, second)
    qtbot.keyClick(second, Qt.Key.Key_Tab)
    qtbot.waitUntil(panel.chips.add_edit.hasFocus, timeout=1000)
    qtbot.keyClick(panel.chips.add_edit, Qt.Key.Key_Backspace)  # empty field: to the last chip
    qtbot.waitUntil(second.hasFocus, timeout=1000)
    qtbot.keyClick(second, Qt.Key.Key_Left)
    qtbot.waitUntil(first.hasFocus, timeout=1000)


# ---- custom data ---------------------------------------------------------------------------


def edit_cell(qtbot: QtBot, panel: PeoplePanel, row: int, column: int, new: str,
              key: Qt.Key = Qt.Key.Key_F2) -> None:
    table = panel.data_editor.table
    focus(qtbot, table)
    table.setCurrentCell(row, column)
    qtbot.keyClick(table, key)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    editor.selectAll()
    qtbot.keyClicks(editor, new)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    # The delegate closes the editor from a queued call: let it run, as a real loop would.
    qtbot.waitUntil(lambda: table.state() == QAbstractItemView.State.NoState, timeout=1000)


def test_editing_a_value_keeps_its_type_and_emits_the_full_dict(qtbot: QtBot,
                                                                 panel: PeoplePanel) -> None:
    shown(qtbot, panel)
    with qtbot.waitSignal(panel.data_edited) as sent:
        edit_cell(qtbot, panel, 0, 1, "43")
    assert sent.args == [SID, {"cart_total": 43, "plan": "pro", "newsletter": True}]
    assert type(sent.args[1]["cart_total"]) is int
    with qtbot.waitSignal(panel.data_edited) as sent:
        edit_cell(qtbot, panel, 2, 1, "no", key=Qt.Key.Key_Return)  # Enter edits too
    assert sent.args[1] == {"cart_total": 43, "plan": "pro", "newsletter": False}


def test_unchanged_cells_emit_nothing(qtbot: QtBot, panel: PeoplePanel) -> None:
    shown(qtbot, panel)
    with qtbot.assertNotEmitted(panel.data_edited):
        edit_cell(qtbot, panel, 2, 1, "true")
        edit_cell(qtbot, panel, 0, 0, "cart_total")


def test_renaming_a_key_keeps_order_and_rejects_duplicates(qtbot: QtBot,
                                                          panel: PeoplePanel) -> None:
    shown(qtbot, panel)
    with qtbot.waitSignal(panel.data_edited) as sent:
        edit_cell(qtbot, panel, 1, 0, "tier")
    assert list(sent.args[1].items()) == [("cart_total", 42), ("tier", "pro"),
                                          ("newsletter", True)]
    with qtbot.assertNotEmitted(panel.data_edited):
        edit_cell(qtbot, panel, 0, 0, "newsletter")
    assert panel.data_editor.error.isVisibleTo(panel)
    assert cell(panel, 0, 0) == "cart_total"  # reverted


def test_add_and_delete_rows(qtbot: QtBot, panel: PeoplePanel) -> None:
    shown(qtbot, panel)
    editor = panel.data_editor
    focus(qtbot, editor.key_edit)
    qtbot.keyClicks(editor.key_edit, "orders")
    qtbot.keyClick(editor.key_edit, Qt.Key.Key_Return)  # on to the value
    assert editor.value_edit.hasFocus()
    qtbot.keyClicks(editor.value_edit, "7")
    with qtbot.waitSignal(panel.data_edited) as sent:
        qtbot.keyClick(editor.value_edit, Qt.Key.Key_Return)
    assert sent.args[1] == {"cart_total": 42, "plan": "pro", "newsletter": True, "orders": 7}
    focus(qtbot, editor.table)
    editor.table.setCurrentCell(1, 1)
    with qtbot.waitSignal(panel.data_edited) as sent:
        qtbot.keyClick(editor.table, Qt.Key.Key_Delete)
    # Built on the add still in flight: the new field stays.
    assert sent.args[1] == {"cart_total": 42, "newsletter": True, "orders": 7}


def test_a_new_field_needs_a_unique_name(qtbot: QtBot, panel: PeoplePanel) -> None:
    editor = panel.data_editor
    with qtbot.assertNotEmitted(panel.data_edited):
        assert not editor.add_field("plan", "x")
        assert not editor.add_field("   ", "x")
    assert "already" in editor.error.text() or "name" in editor.error.text()


def test_store_data_arriving_mid_edit_waits_for_the_editor(qtbot: QtBot, panel: PeoplePanel,
                                                           store: Store) -> None:
    shown(qtbot, panel)
    table = panel.data_editor.table
    focus(qtbot, table)
    table.setCurrentCell(1, 1)
    qtbot.keyClick(table, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    store.apply("session:set_data", f.session_event(SID, data={"plan": "pro", "x": 1}))
    assert table.rowCount() == 3  # not swept away under the user's cursor
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: table.rowCount() == 2, timeout=1000)
    assert panel.data_editor.data() == {"plan": "pro", "x": 1}


# ---- notepad -------------------------------------------------------------------------------


def test_ctrl_enter_saves_the_notepad_and_the_store_confirms(qtbot: QtBot, panel: PeoplePanel,
                                                             store: Store) -> None:
    shown(qtbot, panel)
    editor = panel.notepad.editor
    focus(qtbot, editor)
    editor.moveCursor(editor.textCursor().MoveOperation.End)
    qtbot.keyClicks(editor, " VIP.")
    assert panel.notepad.status.text() == "Unsaved changes"
    with qtbot.waitSignal(panel.notepad_edited) as sent:
        qtbot.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert sent.args == [f.WEBSITE, PID, "Prefers email. VIP."]
    assert editor.toPlainText() == "Prefers email. VIP."  # Ctrl+Enter adds no newline
    assert panel.notepad.status.text() == "Saving…"
    store.update_person(PID, {"notepad": "Prefers email. VIP."})
    assert panel.notepad.status.text() == "Saved"
    with qtbot.assertNotEmitted(panel.notepad_edited):
        qtbot.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)


def test_leaving_the_notepad_saves_it(qtbot: QtBot, panel: PeoplePanel) -> None:
    shown(qtbot, panel)
    focus(qtbot, panel.notepad.editor)
    qtbot.keyClicks(panel.notepad.editor, "Hi ")
    with qtbot.waitSignal(panel.notepad_edited) as sent:
        focus(qtbot, panel.chips.add_edit)
    assert sent.args[2] == "Hi Prefers email."


def test_unsaved_notes_survive_a_store_update_and_rebinding_saves_them(
        qtbot: QtBot, panel: PeoplePanel, store: Store) -> None:
    shown(qtbot, panel)
    focus(qtbot, panel.notepad.editor)
    qtbot.keyClicks(panel.notepad.editor, "Mine. ")
    store.update_person(PID, {"notepad": "Theirs."})
    assert panel.notepad.text() == "Mine. Prefers email."
    with qtbot.waitSignal(panel.notepad_edited) as sent:
        panel.bind(PAST[0])
    assert sent.args == [f.WEBSITE, PID, "Mine. Prefers email."]


def test_a_visitor_without_a_profile_has_no_notepad(panel: PeoplePanel, store: Store) -> None:
    store.upsert_conversation(f.conversation(UNKNOWN, people_id=""))
    panel.bind(UNKNOWN)
    assert not panel.notepad.editor.isEnabled()
    assert panel.notepad.text() == ""


# ---- copy, activation, links ---------------------------------------------------------------


def test_copy_with_ctrl_c_button_and_context_action(qtbot: QtBot, panel: PeoplePanel) -> None:
    shown(qtbot, panel)
    clipboard = QGuiApplication.clipboard()
    email = panel.header.labels["email"]
    focus(qtbot, email)
    with qtbot.waitSignal(panel.header.copied):
        qtbot.keyClick(email, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert clipboard.text() == "grace@example.com"
    qtbot.mouseClick(panel.header.copy_buttons["phone"], Qt.MouseButton.LeftButton)
    assert clipboard.text() == "+33600000000"
    location = panel.header.labels["location"]
    [action] = location.actions()
    assert action.text() == "Copy"
    action.trigger()
    assert clipboard.text() == "Paris, France"


def test_past_conversations_open_by_enter_and_click(qtbot: QtBot, panel: PeoplePanel) -> None:
    shown(qtbot, panel)
    panel.set_details(SID, details())
    past = panel.past
    focus(qtbot, past)
    past.setCurrentRow(2)
    with qtbot.waitSignal(panel.conversation_requested) as sent:
        qtbot.keyClick(past, Qt.Key.Key_Return)
    assert sent.args == [UNKNOWN, f.WEBSITE]
    centre = past.visualItemRect(past.item(0)).center()
    with qtbot.waitSignal(panel.conversation_requested) as sent:
        qtbot.mouseClick(past.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert sent.args == [PAST[1], f.WEBSITE]


def test_pages_open_only_http_links(qtbot: QtBot, panel: PeoplePanel) -> None:
    shown(qtbot, panel)
    panel.set_details(SID, details(pages=[
        {"page_title": "Evil", "page_url": "javascript:alert(1)", "timestamp": NOW},
        {"page_title": "Mail", "page_url": "mailto:a@b.example", "timestamp": NOW - 1},
        {"page_title": "Ok", "page_url": "https://shop.example/ok", "timestamp": NOW - 2}]))
    pages = panel.pages
    focus(qtbot, pages)
    with qtbot.assertNotEmitted(panel.link_activated):
        for row in (0, 1):
            pages.setCurrentRow(row)
            qtbot.keyClick(pages, Qt.Key.Key_Enter)
    pages.setCurrentRow(2)
    with qtbot.waitSignal(panel.link_activated) as sent:
        qtbot.keyClick(pages, Qt.Key.Key_Return)
    assert sent.args == ["https://shop.example/ok"]


# ---- hostile content -----------------------------------------------------------------------


def test_hostile_strings_stay_plain_elided_text(qtbot: QtBot, store: Store) -> None:
    store.apply("session:set_nickname", f.session_event(SID, nickname=HOSTILE))
    store.apply("session:set_segments", f.session_event(SID, segments=[HOSTILE]))
    store.apply("session:set_data", f.session_event(SID, data={HOSTILE[:256]: HOSTILE}))
    panel = PeoplePanel(store, clock=Clock())
    qtbot.addWidget(panel)
    panel.resize(320, 1200)
    panel.bind(SID)
    panel.set_details(SID, details(pages=[{"page_title": HOSTILE, "page_url": "https://x.example",
                                           "timestamp": NOW}]))
    shown(qtbot, panel)
    name = panel.header.labels["name"]
    assert text(panel, "name") == HOSTILE[:256]  # copy gives the stored value
    assert name.textFormat() == Qt.TextFormat.PlainText
    assert "\n" not in name.text() and "\u202e" not in name.text()
    assert name.text().endswith("…") and len(name.text()) < 80  # elided to the width
    assert "<img" not in name.toolTip() and "&lt;img" in name.toolTip()
    chip = panel.chips.chips[0]
    assert len(chip.text()) <= 32 and "\n" not in chip.text()
    key_cell = cell(panel, 0, 0)
    assert "\n" not in key_cell and "\u202e" not in key_cell
    assert "\n" not in panel.pages.item(0).text().partition("\n")[2]
    for label in panel.findChildren(QLabel):
        assert label.textFormat() == Qt.TextFormat.PlainText or "<" not in label.text()
    panel.grab()  # paints without warnings


def test_the_panel_paints_in_a_narrow_width(qtbot: QtBot, panel: PeoplePanel) -> None:
    panel.set_details(SID, details())
    panel.resize(220, 900)
    shown(qtbot, panel)
    image = panel.grab().toImage()
    assert not image.isNull() and image.width() >= 220
    labels = panel.header.labels
    assert labels["local_time"].text() == "23:13 (UTC+1)"  # never cut, beside any place
    assert labels["network"].text().endswith("…")  # too long: elided, whole in the tooltip
    assert "Orange (AS3215)" in labels["network"].toolTip()
    assert panel.chips.chips[0].geometry().intersects(panel.chips.chips[1].geometry()) is False
    assert panel.chips.chips[0].mapTo(panel, QPoint(0, 0)).x() >= 0


@pytest.mark.parametrize(("width", "points", "whole"), [
    (300, 0, True),  # the default window's panel (main_window.DEFAULT_SIZES), system font
    (300, 14, True),
    (220, 0, True),
    (0, 18, False),  # as narrow as the window's splitter lets it be: the clock still first
])
def test_the_local_time_is_not_cut_off(qtbot: QtBot, panel: PeoplePanel, width: int,
                                        points: int, whole: bool) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before, sheet = QFont(app.font()), app.styleSheet()
    try:
        if points:  # as Preferences → Font size does it (theme.py)
            font = QFont(app.font())
            font.setPointSize(points)
            app.setFont(font)
            app.setStyleSheet(theme.style_sheet())
        local_time_shown(qtbot, panel, width, whole)
    finally:
        app.setFont(before)
        app.setStyleSheet(sheet)


def local_time_shown(qtbot: QtBot, panel: PeoplePanel, width: int, whole: bool) -> None:
    panel.resize(width or panel.minimumSizeHint().width(), 900)
    shown(qtbot, panel)
    label = panel.header.labels["local_time"]
    viewport, body = panel.scroll_area.viewport(), panel.scroll_area.widget()
    assert body is not None
    layout = body.layout()
    assert layout is not None
    # Laid out at this width: the panel's content as wide as what shows of it (no clipping).
    qtbot.waitUntil(lambda: body.width() == viewport.width() and label.height() > 1)
    layout.activate()
    assert label.mapTo(viewport, label.rect().topRight()).x() < viewport.width()
    assert label.text().startswith("23:13")
    if whole:
        assert label.text() == "23:13 (UTC+1)"
    elif label.text() != "23:13 (UTC+1)":
        assert label.text().endswith("…") and "23:13 (UTC+1)" in label.toolTip()


# ---- keyboard reach, mouse, timers ---------------------------------------------------------


def test_tab_reaches_every_field_top_to_bottom(qtbot: QtBot, panel: PeoplePanel) -> None:
    panel.set_details(SID, details())
    shown(qtbot, panel)
    header, chips, data = panel.header, panel.chips, panel.data_editor
    expected: list[QWidget] = [
        *header.focus_order(), panel.pages, *chips.chips, chips.add_edit, data.table,
        data.key_edit, data.value_edit, data.add_button, panel.notepad.editor, panel.past]
    focus(qtbot, expected[0])
    reached = [expected[0]]
    for _ in expected[1:]:
        widget = QApplication.focusWidget()
        assert widget is not None
        qtbot.keyClick(widget, Qt.Key.Key_Tab)
        reached.append(QApplication.focusWidget())  # type: ignore[arg-type]
    assert reached == expected


def test_clicking_a_chips_cross_removes_it_and_its_name_does_not(qtbot: QtBot,
                                                                 panel: PeoplePanel) -> None:
    shown(qtbot, panel)
    chip = panel.chips.chips[0]
    with qtbot.assertNotEmitted(panel.segments_edited):
        qtbot.mouseClick(chip, Qt.MouseButton.LeftButton, pos=QPoint(8, chip.height() // 2))
    with qtbot.waitSignal(panel.segments_edited) as sent:
        qtbot.mouseClick(chip, Qt.MouseButton.LeftButton,
                         pos=QPoint(chip.width() - 9, chip.height() // 2))
    assert sent.args == [SID, ["vip"]]


def test_a_pause_in_typing_saves_and_a_missing_echo_is_reported(qtbot: QtBot) -> None:
    notepad = NotepadEditor(idle_ms=20, confirm_ms=50)
    qtbot.addWidget(notepad)
    notepad.show_stored("")
    with qtbot.waitSignal(notepad.save_requested, timeout=1000) as sent:
        qtbot.keyClicks(notepad.editor, "Call back")
    assert sent.args == ["Call back"]
    qtbot.waitUntil(lambda: notepad.status.text() == NOT_SAVED, timeout=1000)
    with qtbot.waitSignal(notepad.save_requested, timeout=1000):  # a retry asks again
        qtbot.keyClick(notepad.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)


def test_the_minute_timer_runs_while_bound(panel: PeoplePanel, clock: Clock) -> None:
    timer = panel._minute  # noqa: SLF001 - its own timer
    assert timer.isActive() and timer.interval() == 60_000 - NOW % 60_000 + 50
    panel.bind(None)
    assert not timer.isActive()


def test_a_new_conversation_says_its_contact_is_not_known_yet(panel: PeoplePanel,
                                                              store: Store) -> None:
    """A provisional row (a new visitor's first message, Crisp's copy not in yet) is not
    "no contact profile": nobody knows yet. Crisp's copy then says which it is."""
    new = "session_0e0e0e0e-0000-4000-8000-000000000005"
    store.apply("message:send", f.message_event(new, content="Hi", timestamp=NOW))
    assert store.is_provisional(new)
    panel.bind(new)
    placeholder = panel.notepad.editor.placeholderText
    assert placeholder() == "A new conversation: its contact is not known yet"
    reloads: list[bool] = []
    panel.contact_changed.connect(lambda: reloads.append(True))
    store.upsert_conversations([f.conversation(new, people_id="", updated_at=NOW)])
    assert placeholder() == "No contact profile for this visitor"
    assert reloads == [True]  # its details may be loaded now (PeopleLoads asks again)
    contact = "session_0f0f0f0f-0000-4000-8000-000000000006"
    store.apply("message:send", f.message_event(contact, content="Hi", timestamp=NOW))
    panel.bind(contact)
    store.upsert_conversations([f.conversation(contact, updated_at=NOW)])  # names PID
    assert placeholder() != "A new conversation: its contact is not known yet"
    assert panel.notepad.editor.toPlainText() == "Prefers email."  # the known contact's
