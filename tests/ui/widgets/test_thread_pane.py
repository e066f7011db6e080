"""The thread pane: binding, staying pinned to the bottom (or exactly in place), loading older
messages at the top, the typing bar, the header, keyboard actions, links, retry and media."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QStyleOptionViewItem

from crisp_console.client.tasks import TaskOwner
from crisp_console.core import Store
from crisp_console.present.thread_logic import oldest_unread_row
from crisp_console.ui.media import BLOCKED, LOADED, MediaLoader
from crisp_console.ui.widgets import thread_pane
from crisp_console.ui.widgets.thread_pane import LOADING_TEXT, ThreadPane
from tests.core import factories as f
from tests.present.seeded import COLLEAGUE, ME, seeded_store, visitor_says
from tests.ui.conftest import tasks_done
from tests.ui.test_media import Fetcher, png_bytes

T = f.BASE_TIME
MIN = 60_000
WIDTH, HEIGHT = 520, 360


def say(sid: str, i: int, *, ts: int | None = None, sender: str = "user",
        text: str | None = None, **kw: Any) -> dict[str, Any]:
    return f.message(sid, from_=sender, timestamp=T + i * MIN if ts is None else ts,
                     content=text if text is not None else f"message {i}", **kw)


def thread_store(n: int = 40) -> tuple[Store, str]:
    """A store whose first conversation has ``n`` messages, senders alternating in runs."""
    store = seeded_store(4)
    sid = store.conversation_ids()[0]
    store.upsert_messages(sid, [say(sid, i, sender="operator" if i % 5 == 4 else "user")
                                for i in range(n)])
    return store, sid


class ManualTimer:
    """A single-shot timer the test fires itself (``MakeTimer``): what the pane waits for
    happens when the test says, not after some wall-clock time."""

    def __init__(self, _parent: object, interval_ms: int, slot: Callable[[], None]) -> None:
        self.interval_ms, self._slot, self._active = interval_ms, slot, False

    def start(self) -> None:
        self._active = True

    def stop(self) -> None:
        self._active = False

    def isActive(self) -> bool:
        return self._active

    def fire(self) -> None:
        assert self._active, "the timer was not started"
        self._active = False
        self._slot()


@pytest.fixture
def tasks() -> TaskOwner:
    """The ui's task owner, as the console gives it: the pane's loads run as its tasks."""
    return TaskOwner()


@pytest.fixture
def make_pane(qtbot: Any, tasks: TaskOwner) -> Callable[..., ThreadPane]:
    def make(store: Store, **kw: Any) -> ThreadPane:
        if "load_older" in kw:
            kw.setdefault("tasks", tasks)
        pane = ThreadPane(store, clock=lambda: T + 10**7, tz=UTC, **kw)
        qtbot.addWidget(pane)
        pane.resize(WIDTH, HEIGHT)
        pane.show()
        return pane
    return make


def index_of(pane: ThreadPane, fingerprint: int) -> QModelIndex:
    return pane.model.index(pane.model.row_of(fingerprint))


def centre_message(pane: ThreadPane) -> tuple[int, int]:
    """The fingerprint of the message at the viewport's centre, and its row's top."""
    index = pane.view.indexAt(QPoint(5, pane.view.viewport().height() // 2))
    msg = pane.view.message_at(index)
    assert msg is not None
    return msg.fingerprint, pane.view.visualRect(index).top()


def last_row_visible(pane: ThreadPane) -> bool:
    rect = pane.view.visualRect(pane.model.index(pane.model.rowCount() - 1))
    return rect.isValid() and 0 <= rect.bottom() < pane.view.viewport().height()


async def pump(until: Callable[[], bool], what: str = "condition") -> None:
    """Process Qt events and run the asyncio loop until ``until()`` (5 s at most)."""
    app = QApplication.instance()
    assert app is not None
    for _ in range(1000):
        app.processEvents()
        if until():
            return
        await asyncio.sleep(0.005)
    raise AssertionError(f"timed out waiting for {what}")


# ---- binding and pinning ---------------------------------------------------------------------


def test_unbound_pane_shows_the_hint(make_pane: Callable[..., ThreadPane]) -> None:
    store, sid = thread_store(3)
    pane = make_pane(store)
    assert not pane.view.isVisible() and not pane.header.isVisible()
    text = pane.empty_text()
    assert "Select a conversation" in text and "Alt+↓" in text and "Ctrl+K" in text
    pane.set_empty_hints([("J", "next conversation")])  # the user's own bindings
    assert pane.empty_text() == "Select a conversation\nJ  next conversation"
    shown = {w.text() for w in pane.findChildren(QLabel) if w.isVisible()}
    assert {"J", "next conversation"} <= shown and "Alt+↓" not in shown
    pane.bind(sid)
    assert pane.view.isVisible() and pane.session_id() == sid
    pane.bind(None)
    assert not pane.view.isVisible() and pane.model.rowCount() == 0


def test_binding_shows_the_messages_scrolled_to_the_latest(
        make_pane: Callable[..., ThreadPane]) -> None:
    store, sid = thread_store(40)
    pane = make_pane(store)
    pane.bind(sid)
    pane.flush()
    assert pane.model.rowCount() == 40
    assert [m.content for m in pane.model.messages()[:2]] == ["message 0", "message 1"]
    bar = pane.view.verticalScrollBar()
    assert bar.maximum() > 0 and pane.at_bottom() and last_row_visible(pane)
    assert pane.header.name_label.text() == "Visitor 00"


def test_live_message_keeps_a_pinned_view_at_the_bottom(
        qtbot: Any, make_pane: Callable[..., ThreadPane]) -> None:
    store, sid = thread_store(40)
    pane = make_pane(store)
    pane.bind(sid)
    pane.flush()
    before = pane.view.verticalScrollBar().maximum()
    # Through the real path: the coalescing timer, then QListView's delayed layout.
    visitor_says(store, sid, T + 100 * MIN, "a long new message " * 12)
    qtbot.waitUntil(lambda: pane.model.rowCount() == 41 and last_row_visible(pane))
    assert pane.at_bottom() and pane.view.verticalScrollBar().maximum() > before
    # A row growing at the bottom (an edit) keeps it pinned as well.
    last = pane.model.message_at(40)
    store.apply("message:updated", f.session_event(sid, fingerprint=last.fingerprint,
                                                   content="edited " * 60))
    pane.flush()
    assert pane.at_bottom() and last_row_visible(pane)


def test_a_frame_of_live_events_lays_the_new_message_out_in_its_turn(
        make_pane: Callable[..., ThreadPane]) -> None:
    """At the end of a frame (client/batch.py: the store's end_frame) the model flushes and
    the view places the new row at once: the frame's one paint shows it at the bottom, with
    no layout of Qt's own left for a later turn (that one painted the thread again)."""
    store, sid = thread_store(40)
    pane = make_pane(store)
    pane.bind(sid)
    pane.flush()
    bar = pane.view.verticalScrollBar()
    before = bar.maximum()
    laid_out: list[int] = []
    pane.view.laid_out.connect(lambda: laid_out.append(bar.maximum()))
    visitor_says(store, sid, T + 100 * MIN, "a long new message " * 12)
    store.end_frame()  # no Qt event processed since: only the frame's own work
    assert pane.model.rowCount() == 41
    # Laid out in that call (the scroll range has the new row) and still at the bottom;
    # only then ask for the row's place (QListView's visualRect would lay out itself).
    assert len(laid_out) == 1 and laid_out[0] > before and pane.at_bottom()
    assert last_row_visible(pane)


def test_scrolled_up_view_stays_put_when_messages_arrive(
        make_pane: Callable[..., ThreadPane]) -> None:
    store, sid = thread_store(40)
    pane = make_pane(store)
    pane.bind(sid)
    pane.flush()
    bar = pane.view.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)
    fingerprint, top = centre_message(pane)
    value = bar.value()
    for i in range(3):
        visitor_says(store, sid, T + (100 + i) * MIN, f"new {i}")
    pane.flush()
    assert pane.model.rowCount() == 43 and not pane.at_bottom()
    assert bar.value() == value
    assert pane.view.visualRect(index_of(pane, fingerprint)).top() == top


