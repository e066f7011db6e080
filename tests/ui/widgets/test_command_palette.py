"""The command palette: the quick switcher's searches, keys and signals, the generic pick()
(run on a qasync loop, as in the app), and the index following live store changes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QKeySequence
from PySide6.QtWidgets import QMainWindow
from pytestqt.qtbot import QtBot

from crisp_console.core import Store
from crisp_console.present import holding
from crisp_console.present.palette_sources import (
    PaletteItem,
    Result,
)
from crisp_console.ui.commands import CommandRegistry
from crisp_console.ui.default_commands import build_registry
from crisp_console.ui.theme import Scheme, palette
from crisp_console.ui.widgets import command_palette
from crisp_console.ui.widgets.command_palette import CommandPalette
from tests.core import factories as f
from tests.present.seeded import T, seeded_store
from tests.present.test_palette_sources import LINUS, world

OFFSCREEN_SIZE_HINTS = pytest.mark.qt_log_ignore("does not support propagateSizeHints")
pytestmark = OFFSCREEN_SIZE_HINTS
R = TypeVar("R")
Key = Qt.Key


def registry() -> CommandRegistry:
    """The default table; every command has a handler except "Block the visitor"."""
    reg = build_registry(platform="linux")
    for command in reg.all():
        if command.id != "conversation.block":
            reg.set_handler(command.id, lambda: None)
    return reg


class Recorder:
    def __init__(self, palette: CommandPalette) -> None:
        self.events: list[tuple[str, tuple[str, ...]]] = []
        palette.command_chosen.connect(lambda cid: self.events.append(("command", (cid,))))
        palette.conversation_chosen.connect(
            lambda sid: self.events.append(("conversation", (sid,))))
        palette.person_chosen.connect(
            lambda wid, pid: self.events.append(("person", (wid, pid))))


@pytest.fixture
def window(qtbot: QtBot) -> QMainWindow:
    win = QMainWindow()
    win.resize(1000, 700)
    qtbot.addWidget(win)
    win.show()
    return win


@pytest.fixture
def store() -> Store:
    return world()


@pytest.fixture
def pal(window: QMainWindow, store: Store) -> Iterator[CommandPalette]:
    palette_ = CommandPalette(registry(), store, window)
    yield palette_
    palette_.detach()


def type_text(qtbot: QtBot, pal: CommandPalette, text: str) -> None:
    qtbot.keyClicks(pal.line_edit, text)
    pal.flush()


def titles(pal: CommandPalette) -> list[str]:
    """The rows' titles, without the last "Search messages for …" row."""
    return [r.item.title for r in pal.results() if r.item.kind != "search"]


def kinds(pal: CommandPalette) -> set[str]:
    return {r.item.kind for r in pal.results()}


# ---- the switcher ----------------------------------------------------------------------------


def test_empty_query_lists_recent_conversations_then_commands(qtbot: QtBot,
                                                              pal: CommandPalette,
                                                              store: Store) -> None:
    pal.open_switcher()
    assert pal.isVisible()
    qtbot.waitUntil(pal.line_edit.hasFocus, timeout=1000)
    rows = [r.item for r in pal.results()]
    convs = [i for i in rows if i.kind == "conversation"]
    by_activity = sorted(store.conversations.values(), key=lambda c: -c.updated_at)
    assert [i.key for i in convs] == [c.session_id for c in by_activity[:len(convs)]]
    assert rows[:len(convs)] == convs  # conversations first, then commands
    assert {i.kind for i in rows[len(convs):]} == {"command"}
    assert pal.current_item() == rows[0]


def test_typing_filters_and_enter_opens_the_conversation(qtbot: QtBot, pal: CommandPalette,
                                                         store: Store) -> None:
    calls = Recorder(pal)
    pal.open_switcher()
    type_text(qtbot, pal, "visitor 07")
    assert titles(pal)[0] == "Visitor 07"
    qtbot.keyClick(pal.line_edit, Key.Key_Return)
    sid = next(c.session_id for c in store.conversations.values() if c.nickname == "Visitor 07")
    assert calls.events == [("conversation", (sid,))]
    assert not pal.isVisible()


