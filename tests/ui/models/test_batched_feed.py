"""The live feed through FrameBatch into the store and the conversation list model: a burst is
one flush of the model, typing shows its latest excerpt, other events keep their order.

The frame is a fake clock (tests/client/test_batch.py's Frames); the model's own coalescing
timer is waited for (qtbot), never slept on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractItemModel
from pytestqt.qtbot import QtBot

from crisp_console.client.batch import FrameBatch
from crisp_console.core import Store
from crisp_console.ui.models import ConversationListModel, ConversationRole
from tests.client.test_batch import Frames
from tests.core import factories as f
from tests.ui.conftest import SignalLog, pending

Attach = Callable[[QAbstractItemModel], Any]
TYPING = int(ConversationRole.TYPING)
SEND = "message:compose:send"


def fed(qtmodeltester: Any, live_tester: Attach, sids: list[str]
        ) -> tuple[Store, FrameBatch, Frames, ConversationListModel, SignalLog, list[str]]:
    store = Store()
    store.upsert_conversations([f.conversation(sid) for sid in sids])
    frames, applied = Frames(), []

    def deliver(name: str, payload: Any) -> None:
        applied.append(name)
        store.apply(name, payload)

    batch = FrameBatch(deliver, clock=frames.clock, schedule=frames.schedule)
    model = ConversationListModel(store)
    qtmodeltester.check(model)
    live_tester(model)
    return store, batch, frames, model, SignalLog(model), applied


def typing_of(model: ConversationListModel, sid: str) -> Any:
    return model.index(model.row_of(sid)).data(TYPING)


def test_a_burst_of_typing_is_one_row_update_with_the_latest_excerpt(
        qtbot: QtBot, qtmodeltester: Any, live_tester: Attach) -> None:
    store, batch, frames, model, log, applied = fed(qtmodeltester, live_tester, ["a", "b"])
    for text in ("W", "Wh", "Whe", "Wher", "Where is", "Where is my order"):
        batch.push(SEND, f.compose_event("a", excerpt=text))
    frames.tick()
    assert applied == [SEND]  # one event reached the store
    qtbot.waitUntil(lambda: not pending(model))
    changed = [args for name, args in log.events if name == "dataChanged"]
    assert len(changed) == 1 and len(log.events) == 1  # one flush: one row, one signal
    assert typing_of(model, "a") == "Where is my order"
    assert store.conversations["a"].compose_visitor == "Where is my order"


def test_a_stop_after_a_start_leaves_no_typing_and_a_message_clears_it_in_order(
        qtbot: QtBot, qtmodeltester: Any, live_tester: Attach) -> None:
    store, batch, frames, model, _log, applied = fed(qtmodeltester, live_tester, ["a", "b"])
    batch.push(SEND, f.compose_event("a", excerpt="Hi"))
    batch.push(SEND, f.compose_event("a", kind="stop", excerpt=None))
    batch.push(SEND, f.compose_event("b", excerpt="typing"))
    batch.push("message:send", f.message_event("b", content="typed"))
    frames.tick()
    qtbot.waitUntil(lambda: not pending(model))
    assert applied == [SEND, SEND, "message:send"]
    assert typing_of(model, "a") is None
    assert store.conversations["b"].last_message == "typed"
    assert model.session_ids() == store.conversation_ids()
    frames.tick(1.0)
    batch.push(SEND, f.compose_event("b", excerpt="more"))
    frames.tick()
    qtbot.waitUntil(lambda: not pending(model))
    assert typing_of(model, "b") == "more"


def test_a_burst_of_mixed_events_over_many_rows_is_one_flush(
        qtbot: QtBot, qtmodeltester: Any, live_tester: Attach) -> None:
    sids = [f"s{i}" for i in range(12)]
    store, batch, frames, model, _log, applied = fed(qtmodeltester, live_tester, sids)
    flushes = []
    original = model._catch_up  # noqa: SLF001 - counting the model's flush passes

    def counted() -> None:
        flushes.append(1)
        original()

    model._catch_up = counted  # type: ignore[method-assign]  # noqa: SLF001
    for i, sid in enumerate(sids):
        batch.push(SEND, f.compose_event(sid, excerpt=f"{i}"))
        batch.push("message:send", f.message_event(sid, content=f"m{i}", timestamp=f.BASE_TIME
                                                   + 1000 * (i + 1)))
        batch.push(SEND, f.compose_event(sid, excerpt=f"{i}!"))
    frames.tick()
    assert applied.count("message:send") == 12 and applied.count(SEND) == 12
    qtbot.waitUntil(lambda: not pending(model))
    assert flushes == [1]
    assert model.session_ids() == store.conversation_ids() == list(reversed(sids))
    assert [typing_of(model, sid) for sid in sids] == [f"{i}!" for i in range(12)]


def test_the_end_of_a_frame_flushes_the_list_in_the_same_turn_and_only_the_list(
        qtmodeltester: Any, live_tester: Attach) -> None:
    """With ``done=store.end_frame`` (as client/console.py wires it), the frame that applied
    a burst also flushed the list model: nothing is left for its timer. The filter counts, a
    secondary follower, keep waiting for their own."""
    from crisp_console.ui.models.filter_counts import FilterCounts

    store = Store()
    store.upsert_conversations([f.conversation(sid, unread={"operator": 0, "visitor": 0})
                                for sid in ("a", "b")])
    frames = Frames()

    def deliver(name: str, payload: Any) -> None:
        store.apply(name, payload)

    batch = FrameBatch(deliver, done=store.end_frame, clock=frames.clock,
                       schedule=frames.schedule)
    model = ConversationListModel(store)
    counts = FilterCounts(store, "me")
    qtmodeltester.check(model)
    live_tester(model)
    log = SignalLog(model)
    listening = store.observers
    for text in ("W", "Wh", "Where"):
        batch.push(SEND, f.compose_event("b", excerpt=text))
    batch.push("message:send", f.message_event("b", content="Where is it",
                                               timestamp=f.BASE_TIME + 1000))
    assert store.conversations["b"].last_message != "Where is it"  # the frame is not over
    frames.tick()
    assert not pending(model)  # no event loop turn in between: flushed by the frame's end
    assert "rowsMoved" in [name for name, _ in log.events]
    assert model.session_ids() == store.conversation_ids() == ["b", "a"]
    assert model.index(0).data(int(ConversationRole.EXCERPT)) == "Where is it"
    assert counts._coalescer.pending  # noqa: SLF001 - its own pace: its timer, not the frame
    batch.flush()  # an empty flush ends no frame
    model.detach()
    counts.detach()
    assert store.observers == listening - 3  # the model's changes and frames, the counts'


def test_a_new_visitors_provisional_row_is_inserted_replaced_and_dropped_in_place(
        qtbot: QtBot, qtmodeltester: Any, live_tester: Attach) -> None:
    """A message of an unknown conversation on a known website: its row in the frame that
    applies it; Crisp's copy updates it in place; a row found gone leaves."""
    store, batch, frames, model, _log, _applied = fed(qtmodeltester, live_tester, ["a", "b"])
    store.set_websites([f.website()])
    new, gone = "session_new", "session_gone"
    batch.push("message:send", f.message_event(new, content="first!", timestamp=f.BASE_TIME + 9))
    batch.push("message:send", f.message_event(gone, content="bye", timestamp=f.BASE_TIME + 5))
    frames.tick()
    qtbot.waitUntil(lambda: not pending(model))
    assert model.session_ids() == store.conversation_ids()
    assert model.session_ids()[:2] == [new, gone]
    assert store.is_provisional(new) and store.is_provisional(gone)
    store.upsert_conversations([f.conversation(new, updated_at=f.BASE_TIME + 9,
                                               meta={"nickname": "Ada"})])
    assert store.drop_provisional(gone)
    qtbot.waitUntil(lambda: not pending(model))
    assert model.session_ids() == store.conversation_ids() and gone not in model.session_ids()
    assert model.row_of(new) == 0 and store.conversations[new].nickname == "Ada"
