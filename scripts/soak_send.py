"""Figures for the send path (issue 11) against the strict sandbox. Prints; asserts nothing.

1. ``--replies`` replies (default 1,000) through the console's own send path, 25 at a time
   into 5 conversations, with 20% 5xx and 5% resets (half of them after the message was
   stored), 429 bursts with Retry-After 0, none and 2 s, and 3 sandbox restarts: how many
   are stored, duplicated, lost, and what each send cost in requests.
2. ``--concurrent`` sends (default 4,000) into one conversation at once: lost, mixed up,
   time to confirm them all.
3. A spent daily quota: how soon the reply says so, and the requests that follow while it
   stays spent (``--quota-watch`` seconds, default 130; the real 60 s probe interval).

Usage: python scripts/soak_send.py [--replies 1000] [--concurrent 4000] [--quota-watch 130]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import httpx

from crisp_console.client import ClientConfig, ConsoleClient
from crisp_console.core import Message, MessageStatus
from crisp_console.errors import CrispError
from crisp_console.sandbox.config import FaultConfig, SandboxConfig, Sizes
from crisp_console.sandbox.model import Conversation
from crisp_console.sandbox.server import Sandbox
from crisp_console.types import Credentials


class Counting(httpx.AsyncBaseTransport):
    """The client's transport, counting the requests that go out (method, time)."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.sent: list[tuple[str, float]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append((request.method, time.monotonic()))
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def setup(**faults: Any) -> tuple[Sandbox, ConsoleClient, Counting, httpx.AsyncClient]:
    sandbox = Sandbox(SandboxConfig(sizes=Sizes.tiny(), faults=FaultConfig(daily_quota=0,
                                                                          **faults)))
    await sandbox.start()
    info = sandbox.info()
    counting = Counting()
    client = ConsoleClient(info["rest"], Credentials(info["identifier"], info["key"]),
                           config=ClientConfig(websites_refresh=3600.0), transport=counting)
    await client.start()
    admin = httpx.AsyncClient(base_url=f"{sandbox.base_url}/_sandbox/",
                              headers={"X-Sandbox-Token": sandbox.admin_token}, timeout=10.0)
    return sandbox, client, counting, admin


async def teardown(sandbox: Sandbox, client: ConsoleClient, admin: httpx.AsyncClient) -> None:
    await admin.aclose()
    await client.aclose()
    await sandbox.stop()


async def settle(client: ConsoleClient, done: Callable[[], bool], limit: float) -> None:
    """Wait until ``done()`` (checked on every store change), at most ``limit`` seconds."""
    changed = asyncio.Event()
    unsubscribe = client.store.subscribe(lambda *_: changed.set())
    deadline = time.monotonic() + limit
    try:
        while not done() and time.monotonic() < deadline:
            changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), deadline - time.monotonic())
    finally:
        unsubscribe()


def tally(convs: Sequence[Conversation], prefix: str, sent: Sequence[Message]) -> str:
    stored = Counter((c.session_id, m.fingerprint, m.content) for c in convs
                     for m in c.messages if str(m.content).startswith(prefix))
    wanted = {(m.session_id, m.fingerprint, m.content) for m in sent}
    lost = sum(1 for key in wanted if stored[key] == 0)
    dups = sum(n - 1 for n in stored.values() if n > 1)
    strays = sum(n for key, n in stored.items() if key not in wanted)
    return (f"{sum(stored.values())} stored for {len(sent)} sends: {lost} lost, "
            f"{dups} duplicated, {strays} mixed up")


