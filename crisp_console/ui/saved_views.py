"""Saved views: Crisp's segment and custom-filter searches the operator keeps, shown as tabs
after the quick filters, listed in the palette (Ctrl+9, "Saved views…") and made with
"New saved view…".

``SavedViews`` owns the list for the session and writes it through a ``SavedViewsMemory``:
the account's database meta table (client/local_ports.py) or, with no database on disk, the
window's QSettings. Entries that do not parse (an edited file, an older console) are logged
once and dropped; nothing else is lost.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from PySide6.QtCore import QObject, QSettings, Signal

from crisp_console.core import Store
from crisp_console.core.views import SavedKind, SavedView
from crisp_console.present.palette_sources import PaletteItem
from crisp_console.ui.ports import Pick
from crisp_console.ui.widgets.list_pane import ListPane

log = logging.getLogger(__name__)

SETTINGS_KEY = "view/saved"
MAX_VIEWS = 50
NEW_KEY = "\0new"  # the "New saved view…" choice in the pick


class SavedViewsMemory(Protocol):
    """The saved views as JSON-ready dicts, kept across runs."""

    def get(self) -> Sequence[Any]: ...

    def set(self, views: list[dict[str, str]]) -> None: ...


class SettingsSavedViews:
    """``SavedViewsMemory`` in a QSettings file (one JSON string)."""

    def __init__(self, settings: QSettings) -> None:
        self._settings = settings

    def get(self) -> Sequence[Any]:
        raw = self._settings.value(SETTINGS_KEY)
        if not isinstance(raw, str) or not raw:
            return []
        try:
            views = json.loads(raw)
        except ValueError:
            log.warning("saved views: the settings hold no JSON; starting without them")
            return []
        return views if isinstance(views, list) else []

    def set(self, views: list[dict[str, str]]) -> None:
        self._settings.setValue(SETTINGS_KEY, json.dumps(views, ensure_ascii=False))


class SavedViews(QObject):
    """Signals: ``changed(list)`` with the views after any change."""

    changed = Signal(list)

    def __init__(self, memory: SavedViewsMemory | None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._memory = memory
        self._views: list[SavedView] = []
        dropped = 0
        for raw in (memory.get() if memory is not None else [])[:MAX_VIEWS]:
            try:
                view = SavedView.from_json(raw)
            except ValueError:
                dropped += 1
                continue
            if all(v.name != view.name for v in self._views):
                self._views.append(view)
        if dropped:
            log.warning("saved views: %d entries did not parse and were dropped", dropped)

    def views(self) -> list[SavedView]:
        return list(self._views)

    def add(self, view: SavedView) -> None:
        """Add ``view``, or replace the one of the same name."""
        views = [v for v in self._views if v.name != view.name]
        if len(views) >= MAX_VIEWS:
            raise ValueError(f"at most {MAX_VIEWS} saved views")
        self._set([*views, view])

    def remove(self, name: str) -> None:
        self._set([v for v in self._views if v.name != name])

    def _set(self, views: list[SavedView]) -> None:
        self._views = views
        if self._memory is not None:
            self._memory.set([v.to_json() for v in views])
        self.changed.emit(self.views())


def known_segments(store: Store, limit: int = 200) -> list[str]:
    """Segments of the conversations the console holds, most used first."""
    counts: dict[str, int] = {}
    for conv in store.conversations.values():
        for segment in conv.segments:
            counts[segment] = counts.get(segment, 0) + 1
    return sorted(counts, key=lambda s: (-counts[s], s.casefold()))[:limit]


def known_data_keys(store: Store, limit: int = 100) -> list[str]:
    """Custom data keys of the conversations the console holds, most used first."""
    counts: dict[str, int] = {}
    for conv in store.conversations.values():
        for key in conv.data:
            if isinstance(key, str):
                counts[key] = counts.get(key, 0) + 1
    return sorted(counts, key=lambda k: (-counts[k], k.casefold()))[:limit]


class SavedViewActions:
    """The registry's handlers for saved views."""

    def __init__(self, views: SavedViews, list_pane: ListPane, *, pick: Pick,
                 create: Callable[[], SavedView | None],
                 message: Callable[[str, int], None]) -> None:
        self._views, self._list, self._pick = views, list_pane, pick
        self._create, self._message = create, message
        list_pane.set_saved_views(views.views())
        views.changed.connect(list_pane.set_saved_views)

    def handlers(self) -> dict[str, Callable[[], object]]:
        return {"views.saved": self.choose, "views.new": self.new,
                "views.remove": self.remove}

    async def choose(self) -> None:
        """Ctrl+9: the saved views in the palette; the last row makes a new one."""
        shown = self._list.saved()
        items = [PaletteItem("choice", v.name, v.name, _detail(v, v == shown))
                 for v in self._views.views()]
        items.append(PaletteItem("choice", NEW_KEY, "New saved view…",
                                 "a segment, or a custom filter of Crisp's"))
        item = await self._pick("Show a saved view", items, placeholder="View name")
        if item is None:
            return
        if item.key == NEW_KEY:
            self.new()
            return
        self._show(item.key)

    def new(self) -> None:
        view = self._create()
        if view is None:
            return
        try:
            self._views.add(view)
        except ValueError as exc:
            self._message(f"The view was not saved: {exc}", 8000)
            return
        self._show(view.name)

    async def remove(self) -> None:
        views = self._views.views()
        if not views:
            self._message("There is no saved view to remove", 5000)
            return
        item = await self._pick("Remove a saved view", [
            PaletteItem("choice", v.name, v.name, _detail(v, False)) for v in views],
            placeholder="View name")
        if item is not None:
            self._views.remove(item.key)
            self._message(f"Removed the saved view “{item.key}”", 5000)

    def _show(self, name: str) -> None:
        view = next((v for v in self._views.views() if v.name == name), None)
        if view is not None:
            self._list.show_saved(view)
            self._list.view.setFocus()


def _detail(view: SavedView, shown: bool) -> str:
    what = (f"segment “{view.query}”" if view.kind is SavedKind.SEGMENT
            else f"custom filter ({view.operator.upper()})")
    return f"{what} · shown" if shown else what