def test_resizing_keeps_a_pinned_view_at_the_bottom(
        make_pane: Callable[..., ThreadPane]) -> None:
    store, sid = thread_store(40)
    pane = make_pane(store)
    pane.bind(sid)
    pane.flush()
    pane.resize(WIDTH - 140, HEIGHT - 60)  # narrower: every bubble re-wraps
    pane.flush()
    assert pane.at_bottom() and last_row_visible(pane)
    store.apply("message:compose:send", f.compose_event(sid, "start", "typ"))  # bar shows
    pane.flush()
    assert pane.typing_bar.is_typing() and pane.at_bottom() and last_row_visible(pane)


def test_typing_starting_and_stopping_never_resizes_the_thread(
        make_pane: Callable[..., ThreadPane]) -> None:
    """The typing line is reserved while a conversation is bound: a visitor who starts and
    stops typing does not move the messages (nor lay them all out again)."""
    store, sid = thread_store(40)
    pane = make_pane(store)
    pane.bind(sid)
    pane.flush()
    QApplication.sendPostedEvents()
    size, value = pane.view.size(), pane.view.verticalScrollBar().value()
    laid_out: list[bool] = []
    pane.view.laid_out.connect(lambda: laid_out.append(True))
    for kind, text in (("start", "Hel"), ("start", "Hello"), ("stop", None), ("start", None)):
        store.apply("message:compose:send", f.compose_event(sid, kind, text))
        pane.flush()
        QApplication.sendPostedEvents()  # the layout requests a shown or hidden bar posts
        assert pane.view.size() == size and pane.view.verticalScrollBar().value() == value
    assert laid_out == [] and pane.typing_bar.isVisible()
    pane.bind(None)
    assert not pane.typing_bar.isVisible()


