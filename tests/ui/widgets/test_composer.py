"""The composer driven by the keyboard: sending, the input method, the shortcut contest,
popups and slash commands, mentions, and editing my last message."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QInputMethodEvent, QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from crisp_console.present.canned import CannedResponse
from crisp_console.ui.canned import load_canned
from crisp_console.ui.commands import CommandRegistry
from crisp_console.ui.default_commands import build_registry
from tests.ui.widgets.composer_helpers import (
    ALT,
    CTRL,
    SHIFT,
    Key,
    Make,
    Mod,
    Window,
    composer_factory,
    key,
    type_text,
)


@pytest.fixture
def registry() -> CommandRegistry:
    return build_registry(platform="linux")


@pytest.fixture
def make(qtbot: QtBot, registry: CommandRegistry) -> Make:
    return composer_factory(qtbot, registry)


# -- sending --

@pytest.mark.parametrize("send_on_enter", [True, False])
def test_enter_shift_enter_and_ctrl_enter(qtbot: QtBot, make: Make, send_on_enter: bool) -> None:
    composer, rec = make(send_on_enter=send_on_enter)
    type_text(qtbot, composer, "line one")
    key(qtbot, composer, Key.Key_Return, SHIFT)  # always a new line
    type_text(qtbot, composer, "line two")
    key(qtbot, composer, Key.Key_Return)  # sends only with send_on_enter
    if send_on_enter:
        assert rec.of("send_requested") == [("line one\nline two", "reply", [])]
        composer.take_sent()
        assert composer.text() == ""
    else:
        assert rec.of("send_requested") == []
        assert composer.text() == "line one\nline two\n"
    type_text(qtbot, composer, "three")
    key(qtbot, composer, Key.Key_Return, CTRL)  # always sends
    expected = "three" if send_on_enter else "line one\nline two\nthree"
    assert rec.of("send_requested")[-1] == (expected, "reply", [])
    assert "Shift+Enter" in composer.header.hint.text() if send_on_enter else (
        "Ctrl+Enter to send" in composer.header.hint.text())


def test_keypad_enter_and_the_setting_at_run_time(qtbot: QtBot, make: Make) -> None:
    composer, rec = make()
    type_text(qtbot, composer, "a")
    qtbot.keyClick(composer.editor, Key.Key_Enter, Mod.KeypadModifier)
    assert rec.of("send_requested") == [("a", "reply", [])]
    composer.take_sent()
    composer.set_send_on_enter(False)
    type_text(qtbot, composer, "b")
    key(qtbot, composer, Key.Key_Return)
    assert composer.text() == "b\n" and len(rec.of("send_requested")) == 1


def test_blank_text_is_never_sent_and_ends_are_trimmed(qtbot: QtBot, make: Make) -> None:
    composer, rec = make()
    key(qtbot, composer, Key.Key_Return)
    type_text(qtbot, composer, "   ")
    key(qtbot, composer, Key.Key_Return, SHIFT)
    key(qtbot, composer, Key.Key_Return)
    assert rec.of("send_requested") == []
    assert not composer.footer.send_button.isEnabled()
    composer.set_text("\n\nHello\n\n  world   \n\n")
    assert composer.footer.send_button.isEnabled()
    key(qtbot, composer, Key.Key_Return)
    assert rec.of("send_requested") == [("Hello\n\n  world", "reply", [])]
    assert composer.text() != ""  # cleared only when the lead calls take_sent()


def test_enter_never_sends_while_an_input_method_composes(qtbot: QtBot, make: Make) -> None:
    composer, rec = make()
    type_text(qtbot, composer, "Order ")
    QApplication.sendEvent(composer.editor, QInputMethodEvent("にほん", []))
    assert composer.editor.composing()
    key(qtbot, composer, Key.Key_Return)
    key(qtbot, composer, Key.Key_Return, CTRL)
    assert rec.of("send_requested") == []
    assert composer.text() == "Order "  # and no new line either
    commit = QInputMethodEvent()
    commit.setCommitString("日本")
    QApplication.sendEvent(composer.editor, commit)
    assert not composer.editor.composing()
    key(qtbot, composer, Key.Key_Return)
    assert rec.of("send_requested") == [("Order 日本", "reply", [])]


# -- the shortcut contest --

def test_window_shortcuts_fire_while_typing(
        qtbot: QtBot, make: Make, registry: CommandRegistry) -> None:
    # The offscreen platform's key bindings do not claim Ctrl+K or Ctrl+U the way X11's do
    # (line deletions); the next test forces a claimed chord to prove the mechanism.
    calls: list[str] = []
    for cid in ("app.palette", "conversation.next", "conversation.previous",
                "conversation.mark_unread", "conversation.send_and_resolve", "composer.attach"):
        registry.set_handler(cid, lambda cid=cid: calls.append(cid))  # type: ignore[misc]
    composer, rec = make()
    type_text(qtbot, composer, "draft text")
    composer.editor.moveCursor(composer.editor.textCursor().MoveOperation.Start)
    for k, mods in ((Key.Key_K, CTRL), (Key.Key_Down, ALT), (Key.Key_Up, ALT),
                    (Key.Key_U, CTRL), (Key.Key_Return, CTRL | SHIFT), (Key.Key_O, CTRL)):
        key(qtbot, composer, k, mods)
    assert calls == ["app.palette", "conversation.next", "conversation.previous",
                     "conversation.mark_unread", "conversation.send_and_resolve",
                     "composer.attach"]
    assert composer.text() == "draft text" and rec.of("send_requested") == []


def override_accepted(widget: QWidget, k: Key, mods: Mod) -> bool:
    event = QKeyEvent(QEvent.Type.ShortcutOverride, k, mods)
    event.ignore()
    QApplication.sendEvent(widget, event)
    return event.isAccepted()


def test_the_editor_refuses_overrides_for_window_commands_only(
        qtbot: QtBot, make: Make, registry: CommandRegistry) -> None:
    # Ctrl+A is select-all, which every text widget claims; bound to the palette by the
    # user, the composer must let the window have it (a plain QPlainTextEdit would not).
    calls: list[str] = []
    registry.set_handler("app.palette", lambda: calls.append("palette"))
    registry.set_shortcuts("app.palette", ["Ctrl+A"])
    composer, _ = make()
    window = composer.window()
    assert isinstance(window, Window)
    assert override_accepted(window.other, Key.Key_A, CTRL)
    assert not override_accepted(composer.editor, Key.Key_A, CTRL)
    assert override_accepted(composer.editor, Key.Key_Home, CTRL)  # its own chords stay
    type_text(qtbot, composer, "abc")
    key(qtbot, composer, Key.Key_A, CTRL)
    assert calls == ["palette"] and not composer.editor.textCursor().hasSelection()


# -- popups and commands --

def test_canned_popup_filters_moves_and_tab_inserts(qtbot: QtBot, make: Make) -> None:
    composer, rec = make()
    popup = composer.editor.popup
    type_text(qtbot, composer, "Sure. !")
    assert popup.isVisible() and len(popup.items()) == len(load_canned())
    type_text(qtbot, composer, "re")
    assert [c.value for c in popup.items()][:2] == ["refund", "password"]  # prefix first
    key(qtbot, composer, Key.Key_Down)
    current = popup.current()
    assert current is not None and current.value == "password"
    key(qtbot, composer, Key.Key_Up)
    key(qtbot, composer, Key.Key_Tab)
    refund = next(c for c in load_canned() if c.shortcut == "refund")
    assert composer.text() == f"Sure. {refund.text}"
    assert not popup.isVisible() and composer.editor.hasFocus()
    assert rec.of("send_requested") == []


def test_enter_accepts_instead_of_sending_and_esc_closes(qtbot: QtBot, make: Make) -> None:
    composer, rec = make(canned=[CannedResponse("hi", "Greeting", "Hello there!")])
    popup = composer.editor.popup
    type_text(qtbot, composer, "!h")
    key(qtbot, composer, Key.Key_Return)
    assert composer.text() == "Hello there!" and rec.of("send_requested") == []
    composer.set_text("")
    type_text(qtbot, composer, "!")
    key(qtbot, composer, Key.Key_Escape)  # closes the popup only
    assert not popup.isVisible() and rec.of("leave_requested") == []
    type_text(qtbot, composer, "h")  # stays closed for this trigger
    assert not popup.isVisible()
    key(qtbot, composer, Key.Key_Escape)  # nothing left to cancel: leave the box
    assert rec.of("leave_requested") == [()]


def test_no_enter_chord_sends_while_the_popup_is_open(
        qtbot: QtBot, make: Make, registry: CommandRegistry) -> None:
    calls: list[str] = []
    registry.set_handler("conversation.send_and_resolve", lambda: calls.append("send+resolve"))
    composer, rec = make(canned=[CannedResponse("hi", "Greeting", "Hello there!")])
    for mods in (CTRL, CTRL | SHIFT):
        composer.set_text("")
        type_text(qtbot, composer, "!h")
        key(qtbot, composer, Key.Key_Return, mods)
        assert composer.text() == "Hello there!"
    assert calls == [] and rec.of("send_requested") == []
    composer.set_text("")
    type_text(qtbot, composer, "!h")
    key(qtbot, composer, Key.Key_Return, SHIFT)  # a new line ends the trigger
    assert composer.text() == "!h\n" and not composer.editor.popup.isVisible()


def test_a_click_accepts_and_tab_without_popup_leaves_the_box(qtbot: QtBot, make: Make) -> None:
    composer, rec = make(canned=[CannedResponse("hi", "Greeting", "Hello there!"),
                                 CannedResponse("bye", "Closing", "Goodbye!")])
    popup = composer.editor.popup
    type_text(qtbot, composer, "!")
    view = popup.view
    second = view.visualRect(view.model().index(1, 0)).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=second)
    assert composer.text() == "Goodbye!" and composer.editor.hasFocus()
    key(qtbot, composer, Key.Key_Tab)  # no tab characters in a chat message
    assert composer.text() == "Goodbye!" and not composer.editor.hasFocus()
    assert rec.of("send_requested") == []


def test_popup_replacement_after_emoji(qtbot: QtBot, make: Make) -> None:
    composer, _ = make(canned=[CannedResponse("hi", "Greeting", "Hello there!")])
    composer.set_text("👍 ")
    type_text(qtbot, composer, "!hi")
    key(qtbot, composer, Key.Key_Tab)
    assert composer.text() == "👍 Hello there!"


def test_slash_resolve_runs_on_enter(qtbot: QtBot, make: Make) -> None:
    composer, rec = make()
    type_text(qtbot, composer, "/")
    assert [c.value for c in composer.editor.popup.items()] == [
        "note", "resolve", "assign", "unassign", "remind"]
    type_text(qtbot, composer, "res")
    key(qtbot, composer, Key.Key_Return)  # accepts /resolve, complete: runs at once
    assert rec.of("command_requested") == [("resolve", "")]
    assert composer.text() == ""
    type_text(qtbot, composer, "/resolve")
    key(qtbot, composer, Key.Key_Escape)
    key(qtbot, composer, Key.Key_Return)
    assert rec.of("command_requested") == [("resolve", ""), ("resolve", "")]
    assert rec.of("send_requested") == []


@pytest.mark.parametrize(("typed", "expected"), [
    ("/assign Bob Stone", ("assign", "Bob Stone")),
    ("/assign", ("assign", "")),
    ("/remind 1h", ("remind", "1h")),
    ("/unassign", ("unassign", "")),
])
def test_commands_pass_their_argument(qtbot: QtBot, make: Make, typed: str,
                                      expected: tuple[str, str]) -> None:
    composer, rec = make()
    composer.set_text(typed)
    key(qtbot, composer, Key.Key_Return)
    assert rec.of("command_requested") == [expected] and composer.text() == ""


def test_tab_completes_a_command_that_takes_an_argument(qtbot: QtBot, make: Make) -> None:
    composer, rec = make()
    type_text(qtbot, composer, "/as")
    key(qtbot, composer, Key.Key_Tab)
    assert composer.text() == "/assign " and not composer.editor.popup.isVisible()
    type_text(qtbot, composer, "Alice")
    key(qtbot, composer, Key.Key_Return)
    assert rec.of("command_requested") == [("assign", "Alice")]


def test_slash_note_switches_mode(qtbot: QtBot, make: Make) -> None:
    composer, rec = make()
    composer.set_text("/note Customer is on the legacy plan")
    key(qtbot, composer, Key.Key_Return)
    assert composer.mode() == "note"
    assert composer.text() == "Customer is on the legacy plan"
    assert rec.of("command_requested") == [("note", "Customer is on the legacy plan")]
    assert rec.of("send_requested") == []
    key(qtbot, composer, Key.Key_Return)
    assert rec.of("send_requested") == [("Customer is on the legacy plan", "note", [])]
    composer.take_sent()
    composer.set_mode("reply")
    type_text(qtbot, composer, "/no")
    key(qtbot, composer, Key.Key_Tab)  # accepting /note from the popup switches at once
    assert composer.mode() == "note" and composer.text() == ""


def test_unknown_commands_are_refused_and_double_slash_sends(qtbot: QtBot, make: Make) -> None:
    composer, rec = make()
    composer.set_text("/shrug")
    key(qtbot, composer, Key.Key_Return)
    assert rec.of("send_requested") == [] and rec.of("command_requested") == []
    assert "Unknown command /shrug" in composer.footer.notice.text()
    type_text(qtbot, composer, "!")  # any edit clears the notice
    assert composer.footer.notice.text() == ""
    composer.set_text("//shrug")
    key(qtbot, composer, Key.Key_Return)
    assert rec.of("send_requested") == [("/shrug", "reply", [])]


def test_mentions_in_notes_carry_user_ids(qtbot: QtBot, make: Make) -> None:
    composer, rec = make()
    type_text(qtbot, composer, "@bo")
    assert not composer.editor.popup.isVisible()  # no mentions in a reply
    composer.set_text("")
    composer.toggle_mode()
    type_text(qtbot, composer, "Please check, @bo")
    assert [c.label for c in composer.editor.popup.items()] == ["Bob Stone"]
    key(qtbot, composer, Key.Key_Tab)
    assert composer.text() == "Please check, @Bob Stone "
    type_text(qtbot, composer, "and @chlo")  # accents do not matter
    key(qtbot, composer, Key.Key_Return)
    type_text(qtbot, composer, "thanks")
    key(qtbot, composer, Key.Key_Return)
    assert rec.of("send_requested") == [
        ("Please check, @Bob Stone and @Chloé Durand thanks", "note", ["u2", "u3"])]


def test_a_removed_mention_is_not_sent(qtbot: QtBot, make: Make) -> None:
    composer, rec = make()
    composer.focus_note()
    type_text(qtbot, composer, "@ali")
    key(qtbot, composer, Key.Key_Tab)
    composer.set_text("Never mind")
    key(qtbot, composer, Key.Key_Return)
    assert rec.of("send_requested") == [("Never mind", "note", [])]


# -- editing my last message --

def test_up_in_an_empty_box_edits_my_last_message(qtbot: QtBot, make: Make) -> None:
    asked: list[str] = []

    def last_own(sid: str) -> tuple[int, str] | None:
        asked.append(sid)
        return 4242, "Your refnud is on its way"

    composer, rec = make(last_own_message=last_own)
    key(qtbot, composer, Key.Key_Up)
    assert asked == ["s1"] and composer.editing()
    assert composer.header.edit_banner.isVisible()
    assert "Editing message — Esc to cancel" in composer.header.edit_banner.text()
    assert composer.text() == "Your refnud is on its way"
    composer.editor.selectAll()
    type_text(qtbot, composer, "Your refund is on its way")
    key(qtbot, composer, Key.Key_Return)
    assert rec.of("edit_requested") == [(4242, "Your refund is on its way")]
    assert rec.of("send_requested") == [] and not composer.editing()
    assert composer.text() == "" and not composer.header.edit_banner.isVisible()
    assert rec.of("typing_changed") == []  # editing is not typing a new reply


def test_esc_cancels_an_edit_then_leaves(qtbot: QtBot, make: Make) -> None:
    composer, rec = make(last_own_message=lambda sid: (7, "old text"),
                         canned=[CannedResponse("hi", "Greeting", "Hello")])
    key(qtbot, composer, Key.Key_Up)
    type_text(qtbot, composer, " !")
    assert composer.editor.popup.isVisible()
    key(qtbot, composer, Key.Key_Escape)  # 1. the popup
    assert composer.editing() and not composer.editor.popup.isVisible()
    key(qtbot, composer, Key.Key_Escape)  # 2. the edit
    assert not composer.editing() and composer.text() == ""
    assert rec.of("leave_requested") == []
    key(qtbot, composer, Key.Key_Escape)  # 3. the box
    assert rec.of("leave_requested") == [()] and rec.of("edit_requested") == []


def test_up_only_edits_from_an_empty_box(qtbot: QtBot, make: Make) -> None:
    composer, _ = make(last_own_message=lambda sid: (7, "old"))
    composer.set_text("first\nsecond")
    key(qtbot, composer, Key.Key_Up)
    assert not composer.editing() and composer.editor.textCursor().blockNumber() == 0
    nothing, _ = make(last_own_message=lambda sid: None)
    key(qtbot, nothing, Key.Key_Up)
    assert not nothing.editing() and "No message of yours" in nothing.footer.notice.text()
