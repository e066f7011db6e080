"""What the list pane tests share: a pane on a fixed clock, and what the view must show."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from crisp_console.core import Store
from crisp_console.present.filters import ConversationFilter, Filter
from crisp_console.ui.widgets.list_pane import ListPane
from tests.core import factories as f
from tests.present.seeded import ME, T

NOW = T + 5 * 60_000


def set_state(store: Store, sid: str, state: str) -> None:
    website = store.conversations[sid].website_id
    store.apply("session:set_state", f.session_event(sid, website_id=website, state=state))


def make_pane(qtbot: QtBot, store: Store, **kw: Any) -> ListPane:
    kw.setdefault("user_id", ME)
    pane = ListPane(store, clock=lambda: NOW, tz=UTC, **kw)
    qtbot.addWidget(pane)
    pane.resize(380, 600)
    pane.show()
    qtbot.waitExposed(pane)
    return pane


def selected(pane: ListPane) -> list[int]:
    return sorted(i.row() for i in pane.view.selectionModel().selectedRows())


def expected_rows(store: Store, kind: Filter, text: str = "", user: str | None = ME) -> list[str]:
    accept = ConversationFilter(kind, user, text)
    return [s for s in store.conversation_ids() if accept(store.conversations[s])]


def tab_text(pane: ListPane, kind: Filter) -> str:
    return pane.filter_bar.button(kind).text()


def assert_mirrors(pane: ListPane) -> None:
    """The view shows the tracked conversation, selected, or nothing while it is not listed."""
    current = pane.current_session_id()
    row = -1 if current is None else pane.model.row_of(current)
    assert pane.view.current_row() == row
    assert selected(pane) == ([row] if row >= 0 else [])
    assert pane.view.currentIndex().row() == row


def row_image(pane: ListPane, row: int) -> QImage:
    pane.flush()
    return pane.view.viewport().grab(pane.view.visualRect(pane.model.index(row, 0))).toImage()