# ---- older messages --------------------------------------------------------------------------


def top_checked(pane: ThreadPane) -> None:
    """Have the pane look at the top now, as a scroll makes it (it does synchronously): a
    load it decides on is under way when this returns (``is_loading_older``)."""
    bar = pane.view.verticalScrollBar()
    bar.valueChanged.emit(bar.value())


@pytest.mark.asyncio
async def test_older_messages_load_at_the_top_and_keep_the_view_in_place(
        make_pane: Callable[..., ThreadPane], tasks: TaskOwner) -> None:
    store, sid = thread_store(40)
    older = [say(sid, i, sender="operator" if i % 3 else "user") for i in range(-30, 0)]
    calls: list[str] = []
    gate = asyncio.Event()

    async def load_older(session_id: str) -> int:  # as the client does
        calls.append(session_id)
        await gate.wait()
        page = older if len(calls) == 1 else []
        store.add_history_page(session_id, page, older=True)
        return len(page)

    pane = make_pane(store, load_older=load_older)
    pane.bind(sid)
    pane.flush()
    top_checked(pane)
    assert not pane.is_loading_older() and len(tasks) == 0  # at the bottom: nothing to load

    bar = pane.view.verticalScrollBar()
    bar.setValue(0)
    assert pane.is_loading_older() and len(tasks) == 1
    await asyncio.sleep(0)
    assert calls == [sid]
    overlay = [w for w in pane.findChildren(QLabel) if w.text() == LOADING_TEXT]
    assert len(overlay) == 1 and overlay[0].isVisible()
    bar.setValue(20)
    bar.setValue(0)
    assert len(tasks) == 1  # one call at a time: no second load was started

    fingerprint, top = centre_message(pane)
    gate.set()
    await pump(lambda: pane.model.rowCount() == 70 and not pane.is_loading_older(), "the page")
    pane.flush()
    assert pane.view.visualRect(index_of(pane, fingerprint)).top() == top
    assert not overlay[0].isVisible()
    assert pane.model.message_at(0).content == "message -30"
    assert bar.value() > pane.view.viewport().height()  # the page is above: no second call
    top_checked(pane)
    assert not pane.is_loading_older() and len(calls) == 1

    bar.setValue(0)  # the top again: this time the server has nothing older
    await pump(lambda: pane.at_start(), "the start of the conversation")
    assert len(calls) == 2 and pane.delegate.history_start
    assert bar.value() == 0  # the "Start of the conversation" banner is in view
    banner = pane.delegate.layout_for(_option(pane, 0), pane.model.index(0))
    assert banner is not None and banner.banner is not None
    await tasks_done(tasks)
    bar.setValue(10)
    bar.setValue(0)
    assert not pane.is_loading_older() and len(tasks) == 0  # never asked again
    assert len(calls) == 2
    pane.bind(None)
    pane.bind(sid)
    pane.flush()
    assert pane.delegate.history_start and len(calls) == 2


