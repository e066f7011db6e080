"""The stale-reply guard with a real Store and Composer (ui/stale_guard.py): when a reply
starts, what it holds, how the prompt follows the conversation while it asks, and the
prompt's keys. The sandbox paths are tests/e2e/test_stale_guard.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from crisp_console.core import Store
from crisp_console.settings import Preferences, with_changes
from crisp_console.storage.drafts import DraftStore
from crisp_console.ui.commands import CommandRegistry
from crisp_console.ui.default_commands import build_registry
from crisp_console.ui.stale_guard import MAX_LINES, StaleGuard
from crisp_console.ui.widgets.composer import Composer
from crisp_console.ui.widgets.preferences_dialog import PreferencesDialog
from crisp_console.ui.widgets.stale_prompt import DISCARD, EDIT, SEND, StalePrompt
from tests.core import factories as f
from tests.ui.hostile import HOSTILE
from tests.ui.widgets.composer_helpers import Make, composer_factory

ME = "op-me"
Key, Mod = Qt.Key, Qt.KeyboardModifier


@pytest.fixture
def registry() -> CommandRegistry:
    return build_registry(platform="linux")


@pytest.fixture
def make(qtbot: QtBot, registry: CommandRegistry) -> Make:
    return composer_factory(qtbot, registry)


class World:
    def __init__(self, store: Store, composer: Composer, guard: StaleGuard,
                 sids: list[str]) -> None:
        self.store, self.composer, self.guard, self.sids = store, composer, guard, sids
        self.sent: list[tuple[Any, ...]] = []
        self.enabled = True
        guard.send_anyway.connect(lambda *args: self.sent.append(args))

    def load(self, sid: str, *texts: str) -> None:
        self.store.add_history_page(sid, [f.message(sid, content=t, timestamp=f.BASE_TIME + n)
                                          for n, t in enumerate(texts)], older=False)

    def visitor(self, sid: str, text: str, ts: int) -> int:
        payload = f.message_event(sid, content=text, timestamp=ts)
        self.store.apply("message:send", payload)
        return int(payload["fingerprint"])

    def type(self, text: str) -> None:
        QTest.keyClicks(self.composer.editor, text)

    def enter(self) -> bool:
        """What the console does with Enter's send_requested: True when the guard held it."""
        sid = self.composer.session_id()
        assert sid is not None
        return self.guard.holds(sid, self.composer.text(), self.composer.mode(), [])


@pytest.fixture
def world(make: Make) -> Iterator[World]:
    store = Store()
    sids = [f.session_id(), f.session_id()]
    store.upsert_conversations([f.conversation(sid) for sid in sids])
    drafts = DraftStore(None)
    drafts.put(sids[1], "a draft from the last run", "reply")
    composer, _recorder = make(drafts=drafts, session=sids[0])
    holder: list[World] = []
    guard = StaleGuard(store, composer, me=lambda: ME,
                       enabled=lambda: holder[0].enabled, wall=lambda: f.BASE_TIME + 100)
    w = World(store, composer, guard, sids)
    holder.append(w)
    yield w
    guard.detach()
    assert store.observers == 0


def test_a_reply_starts_at_the_first_keystroke_and_ends_when_the_box_is_cleared(
        world: World) -> None:
    sid = world.sids[0]
    world.load(sid, "Hello")
    world.composer.bind(sid)
    assert world.guard.started(sid) is None
    world.type("Hi")
    start = world.guard.started(sid)
    assert start is not None and start.settled
    world.type(" there")
    assert world.guard.started(sid) is start  # typing on keeps the start
    world.composer.editor.selectAll()
    QTest.keyClick(world.composer.editor, Key.Key_Backspace)
    assert world.guard.started(sid) is None


