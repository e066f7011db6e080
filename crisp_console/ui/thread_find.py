"""The thread's highlights: find in the open thread (Ctrl+F) and a revealed message's flash.

``ThreadFinder`` owns both and is the timeline model's mark source (MessageRole.MARK); the
find bar (widgets/find_bar.py) only shows what it says. The matching is present/find_text.py's
(case- and accent-insensitive, over the loaded messages' visible text; numbered newest first:
Enter and F3 go to the next older match).

- **Live.** The matches follow the model: a live message that matches, an older page, an
  edit or a removal update the count and the highlights; the current match stays current and
  the view does not move.
- **Search older.** When nothing matches in the loaded messages, "Search older" asks the pane
  for older pages (the same loading as scrolling to the top), one at a time, up to
  ``HUNT_PAGES`` per click, until a message matches (it becomes current and is scrolled to)
  or the start of the conversation is loaded.
- **Flash.** ``flash(fingerprint)`` highlights a revealed message until ``FLASH_MS`` pass (the
  timer is injectable: tests fire it), the operator steps through matches, or another
  conversation is shown.
- **Focus.** Closing the bar (Esc) gives the focus back to the widget that had it when the
  bar opened (the thread, if that one is gone).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QApplication, QWidget

from crisp_console.present.find_text import FindResults, Mark
from crisp_console.ui.models import TimelineModel
from crisp_console.ui.models.roles import MessageRole
from crisp_console.ui.timers import MakeTimer, single_shot
from crisp_console.ui.widgets.find_bar import FindBar

FLASH_MS = 4000
HUNT_PAGES = 10  # older pages one "Search older" reads at most
_MARK = int(MessageRole.MARK)


class ThreadFinder(QObject):
    """``scroll_to(fingerprint)`` centres a message in the view; ``load_older()`` asks the pane
    for the page before the loaded ones (False: it cannot, now or ever); ``at_start()`` says
    whether the conversation's first message is loaded; ``focus_thread()`` focuses the view."""

    def __init__(self, model: TimelineModel, bar: FindBar, *,
                 scroll_to: Callable[[int], object], load_older: Callable[[], bool],
                 at_start: Callable[[], bool], focus_thread: Callable[[], None],
                 flash_timer: MakeTimer = single_shot, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.results = FindResults()
        self._model, self._bar = model, bar
        self._scroll_to, self._load_older = scroll_to, load_older
        self._at_start, self._focus_thread = at_start, focus_thread
        self._flash: int | None = None
        self._flash_timer = flash_timer(self, FLASH_MS, self.clear_flash)
        self._hunt = 0  # older pages "Search older" may still read
        self._return_to: QWidget | None = None
        bar.query_changed.connect(self._on_query)
        bar.next_requested.connect(lambda: self.step(older=True))
        bar.previous_requested.connect(lambda: self.step(older=False))
        bar.search_older_requested.connect(self.search_older)
        bar.closed.connect(self._on_closed)
        for signal in (model.rowsInserted, model.rowsRemoved, model.rowsMoved):
            signal.connect(self._on_rows)
        model.modelReset.connect(self._on_reset)
        model.dataChanged.connect(self._on_data)
        model.set_mark_source(self.mark)

    # ---- reading -----------------------------------------------------------------------------

    @property
    def active(self) -> bool:
        """Whether a find is shown (the bar is open with a query)."""
        return not self._bar.isHidden() and bool(self.results.query.strip())

    @property
    def flashing(self) -> int | None:
        """The fingerprint of the revealed message still highlighted, if any."""
        return self._flash

    @property
    def searching_older(self) -> bool:
        return self._hunt > 0

    def mark(self, fingerprint: int) -> Mark | None:
        """The model's MARK of a message: the find's, and the flash."""
        found = self.results.mark(fingerprint) if self.active else None
        if fingerprint != self._flash:
            return found
        if found is None:
            return Mark(flash=True)
        return Mark(found.query, found=True, current=found.current, flash=True)

    # ---- find --------------------------------------------------------------------------------

    def open(self, text: str | None = None) -> None:
        """Show the bar and focus its box, its text selected (``text`` replaces the query).
        Opening it (or a new ``text``) searches: the newest match current and scrolled to."""
        bar = self._bar
        hidden = bar.isHidden()
        if hidden:
            focused = QApplication.focusWidget()
            self._return_to = focused if focused is not None and not bar.isAncestorOf(
                focused) else None
        typed = bar.query()
        bar.open(text)  # a new text searches by itself, unless the bar was hidden
        if hidden or text == typed:
            self._search(bar.query(), scroll=True)

    def close(self) -> None:
        self._bar.close_bar()

    def step(self, *, older: bool) -> None:
        """The next older (or newer) match, current and scrolled to (F3, Enter); opens the
        bar first when it is closed."""
        if self._bar.isHidden():
            self.open()
            return
        self.clear_flash()
        before = self.results.current
        fp = self.results.step(older=older)
        self._marks_changed({before, fp})
        if fp is not None:
            self._scroll_to(fp)
        self._show_status()

    def search_older(self) -> None:
        """Load older pages until a message matches (see the module docstring)."""
        if self._hunt or self._at_start() or not self.active:
            return
        self._hunt = HUNT_PAGES
        if not self._load_older():
            self._hunt = 0
        self._show_status()

    def older_loaded(self, count: object) -> None:
        """The pane's older page came (``count`` messages; None: it failed)."""
        if not self._hunt:
            return
        self._refresh()  # the page's rows are in the model: they may have matched
        if not self._hunt:
            return
        self._hunt -= 1
        if count is None or self._at_start() or not self._hunt or not self._load_older():
            self._hunt = 0
        self._show_status()

    def rebound(self) -> None:
        """Another conversation is shown: no flash, no hunt, the find (if open) over it."""
        self._hunt = 0
        self.clear_flash()

    # ---- flash -------------------------------------------------------------------------------

    def flash(self, fingerprint: int) -> None:
        """Highlight a revealed message for a while."""
        before, self._flash = self._flash, fingerprint
        self._marks_changed({before, fingerprint})
        self._flash_timer.start()

    def clear_flash(self) -> None:
        self._flash_timer.stop()
        if self._flash is not None:
            before, self._flash = self._flash, None
            self._marks_changed({before})

    # ---- internals ---------------------------------------------------------------------------

    def _on_query(self, text: str) -> None:
        if not self._bar.isHidden():
            self._search(text, scroll=True)

    def _search(self, query: str, *, scroll: bool) -> None:
        self._hunt = 0
        before = set(self.results.matches)
        self.results.search(query, self._model.messages())
        self._marks_changed(before | set(self.results.matches))
        current = self.results.current
        if scroll and current is not None:
            self.clear_flash()
            self._scroll_to(current)
        self._show_status()

    def _refresh(self) -> None:
        """The rows changed: the matches again (the current one stays, no scrolling), unless a
        hunt was waiting for one: then the newest match is current and scrolled to."""
        if not self.active:
            return
        results = self.results
        before: set[int | None] = set(results.matches)
        current = results.current
        results.refresh(self._model.messages())
        if self._hunt and results.matches:
            self._hunt = 0
            results.step(older=True)  # none current: the newest
        self._marks_changed(before ^ set(results.matches) | {current, results.current})
        if results.current is not None and results.current != current:
            self._scroll_to(results.current)
        self._show_status()

    def _on_rows(self, *_args: Any) -> None:
        self._refresh()

    def _on_reset(self) -> None:
        """Another thread (or this one replaced): its matches, none current unless the
        current one is still there; the view repaints every row anyway."""
        if self.active:
            self.results.refresh(self._model.messages())
            self._show_status()

    def _on_data(self, _top: Any, _bottom: Any, roles: Sequence[int] = ()) -> None:
        if list(roles) != [_MARK]:  # our own highlights change no text
            self._refresh()

    def _on_closed(self) -> None:
        self._hunt = 0
        self._marks_changed(self.results.matches)
        self._show_status()
        target, self._return_to = self._return_to, None
        if target is not None and shiboken6.isValid(target) and target.isVisible() \
                and target.isEnabled():
            target.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self._focus_thread()

    def _marks_changed(self, fingerprints: Iterable[int | None]) -> None:
        fps = {fp for fp in fingerprints if fp is not None}
        if fps:
            self._model.marks_changed(fps)

    def _show_status(self) -> None:
        results, at_start = self.results, self._at_start()
        self._bar.set_status(results.label(at_start=at_start), matches=bool(results.matches),
                             can_search_older=not at_start, searching=self._hunt > 0)