@pytest.mark.asyncio
async def test_a_failed_load_is_retried_later_not_at_once(
        make_pane: Callable[..., ThreadPane]) -> None:
    store, sid = thread_store(3)  # short: the top is in view at once
    calls: list[str] = []

    async def load_older(session_id: str) -> int:
        calls.append(session_id)
        if len(calls) == 1:
            raise OSError("offline")
        store.add_history_page(session_id, [], older=True)  # as the client does
        return 0

    timers: list[ManualTimer] = []

    def retry_timer(parent: object, interval_ms: int, slot: Callable[[], None]) -> ManualTimer:
        timers.append(ManualTimer(parent, interval_ms, slot))
        return timers[-1]

    pane = make_pane(store, load_older=load_older, retry_timer=retry_timer)
    [retry] = timers
    assert retry.interval_ms == thread_pane.RETRY_MS
    pane.bind(sid)
    await pump(lambda: bool(calls) and not pane.is_loading_older(), "the first call")
    assert retry.isActive()  # the failure holds the next call back
    top_checked(pane)  # scrolling does not hurry it
    assert not pane.is_loading_older() and calls == [sid] and not pane.at_start()
    retry.fire()  # the retry time has come
    assert pane.is_loading_older()
    await pump(pane.at_start, "the retry")
    assert calls == [sid, sid] and not retry.isActive()


@pytest.mark.asyncio
async def test_the_start_goes_with_a_removed_conversation(
        make_pane: Callable[..., ThreadPane]) -> None:
    """The store keeps where the history starts with the timeline (issue 12): a conversation
    removed and back has its start to find again, and the banner goes meanwhile."""
    store, sid = thread_store(3)  # short: the top is in view at once
    payload = f.conversation(sid, website_id=store.conversations[sid].website_id)
    calls: list[str] = []

    async def load_older(session_id: str) -> int:  # as the client does
        calls.append(session_id)
        store.add_history_page(session_id, [], older=True)
        return 0

    pane = make_pane(store, load_older=load_older)
    pane.bind(sid)
    await pump(pane.at_start, "the start")
    assert pane.delegate.history_start and calls == [sid]
    store.remove_conversation(sid)
    assert not pane.at_start() and not pane.delegate.history_start
    store.upsert_conversations([payload])
    store.add_history_page(sid, [say(sid, 1)], older=False)  # opened again: the newest page
    await pump(lambda: pane.at_start() and len(calls) == 2, "the start, found again")
    assert pane.delegate.history_start


# ---- typing bar and header -------------------------------------------------------------------


