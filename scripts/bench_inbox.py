"""Benchmark of the whole inbox: requests spent to scroll through 2,000 conversations of one
filter, and Crisp's text search with the merge of its answer into the results.

A script that prints figures, not a test that asserts them. A sandbox (strict profile) is
seeded with enough conversations that one quick filter (Unresolved) holds at least
``--target`` of them on one website; the console's pager reads that view to its end, as a
scroll does, and counts its requests. Side by side, in the same run:

- ours: the pager (50 a page, the end known at the first empty page), quiet inbox;
- ours under churn: the same while conversations are resolved elsewhere during the scroll
  (each departure makes the next read start a page back, so no row is skipped);
- baseline: a client with Crisp's default page size (20, as node-crisp-api asks when
  ``per_page`` is not given) paging the same view with crisp-api's paging loop.

Then the text search: Crisp's answer for a few words (page 1 of each website in parallel),
the time to merge it into the store and the results list (``client/search.merge``) with the
local hits, p50/p95 over repeats.

    .venv/bin/python scripts/bench_inbox.py
    .venv/bin/python scripts/bench_inbox.py --target 500
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from crisp_console.client import ClientConfig, ConsoleClient
from crisp_console.client.search import merge
from crisp_console.core.views import Filter, quick_query
from crisp_console.sandbox.config import FaultConfig, SandboxConfig, Sizes
from crisp_console.sandbox.server import Sandbox
from crisp_console.storage.search import HIT_END, HIT_START, LocalHit
from crisp_console.types import Credentials

WORDS = ("VAT", "refund", "invoice", "shipping", "password")


def client_of(sandbox: Sandbox, per_page: int = 50) -> ConsoleClient:
    info = sandbox.info()
    return ConsoleClient(info["rest"], Credentials(info["identifier"], info["key"]),
                         config=ClientConfig(per_page=per_page, backfill=False,
                                             websites_refresh=3600.0))


async def scroll(sandbox: Sandbox, *, per_page: int, churn: int = 0) -> tuple[int, int, float]:
    """(requests, conversations shown, seconds) to read Unresolved of the biggest website."""
    client = client_of(sandbox, per_page)
    await client.start()
    try:
        state = sandbox.state
        wid = max(client.websites.ids(),
                  key=lambda w: sum(1 for _ in state.website_conversations(w)))
        query = quick_query(Filter.UNRESOLVED, None)
        assert query is not None
        pager = client.pager
        before = client.api.requests_by_purpose()["list"]
        start = time.perf_counter()
        pages = 0
        while not pager.listing(query, wid).done:
            await pager.read_next(query, wid)
            pages += 1
            if churn and pages % 2 == 0:  # resolved elsewhere while the operator scrolls
                shown = [c for c in state.website_conversations(wid)
                         if c.state != "resolved" and c.session_id in client.store.conversations]
                for conv in shown[:churn]:
                    state.set_state(conv, "resolved")
                await asyncio.sleep(0.05)  # the live events reach the store
        seconds = time.perf_counter() - start
        requests = client.api.requests_by_purpose()["list"] - before + 1  # + start-up's page
        expected = {c.session_id for c in state.website_conversations(wid)
                    if c.messages and c.state != "resolved"}
        missing = expected - set(client.store.conversations)
        if missing:
            print(f"  !! {len(missing)} unresolved conversations were skipped")
        return requests, len(expected), seconds
    finally:
        await client.aclose()


async def baseline(sandbox: Sandbox) -> int:
    """Requests of a plain paging loop at Crisp's default page size (20) for the same view."""
    client = client_of(sandbox, 20)
    await client.start()
    try:
        state = sandbox.state
        wid = max(client.websites.ids(),
                  key=lambda w: sum(1 for _ in state.website_conversations(w)))
        before = sum(client.api.requests_by_purpose().values())
        async for _conv in client.api.iter_conversations(wid, per_page=20,
                                                         filter_not_resolved=True):
            pass
        return sum(client.api.requests_by_purpose().values()) - before
    finally:
        await client.aclose()


async def search(sandbox: Sandbox, repeats: int) -> None:
    client = client_of(sandbox)
    await client.start()
    try:
        ids = client.websites.ids()
        asks, merges, found = [], [], 0
        for n in range(repeats):
            word = WORDS[n % len(WORDS)]
            start = time.perf_counter()
            answer = await client.search.server(word, ids)
            asked = time.perf_counter()
            local = [LocalHit(sid, client.store.conversations[sid].website_id, None, 0,
                              f"… {HIT_START}{word}{HIT_END} …", "message", float(i))
                     for i, sid in enumerate(answer.session_ids[::2])]
            rows = merge(local, answer.session_ids, client.store)
            merges.append((time.perf_counter() - asked) * 1000)
            asks.append((asked - start) * 1000)
            found = max(found, len(rows))
        print(f"text search, {len(ids)} websites in parallel, {repeats} searches "
              f"(up to {found} results):")
        print(f"  Crisp's answer (loopback sandbox, incl. store upsert): "
              f"p50 {statistics.median(asks):.1f} ms, p95 {pct(asks, 95):.1f} ms")
        print(f"  merge into the results list:                            "
              f"p50 {statistics.median(merges):.3f} ms, p95 {pct(merges, 95):.3f} ms")
    finally:
        await client.aclose()


def pct(values: list[float], p: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def main(target: int, repeats: int) -> None:
    # One website holds about half the conversations; a bit over half are not resolved.
    conversations = target * 4 + 400
    sizes = Sizes(websites=3, unsubscribed=1, conversations=conversations,
                  messages=conversations * 4)
    sandbox = Sandbox(SandboxConfig(sizes=sizes, faults=FaultConfig(daily_quota=0)))
    await sandbox.start()
    try:
        base = await baseline(sandbox)
        ours, shown, seconds = await scroll(sandbox, per_page=50)
        print(f"scrolling Unresolved to its end ({shown} conversations on one website):")
        print(f"  baseline (per_page 20, page until empty): {base:5d} requests")
        print(f"  ours (per_page 50, page until empty):     {ours:5d} requests "
              f"({seconds:.2f} s on loopback)")
        churned, shown2, _ = await scroll(sandbox, per_page=50, churn=3)
        print(f"  ours, 3 resolved elsewhere every 2 pages: {churned:5d} requests "
              f"({shown2} left to show; a page read again after each departure)")
        await search(sandbox, repeats)
    finally:
        await sandbox.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", type=int, default=2000,
                        help="conversations of the filter to scroll through (default 2000)")
    parser.add_argument("--repeats", type=int, default=40)
    args = parser.parse_args()
    asyncio.run(main(args.target, args.repeats))
