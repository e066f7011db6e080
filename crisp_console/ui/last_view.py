"""The last view comes back at start: the website scope, the quick filter and the open
conversation, as the operator left them.

Their owners stay who they were: the list pane owns the scope and the filter, the controller
owns the open conversation. ``LastView`` only follows them and writes a small dict through a
``ViewMemory`` (the account's database meta table; ``SettingsViewMemory`` keeps it in the
window's QSettings meanwhile), and at start, once the first sync is in, puts them back. What
no longer exists is skipped: a website no longer subscribed, an unknown filter, a
conversation the store does not have (it is not fetched: a start spends no request on it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Protocol

from PySide6.QtCore import QSettings

from crisp_console.core import Store
from crisp_console.present.filters import Filter
from crisp_console.ui.widgets.list_pane import ListPane

log = logging.getLogger(__name__)

CONVERSATION, FILTER, WEBSITE = "conversation", "filter", "website"
KEYS = (CONVERSATION, FILTER, WEBSITE)
SAVED_PREFIX = "saved:"  # FILTER's value for a saved view: "saved:<its name>"
LEGACY_WEBSITE_KEY = "list/website"  # where the website scope was kept before


def restore_scope(lp: ListPane, store: Store, view: Mapping[str, str]) -> str:
    """The website and quick filter ``view`` names, set on the list when still valid (the
    first frame's and the full restore's); returns the saved filter's name as stored."""
    website = view.get(WEBSITE, "")
    site = store.websites.get(website) if website else None
    if site is not None and site.subscribed:
        lp.set_website(website)
    kind = view.get(FILTER, "")
    if kind in {f.value for f in Filter}:
        lp.set_filter(Filter(kind))
    return kind


class ViewMemory(Protocol):
    """A small dict of strings kept across runs, per account: ``conversation`` (a session
    id), ``filter`` (a ``Filter`` value, or "saved:<name>" for a saved view) and ``website``
    (a website id, "" for the unified inbox). ``get`` is read once at start; ``set`` is
    called on every change of the view, on the UI thread, and must not wait on disk (queue
    the write)."""

    def get(self) -> Mapping[str, str]: ...

    def set(self, view: Mapping[str, str]) -> None: ...


class Opener(Protocol):
    """The controller's part: the open conversation, and opening one."""

    session_id: str | None

    def open(self, session_id: str, *, focus: str | None = None) -> None: ...


class SettingsViewMemory:
    """``ViewMemory`` in a QSettings file (``view/<key>``); the website scope kept under
    its old key before is read too."""

    def __init__(self, settings: QSettings) -> None:
        self._settings = settings

    def get(self) -> dict[str, str]:
        view: dict[str, str] = {}
        for key in KEYS:
            value = self._settings.value(f"view/{key}")
            if isinstance(value, str):
                view[key] = value
        legacy = self._settings.value(LEGACY_WEBSITE_KEY)
        if WEBSITE not in view and isinstance(legacy, str):
            view[WEBSITE] = legacy
        return view

    def set(self, view: Mapping[str, str]) -> None:
        for key in KEYS:
            self._settings.setValue(f"view/{key}", view.get(key, ""))


class LastView:
    def __init__(self, memory: ViewMemory, store: Store, list_pane: ListPane,
                 opener: Opener, opened: Callable[[Callable[[str], None]], object]) -> None:
        """``opened(slot)`` connects ``slot`` to the controller's ``opened`` signal."""
        self._memory, self._store, self._list, self._opener = memory, store, list_pane, opener
        self._restored = False
        self._saved: dict[str, str] | None = None
        list_pane.website_changed.connect(self._changed)
        list_pane.filter_bar.filter_changed.connect(self._changed)
        list_pane.filter_bar.saved_chosen.connect(self._changed)
        opened(self._changed)

    def restore(self) -> None:
        """Put the last view back (after the first sync); from now on every change is kept."""
        if self._restored:
            return
        try:
            view = dict(self._memory.get())
        except Exception as exc:  # a broken memory costs the restore, never the start
            log.warning("the last view could not be read", exc_info=exc)
            view = {}
        self._saved = view
        lp, store = self._list, self._store
        kind = restore_scope(lp, store, view)
        if kind.startswith(SAVED_PREFIX):  # a saved view, when it is still saved
            name = kind[len(SAVED_PREFIX):]
            saved = next((v for v in lp.filter_bar.saved_views() if v.name == name), None)
            if saved is not None:
                lp.show_saved(saved)
        sid = view.get(CONVERSATION, "")
        # Selected in the list when the filter shows it (the controller opens it then); else
        # opened anyway: the filter stays as the operator left it.
        if (sid and sid in store.conversations and sid != self._opener.session_id
                and not lp.select_session(sid)):
            self._opener.open(sid)
        self._restored = True
        self._changed()

    def current(self) -> dict[str, str]:
        """The view as it is now."""
        saved = self._list.saved()
        return {CONVERSATION: self._opener.session_id or "",
                FILTER: (SAVED_PREFIX + saved.name) if saved is not None
                else self._list.filter().value,
                WEBSITE: self._list.website_id() or ""}

    def _changed(self, *_args: object) -> None:
        if not self._restored:
            return  # the start's own moves are not the operator's view
        view = self.current()
        if view == self._saved:
            return
        self._saved = view
        try:
            self._memory.set(view)
        except Exception as exc:  # the view is a convenience: never an error in the UI
            log.warning("the view could not be kept", exc_info=exc)
