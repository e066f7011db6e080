"""The command registry: the default keymap's rules, bindings, handlers and real key presses."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QListView, QPlainTextEdit, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from crisp_console.client.tasks import TaskOwner
from crisp_console.ui.commands import Command, CommandRegistry
from crisp_console.ui.default_commands import build_registry
from crisp_console.ui.shortcuts import (
    RESERVED,
    ShortcutError,
    sequence_chords,
    validate_shortcut,
)
from tests.ui.conftest import tasks_done

Key = Qt.Key
Mod = Qt.KeyboardModifier
ALT, CTRL, SHIFT = Mod.AltModifier, Mod.ControlModifier, Mod.ShiftModifier
# The offscreen platform warns when a shown window has size constraints; harmless.
OFFSCREEN_SIZE_HINTS = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


# -- the default table --

@pytest.mark.parametrize("platform", ["linux", "win32", "darwin"])
def test_default_table_has_no_conflicts_and_no_forbidden_alt(platform: str) -> None:
    registry = build_registry(platform=platform)
    assert registry.conflicts() == []
    for cid, keys in registry.keymap().items():
        for seq in keys:
            for key, mods in sequence_chords(seq):
                typing = key < 0x01000000
                assert not (mods & ALT.value and typing), (cid, seq)
                if typing and not mods & ~SHIFT.value:
                    assert registry.get(cid).context == "list", (cid, seq)


def test_default_table_follows_console_ux_b() -> None:
    keymap = build_registry(platform="linux").keymap()
    expected = {
        "app.palette": ("Ctrl+K",),
        "app.cheat_sheet": ("Ctrl+/", "F1"),
        "app.quit": ("Ctrl+Q",),
        "conversation.next": ("Alt+Down", "Ctrl+Tab", "Ctrl+PgDown"),
        "conversation.previous": ("Alt+Up", "Ctrl+Shift+Tab", "Ctrl+PgUp"),
        "conversation.resolve": ("Ctrl+Shift+E",),
        "conversation.reopen": (),
        "conversation.assign": ("Ctrl+Shift+A",),
        "conversation.mark_read": ("Ctrl+R",),
        "conversation.mark_unread": ("Ctrl+U",),
        "conversation.undo": ("Ctrl+Z",),  # issue 15: undo the last destructive action
        # Some window managers take Alt+Shift+arrows: Ctrl+Shift+PgDown/PgUp beside them,
        # as Ctrl+PgDown/PgUp are beside Alt+Down/Up.
        "conversation.next_unread": ("Alt+Shift+Down", "Ctrl+Shift+PgDown"),
        "conversation.previous_unread": ("Alt+Shift+Up", "Ctrl+Shift+PgUp"),
        "conversation.block": (),  # palette only: cannot fire by accident
        "composer.toggle_note": ("Ctrl+Shift+N",),
        "composer.send": ("Return", "Ctrl+Return"),
        "composer.edit_last": ("Up",),
        "composer.cancel": ("Esc",),
        "composer.attach": ("Ctrl+O",),
        "search.messages": ("Ctrl+Shift+F",),  # console-ux.md (b): global search
        "search.conversations": (),  # "/" in the list (single-key mode)
        "view.pending": ("Ctrl+1",),
        "view.all": ("Ctrl+8",),
    }
    assert {cid: keymap[cid] for cid in expected} == expected
    # macOS: Ctrl is Cmd and Cmd+Tab is the app switcher, so Tab cycling uses Meta (Control).
    mac = build_registry(platform="darwin").keymap()
    assert mac["conversation.next"] == ("Alt+Down", "Meta+Tab", "Ctrl+PgDown")


def test_single_key_mode_covers_the_issue_keys() -> None:
    registry = build_registry()
    single = {seq: c.alias_of for c in registry.all() if c.context == "list"
              for seq in registry.shortcuts(c.id)}
    assert single == {
        "J": "conversation.next", "K": "conversation.previous",
        "R": "composer.reply", "Return": "composer.reply", "N": "composer.note",
        "E": "conversation.resolve", "A": "conversation.assign", "L": "conversation.segments",
        "M": "conversation.remind", "U": "conversation.mark_unread",
        "/": "search.conversations", "?": "app.cheat_sheet",
    }
    for command in registry.all():
        if command.context == "list":
            assert not command.listed_in_palette
            assert registry.get(command.alias_of or "").context != "list"


def test_reserved_chords_always_have_an_alternative() -> None:
    """A default on a chord an input method may swallow must be reachable another way."""
    registry = build_registry()
    aliases = {c.alias_of: c.id for c in registry.all() if c.alias_of}
    for command in registry.all():
        keys = registry.shortcuts(command.id)
        if any(k in RESERVED for k in keys):
            others = [k for k in keys if k not in RESERVED]
            twin = aliases.get(command.id)
            assert others or (twin and registry.shortcuts(twin)), command.id


# -- validation --

@pytest.mark.parametrize(("text", "context", "needle"), [
    ("Alt+E", "global", "Alt"),
    ("Ctrl+Alt+E", "global", "AltGr"),
    ("Alt+Shift+L", "global", "Alt"),
    ("Alt+1", "global", "Alt"),
    ("Alt+E", "list", "Alt"),
    ("Ctrl+Foo", "global", "understands"),
    ("", "global", "null to unbind"),
    ("Ctrl+Shift", "global", "modifier alone"),
    ("E", "global", "single keys"),
    ("Shift+E", "composer", "single keys"),
    ("Ctrl+K, A, B, C, D", "global", "chords"),
])
def test_validate_shortcut_rejects_with_a_reason(text: str, context: str, needle: str) -> None:
    with pytest.raises(ShortcutError, match=needle):
        validate_shortcut(text, context)  # type: ignore[arg-type]


def test_validate_shortcut_canonicalizes_what_it_accepts() -> None:
    assert validate_shortcut("ctrl+shift+r") == "Ctrl+Shift+R"
    assert validate_shortcut("Alt+Down") == "Alt+Down"
    assert validate_shortcut("Ctrl+Alt+Home") == "Ctrl+Alt+Home"
    assert validate_shortcut("e", "list") == "E"
    assert validate_shortcut("Ctrl+K, Ctrl+S") == "Ctrl+K, Ctrl+S"
    assert validate_shortcut(" Ctrl+, ") == "Ctrl+,"
    with pytest.raises(ShortcutError):
        validate_shortcut(["Ctrl+K"])
    registry = build_registry()
    assert registry.validate_shortcut("list.resolve", "x") == "X"
    with pytest.raises(ShortcutError, match="single keys"):
        registry.validate_shortcut("conversation.resolve", "x")


def test_register_refuses_bad_tables() -> None:
    registry = CommandRegistry([Command("a.b", "AB", "X", ("Ctrl+B",))])
    with pytest.raises(ShortcutError, match=r"c\.d: Alt\+D"):
        registry.register(Command("c.d", "CD", "X", ("Alt+D",)))
    with pytest.raises(ValueError, match="already registered"):
        registry.register(Command("a.b", "again", "X"))
    with pytest.raises(ValueError, match="alias of unknown"):
        registry.register(Command("l.x", "X", "X", ("X",), "list", alias_of="nope"))
    assert len(registry) == 1


# -- bindings and conflicts --

def test_conflicts_follow_context_overlap_and_prefixes() -> None:
    registry = CommandRegistry([
        Command("g.one", "One", "G", ("Ctrl+J",)),
        Command("l.one", "L1", "L", ("J",), "list"),
        Command("c.one", "C1", "C", ("Up",), "composer"),
        Command("t.one", "T1", "T", ("Up",), "thread"),
    ])
    assert registry.conflicts() == []  # composer and thread are separate widgets
    registry.register(Command("l.two", "L2", "L", ("j",), "list"))
    registry.register(Command("g.two", "Two", "G", ("Ctrl+J, Ctrl+K",)))
    found = {(c.command_ids, c.sequences) for c in registry.conflicts()}
    assert found == {
        (("l.one", "l.two"), ("J", "J")),
        (("g.one", "g.two"), ("Ctrl+J", "Ctrl+J, Ctrl+K")),
    }
    registry.set_shortcuts("t.one", None)
    registry.set_shortcuts("c.one", ["Ctrl+J"])  # global Ctrl+J is live in the composer too
    assert {str(c) for c in registry.conflicts()} == {
        "l.one and l.two both bind J",
        "g.one and g.two clash on Ctrl+J / Ctrl+J, Ctrl+K",
        "g.one and c.one both bind Ctrl+J",
        "c.one and g.two clash on Ctrl+J / Ctrl+J, Ctrl+K",
    }


def test_overrides_unbind_and_reset() -> None:
    registry = build_registry()
    assert registry.set_shortcuts("app.quit", ["ctrl+shift+q", "Ctrl+Shift+Q"]) == (
        "Ctrl+Shift+Q",)
    assert registry.keymap()["app.quit"] == ("Ctrl+Shift+Q",)
    registry.set_shortcuts("app.hide", None)
    assert registry.shortcuts("app.hide") == ()
    registry.reset_shortcuts("app.hide")
    assert registry.shortcuts("app.hide") == ("Ctrl+W",)
    with pytest.raises(ShortcutError, match=r"app\.quit: Alt"):
        registry.set_shortcuts("app.quit", ["Alt+Q"])
    assert registry.shortcuts("app.quit") == ("Ctrl+Shift+Q",)


# -- handlers --

def test_run_calls_the_injected_handler_and_aliases_follow() -> None:
    registry = build_registry()
    calls: list[str] = []
    assert registry.run("conversation.resolve") is False  # nothing injected yet
    assert not registry.available("list.resolve")
    registry.set_handler("conversation.resolve", lambda: calls.append("resolve"))
    assert registry.run("conversation.resolve") is True
    assert registry.run("list.resolve") is True  # E in single-key mode: same handler
    assert calls == ["resolve", "resolve"]
    assert registry.available("list.resolve")


def test_a_failing_handler_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    registry = build_registry()

    def boom() -> None:
        raise RuntimeError("kaput")

    registry.set_handler("app.settings", boom)
    with caplog.at_level(logging.ERROR):
        assert registry.run("app.settings") is False
    assert "command app.settings failed" in caplog.text and "kaput" in caplog.text


def test_async_handlers_run_as_tasks_of_the_ui_task_owner(
        caplog: pytest.LogCaptureFixture) -> None:
    tasks = TaskOwner()
    registry = build_registry(tasks=tasks)
    done: list[str] = []

    async def assign() -> None:
        await asyncio.sleep(0)
        done.append("assigned")

    async def broken() -> None:
        raise RuntimeError("server said no")

    registry.set_handler("conversation.assign_to_me", assign)
    registry.set_handler("conversation.block", broken)
    # Without a loop, the coroutine is closed (no "never awaited" warning) and logged.
    with caplog.at_level(logging.ERROR):
        assert registry.run("conversation.assign_to_me") is True
    assert "no event loop is running" in caplog.text and done == []

    async def main() -> None:
        registry.run("conversation.assign_to_me")
        registry.run("conversation.block")
        assert len(tasks) == 2  # owned: the console cancels and awaits them on close
        await tasks_done(tasks)
        await tasks.aclose()
        registry.run("conversation.assign_to_me")  # closed: never starts

    caplog.clear()
    with caplog.at_level(logging.ERROR):
        asyncio.run(main())
    assert done == ["assigned"]
    assert "command conversation.block failed" in caplog.text
    assert "server said no" in caplog.text
    # A registry without a task owner (the keymap editor's) refuses async handlers.
    bare = build_registry()
    bare.set_handler("conversation.assign_to_me", assign)

    async def run_bare() -> None:
        assert bare.run("conversation.assign_to_me") is True

    caplog.clear()
    with caplog.at_level(logging.ERROR):
        asyncio.run(run_bare())
    assert "no task owner runs it" in caplog.text and done == ["assigned"]


# -- QActions --

def test_actions_carry_shortcuts_contexts_and_trigger_handlers(qtbot: QtBot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    registry = build_registry(platform="linux")
    actions = registry.create_actions(window)
    assert set(actions) == {c.id for c in registry.all()}
    nxt = actions["conversation.next"]
    assert [k.toString() for k in nxt.shortcuts()] == ["Alt+Down", "Ctrl+Tab", "Ctrl+PgDown"]
    assert nxt.shortcutContext() == Qt.ShortcutContext.WindowShortcut
    assert nxt in window.actions()
    single = actions["list.resolve"]
    assert single.shortcut() == QKeySequence("E")
    assert single.shortcutContext() == Qt.ShortcutContext.WidgetWithChildrenShortcut
    assert single not in window.actions()  # attached to the list widget, not the window
    assert actions["composer.attach"].shortcutContext() == (
        Qt.ShortcutContext.WidgetWithChildrenShortcut)
    assert actions["composer.send"].shortcuts() == []  # the composer matches Enter itself
    assert actions["conversation.resolve"].toolTip() == (
        "Resolve (reopen if resolved) (Ctrl+Shift+E)")

    calls: list[str] = []
    registry.set_handler("conversation.next", lambda: calls.append("next"))
    registry.set_handler("composer.send", lambda: calls.append("send"))
    nxt.trigger()
    actions["list.next"].trigger()
    actions["composer.send"].trigger()  # palette path for a widget-handled command
    assert calls == ["next", "next", "send"]

    off = build_registry(single_key=False).create_actions(window)
    assert not off["list.resolve"].isEnabled() and off["conversation.resolve"].isEnabled()


def test_colliding_bindings_are_not_installed(qtbot: QtBot,
                                             caplog: pytest.LogCaptureFixture) -> None:
    registry = CommandRegistry([
        Command("a.first", "First", "X", ("Ctrl+J",)),
        Command("b.second", "Second", "X", ("Ctrl+J", "Ctrl+L")),
    ])
    window = QWidget()
    qtbot.addWidget(window)
    with caplog.at_level(logging.WARNING):
        actions = registry.create_actions(window)
    assert actions["b.second"].shortcuts() == [QKeySequence("Ctrl+L")]
    assert "Ctrl+J of b.second collides" in caplog.text


def key_event(key: Key, mods: Mod = Mod.NoModifier) -> QKeyEvent:
    return QKeyEvent(QEvent.Type.KeyPress, key, mods)


def test_matches_is_how_widgets_check_their_own_keys() -> None:
    registry = build_registry()
    assert registry.matches("composer.send", key_event(Key.Key_Return))
    assert registry.matches("composer.send", key_event(Key.Key_Enter, Mod.KeypadModifier))
    assert registry.matches("composer.send", key_event(Key.Key_Return, CTRL))
    assert not registry.matches("composer.send", key_event(Key.Key_Return, SHIFT))
    assert registry.matches("composer.newline", key_event(Key.Key_Return, SHIFT))
    assert registry.matches("composer.edit_last", key_event(Key.Key_Up))
    assert not registry.matches("composer.edit_last", key_event(Key.Key_Up, CTRL))
    registry.set_shortcuts("composer.edit_last", ["Ctrl+Up"])  # the Telegram-complaint setting
    assert registry.matches("composer.edit_last", key_event(Key.Key_Up, CTRL))
    assert registry.matches("conversation.previous", key_event(Key.Key_Backtab, CTRL | SHIFT))
    registry.set_shortcuts("composer.send", ["Ctrl+Enter"])  # keypad name, either key
    assert registry.matches("composer.send", key_event(Key.Key_Return, CTRL))
    assert not registry.matches("composer.send", key_event(Key.Key_Return))


# -- real key presses --

class Console(QWidget):
    """A window with a list pane and a composer, wired like the main window will be."""

    def __init__(self, registry: CommandRegistry) -> None:
        super().__init__()
        self.list = QListView()
        self.composer = QPlainTextEdit()
        layout = QVBoxLayout(self)
        layout.addWidget(self.list)
        layout.addWidget(self.composer)
        self.actions_by_id = registry.create_actions(
            self, {"list": self.list, "composer": self.composer})


@pytest.fixture
def console(qtbot: QtBot) -> Callable[[CommandRegistry], Console]:
    def make(registry: CommandRegistry) -> Console:
        window = Console(registry)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)
        return window

    return make


def focus(qtbot: QtBot, widget: QWidget) -> None:
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus)


@OFFSCREEN_SIZE_HINTS
def test_key_presses_reach_handlers_in_their_context(
        qtbot: QtBot, console: Callable[[CommandRegistry], Console]) -> None:
    registry = build_registry()
    calls: list[str] = []
    registry.set_handler("conversation.next", lambda: calls.append("next"))
    registry.set_handler("conversation.resolve", lambda: calls.append("resolve"))
    registry.set_handler("app.palette", lambda: calls.append("palette"))
    registry.set_handler("conversation.send_and_resolve", lambda: calls.append("send+resolve"))
    window = console(registry)

    focus(qtbot, window.list)
    qtbot.keyClick(window.list, Key.Key_Down, ALT)  # global, from the list
    qtbot.keyClick(window.list, Key.Key_E)  # single-key mode
    qtbot.keyClick(window.list, Key.Key_J)
    assert calls == ["next", "resolve", "next"]

    focus(qtbot, window.composer)
    qtbot.keyClicks(window.composer, "je")  # single keys type text in the composer
    assert window.composer.toPlainText() == "je"
    qtbot.keyClick(window.composer, Key.Key_Down, ALT)  # global works while typing
    qtbot.keyClick(window.composer, Key.Key_E, CTRL | SHIFT)
    qtbot.keyClick(window.composer, Key.Key_K, CTRL)  # the palette opens while typing
    qtbot.keyClick(window.composer, Key.Key_Return, CTRL | SHIFT)
    assert calls == ["next", "resolve", "next", "next", "resolve", "palette", "send+resolve"]
    assert window.composer.toPlainText() == "je"


@OFFSCREEN_SIZE_HINTS
def test_single_key_mode_can_be_turned_off(
        qtbot: QtBot, console: Callable[[CommandRegistry], Console]) -> None:
    registry = build_registry()
    calls: list[str] = []
    registry.set_handler("conversation.resolve", lambda: calls.append("resolve"))
    window = console(registry)
    registry.set_single_key_enabled(False, window.actions_by_id)
    assert not window.actions_by_id["list.resolve"].isEnabled()
    focus(qtbot, window.list)
    qtbot.keyClick(window.list, Key.Key_E)
    assert calls == []
    qtbot.keyClick(window.list, Key.Key_E, CTRL | SHIFT)  # the chord still works
    registry.set_single_key_enabled(True, window.actions_by_id)
    qtbot.keyClick(window.list, Key.Key_E)
    assert calls == ["resolve", "resolve"]