def test_typing_bar_shows_the_excerpt_live_as_plain_text(
        make_pane: Callable[..., ThreadPane]) -> None:
    store, sid = thread_store(5)
    other = store.conversation_ids()[1]
    pane = make_pane(store)
    pane.bind(sid)
    bar = pane.typing_bar
    assert not bar.is_typing()
    store.apply("message:compose:send", f.compose_event(other, "start", "elsewhere"))
    assert not bar.is_typing()
    store.apply("message:compose:send", f.compose_event(sid, "start", "<b>Where</b> is"))
    assert bar.is_typing()
    assert bar.text() == "Visitor 00 is typing: “<b>Where</b> is”"
    labels = bar.findChildren(QLabel)
    assert labels and all(lb.textFormat() == Qt.TextFormat.PlainText for lb in labels)
    assert bar.shown_text() == bar.text()
    store.apply("message:compose:send", f.compose_event(sid, "start", "x" * 400))
    shown = bar.shown_text()
    assert shown.startswith("Visitor 00 is typing: “…") and shown.endswith("xxx”")
    store.apply("message:compose:send", f.compose_event(sid, "start", None))
    assert bar.is_typing() and bar.text() == "Visitor 00 is typing…"
    store.apply("message:compose:send", f.compose_event(sid, "stop", None))
    assert not bar.is_typing() and bar.text() == ""
    store.apply("message:compose:send", f.compose_event(sid, "start", "again"))
    pane.bind(other)  # the other visitor is typing too
    name = store.conversations[other].nickname
    assert bar.is_typing() and bar.text() == f"{name} is typing: “elsewhere”"
    pane.bind(store.conversation_ids()[2])
    assert not bar.is_typing()


def test_header_follows_the_conversation(make_pane: Callable[..., ThreadPane]) -> None:
    store, sid = thread_store(2)
    pane = make_pane(store)
    pane.set_operator_names({ME: "Ada (me)"})
    pane.set_website_labels({f.WEBSITE: "Acme shop"})
    pane.bind(sid)
    header = pane.header
    assert header.email_label.text() == "visitor0@example.com"
    assert header.state_pill.text() == "Pending"
    assert header.assignee_label.text() == "Assigned to Ada (me)"
    assert header.website_label.text() == "Acme shop"
    assert not header.blocked_pill.isVisible()
    store.apply("session:set_state", f.session_event(sid, state="resolved"))
    assert header.state_pill.text() == "Resolved"
    store.apply("session:set_routing", f.session_event(sid, routing_id=COLLEAGUE))
    assert header.assignee_label.text() == "Assigned to Bob Lovelace"  # from the store
    store.apply("session:set_routing", f.session_event(sid, routing_id=None))
    assert header.assignee_label.text() == "Unassigned"
    store.apply("session:set_block", f.session_event(sid, is_blocked=True))
    assert header.blocked_pill.isVisible() and header.blocked_pill.text() == "Blocked"
    store.apply("session:set_nickname", f.session_event(sid, nickname="<i>Eve</i>\u202e"))
    assert header.name_label.text() == "<i>Eve</i>"
    assert header.name_label.textFormat() == Qt.TextFormat.PlainText
    store.apply("session:removed", f.session_event(sid))
    assert header.name_label.text() == "Conversation unavailable"


# ---- keyboard, links, retry ------------------------------------------------------------------


def test_keys_move_the_current_row_and_scroll_by_page(
        make_pane: Callable[..., ThreadPane]) -> None:
    store, sid = thread_store(40)
    pane = make_pane(store)
    pane.bind(sid)
    pane.flush()
    view = pane.view
    QTest.keyClick(view, Qt.Key.Key_Up)  # no current row yet: the lowest one in view
    assert view.currentIndex().row() == 39
    QTest.keyClick(view, Qt.Key.Key_Up)
    QTest.keyClick(view, Qt.Key.Key_Up)
    current = view.currentIndex().row()
    assert current == 37
    bar = view.verticalScrollBar()
    value = bar.value()
    QTest.keyClick(view, Qt.Key.Key_PageUp)
    assert value - view.viewport().height() < bar.value() < value
    assert view.currentIndex().row() == current  # PgUp scrolls, it does not move the row
    QTest.keyClick(view, Qt.Key.Key_PageDown)
    assert bar.value() == value
    pane.scroll_to_first()
    assert view.currentIndex().row() == 0 and bar.value() == 0
    pane.scroll_to_latest()
    assert view.currentIndex().row() == 39 and pane.at_bottom()


