"""The last view comes back at start (website scope, quick filter, open conversation), is
kept on every change the operator makes (not the start's own moves), and a memory that is
stale or broken costs nothing but the restore."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from crisp_console.core import Store
from crisp_console.core.views import SavedKind, SavedView
from crisp_console.present.filters import Filter
from crisp_console.ui.last_view import LastView, SettingsViewMemory
from crisp_console.ui.widgets.list_pane import ListPane
from tests.present.seeded import SITES
from tests.ui.widgets.list_pane_helpers import expected_rows, make_pane, set_state


class FakeMemory:
    def __init__(self, view: Mapping[str, str] | None = None, *,
                 broken: bool = False) -> None:
        self.view = dict(view or {})
        self.writes: list[dict[str, str]] = []
        self.broken = broken

    def get(self) -> Mapping[str, str]:
        if self.broken:
            raise OSError("database is locked")
        return dict(self.view)

    def set(self, view: Mapping[str, str]) -> None:
        if self.broken:
            raise OSError("database is locked")
        self.view = dict(view)
        self.writes.append(dict(view))


class FakeController:
    """The controller's part: it opens what the list makes current, and says so."""

    def __init__(self, pane: ListPane) -> None:
        self.session_id: str | None = None
        self.opened_directly: list[str] = []
        self._slots: list[Callable[[str], None]] = []
        pane.current_changed.connect(self._current)

    def on_opened(self, slot: Callable[[str], None]) -> None:
        self._slots.append(slot)

    def _current(self, sid: object) -> None:
        if isinstance(sid, str):
            self._open(sid)

    def open(self, session_id: str, *, focus: str | None = None) -> None:
        self.opened_directly.append(session_id)
        self._open(session_id)

    def _open(self, sid: str) -> None:
        self.session_id = sid
        for slot in self._slots:
            slot(sid)


def build(qtbot: QtBot, store: Store,
          memory: FakeMemory) -> tuple[LastView, ListPane, FakeController]:
    pane = make_pane(qtbot, store)
    controller = FakeController(pane)
    return LastView(memory, store, pane, controller, controller.on_opened), pane, controller


def test_the_view_comes_back(qtbot: QtBot, store: Store) -> None:
    site = SITES[1]
    sid = next(s for s in expected_rows(store, Filter.ALL)
               if store.conversations[s].website_id == site)
    memory = FakeMemory({"website": site, "filter": "all", "conversation": sid})
    last, pane, controller = build(qtbot, store, memory)
    last.restore()
    assert pane.website_id() == site and pane.filter() is Filter.ALL
    assert controller.session_id == sid and pane.current_session_id() == sid
    assert controller.opened_directly == []  # selected in the list, which opened it
    assert memory.writes == []  # nothing changed: nothing written


def test_a_conversation_outside_the_filter_opens_and_the_filter_stays(
        qtbot: QtBot, store: Store) -> None:
    sid = store.conversation_ids()[0]
    set_state(store, sid, "resolved")
    memory = FakeMemory({"filter": "unresolved", "conversation": sid, "website": ""})
    last, pane, controller = build(qtbot, store, memory)
    last.restore()
    assert pane.filter() is Filter.UNRESOLVED and pane.website_id() is None
    assert controller.session_id == sid and controller.opened_directly == [sid]


def test_what_no_longer_exists_is_skipped(qtbot: QtBot, store: Store) -> None:
    memory = FakeMemory({"website": "gone-website", "filter": "starred",
                         "conversation": "session_gone"})
    last, pane, controller = build(qtbot, store, memory)
    last.restore()
    assert pane.website_id() is None and pane.filter() is Filter.UNRESOLVED
    assert controller.session_id is None
    assert memory.writes == [{"conversation": "", "filter": "unresolved", "website": ""}]


def test_every_change_is_kept_once_but_not_the_starts_own_moves(qtbot: QtBot,
                                                               store: Store) -> None:
    memory = FakeMemory()
    last, pane, _controller = build(qtbot, store, memory)
    pane.set_filter(Filter.MINE)  # before the restore: the start's own doing
    assert memory.writes == []
    last.restore()
    memory.writes.clear()
    pane.set_filter(Filter.UNREAD)
    pane.set_website(SITES[0])
    pane.set_filter(Filter.ALL)
    sid = expected_rows(store, Filter.ALL)[0]
    pane.select_session(sid)
    pane.set_website(SITES[0])  # no change
    assert memory.writes == [
        {"conversation": "", "filter": "unread", "website": ""},
        {"conversation": "", "filter": "unread", "website": SITES[0]},
        {"conversation": "", "filter": "all", "website": SITES[0]},
        {"conversation": sid, "filter": "all", "website": SITES[0]}]
    assert last.current() == memory.view


def test_a_broken_memory_costs_only_the_restore(qtbot: QtBot, store: Store,
                                               caplog: pytest.LogCaptureFixture) -> None:
    memory = FakeMemory({"filter": "all"}, broken=True)
    last, pane, _ = build(qtbot, store, memory)
    last.restore()
    pane.set_filter(Filter.ALL)
    assert pane.filter() is Filter.ALL
    assert "the last view could not be read" in caplog.text
    assert "the view could not be kept" in caplog.text


def test_settings_memory_round_trips_and_reads_the_old_website_key(tmp_path: Path) -> None:
    settings = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
    settings.setValue("list/website", SITES[1])
    memory = SettingsViewMemory(settings)
    assert memory.get() == {"website": SITES[1]}
    memory.set({"conversation": "session_1", "filter": "mine", "website": ""})
    settings.sync()
    again = SettingsViewMemory(QSettings(str(tmp_path / "window.ini"),
                                         QSettings.Format.IniFormat))
    assert again.get() == {"conversation": "session_1", "filter": "mine", "website": ""}


def test_a_saved_view_comes_back_while_it_is_still_saved(qtbot: QtBot, store: Store) -> None:
    vip = SavedView("VIP", SavedKind.SEGMENT, "vip")
    memory = FakeMemory({"filter": "saved:VIP", "website": "", "conversation": ""})
    last, pane, _controller = build(qtbot, store, memory)
    pane.set_saved_views([vip])
    last.restore()
    assert pane.saved() == vip
    pane.set_filter(Filter.ALL)
    assert memory.writes[-1]["filter"] == "all"
    pane.show_saved(vip)
    assert memory.writes[-1]["filter"] == "saved:VIP"

    gone = FakeMemory({"filter": "saved:Gone", "website": "", "conversation": ""})
    last, pane, _controller = build(qtbot, store, gone)
    last.restore()
    assert pane.saved() is None  # no longer saved: the quick filter stays
