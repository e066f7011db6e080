"""Benchmark of the local database (issue 13): warm start, requests, stalls, size, memory.

A script that prints figures, not a test that asserts them; each figure beside its baseline,
measured in the same run. The sandbox runs in a child process (its CPU is not the console's)
and counts every /v1 request by route, so requests are counted on the server's side. Each
measured console is a fresh process (bench_storage_children.py), offscreen; parts 3 and 4
live in bench_storage_load.py, part 5's database in bench_storage_data.py.

1. warm start to a painted list: process start -> first paint of rows, the console on a
   database a cold run filled, against a bare PySide6 window (a QListView of 50 rows);
2. requests of that warm start (an unchanged inbox) and of the cold one;
3. requests of a scripted 8-hour shift (opens, replies, resolves) with live traffic,
   compressed in time, people panel loaded on open or not, side by side;
4. the loop thread's longest stall at 500 events/s with the database, and without it;
5. the size of a database of 10k conversations and 1M messages (bench_storage_data.py);
6. RSS with that database open and after a warm restore, against the interpreter + imports.

    .venv/bin/python scripts/bench_storage.py            # about 5 minutes on 2 cores
    .venv/bin/python scripts/bench_storage.py --quick    # smaller sizes, shorter runs
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import bench_storage_children as children
from bench_storage_load import KIND, delta, routes_line, shift, stalls
from bench_ui import WINDOW, Child

HERE = Path(__file__).resolve()

# ---- children -----------------------------------------------------------------------------


def spawn_child(registry: list[Child], argv: list[str], env: dict[str, str]) -> Child:
    """A child of this script speaking JSON lines (bench_ui's Child); ``close()`` ends it."""
    return Child(registry, argv, env, script=HERE, name=argv[1])


class Run:
    """One run's children, environment and sandbox."""

    def __init__(self, args: argparse.Namespace, tmp: Path) -> None:
        self.args, self.tmp = args, tmp
        self.children: list[Child] = []
        # A random 64-hex key, as credentials/dbkey.py makes; in the environment only.
        self.env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
                    "BENCH_DB_KEY": secrets.token_hex(32)}
        self.info: dict[str, Any] = {}
        self.sandbox: Child | None = None

    def child(self, kind: str, *argv: str, info: bool = True) -> Child:
        extra = ["--info", json.dumps(self.info)] if info else []
        return spawn_child(self.children, ["--child", kind, *extra, "--spawned-at",
                                     repr(time.time()), *argv], self.env)

    def once(self, kind: str, *argv: str, info: bool = True) -> dict[str, Any]:
        child = self.child(kind, *argv, info=info)
        try:
            return child.read()
        finally:
            child.close()

    def latency(self, ms: float) -> None:
        """Added to every /v1 request (the sandbox's faults, through its admin API)."""
        import httpx

        httpx.patch(self.info["admin"] + "faults", json={"latency_ms": ms},
                    headers={"X-Sandbox-Token": self.info["admin_token"]}).raise_for_status()

    def counts(self) -> dict[str, Any]:
        import httpx

        answer = httpx.get(self.info["bench"],
                           headers={"X-Sandbox-Token": self.info["admin_token"]})
        answer.raise_for_status()
        out: dict[str, Any] = answer.json()
        return out

    def start_sandbox(self, conversations: int) -> None:
        self.sandbox = spawn_child(self.children, ["--child", "sandbox", "--conversations",
                                             str(conversations), "--seed",
                                             str(self.args.seed)], self.env)
        self.info = self.sandbox.read()
        print(f"sandbox: {conversations} conversations ({self.info['messages']} messages, "
              f"3 websites), a separate process, built in {self.info['build_s']:.1f} s; "
              "requests counted by route on its side")

    def close(self) -> None:
        for child in reversed(self.children):  # consoles before the sandbox they talk to
            child.close()


# ---- 1 and 2: first paint and the requests of a start ---------------------------------------


def paint_s(r: dict[str, Any]) -> float:
    m = r["marks"]
    return float(m["painted"] - m["process"])