def test_diacritics_do_not_matter_and_rows_show_email_excerpt_state(
        qtbot: QtBot, pal: CommandPalette) -> None:
    pal.open_switcher()
    type_text(qtbot, pal, "ELODIE mul")
    top = pal.results()[0]
    assert top.item.title == "Élodie Müller"
    assert top.item.detail == "elodie@example.fr · Où est ma commande ? · unresolved"
    assert top.highlights == (0, 1, 2, 3, 4, 5, 7, 8, 9)  # "Élodie" and "Mül"


def test_commands_prefix_lists_only_palette_commands_with_their_shortcuts(
        qtbot: QtBot, pal: CommandPalette) -> None:
    calls = Recorder(pal)
    pal.open_switcher(">")
    items = [r.item for r in pal.results()]
    assert {i.kind for i in items} == {"command"}
    keys = {i.key for i in items}
    assert "conversation.resolve" in keys
    assert not keys & {"app.palette", "composer.newline", "list.next"}  # itself, hidden, alias
    type_text(qtbot, pal, "resolve")
    resolve = pal.results()[0].item
    assert resolve.key == "conversation.resolve"
    native = QKeySequence("Ctrl+Shift+E").toString(QKeySequence.SequenceFormat.NativeText)
    assert resolve.shortcut == native
    qtbot.keyClick(pal.line_edit, Key.Key_Return)
    assert calls.events == [("command", ("conversation.resolve",))]


def test_people_prefix_searches_people_and_emits_their_website(qtbot: QtBot,
                                                               pal: CommandPalette) -> None:
    calls = Recorder(pal)
    pal.open_switcher("@")
    assert kinds(pal) == {"person"} and set(titles(pal)) == {"Grace Hopper", "Linus Torvalds"}
    type_text(qtbot, pal, "torv")
    assert titles(pal) == ["Linus Torvalds"]
    qtbot.keyClick(pal.line_edit, Key.Key_Enter)  # the keypad's Enter works as well
    assert calls.events == [("person", (f.OTHER_WEBSITE, LINUS))]


def test_mixed_results_rank_conversations_people_and_commands_together(
        qtbot: QtBot, pal: CommandPalette) -> None:
    pal.open_switcher()
    type_text(qtbot, pal, "grace")
    assert pal.results()[0].item.kind == "person"
    pal.line_edit.clear()
    type_text(qtbot, pal, "mark as read")
    assert pal.results()[0].item.key == "conversation.mark_read"


def test_a_disabled_command_is_greyed_and_enter_does_nothing(qtbot: QtBot,
                                                            pal: CommandPalette) -> None:
    calls = Recorder(pal)
    pal.open_switcher(">block")
    pal.flush()
    (row,) = pal.results()
    assert row.item.key == "conversation.block" and not row.item.enabled
    assert not pal.model.flags(pal.model.index(0, 0)) & Qt.ItemFlag.ItemIsEnabled
    assert pal.current_item() is None
    qtbot.keyClick(pal.line_edit, Key.Key_Down)
    qtbot.keyClick(pal.line_edit, Key.Key_Return)
    assert calls.events == [] and pal.isVisible()


def test_arrows_wrap_pages_stop_at_the_ends(qtbot: QtBot, pal: CommandPalette) -> None:
    pal.open_switcher("visitor")
    pal.flush()
    count = len(pal.results())
    assert count > 20

    def row() -> int:
        return pal.view.currentIndex().row()

    qtbot.keyClick(pal.line_edit, Key.Key_Down)
    assert row() == 1
    qtbot.keyClick(pal.line_edit, Key.Key_Up)
    qtbot.keyClick(pal.line_edit, Key.Key_Up)
    assert row() == count - 1  # wrapped
    qtbot.keyClick(pal.line_edit, Key.Key_Down)
    assert row() == 0
    qtbot.keyClick(pal.line_edit, Key.Key_PageDown)
    assert 1 < row() < count - 1
    for _ in range(10):
        qtbot.keyClick(pal.line_edit, Key.Key_PageDown)
    assert row() == count - 1
    qtbot.keyClick(pal.line_edit, Key.Key_PageUp)
    assert row() < count - 1


