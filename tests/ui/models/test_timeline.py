"""TimelineModel: rebinding, history pages, live messages and local echo, coalesced or not."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QAbstractItemModel, QPersistentModelIndex, Qt
from pytestqt.qtbot import QtBot

from crisp_console.core import MessageStatus, Store
from crisp_console.ui.models import ITEM_ROLE, MessageRole, TimelineModel
from tests.core import factories as f
from tests.present.seeded import ME, T
from tests.ui.conftest import SignalLog

TIP = int(Qt.ItemDataRole.ToolTipRole)
ACCESSIBLE = int(Qt.ItemDataRole.AccessibleTextRole)

Attach = Callable[[QAbstractItemModel], Any]
DISPLAY = int(Qt.ItemDataRole.DisplayRole)
M = MessageRole


def page(sid: str, n: int, newest: int, step: int = 1000) -> list[dict[str, Any]]:
    """A REST page: ``n`` messages oldest first, the last one at ``newest``."""
    return [f.message(sid, timestamp=newest - (n - 1 - i) * step, content=f"m{newest}-{i}",
                      from_="user" if i % 2 else "operator") for i in range(n)]


def fingerprints(model: TimelineModel) -> list[int]:
    return [model.index(r).data(M.FINGERPRINT) for r in range(model.rowCount())]


def truth(store: Store, sid: str) -> list[int]:
    return [m.fingerprint for m in store.messages(sid)]


@pytest.fixture
def sid(store: Store) -> str:
    sid = store.conversation_ids()[0]
    store.upsert_messages(sid, page(sid, 10, T))
    return sid


@pytest.fixture
def model(store: Store, sid: str, qtmodeltester: Any, live_tester: Attach) -> TimelineModel:
    model = TimelineModel(store)
    model.bind(sid)
    qtmodeltester.check(model)
    live_tester(model)
    return model


def echo(store: Store, sid: str, fp: int, ts: int, text: str = "reply") -> None:
    store.add_pending(sid, fingerprint=fp, type="text", content=text, user_id=ME,
                      nickname="Ada", timestamp=ts)


def test_bind_resets_to_the_conversations_timeline(store: Store, sid: str, model: TimelineModel,
                                                   qtmodeltester: Any) -> None:
    log = SignalLog(model)
    assert model.session_id == sid and fingerprints(model) == truth(store, sid)
    msg = store.messages(sid)[-1]
    index = model.index(9)
    assert index.data(ITEM_ROLE) is msg and model.message_at(9) is msg
    assert index.data(DISPLAY) == index.data(M.TEXT) == msg.excerpt()
    assert (index.data(M.SENDER), index.data(M.TIMESTAMP), index.data(M.STATUS)) == (
        msg.from_, msg.timestamp, MessageStatus.SENT)
    assert model.row_of(msg.fingerprint) == 9 and model.row_of(1) == -1
    assert model.roleNames()[M.FINGERPRINT].data() == b"fingerprint"
    other = store.conversation_ids()[1]
    store.upsert_messages(other, page(other, 3, T))
    model.bind(other)
    assert fingerprints(model) == truth(store, other)
    model.bind(other)  # the same: no reset
    model.bind(None)
    assert model.rowCount() == 0 and not model.session_id
    assert log.counts() == {"modelAboutToBeReset": 2, "modelReset": 2}
    # Unbound, the store's changes pass by.
    store.apply("message:send", f.message_event(sid, timestamp=T + 1))
    model.flush()
    assert model.rowCount() == 0 and len(log) == 4
    qtmodeltester.check(model)


@pytest.mark.parametrize("coalesce", [False, True])
def test_a_history_page_is_one_insert_range(store: Store, sid: str, qtmodeltester: Any,
                                            live_tester: Attach, coalesce: bool) -> None:
    model = TimelineModel(store, coalesce=coalesce)
    model.bind(sid)
    qtmodeltester.check(model)
    live_tester(model)
    log = SignalLog(model)
    first = QPersistentModelIndex(model.index(0))
    oldest = store.messages(sid)[0].timestamp
    store.upsert_messages(sid, page(sid, 20, oldest - 1000))
    model.flush()
    assert log.events == [("rowsAboutToBeInserted", (0, 19)), ("rowsInserted", (0, 19))]
    assert fingerprints(model) == truth(store, sid) and first.row() == 20
    qtmodeltester.check(model)


def test_a_page_filling_two_gaps_is_two_ranges(store: Store, sid: str,
                                              model: TimelineModel, qtmodeltester: Any) -> None:
    log = SignalLog(model)
    store.upsert_messages(sid, [f.message(sid, timestamp=T - 9500, content="older"),
                                f.message(sid, timestamp=T - 4500, content="between")])
    model.flush()
    assert log.of("rowsInserted") == [(0, 0), (6, 6)]
    assert fingerprints(model) == truth(store, sid)
    qtmodeltester.check(model)


def test_live_messages_in_a_burst_are_one_range(store: Store, sid: str,
                                                model: TimelineModel, qtmodeltester: Any) -> None:
    log = SignalLog(model)
    for i in range(300):
        store.apply("message:send", f.message_event(sid, timestamp=T + 1000 + i))
    assert model.pending and model.rowCount() == 10
    model.flush()
    assert log.events == [("rowsAboutToBeInserted", (10, 309)), ("rowsInserted", (10, 309))]
    assert fingerprints(model) == truth(store, sid)
    qtmodeltester.check(model)


def test_other_conversations_do_not_touch_the_model(
        store: Store, sid: str, model: TimelineModel, qtmodeltester: Any) -> None:
    log = SignalLog(model)
    other = store.conversation_ids()[1]
    store.upsert_messages(other, page(other, 5, T))
    store.apply("message:send", f.message_event(other, timestamp=T + 1))
    model.flush()
    assert len(log) == 0 and not model.pending
    qtmodeltester.check(model)


@pytest.mark.parametrize("coalesce", [False, True])
def test_local_echo_pending_sent_and_failed(store: Store, sid: str, qtmodeltester: Any,
                                            live_tester: Attach, coalesce: bool) -> None:
    model = TimelineModel(store, coalesce=coalesce)
    model.bind(sid)
    live_tester(model)
    log = SignalLog(model)
    echo(store, sid, 501, T + 10_000, "first reply")
    model.flush()
    assert log.of("rowsInserted") == [(10, 10)]
    assert model.index(10).data(M.STATUS) is MessageStatus.PENDING
    bubble = QPersistentModelIndex(model.index(10))
    # Accepted by the server (REST 202): the same row turns SENT.
    log.clear()
    store.confirm_pending(sid, 501)
    model.flush()
    assert model.index(10).data(M.STATUS) is MessageStatus.SENT and bubble.row() == 10
    assert log.of("dataChanged") == [(10, 10, sorted({ITEM_ROLE, int(M.STATUS), TIP, ACCESSIBLE}))]
    # A failed send: FAILED with the error, then retried, then discarded.
    echo(store, sid, 502, T + 11_000, "second reply")
    store.fail_pending(sid, 502, "network down")
    model.flush()
    failed = model.index(11).data(ITEM_ROLE)
    assert failed.status is MessageStatus.FAILED and failed.error == "network down"
    # The client's words for the failure, in full, as the row's (plain-text) tooltip.
    assert model.index(11).data(TIP).startswith("<p style='white-space:pre-wrap'>network down")
    assert model.index(10).data(TIP) is None
    log.clear()
    store.retry_pending(sid, 502)
    model.flush()
    assert model.index(11).data(M.STATUS) is MessageStatus.PENDING
    assert model.index(11).data(TIP) is None
    assert log.of("dataChanged") == [(11, 11, sorted({ITEM_ROLE, int(M.STATUS), TIP, ACCESSIBLE}))]
    store.discard_pending(sid, 502)
    model.flush()
    assert log.of("rowsRemoved") == [(11, 11)] and fingerprints(model) == truth(store, sid)
    qtmodeltester.check(model)


def test_a_queued_reply_says_so_in_its_tooltip_and_to_screen_readers(
        store: Store, sid: str, qtmodeltester: Any, live_tester: Attach) -> None:
    model = TimelineModel(store, coalesce=False)
    model.bind(sid)
    live_tester(model)
    echo(store, sid, 503, T + 10_000, "Thanks, I will check")
    row = model.index(model.rowCount() - 1)
    assert row.data(ACCESSIBLE) == "Thanks, I will check — Sending…"
    log = SignalLog(model)
    store.queue_pending(sid, 503, "No connection to Crisp (connection refused)")
    assert row.data(M.STATUS) is MessageStatus.QUEUED
    assert log.of("dataChanged") == [(row.row(), row.row(),
                                      sorted({ITEM_ROLE, int(M.STATUS), TIP, ACCESSIBLE}))]
    assert row.data(ACCESSIBLE) == "Thanks, I will check — Queued — goes out by itself"
    tip = row.data(TIP)
    assert "goes out by itself, in order, as soon as Crisp takes it again" in tip
    assert "connection refused" in tip
    store.retry_pending(sid, 503)  # it goes
    assert row.data(ACCESSIBLE) == "Thanks, I will check — Sending…"
    store.confirm_pending(sid, 503)
    assert row.data(ACCESSIBLE) == "Thanks, I will check" and row.data(TIP) is None
    qtmodeltester.check(model)


@pytest.mark.parametrize("coalesce", [False, True])
def test_a_server_echo_moves_the_reply_among_sent_messages(
        store: Store, sid: str, qtmodeltester: Any, live_tester: Attach, coalesce: bool) -> None:
    model = TimelineModel(store, coalesce=coalesce)
    model.bind(sid)
    live_tester(model)
    echo(store, sid, 601, T + 10_000)
    # A visitor message arrives while the reply is pending: it lands above the reply.
    store.apply("message:send", f.message_event(sid, timestamp=T + 20_000, content="hi?"))
    model.flush()
    assert [model.index(r).data(M.STATUS) for r in (10, 11)] == [MessageStatus.SENT,
                                                                 MessageStatus.PENDING]
    log = SignalLog(model)
    reply = QPersistentModelIndex(model.index(11))
    # The server's copy says the reply was sent before the visitor's message.
    store.apply("message:received", f.message_event(
        sid, from_="operator", fingerprint=601, timestamp=T + 15_000, content="reply"))
    model.flush()
    assert log.of("rowsMoved") == [(11, 11, 10)]
    assert reply.row() == 10 and reply.data(M.STATUS) is MessageStatus.SENT
    assert fingerprints(model) == truth(store, sid)
    qtmodeltester.check(model)


def test_removed_and_edited_messages(
        store: Store, sid: str, model: TimelineModel, qtmodeltester: Any) -> None:
    log = SignalLog(model)
    msgs = store.messages(sid)
    store.apply("message:removed", f.session_event(sid, fingerprint=msgs[4].fingerprint))
    store.apply("message:updated", f.session_event(sid, fingerprint=msgs[7].fingerprint,
                                                   content="edited text"))
    # Not flushed: the removed message still answers from the model's own rows.
    assert model.index(4).data(ITEM_ROLE) is msgs[4] and model.rowCount() == 10
    model.flush()
    assert log.of("rowsRemoved") == [(4, 4)]
    changed = log.of("dataChanged")
    assert len(changed) == 1 and changed[0][:2] == (6, 6)  # its row after the removal
    assert {ITEM_ROLE, int(M.TEXT), int(M.EDITED), DISPLAY} <= set(changed[0][2])
    assert model.index(6).data(DISPLAY) == "edited text"
    assert fingerprints(model) == truth(store, sid)
    qtmodeltester.check(model)


def test_changes_of_rows_inserted_in_the_same_flush_need_no_data_changed(
        store: Store, sid: str, model: TimelineModel, qtmodeltester: Any) -> None:
    log = SignalLog(model)
    echo(store, sid, 701, T + 10_000)
    store.fail_pending(sid, 701, "boom")
    model.flush()
    assert log.counts() == {"rowsAboutToBeInserted": 1, "rowsInserted": 1}
    assert model.index(10).data(M.STATUS) is MessageStatus.FAILED
    qtmodeltester.check(model)


def test_removing_the_conversation_or_clearing_the_store_empties_it(
        store: Store, sid: str, model: TimelineModel, qtbot: QtBot, qtmodeltester: Any) -> None:
    log = SignalLog(model)
    store.apply("message:send", f.message_event(sid, timestamp=T + 1))  # queued
    store.apply("session:removed", f.session_event(sid))
    assert model.rowCount() == 0 and not model.pending
    assert log.counts() == {"modelAboutToBeReset": 1, "modelReset": 1}
    other = store.conversation_ids()[0]
    store.upsert_messages(other, page(other, 4, T))
    model.bind(other)
    with qtbot.waitSignal(model.rowsInserted, timeout=1000):  # the timer flushes by itself
        store.apply("message:send", f.message_event(other, timestamp=T + 2))
    assert fingerprints(model) == truth(store, other)
    store.clear()
    assert model.rowCount() == 0
    model.detach()
    qtmodeltester.check(model)


def test_slots_may_change_the_store_or_rebind_during_a_flush(
        store: Store, sid: str, qtmodeltester: Any, live_tester: Attach) -> None:
    """Coalesced only: without coalescing the signals go out inside the store's
    notification, where the store forbids changes."""
    model = TimelineModel(store)
    model.bind(sid)
    live_tester(model)
    fps = iter(range(900, 1000))

    def answer(_parent: Any, first: int, _last: int) -> None:
        # Replying to each visitor message as it shows: a store change inside the flush.
        if model.message_at(first).from_ == "user":
            echo(store, sid, next(fps), T + 50_000 + first)
        model.flush()  # nested: returns at once

    model.rowsInserted.connect(answer)
    for i in range(5):
        # Each flush has more to replay after the insert the slot answers.
        store.apply("message:send", f.message_event(sid, timestamp=T + 1000 + i))
        store.apply("message:removed", f.session_event(
            sid, fingerprint=store.messages(sid)[0].fingerprint))
        store.apply("message:received", f.message_event(sid, from_="operator",
                                                        timestamp=T + 1000 + i))
    model.flush()
    assert fingerprints(model) == truth(store, sid)
    assert sum(m.is_pending for m in store.messages(sid)) >= 1
    # A slot that switches conversations mid-replay: the old rows' replay stops there.
    other = store.conversation_ids()[1]
    store.upsert_messages(other, page(other, 3, T))
    model.rowsInserted.disconnect(answer)
    model.rowsInserted.connect(lambda *_a: model.bind(other))
    store.apply("message:send", f.message_event(sid, timestamp=T + 90_000))
    store.apply("message:removed", f.session_event(sid, fingerprint=store.messages(sid)[0]
                                                   .fingerprint))
    model.flush()
    assert model.session_id == other and fingerprints(model) == truth(store, other)
    qtmodeltester.check(model)