def starts(run: Run) -> None:
    args, db = run.args, str(run.tmp / "warm")
    reps = 1 if args.quick else args.repeat
    before = run.counts()
    cold = run.once("console", "--db", db, "--fill", str(args.fill))
    cold_start = delta(cold["counts"], before)
    fill = delta(run.counts(), cold["counts"])
    bare: list[dict[str, Any]] = []
    warm: list[dict[str, Any]] = []
    colds: list[dict[str, Any]] = []
    warm_counts: list[Counter[str]] = []
    for i in range(reps):  # alternated, so the load of the moment weighs on each
        bare.append(run.once("bare", info=False))
        before = run.counts()
        warm.append(run.once("console", "--db", db))
        warm_counts.append(delta(warm[-1]["counts"], before))
        colds.append(run.once("console", "--db", str(run.tmp / f"cold-{i}")))
    b = statistics.median(paint_s(r) for r in bare)
    b_min = min(paint_s(r) for r in bare)
    print(f"1. process start -> first paint of rows (offscreen, {WINDOW[0]}x{WINDOW[1]}; "
          f"{reps} runs each, alternated; load average {os.getloadavg()[0]:.2f}):")
    for label, runs in ((f"bare PySide6 window (QListView, {children.ROWS} rows)", bare),
                        ("console, warm (database of a previous run)", warm),
                        ("console, cold (empty database; reference)", colds)):
        times = [paint_s(r) for r in runs]
        mid, low = statistics.median(times), min(times)
        ratio = "" if runs is bare else f" = {mid / b:.1f}x the bare window ({low / b_min:.1f}x)"
        print(f"  {label:<44} median {mid:.2f} s, min {low:.2f}  "
              f"[{' '.join(f'{t:.2f}' for t in times)}]{ratio}")
    m, r = warm[len(warm) // 2]["marks"], warm[len(warm) // 2]
    n_convs, n_tl, n_msgs = r["restored"]
    print(f"  warm, one run: imports +{m['imported'] - m['process']:.2f} s, QApplication and "
          f"theme +{m['qapp'] - m['imported']:.2f}, open database ({r['mode']}) "
          f"+{m['db'] - m['qapp']:.2f}, Console() and show() +{m['shown'] - m['db']:.2f}, "
          f"restore_cache() +{m['restored'] - m['shown']:.2f} ({n_convs} conversations, "
          f"{n_tl} timelines, {n_msgs} messages), rows painted +"
          f"{m['painted'] - m['restored']:.2f}; {r['rows']} rows; start() returned at paint "
          f"{m['started'] - m['painted']:+.2f} s, reconciled at "
          f"{m['reconciled'] - m['painted']:+.2f} s")
    mb, mc = bare[0]["marks"], colds[0]["marks"]
    print(f"  bare, one run: imports +{mb['imported'] - mb['process']:.2f} s;"
          f" cold: imports +{mc['imported'] - mc['process']:.2f} s, start() returned "
          f"+{mc['started'] - mc['process']:.2f} s, {colds[0]['rows']} rows painted at "
          f"+{paint_s(colds[0]):.2f} s (rows come from REST)")
    if args.latency:  # the sandbox answers at once; Crisp is a round trip away
        run.latency(args.latency)
        far_cold = run.once("console", "--db", str(run.tmp / "cold-latency"))
        far_warm = run.once("console", "--db", db)
        run.latency(0)
        fc, fw = paint_s(far_cold), paint_s(far_warm)
        print(f"  with {args.latency:g} ms added to every request (one run each): warm "
              f"{fw:.2f} s = {fw / b:.1f}x, cold {fc:.2f} s = {fc / b:.1f}x the bare window's "
              "median")
    warm_totals = [sum(k.values()) for k in warm_counts]
    settings = [sum(n for route, n in k.items() if KIND.get(route) == "team settings (ui)")
                for k in warm_counts]
    print("2. requests of a start, counted by the sandbox:")
    print(f"  warm, inbox unchanged since the previous run: {statistics.median(warm_totals):.0f} "
          f"[{' '.join(map(str, warm_totals))}] (the whole console; of them team settings "
          f"{statistics.median(settings):.0f}), goal <= 5: "
          f"{'met' if max(warm_totals) <= 5 else 'NOT met'}")
    print(f"    {routes_line(warm_counts[0])}")
    print(f"  cold, empty database: {sum(cold_start.values())}  ({routes_line(cold_start)})")
    print(f"  (the cold run then opened {args.fill} conversations with their people panel, "
          f"{sum(fill.values())} requests, so that the warm runs restore timelines and people)")


# ---- 5 and 6: size and memory --------------------------------------------------------------


def size_and_memory(run: Run) -> None:
    args = run.args
    convs, msgs = (2000, 100_000) if args.quick else (args.db_conversations, args.db_messages)
    print(f"5. database size, {convs} conversations and {msgs} messages "
          f"(load average {os.getloadavg()[0]:.2f}):")
    import bench_storage_data as data  # here: the children's "bare interpreter" lacks it

    directory = run.tmp / "big"
    data.print_size(data.build(directory, run.env["BENCH_DB_KEY"], convs, msgs, args.seed))
    r = run.once("rss", "--db", str(directory), info=False)
    base = r["imports"]
    n_c, n_t, n_m, n_p, evicted = r["restored"]
    print("6. RSS (VmRSS, MB) of one process, no Qt:")
    print(f"  bare interpreter {r['bare']:.0f}; + imports (client, storage, SQLCipher) "
          f"{base:.0f} <- baseline")
    print(f"  + that database open {r['open']:.0f} ({r['open'] - base:+.0f}); after a "
          f"count(*) of its {r['counted']} messages {r['after_count']:.0f} "
          f"({r['after_count'] - base:+.0f})")
    print(f"  + a warm restore (ClientConfig's bound): {n_c} conversations, {n_t} timelines, "
          f"{n_m} messages, {n_p} people, in {r['restore_s']:.2f} s: "
          f"{r['restored_rss']:.0f} ({r['restored_rss'] - base:+.0f}; peak {r['peak']:.0f})")
    print(f"    then the background eviction to the cap: {evicted} conversations in "
          f"{r['evict_s']:.1f} s (steps of 5 conversations, the writer free between them): "
          f"{r['evicted_rss']:.0f} MB (peak {r['evicted_peak']:.0f})")
    if r["trimmed"] is not None:
        print(f"    then malloc_trim(0), handing back what glibc kept of freed memory: "
              f"{r['trimmed']:.0f} ({r['trimmed'] - base:+.0f})")


def orchestrate(args: argparse.Namespace) -> None:
    if args.quick:
        args.repeat, args.shift_seconds, args.seconds = 1, min(args.shift_seconds, 15), 5.0
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}, QT_QPA_PLATFORM=offscreen")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench_storage-") as tmp:
        run = Run(args, Path(tmp))
        try:
            run.start_sandbox(1000 if args.quick else args.conversations)
            for part, step in (("1", starts), ("3", shift), ("4", stalls)):
                if part in args.parts or (part == "1" and "2" in args.parts):
                    step(run)
            if run.sandbox is not None:
                run.sandbox.close()
            if "5" in args.parts or "6" in args.parts:
                size_and_memory(run)
        finally:
            run.close()
    print(f"run time {time.perf_counter() - started:.0f} s; load average "
          f"{os.getloadavg()[0]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, shorter runs")
    parser.add_argument("--parts", default="123456", help="which parts to run (default all)")
    parser.add_argument("--conversations", type=int, default=5000, help="sandbox size (1-4)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each first paint")
    parser.add_argument("--latency", type=float, default=150.0,
                        help="ms added to every request for part 1's second pair (0: skip)")
    parser.add_argument("--fill", type=int, default=10,
                        help="conversations the cold run opens (their timelines are cached)")
    parser.add_argument("--shift-seconds", type=float, default=60.0)
    parser.add_argument("--opens", type=int, default=300)
    parser.add_argument("--replies", type=int, default=200)
    parser.add_argument("--resolves", type=int, default=50)
    parser.add_argument("--traffic", type=int, default=1200,
                        help="simulator actions during the shift (at most 50/s)")
    parser.add_argument("--rate", type=float, default=500.0, help="events/s for part 4")
    parser.add_argument("--seconds", type=float, default=20.0, help="part 4's traffic")
    parser.add_argument("--db-conversations", type=int, default=10_000)
    parser.add_argument("--db-messages", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    internal = parser.add_argument_group("internal (the child processes)")
    internal.add_argument("--child", help=argparse.SUPPRESS)
    internal.add_argument("--info", default="", help=argparse.SUPPRESS)
    internal.add_argument("--db", default="", help=argparse.SUPPRESS)
    internal.add_argument("--people", action="store_true", help=argparse.SUPPRESS)
    internal.add_argument("--spawned-at", type=float, default=0.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        children.run(args)
        return
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # close the children first
    try:
        orchestrate(args)
    except KeyboardInterrupt:
        raise SystemExit(130) from None


if __name__ == "__main__":
    main()
