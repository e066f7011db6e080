"""Benchmark of the local cache: what a flush costs the loop thread, what a write and a warm
start cost off it. A script that prints figures, not a test that asserts them.

The world comes from the sandbox's dataset (conversations with real meta: device,
connection...), loaded into a Store as REST would. Then:

- encode: ``Persister.take()`` for N dirty conversations (and, separately, N dirty
  messages): the part of a flush that runs on the loop thread;
- write: ``save_rows`` of that batch into a SQLite file (WAL, synchronous=FULL), the part the
  database's writer thread runs;
- warm start: ``load_snapshot`` + ``Store.restore`` of the whole cache.

    .venv/bin/python scripts/bench_persist.py
    .venv/bin/python scripts/bench_persist.py --conversations 10000 --dirty 1000
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from crisp_console.client.persist import Persister
from crisp_console.core import Store
from crisp_console.sandbox.config import SandboxConfig, Sizes
from crisp_console.sandbox.dataset import build_state
from crisp_console.storage import schema
from crisp_console.storage.cache import Cache, load_snapshot, save_rows

BASE = 1_750_000_000_000


class _NoRunner:
    async def awrite(self, fn: Callable[[sqlite3.Connection], Any]) -> Any:
        raise AssertionError("not used")

    async def aread(self, fn: Callable[[sqlite3.Connection], Any]) -> Any:
        raise AssertionError("not used")


def _timer(delay: float, callback: Callable[[], None]) -> Any:
    class Handle:
        def cancel(self) -> None:
            pass
    return Handle()


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=5000)
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--dirty", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    state = build_state(SandboxConfig(seed=1, base_time=BASE, sizes=Sizes(
        websites=3, unsubscribed=0, operators=8, conversations=args.conversations,
        messages=args.messages)))
    store = Store()
    store.set_websites([w.to_payload() for w in state.websites.values()])
    store.set_operators([o.to_payload() for o in state.operators])
    convs = list(state.conversations.values())
    store.upsert_conversations([c.to_payload() for c in convs])
    for c in convs:
        if c.messages:
            store.add_history_page(c.session_id, [m.to_payload(c.website_id, c.session_id)
                                                  for m in c.messages], older=False)
    print(f"store: {store.conversation_count()} conversations, "
          f"{sum(store.message_count(c.session_id) for c in convs)} messages")

    persister = Persister(store, Cache(_NoRunner()), schedule=_timer)
    persister.start()
    ids = store.conversation_ids()[:args.dirty]
    takes: list[float] = []
    batch = None
    for k in range(args.repeat):
        for sid in ids:  # one changed field each: every row dirty
            store.update_conversation(sid, {"unread_operator": k + 1})
        started = time.perf_counter()
        batch = persister.take()
        takes.append(time.perf_counter() - started)
    assert batch is not None and len(batch.conversations) == len(ids)
    size = sum(len(r[3]) for r in batch.conversations)
    print(f"encode {len(ids)} dirty conversations (loop thread): median "
          f"{ms(statistics.median(takes))}, max {ms(max(takes))}; "
          f"{size / len(ids):.0f} B of JSON each")

    fps = [(c.session_id, m.fingerprint) for c in convs for m in c.messages][:args.dirty]
    msg_takes: list[float] = []
    msg_batch = None
    for _ in range(args.repeat):
        for sid, fp in fps:
            # As a Change naming them would (the flush reads them as they are).
            persister._messages.setdefault(sid, set()).add(fp)  # noqa: SLF001
        started = time.perf_counter()
        msg_batch = persister.take()
        msg_takes.append(time.perf_counter() - started)
    assert msg_batch is not None
    print(f"encode {len(msg_batch.messages)} dirty messages (loop thread): median "
          f"{ms(statistics.median(msg_takes))}")

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "console.db"
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        schema.migrate(conn)

        def write(b: Any) -> float:
            started = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            save_rows(conn, b)
            conn.execute("COMMIT")
            return time.perf_counter() - started

        persister._reset.update(("websites", "operators"))  # noqa: SLF001
        persister._dirty["conversations"].update(store.conversations)  # noqa: SLF001
        for sid in store.conversations:
            persister._messages[sid] = {m.fingerprint for m in store.messages(sid)}  # noqa: SLF001
        full = persister.take()
        print(f"write the whole store ({len(full)} rows, writer thread): {ms(write(full))}")
        print(f"write {len(ids)} dirty conversations (writer thread): {ms(write(batch))}")
        print(f"database: {path.stat().st_size / 1e6:.1f} MB "
              f"(+ WAL {Path(str(path) + '-wal').stat().st_size / 1e6:.1f} MB)")
        for bound in (2000, args.conversations):
            started = time.perf_counter()
            loaded = load_snapshot(conn, conversations=bound, timelines=30, messages=400)
            read = time.perf_counter() - started
            fresh = Store()
            started = time.perf_counter()
            fresh.restore(loaded.snapshot)
            restore = time.perf_counter() - started
            n_msgs = sum(len(t.messages) for t in loaded.snapshot.timelines)
            print(f"warm start, {len(loaded.snapshot.conversations)} conversations + "
                  f"{len(loaded.snapshot.timelines)} timelines ({n_msgs} messages): "
                  f"read+decode {ms(read)}, Store.restore {ms(restore)}")
        conn.close()


if __name__ == "__main__":
    main()
