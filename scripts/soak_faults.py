"""Fault soak (issue 11): the console against the strict sandbox. Prints figures; asserts nothing.

The sandbox runs in a child process (``python -m crisp_console.sandbox``, strict profile), as
Crisp would be: another process the console reaches over loopback. What is on the server is
read back over REST, with the faults off, once each run is over.

1. ``replies``: 1,000 replies through the console's own send path, 25 at a time into 5
   conversations, with 20% 5xx and 5% resets (half of them after the message was stored),
   429 bursts with Retry-After 0, none and 2 s, and 3 sandbox restarts. Replies the
   console failed are retried as an operator would. Stored, duplicated, lost, mixed up.
2. ``concurrent``: 4,000 sends into one conversation at once: lost, mixed up, time.
3. ``outages``: a 60 s run at 50 visitor actions/s with three 6 s REST outages (every
   request reset): conversations updated during the run that the console lacks at the end.
4. ``quota``: the daily quota runs out: how soon the console says so, and how many
   requests follow while it stays spent (the real 60 s probe interval).

``--client-tree DIR`` runs the console from another checkout (e.g. a worktree of an older
commit) against this tree's sandbox: the baseline of the ``outages`` figure.

Usage: python scripts/soak_faults.py [--only replies concurrent outages quota]
           [--replies 1000] [--concurrent 4000] [--run 60] [--quota-watch 130]
"""

from __future__ import annotations

import argparse
import sys

if __name__ == "__main__":  # the console under test may come from another checkout
    _early = argparse.ArgumentParser(add_help=False)
    _early.add_argument("--client-tree")
    _tree = _early.parse_known_args()[0].client_tree
    if _tree:
        sys.path.insert(0, _tree)

import asyncio
import contextlib
import json
import os
import subprocess
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx

from crisp_console.client import ClientConfig, ConsoleClient
from crisp_console.core import Message, MessageStatus
from crisp_console.errors import CrispError
from crisp_console.types import Credentials

ROOT = Path(__file__).resolve().parents[1]