def test_escape_and_ctrl_k_close_without_choosing(qtbot: QtBot, pal: CommandPalette) -> None:
    calls = Recorder(pal)
    pal.open_switcher()
    with qtbot.waitSignal(pal.rejected, timeout=1000):
        qtbot.keyClick(pal.line_edit, Key.Key_Escape)
    assert not pal.isVisible()
    pal.open_switcher("visi")
    qtbot.keyClick(pal.line_edit, Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert not pal.isVisible() and calls.events == []


def test_keystrokes_are_debounced_into_one_search(qtbot: QtBot, pal: CommandPalette,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    pal.open_switcher()
    before = titles(pal)
    searches: list[str] = []
    original = pal.index.search

    def search(text: str, limit: int = 50) -> list[Result]:
        searches.append(text)
        return original(text, limit)

    monkeypatch.setattr(pal.index, "search", search)
    qtbot.keyClicks(pal.line_edit, "visitor 1")
    assert titles(pal) == before and searches == []  # nothing searched yet
    qtbot.waitUntil(lambda: searches == ["visitor 1"], timeout=1000)
    assert titles(pal)[0].startswith("Visitor 1")


def test_enter_right_after_typing_acts_on_the_new_results(qtbot: QtBot, pal: CommandPalette,
                                                         store: Store) -> None:
    calls = Recorder(pal)
    pal.debounce_ms = 10_000
    pal.open_switcher()
    qtbot.keyClicks(pal.line_edit, "visitor 05")
    qtbot.keyClick(pal.line_edit, Key.Key_Return)
    sid = next(c.session_id for c in store.conversations.values() if c.nickname == "Visitor 05")
    assert calls.events == [("conversation", (sid,))]


def test_the_index_follows_the_store_between_opens(qtbot: QtBot, pal: CommandPalette,
                                                   store: Store) -> None:
    pal.open_switcher("zephyr")
    pal.flush()
    assert [r.item.kind for r in pal.results()] == ["search"]  # only: search the messages
    pal.open_switcher(">zephyr")
    pal.flush()
    assert pal.results() == []
    assert pal.empty_label.isVisibleTo(pal) and not pal.view.isVisibleTo(pal)
    pal.reject()
    sid = store.conversation_ids()[3]
    store.apply("session:set_nickname", f.session_event(
        sid, website_id=store.conversations[sid].website_id, nickname="Zephyr Quill"))
    store.upsert_conversation(f.conversation("session_new", updated_at=T + 1,
                                             meta={"nickname": "Zephyrine"}))
    pal.open_switcher("zephyr")
    pal.flush()
    assert titles(pal) == ["Zephyrine", "Zephyr Quill"]  # same score: recent first
    pal.reject()
    store.remove_conversation("session_new")
    store.apply("message:send", f.message_event(sid, content="zephyr wind", timestamp=T + 9,
                                                website_id=store.conversations[sid].website_id))
    pal.open_switcher("zephyr")
    pal.flush()
    assert titles(pal) == ["Zephyr Quill"]
    assert "zephyr wind" in pal.results()[0].item.detail


def test_a_live_change_shows_on_the_next_keystroke(qtbot: QtBot, pal: CommandPalette,
                                                   store: Store) -> None:
    def conversations() -> list[str]:
        return [r.item.title for r in pal.results() if r.item.kind == "conversation"]

    pal.open_switcher()
    type_text(qtbot, pal, "zep")
    assert conversations() == []
    sid = store.conversation_ids()[3]
    store.apply("session:set_nickname", f.session_event(  # while the palette is open
        sid, website_id=store.conversations[sid].website_id, nickname="Zephyr Quill"))
    type_text(qtbot, pal, "h")
    assert conversations() == ["Zephyr Quill"]
    store.apply("session:set_nickname", f.session_event(
        sid, website_id=store.conversations[sid].website_id, nickname="Quill"))
    type_text(qtbot, pal, "y")
    assert conversations() == []


# ---- pick() on a qasync loop -----------------------------------------------------------------




CHOICES = [PaletteItem("choice", "me", "Me (Ada Lovelace)"),
           PaletteItem("choice", "bob", "Bob Martin", "bob@team.example"),
           PaletteItem("choice", "eve", "Eve Offline", "away", enabled=False)]


def run(loop: qasync.QEventLoop, pal: CommandPalette,
        drive: Callable[[], None], **kwargs: Any) -> PaletteItem | None:
    """Start pick(), let it open, drive the dialog with keys, and return what pick() gave."""
    async def scenario() -> PaletteItem | None:
        task = asyncio.ensure_future(pal.pick("Assign to", CHOICES, **kwargs))
        await asyncio.sleep(0)
        assert pal.isVisible()
        drive()
        return await asyncio.wait_for(task, 2)

    return until_done(loop, scenario())


def until_done(loop: qasync.QEventLoop, coro: Coroutine[Any, Any, R]) -> R:
    return loop.run_until_complete(coro)


def test_pick_keeps_the_given_order_and_returns_the_choice(qtbot: QtBot, qloop: Any,
                                                           pal: CommandPalette) -> None:
    def drive() -> None:
        assert titles(pal) == [c.title for c in CHOICES]
        assert pal.title_label.text() == "Assign to" and pal.current_item() == CHOICES[0]
        qtbot.keyClick(pal.line_edit, Key.Key_Return)

    assert run(qloop, pal, drive) == CHOICES[0]
    assert not pal.isVisible()


def test_pick_filters_and_escape_returns_none(qtbot: QtBot, qloop: Any,
                                              pal: CommandPalette) -> None:
    def choose_bob() -> None:
        type_text(qtbot, pal, "bob")
        qtbot.keyClick(pal.line_edit, Key.Key_Return)

    assert run(qloop, pal, choose_bob) == CHOICES[1]
    assert run(qloop, pal, lambda: qtbot.keyClick(pal.line_edit, Key.Key_Escape)) is None


def test_pick_never_returns_a_disabled_choice(qtbot: QtBot, qloop: Any,
                                              pal: CommandPalette) -> None:
    def try_eve() -> None:
        type_text(qtbot, pal, "eve off")
        assert titles(pal) == ["Eve Offline"] and pal.current_item() is None
        qtbot.keyClick(pal.line_edit, Key.Key_Return)
        assert pal.isVisible()
        qtbot.keyClick(pal.line_edit, Key.Key_Escape)

    assert run(qloop, pal, try_eve) is None


def test_pick_free_text(qtbot: QtBot, qloop: Any, pal: CommandPalette) -> None:
    def typed() -> None:
        type_text(qtbot, pal, "  tomorrow 9am ")
        assert pal.results()[-1].item == PaletteItem("text", "tomorrow 9am", "tomorrow 9am",
                                                     "Use this text")
        qtbot.keyClick(pal.line_edit, Key.Key_Return)

    got = run(qloop, pal, typed, allow_free_text=True, placeholder="When?")
    assert got is not None and got.kind == "text" and got.key == "tomorrow 9am"

    def exact() -> None:
        type_text(qtbot, pal, "bob martin")
        assert [r.item.kind for r in pal.results()] == ["choice"]  # no duplicate free row
        qtbot.keyClick(pal.line_edit, Key.Key_Return)

    assert run(qloop, pal, exact, allow_free_text=True) == CHOICES[1]


def test_a_new_session_cancels_a_pending_pick(qloop: Any, pal: CommandPalette) -> None:
    async def scenario() -> tuple[PaletteItem | None, PaletteItem | None]:
        first = asyncio.ensure_future(pal.pick("First", CHOICES))
        await asyncio.sleep(0)
        second = asyncio.ensure_future(pal.pick("Second", CHOICES))
        await asyncio.sleep(0)
        first_got = await asyncio.wait_for(first, 2)
        assert pal.isVisible() and pal.title_label.text() == "Second"
        pal.open_switcher()  # the switcher replaces the second one too
        return first_got, await asyncio.wait_for(second, 2)

    assert until_done(qloop, scenario()) == (None, None)
    assert pal.isVisible() and not pal.title_label.isVisibleTo(pal)


# ---- rendering -------------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", [Scheme.LIGHT, Scheme.DARK])
def test_render_selected_row_on_the_palette_highlight(qtbot: QtBot, window: QMainWindow,
                                                      store: Store, scheme: Scheme,
                                                      tmp_path: Path) -> None:
    pal = CommandPalette(registry(), store, window)
    pal.setPalette(palette(scheme))
    pal.open_switcher()
    type_text(qtbot, pal, "visitor 1")
    image = pal.grab().toImage()
    image.save(str(tmp_path / f"palette-{scheme.value}.png"))
    rect = pal.view.visualRect(pal.view.currentIndex())
    spot = pal.view.viewport().mapTo(pal, rect.topLeft()) + rect.center() - rect.topLeft()
    highlight = palette(scheme).color(palette(scheme).ColorRole.Highlight)
    corner = pal.view.viewport().mapTo(pal, rect.topLeft())
    assert QColor(image.pixel(corner.x() + rect.width() - 3, corner.y() + 2)) == highlight
    assert QColor(image.pixel(spot)) != QColor(image.pixel(0, 0))  # painted, not blank
    pal.detach()


# ---- idle folding ----------------------------------------------------------------------------


def test_changed_conversations_are_folded_while_idle(qtbot: QtBot, window: QMainWindow,
                                                     store: Store,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(command_palette, "WARM_DELAY_MS", 5)
    monkeypatch.setattr(command_palette, "WARM_CHUNK", 7)  # several turns of the loop
    pal = CommandPalette(registry(), store, window)
    lines = pal.index.conversations
    assert lines.dirty() == store.conversation_count()
    qtbot.waitUntil(lambda: lines.dirty() == 0, timeout=2000)
    visitor = store.conversation_ids()[5]
    website = store.conversations[visitor].website_id
    store.apply("message:send", f.message_event(visitor, content="warm", timestamp=T + 5,
                                                website_id=website))
    assert lines.dirty() == 1
    qtbot.waitUntil(lambda: lines.dirty() == 0, timeout=2000)
    pal.open_switcher("warm")
    pal.flush()
    found = pal.results()
    assert [r.item.key for r in found if r.item.kind == "conversation"] == [visitor]
    assert found[-1].item.key == "warm"  # last: search the messages for it
    pal.detach()


def test_detach_answers_a_pending_pick(qloop: Any, window: QMainWindow, store: Store) -> None:
    pal = CommandPalette(registry(), store, window)

    async def scenario() -> PaletteItem | None:
        task = asyncio.ensure_future(pal.pick("Segments", CHOICES))
        await asyncio.sleep(0)
        pal.detach()
        return await asyncio.wait_for(task, 2)

    assert until_done(qloop, scenario()) is None
    assert not pal.isVisible()


def test_the_last_row_searches_messages_for_the_typed_text(qtbot: QtBot,
                                                          pal: CommandPalette) -> None:
    chosen: list[str] = []
    pal.search_chosen.connect(chosen.append)
    pal.open_switcher()
    type_text(qtbot, pal, "visitor")
    rows = pal.results()
    assert rows[-1].item.kind == "search" and rows[-1].item.key == "visitor"
    assert rows[-1].item.shortcut  # Ctrl+Shift+F, in the platform's words
    assert [r.item.kind for r in rows].count("search") == 1
    qtbot.keyClick(pal.line_edit, Key.Key_Up)  # the first row's Up wraps to it
    qtbot.keyClick(pal.line_edit, Key.Key_Return)
    assert chosen == ["visitor"] and not pal.isVisible()
    pal.open_switcher(">visitor")
    pal.flush()
    assert all(r.item.kind != "search" for r in pal.results())
    pal.reject()


def test_between_keystrokes_the_lines_of_the_terms_are_found_ahead(
        qtbot: QtBot, window: QMainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    """After a search, the idle work finds the lines holding the typed terms (a step a
    turn of the event loop; here the heads holding "visitor" scattered, which the search
    did not need: enough lines hold it as is) and stops; closing stops it."""
    monkeypatch.setattr(holding, "SCAN_STEP", 30)  # several turns of the loop
    pal = CommandPalette(registry(), seeded_store(300), window)
    steps: list[tuple[str, bool]] = []
    ahead = pal.index.ahead

    def counted(text: str) -> bool:
        steps.append((text, ahead(text)))
        return steps[-1][1]

    monkeypatch.setattr(pal.index, "ahead", counted)
    pal.open_switcher()
    type_text(qtbot, pal, "visitor 1")
    assert pal.looking_ahead()
    first = titles(pal)
    qtbot.waitUntil(lambda: bool(steps) and not steps[-1][1], timeout=2000)
    assert len(steps) > 3 and {text for text, _more in steps} == {"visitor 1"}
    assert not pal.looking_ahead()  # done: no more turns
    type_text(qtbot, pal, "2")  # filters what was found ahead
    assert titles(pal)[0] == "Visitor 12"
    qtbot.keyClick(pal.line_edit, Key.Key_Backspace)
    pal.flush()
    assert titles(pal) == first
    pal.reject()
    assert not pal.looking_ahead()
    pal.detach()
