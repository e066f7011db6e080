"""Benchmark of the sandbox's seeded dataset: build time, peak memory, typical queries.

A script that prints figures, not a test that asserts them. Examples:

    .venv/bin/python scripts/bench_sandbox.py                      # 100k conversations, 1M msgs
    .venv/bin/python scripts/bench_sandbox.py --conversations 5000 --messages 50000
    .venv/bin/python scripts/bench_sandbox.py --snapshot /tmp/world.json.gz

Peak RSS is the process's (resource.getrusage ru_maxrss), so run one size per process; with
--snapshot the figure at exit includes the loaded copy of the world.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from crisp_console.sandbox import snapshot
from crisp_console.sandbox.config import SandboxConfig, Sizes
from crisp_console.sandbox.dataset import build_state
from crisp_console.sandbox.state import SandboxState


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / 1024 if sys.platform == "darwin" else peak / 1024  # bytes vs KiB


def timed(label: str, fn: Callable[[], Any], repeat: int = 5) -> Any:
    """Run ``fn`` ``repeat`` times and print the best and the mean time."""
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    best, mean = min(times) * 1000, sum(times) / len(times) * 1000
    print(f"  {label:<58} best {best:9.2f} ms   mean {mean:9.2f} ms")
    return result


def queries(state: SandboxState) -> None:
    """Queries the REST routes do, run directly on the state (no HTTP)."""
    website_id = state.subscribed_website_ids()[0]
    convs = list(state.conversations.values())

    def list_page() -> list[Any]:  # List Conversations, page 1, order_date_updated
        mine = [c for c in convs if c.website_id == website_id]
        mine.sort(key=lambda c: c.updated_at, reverse=True)
        return [c.to_payload() for c in mine[:20]]

    def unread_page() -> list[Any]:  # filter_unread + filter_not_resolved
        mine = [c for c in convs if c.website_id == website_id and c.unread_operator
                and c.state != "resolved"]
        mine.sort(key=lambda c: c.updated_at, reverse=True)
        return mine[:20]

    def waiting_page() -> list[Any]:  # order_date_waiting (drops non-waiting)
        mine = [c for c in convs if c.website_id == website_id and c.waiting_since]
        mine.sort(key=lambda c: c.waiting_since)
        return mine[:20]

    needle = "refund"

    def text_search() -> list[Any]:  # search_query on the last message excerpt
        hits = []
        for c in convs:
            if c.website_id == website_id and c.messages:
                last = c.messages[-1]
                if isinstance(last.content, str) and needle in last.content.lower():
                    hits.append(c)
        hits.sort(key=lambda c: c.updated_at, reverse=True)
        return hits[:20]

    biggest = max(convs, key=lambda c: len(c.messages))
    middle = biggest.messages[len(biggest.messages) // 2].timestamp

    def message_batch() -> list[Any]:  # Get Messages, timestamp_before (one batch of 20)
        older = [m for m in biggest.messages if m.timestamp < middle][-20:]
        return [m.to_payload(biggest.website_id, biggest.session_id) for m in older]

    some = convs[len(convs) // 2]
    person = next(iter(state.people.values()))

    print(f"queries on website {website_id} "
          f"({sum(1 for c in convs if c.website_id == website_id)} conversations):")
    timed("list conversations, page 1 by updated_at (+ payloads)", list_page)
    timed("unread and not resolved, page 1", unread_page)
    timed("waiting, oldest first, page 1", waiting_page)
    timed(f"search '{needle}' in last messages, page 1", text_search)
    timed(f"messages before the middle of the longest ({len(biggest.messages)})",
          message_batch)
    timed("get a conversation by session_id (payload)",
          lambda: state.conversations[some.session_id].to_payload(), repeat=50)
    timed("get a message by fingerprint",
          lambda: some.by_fp.get(some.messages[-1].fingerprint) if some.messages else None,
          repeat=50)
    timed("find a person by email", lambda: state.people_by_email.get(
        (person.website_id, person.email.lower())), repeat=50)
    timed("people of a website, page 1 sorted by updated_at", lambda: sorted(
        (p for p in state.people.values() if p.website_id == person.website_id),
        key=lambda p: p.updated_at, reverse=True)[:20])
    timed("full gc.collect() (a pause the server may see)", gc.collect, repeat=1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--websites", type=int, default=3)
    parser.add_argument("--operators", type=int, default=8)
    parser.add_argument("--people", type=int, default=None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--snapshot", type=Path, default=None,
                        help="also time dump + load of a snapshot at this path (.gz to "
                             "compress; a relative path goes to a temporary directory)")
    args = parser.parse_args(argv)
    sizes = Sizes(websites=args.websites, unsubscribed=1, operators=args.operators,
                  conversations=args.conversations, messages=args.messages, people=args.people)
    config = SandboxConfig(seed=args.seed, sizes=sizes, base_time=1_750_000_000_000)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus; sizes: {sizes}")
    baseline = peak_rss_mb()
    start = time.perf_counter()
    state = build_state(config)
    built = time.perf_counter() - start
    n_messages = sum(len(c.messages) for c in state.conversations.values())
    print(f"build: {built:.2f} s   peak RSS {peak_rss_mb():.0f} MB "
          f"(before build {baseline:.0f} MB)")
    print(f"counts: {len(state.websites)} websites "
          f"({len(state.subscribed_website_ids())} subscribed), {len(state.operators)} "
          f"operators, {len(state.people)} people, {len(state.conversations)} conversations, "
          f"{n_messages} messages")
    queries(state)
    if args.snapshot is not None:
        snapshot_times(state, args.snapshot)
    print(f"peak RSS at exit: {peak_rss_mb():.0f} MB")


def snapshot_times(state: SandboxState, path: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        target = path if path.is_absolute() else Path(tmp) / path
        start = time.perf_counter()
        snapshot.dump(state, target)
        dumped = time.perf_counter() - start
        size = target.stat().st_size / 1024 / 1024
        start = time.perf_counter()
        loaded = snapshot.load(target)
        read = time.perf_counter() - start
        print(f"snapshot {target}: {size:.1f} MB, dump {dumped:.2f} s, load {read:.2f} s, "
              f"{len(loaded.conversations)} conversations loaded")


if __name__ == "__main__":
    main()