def test_oldest_unread_is_the_first_unread_visitor_message_after_the_last_reply(
        make_pane: Callable[..., ThreadPane]) -> None:
    store = seeded_store(2)
    sid = store.conversation_ids()[0]
    messages = [say(sid, i, read="chat") for i in range(20)]
    messages += [say(sid, 20, sender="operator"), say(sid, 21, read="chat")]
    messages += [say(sid, 22 + i) for i in range(15)]  # unread
    messages += [say(sid, 40, sender="operator", type="note", text="note to self")]
    store.upsert_messages(sid, messages)
    pane = make_pane(store)
    pane.bind(sid)
    pane.flush()
    assert oldest_unread_row(pane.model.messages()) == 22
    pane.scroll_to_oldest_unread()
    assert pane.view.currentIndex().row() == 22
    assert pane.view.visualRect(pane.model.index(22)).top() == 0
    store.apply("message:acknowledge:read:received",
                f.ack_event(sid, [m.fingerprint for m in pane.model.messages()[22:37]]))
    pane.scroll_to_oldest_unread()  # nothing unread: the latest
    assert pane.view.currentIndex().row() == 37 and pane.at_bottom()


def test_enter_opens_the_first_link_and_links_are_checked_again(
        qtbot: Any, make_pane: Callable[..., ThreadPane]) -> None:
    store, sid = thread_store(2)
    store.upsert_messages(sid, [
        say(sid, 10, text="see javascript:alert(1) or https://shop.example/o/1?a=1&b=2."),
        say(sid, 11, text="javascript:alert(1)"),
    ])
    pane = make_pane(store)
    pane.bind(sid)
    pane.flush()
    opened: list[str] = []
    pane.link_activated.connect(opened.append)
    pane.view.setCurrentIndex(pane.model.index(2))
    QTest.keyClick(pane.view, Qt.Key.Key_Return)
    assert opened == ["https://shop.example/o/1?a=1&b=2"]
    pane.view.setCurrentIndex(pane.model.index(3))
    QTest.keyClick(pane.view, Qt.Key.Key_Return)
    assert opened == ["https://shop.example/o/1?a=1&b=2"]  # no link in that one
    for hostile in ("javascript:alert(1)", "file:///etc/passwd", "data:text/html,x"):
        pane.delegate.link_activated.emit(hostile)
    pane.delegate.link_activated.emit("mailto:grace@example.com")
    assert opened[-1] == "mailto:grace@example.com" and len(opened) == 2