class Counting(httpx.AsyncBaseTransport):
    """The console's transport, counting the requests it sends (method, monotonic time)."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.sent: list[tuple[str, float]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append((request.method, time.monotonic()))
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


class Crisp:
    """The sandbox child: its connection details, its admin API and a plain REST reader."""

    def __init__(self, *args: str) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}  # this tree's sandbox, always
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "crisp_console.sandbox", "--json", "--port", "0",
             "--quota", "0", "--seed", "11", *args],
            stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env, text=True)
        assert self.proc.stdout is not None
        self.info: dict[str, Any] = json.loads(self.proc.stdout.readline())
        self.admin = httpx.AsyncClient(base_url=self.info["admin"], timeout=30.0,
                                       headers={"X-Sandbox-Token": self.info["admin_token"]})
        self.rest = httpx.AsyncClient(base_url=self.info["rest"], timeout=30.0,
                                      auth=(self.info["identifier"], self.info["key"]),
                                      headers={"X-Crisp-Tier": "plugin"})

    async def faults(self, **changes: Any) -> None:
        (await self.admin.patch("faults", json=changes)).raise_for_status()

    async def get(self, path: str, **params: Any) -> Any:
        response = await self.rest.get(path, params=params)
        response.raise_for_status()
        return response.json()["data"]

    async def messages(self, website_id: str, session_id: str) -> list[dict[str, Any]]:
        """Every message of a conversation, paging back with timestamp_before (the sandbox
        never splits a run of equal timestamps between batches)."""
        out: list[dict[str, Any]] = []
        before: int | None = None
        path = f"website/{website_id}/conversation/{session_id}/messages"
        while True:
            batch = await self.get(path, **({"timestamp_before": before} if before else {}))
            if not batch:
                return out
            out = batch + out
            before = min(m["timestamp"] for m in batch)

    async def conversations_since(self, since_ms: int) -> AsyncIterator[dict[str, Any]]:
        for website_id in self.info["websites"]:
            page = 1
            while True:
                batch = await self.get(f"website/{website_id}/conversations/{page}",
                                       per_page=50, order_date_updated=1)
                for conv in batch:
                    if conv["updated_at"] >= since_ms:
                        yield conv
                if not batch or batch[-1]["updated_at"] < since_ms:
                    break
                page += 1

    async def aclose(self) -> None:
        await self.admin.aclose()
        await self.rest.aclose()
        self.proc.terminate()
        self.proc.wait(10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


async def console(crisp: Crisp, counting: Counting | None = None) -> ConsoleClient:
    info = crisp.info
    client = ConsoleClient(info["rest"], Credentials(info["identifier"], info["key"]),
                           config=ClientConfig(websites_refresh=3600.0), transport=counting)
    await client.start()
    return client


async def until(client: ConsoleClient, done: Callable[[], bool], limit: float) -> bool:
    """Wait until ``done()`` (checked on every store change and every second)."""
    changed = asyncio.Event()
    unsubscribe = client.store.subscribe(lambda *_: changed.set())
    deadline = time.monotonic() + limit
    try:
        while not done():
            if time.monotonic() > deadline:
                return False
            changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), 1.0)
        return True
    finally:
        unsubscribe()


async def tally(crisp: Crisp, client: ConsoleClient, sent: list[Message], prefix: str) -> str:
    """What the server holds for ``sent`` (read over REST): stored, lost, duplicated, mixed."""
    await crisp.faults(error_rate=0.0, reset_rate=0.0, burst_429=0)
    stored: Counter[tuple[str, int, str]] = Counter()
    for sid in {m.session_id for m in sent}:
        website_id = client.store.conversations[sid].website_id
        stored.update((sid, m["fingerprint"], m["content"])
                      for m in await crisp.messages(website_id, sid)
                      if isinstance(m["content"], str) and m["content"].startswith(prefix))
    wanted = {(m.session_id, m.fingerprint, m.content) for m in sent}
    contents = Counter(content for _, _, content in stored.elements())
    lost = sum(1 for m in sent if contents[m.content] == 0)
    duplicated = sum(n - 1 for n in contents.values() if n > 1)
    mixed = sum(n for key, n in stored.items() if key not in wanted)
    return (f"{sum(stored.values())} on the server for {len(sent)} replies: {lost} lost, "
            f"{duplicated} duplicated, {mixed} stored under another reply's fingerprint")


async def replies(count: int) -> None:
    crisp = Crisp("--conversations", "60")
    counting = Counting()
    client = await console(crisp, counting)
    await crisp.faults(error_rate=0.2, reset_rate=0.05, late_fraction=0.5)
    sids = list(client.store.conversations)[:5]
    slots = asyncio.Semaphore(25)
    failed: Counter[str] = Counter()

    async def reply(i: int) -> Message:
        sid, text = sids[i % 5], f"soak {i}"
        async with slots:
            try:
                return await client.replies.send_text(sid, text)
            except CrispError as exc:  # FAILED in the thread, with words
                failed[type(exc).__name__] += 1
                return next(m for m in client.store.messages(sid) if m.content == text)

    async def chaos() -> None:
        # A burst is a spell of time, as a rate limiter's is (the sandbox counts requests:
        # a huge count, ended by hand). Without Retry-After it reads as a spent quota: the
        # console holds replies until a probe, once a minute, finds Crisp answering again.
        for retry_after in (0.0, None, 2.0):
            await asyncio.sleep(3.0)
            await crisp.faults(burst_429=1_000_000, retry_after=retry_after)
            await asyncio.sleep(2.0)
            await crisp.faults(burst_429=0)
            await asyncio.sleep(1.0)
            await crisp.admin.post("restart", json={"down_ms": 1000})

    started, before = time.monotonic(), len(counting.sent)
    agitator = asyncio.ensure_future(chaos())
    sent = list(await asyncio.gather(*(reply(i) for i in range(count))))
    await agitator
    # Replies held by a "quota" (the burst without Retry-After) go out after the next probe.
    await until(client, lambda: all(m.status is MessageStatus.SENT for m in sent), 150)
    by_hand = [m for m in sent if m.status is MessageStatus.FAILED]
    for m in by_hand:  # what an operator does with a reply that says "not sent"
        with contextlib.suppress(CrispError):
            await client.replies.retry_send(m.session_id, m.fingerprint)
    elapsed = time.monotonic() - started
    methods = Counter(method for method, _ in counting.sent[before:])
    stats = client.sender.stats
    print(f"replies: {count} in {elapsed:.1f} s; {await tally(crisp, client, sent, 'soak ')}")
    print(f"  failed to the caller at first: {dict(failed) or 'none'}; retried by hand: "
          f"{len(by_hand)}; still not sent: "
          f"{sum(m.status is not MessageStatus.SENT for m in sent)}")
    print(f"  per reply: {sum(methods.values()) / count:.2f} requests "
          f"({methods['POST'] / count:.2f} POST, {methods['GET'] / count:.2f} GET); "
          f"in-doubt replies proved stored by a read: {stats.found}, by Crisp's echo: "
          f"{stats.echoed}")
    await client.aclose()
    await crisp.aclose()


async def concurrent(count: int) -> None:
    crisp = Crisp("--conversations", "60")
    client = await console(crisp)
    sid = next(iter(client.store.conversations))
    started = time.monotonic()
    outcome = await asyncio.gather(*(client.replies.send_text(sid, f"together {i}")
                                     for i in range(count)), return_exceptions=True)
    elapsed = time.monotonic() - started
    sent = [m for m in outcome if isinstance(m, Message)]
    wrong = sum(1 for i, m in enumerate(outcome)
                if not isinstance(m, Message) or m.content != f"together {i}")
    print(f"concurrent: {count} sends into one conversation done in {elapsed:.1f} s "
          f"({count / elapsed:,.0f}/s), {wrong} not confirmed with their own content; "
          f"{await tally(crisp, client, sent, 'together ')}")
    await client.aclose()
    await crisp.aclose()


async def outages(run: float) -> None:
    crisp = Crisp("--conversations", "300")
    client = await console(crisp)
    started_ms = int(time.time() * 1000)
    await crisp.admin.patch("simulator", json={"rate": 50})
    windows = [(run * f, run * f + 6.0) for f in (1 / 6, 28 / 60, 46 / 60)]
    t0 = time.monotonic()
    for begin, end in windows:
        await asyncio.sleep(max(0.0, begin - (time.monotonic() - t0)))
        await crisp.faults(reset_rate=1.0)
        await asyncio.sleep(end - begin)
        await crisp.faults(reset_rate=0.0)
    await asyncio.sleep(max(0.0, run - (time.monotonic() - t0)))
    await crisp.admin.patch("simulator", json={"rate": 0})
    caught = time.monotonic()
    health = getattr(client, "health", None)
    if health is not None:  # this tree's console says when it is owed nothing
        await until(client, lambda: not client.health.catching_up, 300)
    else:  # an older console cannot say: give it as long as a catch-up may take
        await asyncio.sleep(30)
    settled = time.monotonic() - caught
    server = [c async for c in crisp.conversations_since(started_ms)]
    missing = [c for c in server if c["session_id"] not in client.store.conversations]
    waiting = sum(1 for c in missing if c.get("state") == "pending")
    print(f"outages: {run:.0f} s at 50 actions/s with three 6 s REST outages: "
          f"{len(server)} conversations updated, {len(missing)} missing at the end "
          f"({waiting} of them pending); caught up {settled:.1f} s after the run")
    await client.aclose()
    await crisp.aclose()


async def quota(watch: float) -> None:
    crisp = Crisp("--conversations", "60")
    counting = Counting()
    client = await console(crisp, counting)
    sid = next(iter(client.store.conversations))
    used = (await crisp.admin.get("quota")).json()["data"]["used"]
    await crisp.faults(daily_quota=used)  # spent from now on
    await crisp.admin.patch("simulator", json={"rate": 1})  # new visitors keep arriving
    started = time.monotonic()
    with contextlib.suppress(CrispError):
        await client.replies.send_text(sid, "after the quota")
    said = time.monotonic() - started
    message = next(m for m in reversed(client.store.messages(sid))
                   if m.content == "after the quota")
    print(f"quota: the reply said so after {said:.2f} s ({message.status.value}: "
          f"{message.error}); health: resets at {client.health.quota_resets_at}")
    mark = len(counting.sent)
    await asyncio.sleep(watch)
    after = counting.sent[mark:]
    print(f"  then {len(after)} requests in {watch:.0f} s ({len(after) / (watch / 60):.2f} a "
          f"minute, with a visitor action every second): {dict(Counter(m for m, _ in after))}")
    await crisp.faults(daily_quota=5000)  # a new day's quota
    await crisp.admin.post("quota/reset")
    reset = time.monotonic()
    await until(client, lambda: message.status is MessageStatus.SENT, 120)
    print(f"  after the quota reset the held reply was {message.status.value} "
          f"{time.monotonic() - reset:.1f} s later (at the next probe)")
    await client.aclose()
    await crisp.aclose()


async def main(args: argparse.Namespace) -> None:
    scenarios = {"replies": lambda: replies(args.replies),
                 "concurrent": lambda: concurrent(args.concurrent),
                 "outages": lambda: outages(args.run),
                 "quota": lambda: quota(args.quota_watch)}
    for name in args.only or list(scenarios):
        await scenarios[name]()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--only", nargs="*", choices=["replies", "concurrent", "outages",
                                                       "quota"])
    parser.add_argument("--replies", type=int, default=1000)
    parser.add_argument("--concurrent", type=int, default=4000)
    parser.add_argument("--run", type=float, default=60.0, help="outage run, seconds")
    parser.add_argument("--quota-watch", type=float, default=130.0)
    parser.add_argument("--client-tree", help="import the console from this checkout")
    asyncio.run(main(parser.parse_args()))
