"""The Persister on a real SQLite file: changes noted by id and written in batches on an
injected scheduler; what the cache holds after a flush is what the store holds."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from crisp_console.client.persist import Persister
from crisp_console.core import Ordering, Store
from crisp_console.storage import cache as c
from crisp_console.storage.cache import Cache, load_snapshot
from tests.client.db_runner import ThreadRunner
from tests.core import factories as f

pytestmark = pytest.mark.asyncio


class Timers:
    """An injected scheduler: the armed callbacks wait until the test fires them."""

    def __init__(self) -> None:
        self.armed: list[tuple[float, Callable[[], None]]] = []

    def __call__(self, delay: float, callback: Callable[[], None]) -> Timers.Handle:
        entry = (delay, callback)
        self.armed.append(entry)
        return Timers.Handle(self, entry)

    class Handle:
        def __init__(self, timers: Timers, entry: tuple[float, Callable[[], None]]) -> None:
            self.timers, self.entry = timers, entry

        def cancel(self) -> None:
            if self.entry in self.timers.armed:
                self.timers.armed.remove(self.entry)

    def fire(self) -> None:
        armed, self.armed = self.armed, []
        for _, callback in armed:
            callback()


@pytest_asyncio.fixture
async def runner(tmp_path: Path) -> AsyncIterator[ThreadRunner]:
    r = ThreadRunner(tmp_path / "console.db")
    yield r
    r.close()


def loaded(runner: ThreadRunner) -> Any:
    return runner.run(lambda conn: load_snapshot(conn, conversations=10_000,
                                                 timelines=10_000, messages=10_000))


def filled_store() -> tuple[Store, list[str]]:
    store = Store()
    return store, fill(store)


def fill(store: Store) -> list[str]:
    store.set_websites([f.website()])
    store.set_operators([f.operator()])
    convs = [f.conversation(updated_at=f.BASE_TIME + i) for i in range(5)]
    store.upsert_conversations(convs)
    sids = [conv["session_id"] for conv in convs]
    store.add_history_page(sids[0], [f.message(sids[0], timestamp=f.BASE_TIME - k)
                                     for k in range(3)], older=False)
    return sids


async def flushed(persister: Persister, timers: Timers) -> None:
    """Fire the armed timer and wait for the write it started."""
    assert timers.armed, "nothing was armed"
    timers.fire()
    await persister.flush()  # after the write in flight


async def test_one_timer_per_quiet_period_and_one_row_per_id(runner: ThreadRunner) -> None:
    store, sids = filled_store()
    timers = Timers()
    persister = Persister(store, Cache(runner), schedule=timers, interval=0.25)
    persister.start()
    for k in range(50):  # a busy visitor: fifty messages in one conversation
        store.apply("message:send", f.message_event(sids[1], timestamp=f.BASE_TIME + 10 + k))
    assert [delay for delay, _ in timers.armed] == [0.25]
    batch = persister.take()
    assert [row[0] for row in batch.conversations] == [sids[1]]
    assert len(batch.messages) == 50 and len(batch.timelines) == 1
    assert not persister.dirty
    await persister.close()


async def test_a_new_order_or_a_clear_writes_nothing(runner: ThreadRunner) -> None:
    store, _ = filled_store()
    timers = Timers()
    persister = Persister(store, Cache(runner), schedule=timers)
    persister.start()
    store.set_ordering(Ordering.WAITING)
    store.clear()
    assert not timers.armed and not persister.dirty
    await persister.close()
    assert runner.writes == 0


async def test_typing_alone_writes_nothing(runner: ThreadRunner) -> None:
    store, sids = filled_store()
    timers = Timers()
    persister = Persister(store, Cache(runner), schedule=timers)
    persister.start()
    for _ in range(20):
        store.apply("message:compose:send", f.compose_event(sids[2], "start"))
        store.apply("message:compose:send", f.compose_event(sids[2], "stop"))
    assert not timers.armed and not persister.dirty
    await persister.close()
    assert runner.writes == 0


async def test_a_flush_leaves_the_cache_equal_to_the_store(runner: ThreadRunner) -> None:
    store = Store()
    timers = Timers()
    persister = Persister(store, Cache(runner), schedule=timers)
    persister.start()
    sids = fill(store)
    store.set_websites([f.website()])  # RESET: replaced
    store.upsert_conversations([f.conversation(sid) for sid in sids])  # no change: no row
    store.set_ordering(Ordering.CREATED)  # RESET: no row changed, nothing more
    persister.timeline_read(sids[0])
    await flushed(persister, timers)
    snap = loaded(runner).snapshot
    assert {v.session_id for v in snap.conversations} == set(sids)
    assert [w.website_id for w in snap.websites] == [f.WEBSITE]
    assert [t.session_id for t in snap.timelines] == [sids[0]]
    assert [m.fingerprint for m in snap.timelines[0].messages] == \
        [m.fingerprint for m in store.messages(sids[0])]

    # Removals: a conversation with its timeline, a message, a website, an operator.
    gone = store.messages(sids[0])[0]
    store.remove_message(sids[0], gone.fingerprint)
    store.remove_conversation(sids[4])
    store.set_operators([])
    await flushed(persister, timers)
    snap = loaded(runner).snapshot
    assert sids[4] not in {v.session_id for v in snap.conversations}
    assert gone.fingerprint not in {m.fingerprint for m in snap.timelines[0].messages}
    assert runner.run(lambda conn: conn.execute(
        "SELECT count(*) FROM messages WHERE session_id = ?", (sids[4],)).fetchone()[0]) == 0
    await persister.close()


async def test_local_echoes_wait_for_the_server(runner: ThreadRunner) -> None:
    store, sids = filled_store()
    timers = Timers()
    persister = Persister(store, Cache(runner), schedule=timers)
    persister.start()
    echo = store.add_pending(sids[0], fingerprint=f.fingerprint(), type="text", content="hi",
                             user_id=f.OPERATOR, nickname="Ada", timestamp=f.BASE_TIME + 99)
    await flushed(persister, timers)
    saved = {m.fingerprint for t in loaded(runner).snapshot.timelines for m in t.messages}
    assert echo.fingerprint not in saved
    store.confirm_pending(sids[0], echo.fingerprint)
    await flushed(persister, timers)
    saved = {m.fingerprint for t in loaded(runner).snapshot.timelines for m in t.messages}
    assert echo.fingerprint in saved
    await persister.close()


async def test_a_dropped_timeline_goes_and_what_follows_stays(runner: ThreadRunner) -> None:
    store, sids = filled_store()
    timers = Timers()
    persister = Persister(store, Cache(runner), schedule=timers)
    persister.start()
    await persister.flush()
    store.forget_timeline(sids[0])
    store.add_history_page(sids[0], [f.message(sids[0], timestamp=f.BASE_TIME + 5)],
                           older=False)
    persister.timeline_read(sids[0])
    await flushed(persister, timers)
    (saved,) = loaded(runner).snapshot.timelines
    assert [m.fingerprint for m in saved.messages] == \
        [m.fingerprint for m in store.messages(sids[0])]
    assert saved.cursor == f.BASE_TIME + 5
    await persister.close()


async def test_meta_goes_with_every_batch(runner: ThreadRunner) -> None:
    store, _ = filled_store()
    timers = Timers()
    ticks = iter(range(1, 100))
    persister = Persister(store, Cache(runner), schedule=timers,
                          meta=lambda: {c.SAVED_AT: next(ticks)})
    persister.start()
    persister.set_meta(last_open="s", filter="mine")
    await flushed(persister, timers)
    meta = runner.run(c.get_meta)
    assert meta.pop(c.SAVED_AT) >= 1 and meta == {c.LAST_OPEN: "s", c.FILTER: "mine"}
    saved = runner.run(c.get_meta)[c.SAVED_AT]
    await persister.close()  # the sync state is written on close too
    assert runner.run(c.get_meta)[c.SAVED_AT] > saved


async def test_one_write_at_a_time(runner: ThreadRunner) -> None:
    store, sids = filled_store()
    timers = Timers()
    gate = asyncio.Event()
    original = runner.awrite

    async def slow(fn: Any) -> Any:
        await gate.wait()
        return await original(fn)

    runner.awrite = slow  # type: ignore[method-assign]
    persister = Persister(store, Cache(runner), schedule=timers)
    persister.start()
    store.update_conversation(sids[0], {"last_message": "one"})
    timers.fire()  # the first write starts and waits at the gate
    await asyncio.sleep(0)
    store.update_conversation(sids[1], {"last_message": "two"})
    timers.fire()  # due while the first is in flight: armed again, not a second write
    assert len(timers.armed) == 1 and runner.writes == 0
    gate.set()
    await flushed(persister, timers)
    assert runner.writes == 2
    rows = {v.session_id: v.last_message for v in loaded(runner).snapshot.conversations}
    assert (rows[sids[0]], rows[sids[1]]) == ("one", "two")
    await persister.close()


async def test_a_failed_write_is_logged_and_the_next_goes_on(
        runner: ThreadRunner, caplog: pytest.LogCaptureFixture) -> None:
    store, sids = filled_store()
    persister = Persister(store, Cache(runner), schedule=Timers())
    persister.start()
    original = runner.awrite

    async def broken(fn: Any) -> Any:
        raise OSError("disk full")

    runner.awrite = broken  # type: ignore[method-assign]
    store.update_conversation(sids[0], {"last_message": "lost"})
    await persister.flush()
    assert persister.failures == 1 and "disk full" in caplog.text
    runner.awrite = original  # type: ignore[method-assign]
    store.update_conversation(sids[0], {"last_message": "kept"})
    await persister.flush()
    rows = {v.session_id: v.last_message for v in loaded(runner).snapshot.conversations}
    assert rows.get(sids[0]) == "kept"
    await persister.close()