async def faults(replies: int) -> None:
    sandbox, client, counting, admin = await setup(error_rate=0.2, reset_rate=0.05,
                                                   late_fraction=0.5)
    client.api.gate.probe_interval = 2.0  # a burst without Retry-After reads as a spent quota
    convs = [sandbox.state.conversations[s] for s in list(client.store.conversations)[:5]]
    slots = asyncio.Semaphore(25)
    failures: Counter[str] = Counter()

    async def send(i: int) -> Message:
        async with slots:
            try:
                return await client.send_text(convs[i % 5].session_id, f"soak {i}")
            except CrispError as exc:  # FAILED in the thread; counted, retried below
                failures[type(exc).__name__] += 1
                return next(m for m in client.store.messages(convs[i % 5].session_id)
                            if m.content == f"soak {i}")

    async def chaos() -> None:
        for retry_after in (0.0, None, 2.0):
            await asyncio.sleep(2.0)
            await admin.patch("faults", json={"burst_429": 10, "retry_after": retry_after})
            await asyncio.sleep(2.0)
            await admin.post("restart", json={"down_ms": 500})

    before = len(counting.sent)
    started = time.monotonic()
    agitator = asyncio.ensure_future(chaos())
    sent = list(await asyncio.gather(*(send(i) for i in range(replies))))
    await agitator
    await admin.patch("faults", json={"error_rate": 0.0, "reset_rate": 0.0})
    # What an operator would do with what stayed FAILED: wait for the queue, then Retry.
    await settle(client, lambda: all(m.status is MessageStatus.SENT for m in sent), 30)
    retried = 0
    for m in sent:
        if m.status is MessageStatus.FAILED:
            retried += 1
            await client.retry_send(m.session_id, m.fingerprint)
    elapsed = time.monotonic() - started
    stats = client.sender.stats
    methods = Counter(method for method, _ in counting.sent[before:])
    print(f"faults: {replies} replies in {elapsed:.1f} s; {tally(convs, 'soak ', sent)}")
    print(f"  failed to the caller: {dict(failures) or 'none'}; Retry by hand: {retried}")
    print(f"  per send: {sum(methods.values()) / replies:.2f} requests in all, "
          f"{methods['POST'] / replies:.2f} POST, {methods['GET'] / replies:.2f} GET "
          f"({stats.pages / replies:.2f} history batches before a retry); ambiguous sends "
          f"proved stored: {stats.found} by a read, {stats.echoed} by Crisp's echo")
    await teardown(sandbox, client, admin)


async def concurrent(count: int) -> None:
    sandbox, client, _, admin = await setup()
    sid = next(iter(client.store.conversations))
    conv = sandbox.state.conversations[sid]
    started = time.monotonic()
    sent = await asyncio.gather(*(client.send_text(sid, f"together {i}")
                                  for i in range(count)))
    elapsed = time.monotonic() - started
    mixed = sum(1 for i, m in enumerate(sent) if m.content != f"together {i}"
                or conv.by_fp[m.fingerprint].content != m.content)
    print(f"concurrent: {count} sends into one conversation confirmed in {elapsed:.1f} s "
          f"({count / elapsed:,.0f}/s); {tally([conv], 'together ', sent)}; "
          f"{mixed} confirmed with another's content")
    await teardown(sandbox, client, admin)


async def quota(watch: float) -> None:
    sandbox, client, counting, admin = await setup()
    sid = next(iter(client.store.conversations))
    used = (await admin.get("quota")).json()["data"]["used"]
    await admin.patch("faults", json={"daily_quota": used})
    started = time.monotonic()
    with contextlib.suppress(CrispError):
        await client.send_text(sid, "after the quota")
    said = time.monotonic() - started
    message = client.store.messages(sid)[-1]
    print(f"quota: the reply said so after {said:.2f} s: {message.status.value}, "
          f"{message.error!r}")
    mark = len(counting.sent)
    await asyncio.sleep(watch)
    after = counting.sent[mark:]
    print(f"  then {len(after)} requests in {watch:.0f} s "
          f"({len(after) / (watch / 60):.2f} a minute): {Counter(m for m, _ in after)}")
    await admin.post("quota/reset")
    reset_at = time.monotonic()
    await settle(client, lambda: message.status is MessageStatus.SENT, 90)
    print(f"  quota reset: the queued reply {message.status.value} "
          f"{time.monotonic() - reset_at:.1f} s later (the next probe)")
    await teardown(sandbox, client, admin)


async def main(args: argparse.Namespace) -> None:
    await faults(args.replies)
    await concurrent(args.concurrent)
    if args.quota_watch > 0:
        await quota(args.quota_watch)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replies", type=int, default=1000)
    parser.add_argument("--concurrent", type=int, default=4000)
    parser.add_argument("--quota-watch", type=float, default=130.0)
    asyncio.run(main(parser.parse_args()))
