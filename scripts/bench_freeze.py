"""Benchmark of the issue's freeze (issue 15): how soon the console says "Not responding"
once Crisp stops answering, and how soon live events flow again once it is back.

A script that prints figures, not a test that asserts them. Each scenario starts a sandbox
in a process of its own (``crisp-sandbox --json``) and a ConsoleClient with the app's
default settings, then:

- ``freeze N``: SIGSTOP for N s (its sockets stay open, nothing answers), then SIGCONT. A
  REST request is sent at the freeze. Measured: SIGSTOP -> "Not responding" (the client's
  health: the live feed's silence, and the request's), and SIGCONT -> connected and
  answering again, and -> the first live event delivered;
- ``down N``: the sandbox's ``POST /_sandbox/restart {down_ms}`` (its port refuses
  connections for N s, then the same world is served again). Measured: back -> the first
  live event delivered.

Live events: once the server should answer again, a visitors-count change is simulated
every 0.1 s through the admin API until one reaches the client (so the figures are to
0.1 s). "before" runs the same scenarios on another checkout (``--before``, e.g. main),
imported in a child process of its own; "after" on this one:

    .venv/bin/python scripts/bench_freeze.py --before /work/main      # ~4 min
    .venv/bin/python scripts/bench_freeze.py --freeze 20 --long 0 --down 0   # after only
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TICK = 0.1  # the admin's live-event cadence while waiting for one to arrive
GIVE_UP = 120.0  # seconds to wait for live events before saying "never"


# ---- the child: scenarios on the code PYTHONPATH imports ------------------------------------


class Run:
    """One sandbox process and one client, with every moment that matters recorded."""

    def __init__(self) -> None:
        self.t0 = time.monotonic()
        self.marks: dict[str, float] = {}
        self.counts: list[tuple[float, int]] = []  # (when, visitors_count) delivered live
        self.proc: asyncio.subprocess.Process | None = None
        self.info: dict[str, Any] = {}
        self.client: Any = None

    def mark(self, name: str) -> None:
        self.marks.setdefault(name, time.monotonic())

    async def start(self) -> None:
        from crisp_console.client import ClientConfig, ConnectionState, ConsoleClient
        from crisp_console.types import Credentials

        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "crisp_console.sandbox", "--json", "--port", "0",
            "--conversations", "20", "--quota", "0",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL)
        assert self.proc.stdout is not None
        self.info = json.loads(await self.proc.stdout.readline())
        client = ConsoleClient(self.info["rest"],
                               Credentials(self.info["identifier"], self.info["key"]),
                               config=ClientConfig(backfill=False))
        self.client = client

        def on_health(health: Any) -> None:
            if getattr(health, "feed_silent_since", None) is not None:
                self.mark("feed_silent")
            if getattr(health, "requests_unanswered_since", None) is not None:
                self.mark("requests_unanswered")
            if hasattr(health, "not_responding") and not health.not_responding \
                    and "thaw" in self.marks:
                self.mark("answering")

        def on_event(name: str, payload: Any) -> None:
            if name == "website:update_visitors_count":
                self.counts.append((time.monotonic(), payload["visitors_count"]))

        def on_state(state: Any) -> None:
            if state is ConnectionState.CONNECTED and "thaw" in self.marks:
                self.mark("connected")

        client.add_health_observer(on_health)
        client.add_event_listener(on_event)
        client.gateway.add_state_observer(on_state)
        await client.start()

    async def admin(self, method: str, path: str, body: dict[str, Any]) -> None:
        import httpx

        async with httpx.AsyncClient(base_url=self.info["admin"], timeout=30.0,
                                     headers={"X-Sandbox-Token": self.info["admin_token"]}) \
                as admin:
            await admin.request(method, path, json=body)

    async def first_live_event(self, since: float) -> float | None:
        """Simulate a visitors count every TICK until one arrives live; its delay after
        ``since`` (None: none within GIVE_UP)."""
        count = 1000
        while time.monotonic() - since < GIVE_UP:
            count += 1
            with contextlib.suppress(Exception):  # the server is still down: ask again
                await asyncio.wait_for(self.admin("POST", "simulate",
                                                  {"action": "visitors", "count": count}), 5)
            await asyncio.sleep(TICK)
            arrived = [when for when, _ in self.counts if when >= since]
            if arrived:
                return arrived[0] - since
        return None

    async def close(self) -> None:
        if self.client is not None:
            await self.client.aclose()
        if self.proc is not None:
            os.kill(self.proc.pid, signal.SIGCONT)
            self.proc.terminate()
            await asyncio.wait_for(self.proc.wait(), 15)

    def since(self, start: str, end: str) -> float | None:
        if start not in self.marks or end not in self.marks:
            return None
        return round(self.marks[end] - self.marks[start], 2)


def words_of(client: Any) -> str:
    """What the status bar says of the connection (its first words, without the UI)."""
    if getattr(client.health, "not_responding", False):
        return "Not responding"
    state = client.gateway.state.value
    return {"connected": "Connected", "reconnecting": "Reconnecting"}.get(state, state)


async def freeze(seconds: float) -> dict[str, Any]:
    run = Run()
    try:
        await run.start()
        await asyncio.sleep(3.0)  # some quiet first, as in a shift
        assert run.proc is not None
        os.kill(run.proc.pid, signal.SIGSTOP)
        run.mark("freeze")
        website = run.info["websites"][0]
        request = asyncio.ensure_future(run.client.api.request("GET", f"website/{website}"))
        await asyncio.sleep(seconds)
        said = words_of(run.client)
        os.kill(run.proc.pid, signal.SIGCONT)
        run.mark("thaw")
        live = await run.first_live_event(run.marks["thaw"])
        await asyncio.gather(request, return_exceptions=True)
        return {"said": said, "feed_silent": run.since("freeze", "feed_silent"),
                "requests_unanswered": run.since("freeze", "requests_unanswered"),
                "answering": run.since("thaw", "answering"),
                "connected_again": run.since("thaw", "connected"),
                "live_event": None if live is None else round(live, 2)}
    finally:
        await run.close()


async def down(seconds: float) -> dict[str, Any]:
    run = Run()
    try:
        await run.start()
        await asyncio.sleep(3.0)
        await run.admin("POST", "restart", {"down_ms": int(seconds * 1000)})
        back = time.monotonic() + seconds
        await asyncio.sleep(seconds)
        live = await run.first_live_event(back)
        return {"live_event": None if live is None else round(live, 2)}
    finally:
        await run.close()


async def child(args: argparse.Namespace) -> None:
    from crisp_console.client import Health

    results: dict[str, Any] = {"honest": hasattr(Health, "not_responding")}
    if args.freeze:
        results["freeze"] = await freeze(args.freeze)
    if args.long:
        results["long"] = await freeze(args.long)
    if args.down:
        results["down"] = await down(args.down)
    print(json.dumps(results), flush=True)


# ---- the parent: before and after, side by side ---------------------------------------------


def run_tree(tree: Path, args: argparse.Namespace) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    command = [sys.executable, __file__, "--child", "--freeze", str(args.freeze),
               "--long", str(args.long), "--down", str(args.down)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    line = done.stdout.strip().splitlines()[-1]
    result: dict[str, Any] = json.loads(line)
    return result


def words(value: Any) -> str:
    return "never" if value is None else f"{value:.2f} s"


def show(label: str, figures: dict[str, dict[str, Any]], args: argparse.Namespace) -> None:
    rows: list[tuple[str, str]] = []
    for key, seconds in (("freeze", args.freeze), ("long", args.long)):
        if key not in figures:
            continue
        f = figures[key]
        rows += [
            (f"freeze {seconds:g} s: the status just before SIGCONT", f["said"]),
            (f"freeze {seconds:g} s: SIGSTOP -> Not responding (live feed)",
             words(f["feed_silent"])),
            (f"freeze {seconds:g} s: SIGSTOP -> Not responding (a request sent then)",
             words(f["requests_unanswered"])),
            (f"freeze {seconds:g} s: SIGCONT -> answering again",
             words(f["answering"]) if figures["honest"] else "n/a"),
            (f"freeze {seconds:g} s: SIGCONT -> reconnected (if it had to)",
             words(f["connected_again"]) if f["connected_again"] is not None else "kept"),
            (f"freeze {seconds:g} s: SIGCONT -> first live event", words(f["live_event"])),
        ]
    if "down" in figures:
        rows.append((f"down {args.down:g} s: back -> first live event",
                     words(figures["down"]["live_event"])))
    print(f"\n{label}")
    for name, value in rows:
        print(f"  {name:<62} {value:>10}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, default=None,
                        help="another checkout to measure first (e.g. /work/main)")
    parser.add_argument("--freeze", type=float, default=20.0, help="SIGSTOP seconds (0: skip)")
    parser.add_argument("--long", type=float, default=60.0,
                        help="a longer freeze, past the socket's give-up (0: skip)")
    parser.add_argument("--down", type=float, default=20.0,
                        help="seconds the port refuses connections (0: skip)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        asyncio.run(child(args))
        return
    if args.before is not None:
        show(f"before ({args.before})", run_tree(args.before, args), args)
    show(f"after ({ROOT})", run_tree(ROOT, args), args)


if __name__ == "__main__":
    main()
