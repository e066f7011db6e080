"""bench_storage.py's parts 3 and 4, both sides: the parent's tables and the children.

3. a scripted shift through the client's API (no UI): a warm start, then opens, replies and
   resolves spread evenly over the wall time, the sandbox's simulator on, the websites poll
   at the compressed pace; requests counted by route on the sandbox's side, sorted by kind;
4. the client's loop under 500 events/s (bench_ui's traffic), with the database and without:
   the gaps of a 5 ms timer, each told by what it overlapped (an encode, a write's fn on the
   writer thread, a garbage collection).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import json
import os
import random
import shutil
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench_storage_children import client_for, counts, in_step, key, simulator, until
from bench_ui import fetch_conversations, percentile

if TYPE_CHECKING:
    from bench_storage import Run

    from crisp_console.client import ConsoleClient

QUOTA = 5000  # the plugin token's daily quota, shared by every console on it
MAX_RATE = 50  # the simulator's actions per second (sandbox/simulator.py MAX_RATE)
TICK = 0.005  # the stall probe's timer

# Route -> what it is for (crisp-api.md names); the order is the table's.
KINDS = (
    ("GET /plugin/connect/session", "start-up: token, account, websites, operators"),
    ("GET /plugin/connect/account", "start-up: token, account, websites, operators"),
    ("GET /plugin/connect/websites/all/{page}", "start-up: token, account, websites, operators"),
    ("GET /website/{website_id}", "start-up: token, account, websites, operators"),
    ("GET /website/{website_id}/operators/list", "start-up: token, account, websites, operators"),
    ("GET /plugin/connect/endpoints", "live feed address"),
    ("GET /website/{website_id}/conversations/{page}", "list conversations (pages, reconcile)"),
    ("GET /plugin/connect/websites/since", "websites since (reconcile, poll)"),
    ("GET /plugins/subscription/{website_id}/{plugin_id}/settings", "team settings (ui)"),
    ("GET /website/{website_id}/conversation/{session_id}/messages", "open: messages"),
    ("GET /website/{website_id}/conversation/{session_id}/pages/{page}", "open: people panel"),
    ("GET /website/{website_id}/conversation/{session_id}/events/{page}", "open: people panel"),
    ("GET /website/{website_id}/people/profile/{people_id}", "open: people panel"),
    ("GET /website/{website_id}/people/data/{people_id}", "open: people panel"),
    ("GET /website/{website_id}/people/events/{people_id}/list/{page}", "open: people panel"),
    ("GET /website/{website_id}/people/conversations/{people_id}/list/{page}",
     "open: people panel"),
    ("PATCH /website/{website_id}/conversation/{session_id}/read", "read marks"),
    ("POST /website/{website_id}/conversation/{session_id}/message", "replies"),
    ("PATCH /website/{website_id}/conversation/{session_id}/state", "resolves"),
    ("GET /website/{website_id}/conversation/{session_id}", "conversations heard of live"),
)
KIND = dict(KINDS)
ORDER = list(dict.fromkeys(kind for _, kind in KINDS))


def by_kind(routes: Counter[str]) -> Counter[str]:
    out = Counter[str]()
    for route, n in routes.items():
        out[KIND.get(route, f"other: {route}")] += n
    return out


def delta(after: dict[str, Any], before: dict[str, Any], key: str = "requests") -> Counter[str]:
    out = Counter(after[key])
    out.subtract(before[key])
    return +out


def short(route: str) -> str:
    path = route.split(" ", 1)[1]
    for name, brief in (("website_id", "w"), ("session_id", "s"), ("people_id", "p"),
                        ("plugin_id", "plugin")):
        path = path.replace(f"{{{name}}}", f"{{{brief}}}")
    return path.removeprefix("/website/{w}/conversation/{s}").removeprefix("/website/{w}/") \
        or path


def routes_line(c: Counter[str]) -> str:
    return ", ".join(f"{short(route)} {n}"
                     for route, n in sorted(c.items(), key=lambda kv: (-kv[1], kv[0])))


# ---- 3: the shift (parent) ---------------------------------------------------------------


def shift(run: Run) -> None:
    args = run.args
    args.traffic = min(args.traffic, int(MAX_RATE * args.shift_seconds))
    results = []
    for people in (True, False):
        db = run.tmp / f"shift-{int(people)}"
        # Each variant starts warm from a copy of the database part 1 left (cold without).
        if (run.tmp / "warm").is_dir():
            shutil.copytree(run.tmp / "warm", db)
        before = run.counts()
        results.append(run.once(
            "shift", "--db", str(db), "--seconds", str(args.shift_seconds),
            *(["--people"] if people else []), "--opens", str(args.opens), "--replies",
            str(args.replies), "--resolves", str(args.resolves), "--traffic",
            str(args.traffic)))
        results[-1]["before"] = before
    first = results[0]
    print(f"3. a scripted 8-hour shift, compressed {first['factor']:.0f}x into "
          f"{args.shift_seconds:g} s of wall time (client API, no UI). Each variant: a warm "
          f"start on a copy of the database above, then {args.opens} opens, {args.replies} "
          f"replies, {args.resolves} resolves spread evenly (an open marks read if unread; a "
          f"quarter go back to a recent one); the websites poll at 180 s / "
          f"{first['factor']:.0f}. Live traffic: the sandbox's simulator, {args.traffic} "
          f"actions (one per {8 * 3600 / args.traffic:.0f} s of the shift). Load average "
          f"{os.getloadavg()[0]:.2f}.")
    for r, label in zip(results, ("people panel", "panel hidden"), strict=True):
        acts = delta(r["end"], r["start"], "actions")
        events = sum(delta(r["end"], r["start"], "emitted").values())
        print(f"  traffic ({label}): " + ", ".join(f"{k} {v}" for k, v in acts.most_common())
              + f"; {events} RTM events")
    columns = []
    for r in results:
        start_k = by_kind(delta(r["start"], r["before"]))
        shift_k = by_kind(delta(r["end"], r["start"]))
        columns.append((start_k, shift_k))
    print(f"  {'requests':<48} {'people panel on open':>22} {'panel hidden':>14}")
    start_totals = [sum(s.values()) for s, _ in columns]
    how = "warm" if all(r["warm"] for r in results) else "cold"
    print(f"  {f'the {how} start before the shift (client only)¹':<48} "
          f"{start_totals[0]:>22} {start_totals[1]:>14}")
    kinds = [k for k in ORDER if any(s[k] for _, s in columns)]
    kinds += sorted({k for _, s in columns for k in s} - set(ORDER))
    for kind in kinds:
        print(f"  {kind:<48} {columns[0][1][kind]:>22} {columns[1][1][kind]:>14}")
    totals = [sum(s.values()) for _, s in columns]
    print(f"  {'total of the shift':<48} {totals[0]:>22} {totals[1]:>14}")
    shares = [f"{(t + s) / QUOTA:.1%}" for t, s in zip(totals, start_totals, strict=True)]
    print(f"  {'share of the 5,000/day quota, start included':<48} {shares[0]:>22} "
          f"{shares[1]:>14}")
    print("  ¹ the second variant's reconcile catches up what the first shift changed")
    for r in results:
        d = r["done"]
        print(f"  {'people' if r is first else 'no people'}: {d.get('opened', 0)} opens "
              f"({r['distinct']} distinct), {d.get('read', 0)} read marks, "
              f"{d.get('replies', 0)} replies, {d.get('resolves', 0)} resolves; script "
              f"{r['script_s']:.0f} s, whole shift {r['wall_s']:.0f} s; errors: "
              f"{r['errors'] or 'none'}")


# ---- 4: stalls (parent) ------------------------------------------------------------------


def stalls(run: Run) -> None:
    args = run.args
    assert run.sandbox is not None
    out = []
    for db in (str(run.tmp / "stall"), ""):
        child = run.child("stall", "--db", db, "--seconds", str(args.seconds))
        try:
            assert child.read()["ready"]
            run.sandbox.send({"rate": args.rate, "seconds": args.seconds})
            sent = run.sandbox.read()
            out.append((sent, child.read()))
        finally:
            child.close()
    print(f"4. the loop thread at {args.rate:g} events/s for {args.seconds:g} s (plain asyncio "
          f"loop, a {TICK * 1000:.0f} ms timer; the client with every conversation "
          f"preloaded, no UI); load average {os.getloadavg()[0]:.2f}:")
    print(f"  {'':<40} {'with the database':>20} {'without (baseline)':>20}")

    def row(label: str, values: list[str]) -> None:
        print(f"  {label:<40} {values[0]:>20} {values[1]:>20}")

    ms = [[g * 1000 for g in r["gaps"]] for _, r in out]
    row("events emitted / received", [f"{s['emitted']} / {r['received']}" for s, r in out])
    row("longest gap of the timer", [f"{max(g, default=0):.1f} ms" for g in ms])
    row("p99 / p50 gap", [f"{percentile(g, 99):.1f} / {percentile(g, 50):.1f} ms" for g in ms])
    row("gaps > 20 ms / > 50 ms", [f"{sum(x > 20 for x in g)} / {sum(x > 50 for x in g)}"
                                   for g in ms])
    row("CPU of the client process", [f"{r['cpu']:.0%} of a core" for _, r in out])
    row("longest garbage collection", [f"{max(r['spans']['gc'], default=0) * 1000:.1f} ms"
                                       for _, r in out])
    longest = [r["longest"] for _, r in out]
    for kind, label in (("gc", "a garbage collection"), ("none", "none of these")):
        row(f"longest gap overlapping {label}", [f"{x[kind] * 1000:.1f} ms" for x in longest])
    r = out[0][1]
    enc, writes = ([x * 1000 for x in r["spans"][k]] for k in ("encode", "write"))
    row("longest gap overlapping an encode", [f"{longest[0]['encode'] * 1000:.1f} ms", "-"])
    row("longest gap overlapping a write", [f"{longest[0]['write'] * 1000:.1f} ms", "-"])
    row("flushes (one per quiet 250 ms)", [str(len(enc)), "-"])
    row("encode per flush p50/p99/max (loop)",
        [f"{percentile(enc, 50):.2f}/{percentile(enc, 99):.2f}/{max(enc, default=0):.2f} ms",
         "-"])
    rows = r["rows"]
    row("rows per flush p50 / max", [f"{percentile(rows, 50):.0f} / {max(rows, default=0)}",
                                     "-"])
    row("write fn on the writer p50/max", [f"{percentile(writes, 50):.1f}/"
                                           f"{max(writes, default=0):.1f} ms", "-"])
    row("writer transactions", [str(r.get("batches", 0)), "-"])


# ---- the shift --------------------------------------------------------------------------------


def spread(i: int, count: int, total: int) -> bool:
    """True for ``count`` of ``range(total)``, evenly spaced."""
    return (i + 1) * count // total > i * count // total


async def run_shift(args: argparse.Namespace, info: dict[str, Any]) -> dict[str, Any]:
    from crisp_console.client import ClientConfig
    from crisp_console.errors import CrispError
    from crisp_console.storage.database import open_database

    factor = 8 * 3600 / args.seconds
    # The one timed poll, at the shift's pace: what 8 hours of it cost.
    config = ClientConfig(websites_refresh=ClientConfig().websites_refresh / factor)
    db = open_database(Path(args.db), key())
    client = client_for(info, db, config=config)
    store, loop, rng = client.store, asyncio.get_running_loop(), random.Random(args.seed)
    out: dict[str, Any] = {"factor": factor, "errors": Counter[str]()}
    opened: list[str] = []
    done = Counter[str]()
    try:
        restored = await client.restore_cache()
        out["warm"] = bool(restored and restored.conversations)
        await client.start()
        await until(lambda: in_step(client), "the reconcile")
        out["start"] = await counts(info)
        await simulator(info, args.traffic / args.seconds)
        started = loop.time()
        for i in range(args.opens):
            await asyncio.sleep(max(0.0, started + i * args.seconds / args.opens - loop.time()))
            if opened and rng.random() < 0.25:  # back to one of the last few
                sid = rng.choice(opened[-12:])
            else:  # the top of the inbox: unresolved, not opened yet
                seen = set(opened)
                sid = next((s for s in store.conversation_ids() if s not in seen
                            and store.conversations[s].state != "resolved"),
                           store.conversation_ids()[0])
            opened.append(sid)
            try:
                await client.loader.open_conversation(sid)
                if args.people:  # the panel shown: its extras (fresh ones are not asked again)
                    await client.details.load(sid)
                done["opened"] += 1
                if store.conversations[sid].unread_operator > 0:  # as the UI's open does
                    await client.commands.mark_read(sid)
                    done["read"] += 1
                if spread(i, args.replies, args.opens):
                    await client.replies.send_text(sid, f"Reply {i} from the shift script.")
                    done["replies"] += 1
                if spread(i + 3, args.resolves, args.opens):
                    await client.commands.resolve(sid)
                    done["resolves"] += 1
            except (CrispError, KeyError) as exc:  # removed meanwhile, refused...
                out["errors"][type(exc).__name__] += 1
        out["script_s"] = loop.time() - started
        await simulator(info, 0)
        await asyncio.sleep(1.0)  # typed messages in flight land, their fetches go out
        await until(lambda: in_step(client), "the owed work")
        out["end"] = await counts(info)
    finally:
        await client.aclose()
        db.close()
    out.update(done=dict(done), distinct=len(set(opened)), wall_s=loop.time() - started)
    return out


# ---- the loop under 500 events/s, with and without the database ---------------------------


class Intervals:
    """What ran when, to tell what a gap of the timer overlapped: the persister's encode
    (loop thread), the writer thread inside a write's fn (save_rows), a garbage collection."""

    def __init__(self) -> None:
        self.spans: dict[str, list[tuple[float, float]]] = {"encode": [], "write": [], "gc": []}
        self.rows: list[int] = []
        self._gc_start = 0.0
        gc.callbacks.append(self._gc)

    def _gc(self, phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            self._gc_start = time.perf_counter()
        else:
            self.spans["gc"].append((self._gc_start, time.perf_counter()))

    def watch(self, client: ConsoleClient, db: Any) -> None:
        persister = client.persister
        assert persister is not None
        take, write = persister.take, db.write

        def timed_take() -> Any:
            t0 = time.perf_counter()
            batch = take()
            self.spans["encode"].append((t0, time.perf_counter()))
            self.rows.append(len(batch))
            return batch

        def timed_write(fn: Callable[[Any], Any]) -> Any:
            def timed(conn: Any) -> Any:
                t0 = time.perf_counter()
                try:
                    return fn(conn)
                finally:
                    self.spans["write"].append((t0, time.perf_counter()))
            return write(timed)

        persister.take = timed_take  # type: ignore[method-assign]
        db.write = timed_write  # awrite() calls it

    def clear(self) -> None:
        for spans in self.spans.values():
            spans.clear()
        self.rows.clear()

    def longest(self, gaps: list[tuple[float, float]]) -> dict[str, float]:
        """The longest gap overlapping each kind of span, and the longest overlapping none."""
        out = dict.fromkeys([*self.spans, "none"], 0.0)
        for a, b in gaps:
            hit = [k for k, spans in self.spans.items() if any(s < b and e > a for s, e in spans)]
            for kind in hit or ["none"]:
                out[kind] = max(out[kind], b - a)
        return out


async def run_stall(args: argparse.Namespace, info: dict[str, Any]) -> dict[str, Any]:
    from crisp_console.storage.database import open_database

    preload = await fetch_conversations(info)
    db = open_database(Path(args.db), key()) if args.db else None
    client = client_for(info, db)
    spans = Intervals()
    if db is not None:
        spans.watch(client, db)
    received = Counter[str]()
    ticks: list[float] = []
    try:
        await client.restore_cache()  # an empty database: starts the persister
        client.store.upsert_conversations(preload)
        await client.start()
        await until(lambda: in_step(client), "the start-up catch-up")
        if client.persister is not None:
            await client.persister.flush()  # the preload's rows, before the measured window
        before = db.stats if db is not None else None
        client.add_event_listener(lambda name, _payload: received.update((name,)))

        async def ticker() -> None:
            while True:
                await asyncio.sleep(TICK)
                ticks.append(time.perf_counter())

        spans.clear()
        probe = asyncio.get_running_loop().create_task(ticker())
        cpu = sum(os.times()[:2])
        print(json.dumps({"ready": True}), flush=True)
        await asyncio.sleep(args.seconds + 3)  # the traffic, then what is still in flight
        cpu = (sum(os.times()[:2]) - cpu) / (args.seconds + 3)
        probe.cancel()
        gaps = list(itertools.pairwise(ticks))
        out: dict[str, Any] = {
            "received": received.total(), "cpu": cpu, "gaps": [b - a for a, b in gaps],
            "longest": spans.longest(gaps), "rows": spans.rows,
            "spans": {k: [e - s for s, e in v] for k, v in spans.spans.items()}}
        if db is not None and before is not None:
            out["batches"] = db.stats.batches - before.batches
    finally:
        await client.aclose()
        if db is not None:
            db.close()
    return out


