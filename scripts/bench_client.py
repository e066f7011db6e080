"""End-to-end event rate: sandbox state change -> RTM socket -> gateway -> Store.apply.

Prints figures; asserts nothing. Both ends share one loop (and so one core), as in a test.
Usage: python scripts/bench_client.py [--events 20000] [--conversations 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import time

from crisp_console.client import ConsoleClient
from crisp_console.sandbox.config import FaultConfig, SandboxConfig, Sizes
from crisp_console.sandbox.server import Sandbox
from crisp_console.types import Credentials


async def main(events: int, conversations: int) -> None:
    sizes = Sizes(conversations=conversations, messages=conversations * 5)
    sandbox = Sandbox(SandboxConfig(sizes=sizes, faults=FaultConfig(daily_quota=0)))
    await sandbox.start()
    info = sandbox.info()
    client = ConsoleClient(info["rest"], Credentials(info["identifier"], info["key"]))
    t0 = time.perf_counter()
    await client.start()
    print(f"start-up: {time.perf_counter() - t0:.2f} s, "
          f"{len(client.store.conversations)} conversations loaded")
    applied = 0
    expected = events  # at least: each change emits one event (some emit a second)
    done = asyncio.Event()

    def count(name: str, payload: object) -> None:
        nonlocal applied
        applied += 1
        if applied >= expected:
            done.set()

    client.add_event_listener(count)
    state = sandbox.state
    convs = [state.conversations[s] for s in client.store.conversations]
    t0 = time.perf_counter()
    for i in range(events):
        conv = convs[i % len(convs)]
        if i % 3 == 0:
            state.add_message(conv, type="text", from_="user", origin="chat",
                              content=f"bench {i}", user=conv.visitor)
        else:
            state.compose(conv, kind="start", from_="user", excerpt=f"typing {i}")
    await done.wait()
    elapsed = time.perf_counter() - t0
    print(f"{applied} events socket -> store in {elapsed:.2f} s = {applied / elapsed:,.0f} "
          f"events/s (server emit + socket.io + apply, one loop)")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB "
          "(sandbox and client in one process)")
    await client.aclose()
    await sandbox.stop()


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--events", type=int, default=20000)
    p.add_argument("--conversations", type=int, default=2000)
    a = p.parse_args()
    asyncio.run(main(a.events, a.conversations))
