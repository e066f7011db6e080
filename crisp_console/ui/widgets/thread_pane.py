"""The thread pane: header, message list, typing indicator; or a hint when nothing is open.

The pane owns the timeline model and the bubble delegate, and does the asynchronous work the
view must not do from painting:

- **Older messages.** Within a screen of the top, the pane calls ``load_older(session_id)``
  (one call at a time, a task of the ui's TaskOwner) under a "Loading earlier messages…"
  pill; the page lands as one insert and the view keeps the visible messages in place
  (thread_view.py). Once the store says the start is loaded (``Store.at_history_start``) it
  stops asking and the first row gets a "Start of the conversation" banner. A failed call
  is retried after ``RETRY_MS`` at the earliest (``retry_timer``: a test's own timer).
- **Media.** After a layout or a scroll (debounced), the ``MediaLoader`` is asked for the
  visible rows' images: trusted URLs only, the others blocked until the operator asks.
- **Actions.** A link is checked with ``allowed_link`` once more before ``link_activated``;
  a retry click becomes ``retry_requested(fingerprint)``.
- **Find and reveal** (ui/thread_find.py): ``open_find`` (Ctrl+F) shows the find bar,
  ``find_step`` (F3) moves through matches; ``reveal(fingerprint)`` centres a message and
  flashes it, ``reveal_text(query)`` opens the find bar on a query.

Refused messages: the words stand above the list (``set_denied``, or a refused older page)
and no older page is asked for again. ``scroll_to_oldest_unread``: present/thread_logic.py.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import tzinfo

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QAbstractItemView, QStackedWidget, QVBoxLayout, QWidget

from crisp_console.client.tasks import TaskOwner
from crisp_console.core import MESSAGES, Change, ChangeKind, Message, MessageStatus, Store
from crisp_console.present.richtext import allowed_link
from crisp_console.present.thread_logic import oldest_unread_row
from crisp_console.present.timefmt import Clock, system_clock
from crisp_console.ui.delegates import MessageDelegate
from crisp_console.ui.media import MediaLoader
from crisp_console.ui.models import TimelineModel
from crisp_console.ui.thread_find import ThreadFinder
from crisp_console.ui.timers import MakeTimer, single_shot
from crisp_console.ui.widgets.find_bar import FindBar
from crisp_console.ui.widgets.loading_pill import LoadingPill
from crisp_console.ui.widgets.older_pages import LoadOlder, OlderPages
from crisp_console.ui.widgets.thread_empty import ThreadEmpty
from crisp_console.ui.widgets.thread_header import ThreadHeader
from crisp_console.ui.widgets.thread_view import ThreadView
from crisp_console.ui.widgets.typing_bar import TypingBar
from crisp_console.ui.widgets.unavailable_note import UnavailableNote

__all__ = ["LOADING_TEXT", "ThreadPane"]

log = logging.getLogger("crisp_console.ui")

MEDIA_DEBOUNCE_MS = 60
RETRY_MS = 5000
LOADING_TEXT = "Loading earlier messages…"


class ThreadPane(QWidget):
    """Signals:
        link_activated(str): an allowed link (http, https, mailto) the operator clicked or
            activated; the window opens it with QDesktopServices.
        retry_requested(int): the fingerprint of a FAILED local echo to send again. Declared
            with ``object``: fingerprints exceed the 32-bit int a ``Signal(int)`` carries.
        older_loaded(object): an older page was asked for: how many messages came (0: the
            start), None when none came for the thread shown (failed, refused, switched).
    """

    link_activated = Signal(str)
    retry_requested = Signal(object)
    older_loaded = Signal(object)

    def __init__(self, store: Store, *, load_older: LoadOlder | None = None,
                 tasks: TaskOwner | None = None, media: MediaLoader | None = None,
                 clock: Clock = system_clock, tz: tzinfo | None = None, coalesce: bool = True,
                 retry_timer: MakeTimer = single_shot, flash_timer: MakeTimer = single_shot,
                 parent: QWidget | None = None) -> None:
        """``load_older`` runs as a task of ``tasks`` (both or neither); ``flash_timer``
        ends a revealed message's highlight (thread_find.py)."""
        super().__init__(parent)
        if (load_older is None) != (tasks is None):
            raise ValueError("load_older runs as a task of tasks: give both or neither")
        self._store, self._media = store, media
        self._session_id: str | None = None
        self._denied: dict[str, str] = {}  # session -> why Crisp refuses its messages

        self.model = TimelineModel(store, coalesce=coalesce, parent=self)
        self.delegate = MessageDelegate(self, clock=clock, tz=tz, media=media)
        self.view = ThreadView(self.delegate)
        self.view.setModel(self.model)
        self.header = ThreadHeader(store)
        self.typing_bar = TypingBar(store)
        self._loading_label = LoadingPill(LOADING_TEXT, self.view)
        self._older = OlderPages(load_older, tasks, self._loading_label, self._landed)
        self.find_bar = FindBar()
        self.finder = ThreadFinder(
            self.model, self.find_bar, scroll_to=self._centre, load_older=self.load_older_now,
            at_start=self.at_start, flash_timer=flash_timer, parent=self,
            focus_thread=lambda: self.view.setFocus(Qt.FocusReason.OtherFocusReason))
        self.older_loaded.connect(self.finder.older_loaded)

        thread = QWidget()
        self.denied = UnavailableNote("Messages unavailable", thread)
        column = QVBoxLayout(thread)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        for widget, stretch in ((self.header, 0), (self.denied, 0), (self.find_bar, 0),
                                (self.view, 1), (self.typing_bar, 0)):
            column.addWidget(widget, stretch)
        self._empty = ThreadEmpty()
        self._stack = QStackedWidget()
        for page in (self._empty, thread):
            self._stack.addWidget(page)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self._stack)
        self.setFocusProxy(self.view)

        self._media_timer = single_shot(self, MEDIA_DEBOUNCE_MS, self._request_visible_media)
        self._top_timer = single_shot(self, 0, self._check_top)
        self._retry_timer = retry_timer(self, RETRY_MS, self._check_top)
        self.view.laid_out.connect(self._after_layout)
        self.view.verticalScrollBar().valueChanged.connect(self._after_scroll)
        self.view.installEventFilter(self)
        self.delegate.link_activated.connect(self._on_link)
        self.delegate.retry_requested.connect(self._on_retry)
        if media is not None:
            media.state_changed.connect(self._on_media_state)
        self._unsubscribe: Callable[[], None] | None = store.subscribe(self._on_change)
        # After the model's own frame observer (it subscribed first): the new rows' places.
        self._unframe: Callable[[], None] | None = store.subscribe_frames(self._lay_out_frame)

    # ---- binding -----------------------------------------------------------------------------

    def bind(self, session_id: str | None) -> None:
        """Show ``session_id``'s thread (None: the empty state), scrolled to the latest."""
        if session_id is not None and session_id == self._session_id:
            self.flush()
            return
        self._session_id = session_id
        self._older.forget()
        self._retry_timer.stop()
        self.finder.rebound()
        self.delegate.history_start = self.at_start()
        self.model.bind(session_id)
        self.header.bind(session_id)
        self.typing_bar.bind(session_id)
        self.denied.say(self._denied.get(session_id or "", ""))
        self._stack.setCurrentIndex(0 if session_id is None else 1)
        self.view.pin_to_bottom()

    def session_id(self) -> str | None:
        return self._session_id

    def set_denied(self, session_id: str, words: str) -> None:
        """Crisp refuses ``session_id``'s messages, and ``words`` say why ("": allowed)."""
        if words:
            self._denied[session_id] = words
        else:
            self._denied.pop(session_id, None)
        if session_id == self._session_id:
            self.denied.say(words)
            if not words:
                self._top_timer.start()  # allowed again: older pages may be asked for

    def set_operator_names(self, names: Mapping[str, str]) -> None:
        self.header.set_operator_names(names)

    def set_website_labels(self, labels: Mapping[str, str]) -> None:
        self.header.set_website_labels(labels)

    def set_empty_hints(self, hints: Sequence[tuple[str, str]]) -> None:
        """The shortcut lines under "Select a conversation": (keys, what they do) pairs, so
        the window can show the user's own bindings."""
        self._empty.set_hints(hints)

    def empty_text(self) -> str:
        """The empty state's text: the title, then one "keys  action" line per hint."""
        return self._empty.text()

    def is_loading_older(self) -> bool:
        loading = self._older.loading
        return loading is not None and loading == self._session_id

    def at_start(self) -> bool:
        """Whether the bound conversation's first message is loaded."""
        return self._session_id is not None and self._store.at_history_start(self._session_id)

    def detach(self) -> None:
        """Stop following the store (before dropping the pane)."""
        for timer in (self._media_timer, self._top_timer, self._retry_timer):
            timer.stop()
        self._older.detach()
        self.finder.rebound()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._unframe is not None:
            self._unframe()
            self._unframe = None
        self.model.detach()
        self.header.detach()
        self.typing_bar.detach()

    # ---- scrolling ---------------------------------------------------------------------------

    def at_bottom(self) -> bool:
        return self.view.at_bottom()

    def _lay_out_frame(self) -> None:
        """A frame of live events reached the model: place the new messages now, so that
        the frame's one paint (ListPane._paint_frame) shows them where they end up. Qt's own
        delayed layout ran on a later turn, and the thread was painted twice per message
        (scripts/bench_events.py: 2.5-6 ms each)."""
        if self.view.isVisible():
            self.view.executeDelayedItemsLayout()

    def flush(self) -> None:
        """Apply what the model has queued and lay the view out now (tests, window switches)."""
        self.model.flush()
        self.view.settle()

    def scroll_to_first(self) -> None:
        self.flush()
        self.view.scroll_to_row(0, QAbstractItemView.ScrollHint.PositionAtTop)
        self.view.verticalScrollBar().setValue(0)  # the banner above row 0 too

    def scroll_to_latest(self) -> None:
        self.flush()
        self.view.scroll_to_row(self.model.rowCount() - 1,
                                QAbstractItemView.ScrollHint.PositionAtBottom)
        bar = self.view.verticalScrollBar()
        bar.setValue(bar.maximum())

    def scroll_to_oldest_unread(self) -> None:
        self.flush()
        row = oldest_unread_row(self.model.messages())
        if row < 0:
            self.scroll_to_latest()
        else:
            self.view.scroll_to_row(row, QAbstractItemView.ScrollHint.PositionAtTop)

    # ---- find and reveal ---------------------------------------------------------------------

    def reveal(self, fingerprint: int) -> bool:
        """Centre the message and flash it (``ConsoleClient.reveal_message`` puts it in the
        store's timeline); False when the thread lacks it."""
        self.flush()
        if not self._centre(fingerprint):
            return False
        self.finder.flash(fingerprint)
        return True

    def reveal_text(self, query: str) -> bool:
        """Open the find bar on ``query``, its newest match current and centred; False when
        no loaded message matches (the bar then offers to search older ones)."""
        if self._session_id is None:
            return False
        self.flush()
        self.finder.open(query)
        return self.finder.results.current is not None

    def open_find(self) -> None:
        """Ctrl+F: the find bar, focused (nothing without a conversation)."""
        if self._session_id is not None:
            self.flush()
            self.finder.open()

    def find_step(self, *, older: bool) -> None:
        """F3 (``older``), Shift+F3: the next older or newer match."""
        if self._session_id is not None:
            self.finder.step(older=older)

    def _centre(self, fingerprint: int) -> bool:
        row = self.model.row_of(fingerprint)
        if row >= 0:
            self.view.scroll_to_row(row, QAbstractItemView.ScrollHint.PositionAtCenter)
        return row >= 0

    # ---- older messages ----------------------------------------------------------------------

    def _after_layout(self) -> None:
        self._top_timer.start()
        self._media_timer.start()

    def _after_scroll(self) -> None:
        self._check_top()
        self._media_timer.start()

    def _check_top(self) -> None:
        if self._retry_timer.isActive() or not self.view.isVisible() \
                or self.view.verticalScrollBar().value() > self.view.viewport().height():
            return
        self.load_older_now()

    def load_older_now(self) -> bool:
        """Load the page before the loaded messages, wherever the list is scrolled (the
        find's "Search older"); True while one loads, False when none can."""
        sid = self._session_id
        if sid is None or sid in self._denied or self._store.at_history_start(sid) \
                or not self._older.start(sid):  # older_pages.py: one at a time, if any can
            return self.is_loading_older()
        self._retry_timer.stop()
        return True

    def _landed(self, sid: str, count: int | None, refused: str) -> None:
        """How a load of an older page ended (older_pages.py ``Landed``)."""
        if refused:
            self.set_denied(sid, refused)
        if sid != self._session_id or refused:
            self.older_loaded.emit(None)  # no page for the shown thread (the find stops)
            return
        if count is None or (count <= 0 and not self.at_start()):
            self._retry_timer.start()  # failed, or the start went with the conversation
        elif count <= 0:
            self._reach_start()
        else:
            self.flush()  # the page is in the store: show it now, then look at the top again
            self._top_timer.start()
        self.older_loaded.emit(count)

    def _reach_start(self) -> None:
        was_at_top = self.view.verticalScrollBar().value() == 0
        self.delegate.history_start = self.at_start()
        if self.model.rowCount():
            self.view.dataChanged(self.model.index(0), self.model.index(0))  # row 0 grows
        self.view.settle()
        if was_at_top and not self.view.at_bottom():
            self.view.verticalScrollBar().setValue(0)  # show the banner that just appeared

    # ---- media and actions -------------------------------------------------------------------

    def _request_visible_media(self) -> None:
        media = self._media
        if media is None or self._session_id is None:
            return
        for row in self.view.visible_rows():
            url = self.delegate.media_url(self.model.index(row))
            if url:
                media.request(url)

    def _on_media_state(self, _url: str) -> None:
        self.view.viewport().update()

    def _on_link(self, url: str) -> None:
        if allowed_link(url):  # the delegate checks too; this is the last gate before the OS
            self.link_activated.emit(url)
        else:
            log.info("refused to open a link: %.200r", url)

    def _on_retry(self, msg: object) -> None:
        if isinstance(msg, Message) and msg.status is MessageStatus.FAILED:
            self.retry_requested.emit(msg.fingerprint)

    def _on_change(self, change: Change) -> None:
        # A timeline the store dropped (its start with it) is loaded again from the newest
        # page: the banner goes until the start is reached again.
        sid = self._session_id
        if (sid is not None and change.collection == MESSAGES
                and change.kind is ChangeKind.RESET and change.concerns(sid)):
            self.delegate.history_start = self.at_start()

    # ---- Qt overrides ------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.view and event.type() == QEvent.Type.Resize:
            self._loading_label.place()
        elif watched is self.view and event.type() == QEvent.Type.KeyPress:
            self.finder.clear_flash()  # the operator moves on
        return super().eventFilter(watched, event)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._top_timer.start()  # the list may have been laid out while hidden
        self._media_timer.start()