def test_a_restored_draft_starts_when_shown_and_a_start_survives_switching(
        world: World) -> None:
    first, restored = world.sids
    world.load(first, "Hello")
    world.composer.bind(first)
    world.type("Half an answer")
    start = world.guard.started(first)
    world.composer.bind(restored)  # its draft (from disk) shows: its reply starts now
    assert world.guard.started(restored) is not None
    world.visitor(first, "Still there?", f.BASE_TIME + 50)  # while the operator is away
    world.composer.bind(first)
    assert world.guard.started(first) is start
    assert world.enter()  # what came while away is exactly what may be unread
    [(who, text)] = world.guard.prompt.lines()
    assert who.startswith("Grace Hopper · ") and text == "Still there?"


def test_a_start_before_the_thread_loaded_takes_in_the_first_page(world: World) -> None:
    sid = world.sids[0]
    world.composer.bind(sid)
    world.type("Quick answer")
    assert not world.guard.started(sid).settled  # type: ignore[union-attr]
    world.load(sid, "Hello", "Are you there?")  # written before the start (BASE_TIME+100)
    assert not world.enter()
    world.visitor(sid, "Hello???", f.BASE_TIME + 500)
    assert world.enter()


def test_my_own_sends_from_here_are_never_news_notes_are_never_held(world: World) -> None:
    sid = world.sids[0]
    world.load(sid, "Hello")
    world.composer.bind(sid)
    world.type("Second part")
    fp = f.fingerprint()
    world.store.add_pending(sid, fingerprint=fp, type="file", content={"name": "a.png"},
                            user_id=ME, nickname="Me", timestamp=f.BASE_TIME + 200)
    echo = f.message_event(sid, from_="operator", fingerprint=fp, type="file",
                           content={"name": "a.png", "url": "https://x/a", "type": "image/png"},
                           timestamp=f.BASE_TIME + 201, user=f.operator_user(ME, "Me"))
    world.store.apply("message:received", echo)  # confirmed: SENT now, still mine
    assert not world.enter()
    world.visitor(sid, "Thanks!", f.BASE_TIME + 300)
    world.composer.set_mode("note")
    assert not world.enter()  # a note never contradicts an answer to the visitor
    world.composer.set_mode("reply")
    world.enabled = False
    assert not world.enter()  # the preference, read at each send
    world.enabled = True
    assert world.enter()


def test_the_prompt_follows_the_conversation_while_it_asks(world: World) -> None:
    sid = world.sids[0]
    world.load(sid, "Hello")
    world.composer.bind(sid)
    world.type("Answer")
    fp = world.visitor(sid, "One", f.BASE_TIME + 200)
    assert world.enter()
    prompt = world.guard.prompt
    assert QApplication.focusWidget() is prompt
    assert [text for _who, text in prompt.lines()] == ["One"]
    for n in range(MAX_LINES + 1):
        world.visitor(sid, f"More {n}", f.BASE_TIME + 300 + n)
    assert prompt.title.text() == f"{MAX_LINES + 2} new messages since you started this reply"
    assert [text for _who, text in prompt.lines()] == [f"More {n}" for n in range(1, 5)]
    assert prompt.earlier.text() == "…and 2 earlier"
    world.store.apply("message:compose:send", f.compose_event(sid, excerpt="typing"))
    assert prompt.context.text() == "Grace Hopper is typing…"
    world.store.remove_message(sid, fp)
    assert prompt.earlier.text() == "…and 1 earlier"
    for _n in range(MAX_LINES + 1):
        world.store.remove_message(sid, world.store.messages(sid)[-1].fingerprint)
    assert not prompt.isVisible()  # nothing stale left: back to the reply
    assert world.guard.asking() is None and world.sent == []
    assert world.composer.text() == "Answer"


