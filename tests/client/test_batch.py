"""FrameBatch: the live feed in whole frames, typing coalesced per typist (client/batch.py).

Driven by a fake frame clock: nothing sleeps, each ``tick`` runs what is due."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from crisp_console.client.batch import DEFAULT_INTERVAL, FrameBatch
from tests.core.factories import compose_event, message_event, operator_user, session_event

SEND, RECEIVE = "message:compose:send", "message:compose:receive"


class Handle:
    def __init__(self, when: float, callback: Callable[[], None]) -> None:
        self.when, self.callback, self.cancelled = when, callback, False

    def cancel(self) -> None:
        self.cancelled = True


class Frames:
    """``schedule``/``clock`` for FrameBatch; ``tick(dt)`` advances and runs what is due."""

    def __init__(self) -> None:
        self.now = 100.0
        self.handles: list[Handle] = []

    def clock(self) -> float:
        return self.now

    def schedule(self, delay: float, callback: Callable[[], None]) -> Handle:
        handle = Handle(self.now + delay, callback)
        self.handles.append(handle)
        return handle

    @property
    def delays(self) -> list[float]:
        return [round(h.when - self.now, 6) for h in self.handles if not h.cancelled]

    def tick(self, dt: float = 0.0) -> None:
        self.now += dt
        due = [h for h in self.handles if not h.cancelled and h.when <= self.now + 1e-9]
        self.handles = [h for h in self.handles if h not in due and not h.cancelled]
        for h in due:
            h.callback()


def make() -> tuple[FrameBatch, Frames, list[tuple[str, Any]], list[str]]:
    frames, got, noted = Frames(), [], []
    batch = FrameBatch(lambda n, p: got.append((n, p)), note=lambda n, _p: noted.append(n),
                       clock=frames.clock, schedule=frames.schedule)
    return batch, frames, got, noted


def excerpts(got: list[tuple[str, Any]]) -> list[tuple[str, str, str | None]]:
    return [(n, p["session_id"], p.get("excerpt") if n.startswith("message:compose")
             else p.get("type", n)) for n, p in got]


def test_nothing_is_delivered_before_the_frame_and_everything_after() -> None:
    batch, frames, got, noted = make()
    batch.push("session:set_state", session_event("a", state="resolved"))
    batch.push("message:send", message_event("b"))
    assert got == [] and len(batch) == 2
    assert noted == ["session:set_state", "message:send"]  # heard on arrival
    frames.tick()
    assert [n for n, _ in got] == ["session:set_state", "message:send"]
    assert len(batch) == 0 and batch.flushes == 1


def test_typing_of_one_conversation_within_a_frame_is_one_event_with_the_latest_excerpt() -> None:
    batch, frames, got, _ = make()
    for text in ("H", "He", "Hel", "Hell", "Hello"):
        batch.push(SEND, compose_event("a", excerpt=text))
    frames.tick()
    assert excerpts(got) == [(SEND, "a", "Hello")]
    assert batch.events == 5 and batch.coalesced == 4


def test_a_stop_after_a_start_is_kept_and_a_start_after_a_stop_wins() -> None:
    batch, frames, got, _ = make()
    batch.push(SEND, compose_event("a", excerpt="Hi"))
    batch.push(SEND, compose_event("a", kind="stop", excerpt=None))
    batch.push(SEND, compose_event("b", kind="stop", excerpt=None))
    batch.push(SEND, compose_event("b", excerpt="again"))
    frames.tick()
    assert [(p["session_id"], p["type"]) for _, p in got] == [("a", "stop"), ("b", "start")]


def test_other_events_keep_their_order_and_a_message_still_comes_before_later_typing() -> None:
    batch, frames, got, _ = make()
    batch.push(SEND, compose_event("a", excerpt="I am"))
    batch.push("message:send", message_event("a", content="I am here"))
    batch.push("session:set_state", session_event("b", state="resolved"))
    batch.push(SEND, compose_event("c", excerpt="x"))
    batch.push(SEND, compose_event("a", excerpt="and"))
    batch.push("message:acknowledge:read:send", session_event("a", fingerprints=[]))
    batch.push(SEND, compose_event("a", kind="stop", excerpt=None))
    frames.tick()
    assert [(n, p["session_id"]) for n, p in got] == [
        ("message:send", "a"), ("session:set_state", "b"), (SEND, "c"),
        ("message:acknowledge:read:send", "a"), (SEND, "a")]
    assert got[-1][1]["type"] == "stop"


def test_a_colleagues_stop_is_not_lost_behind_another_colleagues_start() -> None:
    batch, frames, got, _ = make()
    ada = compose_event("a", operator=True)
    bob = {**compose_event("a", operator=True), "user": operator_user("op-bob", "Bob")}
    ada_stop = {**compose_event("a", kind="stop", excerpt=None, operator=True)}
    bot = {**compose_event("a", kind="stop", excerpt=None, operator=True), "automated": True}
    for payload in (ada, bob, ada_stop, bot):
        batch.push(RECEIVE, payload)
    frames.tick()
    assert [(p["user"]["user_id"], p["type"], p["automated"]) for _, p in got] == [
        ("op-bob", "start", False), (ada["user"]["user_id"], "stop", False),
        (ada["user"]["user_id"], "stop", True)]


def test_typing_that_is_not_well_formed_is_never_coalesced() -> None:
    batch, frames, got, _ = make()
    batch.push(SEND, compose_event("a", excerpt="ok"))
    batch.push(SEND, {**compose_event("a"), "type": "typing"})
    batch.push(SEND, ["not", "an", "object"])
    batch.push(SEND, compose_event("a", excerpt="later"))
    frames.tick()
    assert [p if isinstance(p, list) else p["type"] for _, p in got] == [
        "typing", ["not", "an", "object"], "start"]
    assert got[-1][1]["excerpt"] == "later"
    assert batch.coalesced == 1


def test_at_most_one_flush_per_interval_the_first_after_quiet_at_once() -> None:
    batch, frames, got, _ = make()
    batch.push(SEND, compose_event("a", excerpt="1"))
    assert frames.delays == [0.0]  # an isolated event waits for nothing
    frames.tick()
    frames.tick(0.002)
    batch.push(SEND, compose_event("a", excerpt="2"))
    batch.push(SEND, compose_event("a", excerpt="3"))
    assert frames.delays == [round(DEFAULT_INTERVAL - 0.002, 6)]  # one timer for the burst
    frames.tick(0.001)
    assert len(got) == 1  # not yet: the rest of the interval
    frames.tick(DEFAULT_INTERVAL)
    assert excerpts(got) == [(SEND, "a", "1"), (SEND, "a", "3")]
    assert batch.flushes == 2
    frames.tick(1.0)
    batch.push(SEND, compose_event("a", excerpt="4"))
    assert frames.delays == [0.0]


def test_flush_delivers_now_and_close_drops_what_waits() -> None:
    batch, frames, got, _ = make()
    batch.push("message:send", message_event("a"))
    batch.flush()
    assert len(got) == 1 and not batch.scheduled
    batch.push("message:send", message_event("b"))
    batch.close()
    batch.push("message:send", message_event("c"))
    frames.tick(1.0)
    assert len(got) == 1 and len(batch) == 0


def test_done_follows_each_flush_that_delivered_and_nothing_else() -> None:
    frames, got, done = Frames(), [], []
    batch = FrameBatch(lambda n, p: got.append(n), done=lambda: done.append(len(got)),
                       clock=frames.clock, schedule=frames.schedule)
    batch.push("message:send", message_event("a"))
    batch.push(SEND, compose_event("a", excerpt="x"))
    assert done == []
    frames.tick()
    assert done == [2]  # once, after the whole frame was delivered
    batch.flush()
    frames.tick(1.0)
    assert done == [2]  # nothing waited: no frame ended
    batch.push("message:send", message_event("b"))
    batch.close()
    frames.tick(1.0)
    assert done == [2]


def test_a_change_outside_the_feed_ends_a_frame_at_the_next_flush_and_no_sooner() -> None:
    frames, got, done = Frames(), [], []
    batch = FrameBatch(lambda n, p: got.append(n), done=lambda: done.append(len(got)),
                       clock=frames.clock, schedule=frames.schedule)
    batch.changed()  # an owed fetch's answer in the store, nothing from the feed
    assert frames.delays == [0.0] and done == []  # after a quiet spell: the next turn
    frames.tick()
    assert done == [0] and got == [] and batch.flushes == 0  # a frame, no delivery
    batch.push("message:send", message_event("a"))
    batch.changed()
    assert frames.delays == [DEFAULT_INTERVAL]  # one flush for both, an interval later
    frames.tick(DEFAULT_INTERVAL)
    assert done == [0, 1]  # one frame: the event and the change together
    frames.tick(1.0)
    assert done == [0, 1]
    batch.close()
    batch.changed()
    frames.tick(1.0)
    assert done == [0, 1] and not batch.scheduled


@pytest.mark.asyncio
async def test_settled_returns_at_once_with_no_frame_waiting_else_after_its_paint() -> None:
    """Background work waits here (page_slices.py): a frame of live events first."""
    order: list[str] = []
    batch = FrameBatch(lambda n, p: order.append(f"deliver {p['session_id']}"),
                       done=lambda: order.append("done"))
    await batch.settled()  # nothing scheduled: nothing to wait for
    assert order == []
    batch.push("message:send", message_event("a"))
    assert batch.scheduled
    await batch.settled()
    order.append("settled")
    assert order == ["deliver a", "done", "settled"]
    batch.push("message:send", message_event("b"))
    waiter = asyncio.ensure_future(batch.settled())
    await asyncio.sleep(0)
    assert not waiter.done()
    batch.close()  # closing drops the frame and lets every waiter go
    await asyncio.wait_for(waiter, 5)
    assert order == ["deliver a", "done", "settled"]


@pytest.mark.asyncio
async def test_slices_of_pages_take_turns_one_at_a_time_and_after_each_live_frame() -> None:
    """Two pages read at once put their slices in by turns, never two in one turn, and a
    frame of live events that waits goes before the next slice."""
    from crisp_console.client.page_slices import APPLY_SLICE, InStore, Turns, into_store
    from crisp_console.core import ApplyResult, Store
    from tests.core.factories import conversation

    order: list[str] = []
    batch = FrameBatch(lambda n, p: order.append(f"frame {p['session_id']}"))
    store = Store()
    upsert = store.upsert_conversations
    turn = 0  # turns of the loop, counted by a task that yields every turn
    turns_of_slices: list[int] = []

    async def count_turns() -> None:
        nonlocal turn
        while True:
            turn += 1
            await asyncio.sleep(0)

    def recording(payloads: Any) -> ApplyResult:
        order.append(f"slice {payloads[0]['session_id']}")
        turns_of_slices.append(turn)
        if payloads[0]["session_id"] == "a-00":  # a live event while the pages go in
            batch.push("message:send", message_event("live-2"))
        return upsert(payloads)

    store.upsert_conversations = recording  # type: ignore[method-assign]
    turns = Turns(batch.settled)
    pages = {name: [conversation(f"{name}-{i:02d}") for i in range(2 * APPLY_SLICE + 1)]
             for name in ("a", "b")}
    counter = asyncio.ensure_future(count_turns())
    batch.push("message:send", message_event("live-1"))  # waiting when the pages arrive
    answers = await asyncio.gather(*(into_store(store, rows, lambda: True, turns)
                                     for rows in pages.values()))
    counter.cancel()
    assert all(isinstance(a, InStore) and len(a) == 2 * APPLY_SLICE + 1 for a in answers)
    assert order == ["frame live-1", "slice a-00", "frame live-2", "slice b-00", "slice a-10",
                     "slice b-10", "slice a-20", "slice b-20"]
    assert len(set(turns_of_slices)) == len(turns_of_slices)  # never two in one turn
    assert len(store.conversations) == 2 * len(pages["a"])