def test_retry_of_a_failed_message_by_enter_and_by_click(
        make_pane: Callable[..., ThreadPane]) -> None:
    store, sid = thread_store(2)
    lost = 163_408_415_407_219  # fingerprints are bigger than a C int
    store.add_pending(sid, fingerprint=lost, type="text", content="lost", user_id=ME,
                      nickname="Ada", timestamp=T + 50 * MIN)
    store.add_pending(sid, fingerprint=8, type="text", content="waiting", user_id=ME,
                      nickname="Ada", timestamp=T + 51 * MIN)
    store.fail_pending(sid, lost, "network")
    pane = make_pane(store)
    pane.bind(sid)
    pane.flush()
    retries: list[int] = []
    pane.retry_requested.connect(retries.append)
    pane.view.setCurrentIndex(index_of(pane, 8))
    QTest.keyClick(pane.view, Qt.Key.Key_Return)
    assert retries == []  # pending, not failed
    index = index_of(pane, lost)
    pane.view.setCurrentIndex(index)
    QTest.keyClick(pane.view, Qt.Key.Key_Enter)
    assert retries == [lost]
    lay = pane.delegate.layout_for(_option(pane, index.row()), index)
    assert lay is not None and lay.retry is not None
    point = pane.view.visualRect(index).topLeft() + lay.retry.center()
    QTest.mouseClick(pane.view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert retries == [lost, lost]
    pane.delegate.retry_requested.emit(store.message(sid, 8))  # not failed: ignored
    assert retries == [lost, lost]


def test_ctrl_c_copies_the_current_message(make_pane: Callable[..., ThreadPane]) -> None:
    store, sid = thread_store(3)
    pane = make_pane(store)
    pane.bind(sid)
    pane.flush()
    pane.view.setCurrentIndex(pane.model.index(1))
    QTest.keyClick(pane.view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "message 1"


# ---- media -----------------------------------------------------------------------------------


def _option(pane: ThreadPane, row: int) -> QStyleOptionViewItem:
    option = QStyleOptionViewItem()
    option.initFrom(pane.view)
    option.rect = pane.view.visualRect(pane.model.index(row))
    option.widget = pane.view
    return option


def _image_message(sid: str, i: int, url: str) -> dict[str, Any]:
    return f.message(sid, type="file", timestamp=T + i * MIN, content={
        "name": url.rsplit("/", 1)[-1], "url": url, "type": "image/png"})


@pytest.mark.asyncio
async def test_media_loads_when_trusted_and_when_the_operator_asks(
        make_pane: Callable[..., ThreadPane]) -> None:
    trusted = "https://storage.crisp.chat/a/parcel.png"
    other = "https://tracker.example/pixel.png"
    clicked = "https://elsewhere.example/photo.png"
    store, sid = thread_store(1)
    store.upsert_messages(sid, [_image_message(sid, 1, trusted), _image_message(sid, 2, other),
                                _image_message(sid, 3, clicked), say(sid, 4, text="end")])
    fetch = Fetcher({trusted: png_bytes(320, 180, "#ff8a00"), other: png_bytes(64, 36),
                     clicked: png_bytes(64, 36)})
    media = MediaLoader(fetch, tasks=TaskOwner(),
                        trusted=lambda url: url.startswith("https://storage.crisp.chat/"))
    pane = make_pane(store, media=media)
    pane.resize(WIDTH, 700)
    pane.bind(sid)
    await pump(lambda: media.state(trusted) == LOADED and media.state(other) == BLOCKED,
               "the visible media")
    assert fetch.calls == [trusted]

    row = pane.model.row_of(pane.model.messages()[1].fingerprint)
    lay = pane.delegate.layout_for(_option(pane, row), pane.model.index(row))
    assert lay is not None and lay.media is not None
    shot: QImage = pane.view.viewport().grab().toImage()
    centre = pane.view.visualRect(pane.model.index(row)).topLeft() + lay.media.center()
    ratio = shot.devicePixelRatio()
    assert shot.pixelColor(int(centre.x() * ratio), int(centre.y() * ratio)) == QColor("#ff8a00")

    pane.view.setCurrentIndex(pane.model.index(2))
    QTest.keyClick(pane.view, Qt.Key.Key_Return)  # "Click or press Enter to load image"
    await pump(lambda: media.state(other) == LOADED, "the operator's image")
    assert fetch.calls == [trusted, other]
    opened: list[str] = []
    pane.link_activated.connect(opened.append)
    QTest.keyClick(pane.view, Qt.Key.Key_Return)  # loaded: Enter opens it full size
    assert opened == [other]

    assert media.state(clicked) == BLOCKED
    index = pane.model.index(3)
    lay = pane.delegate.layout_for(_option(pane, 3), index)
    assert lay is not None and lay.media is not None
    point = pane.view.visualRect(index).topLeft() + lay.media.center()
    QTest.mouseClick(pane.view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    await pump(lambda: media.state(clicked) == LOADED, "the clicked image")
    assert fetch.calls == [trusted, other, clicked] and opened == [other]


def test_current_row_is_highlighted_only_while_focused(
        qtbot: Any, make_pane: Callable[..., ThreadPane]) -> None:
    store, sid = thread_store(40)
    pane = make_pane(store)
    pane.bind(sid)
    pane.flush()
    pane.activateWindow()
    pane.setFocus()  # the pane hands focus to its list (F6 lands here)
    qtbot.waitUntil(pane.view.hasFocus)
    value = pane.view.verticalScrollBar().value()
    current = pane.view.currentIndex()
    assert current.isValid() and pane.view.selectionModel().isSelected(current)
    assert pane.view.verticalScrollBar().value() == value  # a row in view: nothing scrolled
    assert pane.view.visualRect(current).bottom() < pane.view.viewport().height()
    pane.view.clearFocus()
    assert not pane.view.selectionModel().hasSelection()
    assert pane.view.currentIndex() == current