def test_choices(world: World) -> None:
    sid = world.sids[0]
    world.load(sid, "Hello")
    world.composer.bind(sid)
    world.type("Answer")
    world.visitor(sid, "New", f.BASE_TIME + 200)
    prompt = world.guard.prompt
    assert world.enter()
    world.type("!")  # typing in the box again is editing
    assert not prompt.isVisible() and world.composer.text() == "Answer!"
    assert not world.enter()  # seen: the start moved to now
    world.visitor(sid, "Newer", f.BASE_TIME + 300)
    assert world.enter()
    prompt.choose(SEND)
    assert world.sent == [(sid, "Answer!", "reply", [])]
    world.visitor(sid, "Newest", f.BASE_TIME + 400)
    assert world.enter()
    world.composer.bind(world.sids[1])  # another conversation: the question goes
    assert not prompt.isVisible() and world.guard.asking() is None
    world.composer.bind(sid)
    assert world.enter()
    prompt.choose(DISCARD)
    assert world.composer.text() == "" and world.guard.started(sid) is None
    assert len(world.sent) == 1


@pytest.mark.usefixtures("qapp")
def test_the_prompts_keys(qtbot: QtBot) -> None:
    prompt = StalePrompt()
    qtbot.addWidget(prompt)
    chosen: list[str] = []
    prompt.chosen.connect(chosen.append)

    def ask() -> None:
        prompt.ask("1 new message since you started this reply", [], 0)

    for key, mods, choice in (
            (Key.Key_S, Mod.NoModifier, SEND), (Key.Key_Return, Mod.NoModifier, SEND),
            (Key.Key_Enter, Mod.KeypadModifier, SEND),
            (Key.Key_Return, Mod.ControlModifier, SEND), (Key.Key_E, Mod.NoModifier, EDIT),
            (Key.Key_Escape, Mod.NoModifier, EDIT), (Key.Key_D, Mod.NoModifier, DISCARD)):
        ask()
        QTest.keyClick(prompt, key, mods)
        assert chosen[-1] == choice and not prompt.isVisible()
    ask()
    before = len(chosen)
    for key, mods in ((Key.Key_Return, Mod.ShiftModifier), (Key.Key_E, Mod.ControlModifier),
                      (Key.Key_D, Mod.AltModifier), (Key.Key_X, Mod.NoModifier)):
        QTest.keyClick(prompt, key, mods)
    repeat = QKeyEvent(QEvent.Type.KeyPress, Key.Key_Return, Mod.NoModifier, "\r", True)
    QApplication.sendEvent(prompt, repeat)  # the Enter that raised it, still held down
    assert len(chosen) == before and prompt.isVisible()
    prompt.buttons[DISCARD].click()
    assert chosen[-1] == DISCARD
    assert all(b.focusPolicy() == Qt.FocusPolicy.NoFocus for b in prompt.buttons.values())
    assert "S" in prompt.buttons[SEND].text() and "E" in prompt.buttons[EDIT].text()


def test_hostile_messages_and_names_are_plain_text(world: World) -> None:
    sid = world.sids[0]
    world.load(sid, "Hello")
    world.composer.bind(sid)
    world.type("Answer")
    world.store.apply("message:received", f.message_event(
        sid, from_="operator", content="\n".join(HOSTILE), timestamp=f.BASE_TIME + 200,
        user=f.operator_user("op-evil", HOSTILE[4])))
    assert world.enter()
    prompt = world.guard.prompt
    labels = prompt.findChildren(type(prompt.title))
    assert labels and all(label.textFormat() == Qt.TextFormat.PlainText for label in labels)
    [(who, text)] = prompt.lines()
    assert who.startswith("evil <i>name</i> · ")  # as typed, without the override
    assert text == " ".join(HOSTILE).replace("\u202e", "").replace("\u202c", "")


def test_the_preference_is_a_checkbox_of_the_dialog(qtbot: QtBot) -> None:
    dialog = PreferencesDialog(Preferences(), build_registry())
    qtbot.addWidget(dialog)
    assert dialog.stale_guard.isChecked()  # on by default
    dialog.stale_guard.setChecked(False)
    assert dialog.preferences() == with_changes(Preferences(), stale_guard=False)
    dialog.load(with_changes(Preferences(), stale_guard=False))
    assert not dialog.stale_guard.isChecked()
