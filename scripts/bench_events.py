"""Benchmark of issue 16's event path: sandbox emit -> conversation row painted, under load.

A script that prints figures, not a test that asserts them. It reuses scripts/bench_ui.py's
processes: a sandbox child that makes ``--rate`` RTM events/s of visitor traffic (and here
stamps every event with its ``time.monotonic()`` at emit: CLOCK_MONOTONIC is system-wide, so
the console's own stamps compare with it), and a console child (the whole ``Console`` around a
``ConsoleClient``, store preloaded, top conversation open) whose measurement is ``measure``
below. Each event is followed from its emit to:

- its arrival at the gateway's sink (the socket leg);
- the store applying it (the client's event listener; an event coalesced away counts as
  applied when the event that replaced it is);
- the end of the first paint of the conversation list, after the list model's flush that
  followed, in which its row is visible (events of rows below the fold or filtered out are
  not painted and not counted).

Two conditions, for this checkout and for ``--before PATH`` (run with PYTHONPATH=PATH, cwd=PATH):
quiet, and contended: a CPU-bound busy loop pinned to the console's core (the sandbox on
another one), so that falling behind shows. Whether the queue drains: the lag (emit ->
applied) in the first and the last quarter of the traffic, and how many events were still
waiting when the sandbox emitted its last one. The anchor is the 60 Hz frame.

    .venv/bin/python scripts/bench_events.py                         # 5k conversations, 20 s
    .venv/bin/python scripts/bench_events.py --quick --before /work/wt/base
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench_ui import (
    ROW_EVENTS,
    STAMP,
    Child,
    PaintWatch,
    console_child,
    percentile,
    start_sandbox,
)

if TYPE_CHECKING:
    from crisp_console.ui.console import Console

ROOT = Path(__file__).resolve().parents[1]
FRAME_MS = 1000 / 60
GOAL_QUIET_MS = 16.0
GOAL_CONTENDED_MS = 100.0
DRAIN_SLACK_MS = 50.0  # the last quarter's median lag may exceed the first's by this much
SETTLE_S = 3.0  # after the traffic: typed messages still in flight, then the backlog


# ---- the console child: one record per event -------------------------------------------------


class Trace:
    """Per event: [emit, arrived, applied, painted, name, session_id] (monotonic s; -1 not)."""

    def __init__(self, console: Console) -> None:
        self.list_pane = console.panes.list_pane
        self.records: list[list[Any]] = []
        self.waiting: dict[tuple[str, str], list[int]] = defaultdict(list)
        self.unpainted: list[int] = []  # applied row events not painted yet
        self.offscreen = 0
        self.flushed = 0.0
        model = self.list_pane.model
        for sig in (model.dataChanged, model.rowsInserted, model.rowsMoved, model.rowsRemoved,
                    model.modelReset, model.layoutChanged):
            sig.connect(self._flushed)

    def _flushed(self, *_: Any) -> None:
        self.flushed = time.monotonic()

    def arrived(self, name: str, payload: Any) -> None:
        stamp = payload.get(STAMP) if isinstance(payload, dict) else None
        sid = payload.get("session_id") if isinstance(payload, dict) else None
        sid = sid if isinstance(sid, str) else ""
        self.waiting[(name, sid)].append(len(self.records))
        self.records.append([stamp if isinstance(stamp, float) else -1.0, time.monotonic(),
                             -1.0, -1.0, name, sid])

    def applied(self, name: str, payload: Any) -> None:
        """After the store applied it: this event and any of the same name and conversation
        it replaced (coalesced typing) are in the store now."""
        now = time.monotonic()
        sid = payload.get("session_id") if isinstance(payload, dict) else None
        for i in self.waiting.pop((name, sid if isinstance(sid, str) else ""), ()):
            self.records[i][2] = now
            if name in ROW_EVENTS:
                self.unpainted.append(i)

    def painted(self, _start: float, _end: float) -> None:
        end = time.monotonic()
        view, model = self.list_pane.view, self.list_pane.model
        first, last = view.rowAt(0), view.rowAt(view.viewport().height() - 1)
        last = model.rowCount() - 1 if last < 0 else last
        still: list[int] = []
        for i in self.unpainted:
            rec = self.records[i]
            if rec[2] > self.flushed:  # not in the model's rows yet: a later paint shows it
                still.append(i)
            elif 0 <= first <= model.row_of(rec[5]) <= last:
                rec[3] = end
            else:
                self.offscreen += 1
        self.unpainted = still


def busy_loop(cpu: int) -> subprocess.Popen[bytes]:
    """A CPU-bound process pinned to ``cpu`` (what taskset -c does, by the same syscall)."""
    code = f"import os\nos.sched_setaffinity(0, {{{cpu}}})\nwhile True:\n    pass\n"
    return subprocess.Popen([sys.executable, "-c", code], start_new_session=True)


async def measure(console: Console, watch: PaintWatch, seconds: float) -> dict[str, Any]:
    console.panes.list_pane.select_first()  # open the top conversation, as an operator would
    await asyncio.sleep(1.5)  # its timeline and details load
    # The focus in the reply box, the list at its top: new rows show as they come (the list
    # is not held, list_hold.py), so most of the events' rows are painted, not held above.
    console.controller.focus_composer("reply")
    client = console.client
    trace = Trace(console)
    feed = client.gateway._feed  # noqa: SLF001 - the gateway's sink, before and after issue 16
    sink = feed._sink  # noqa: SLF001

    def arrived(name: str, payload: Any) -> None:
        trace.arrived(name, payload)
        sink(name, payload)

    feed._sink = arrived  # noqa: SLF001
    watch.callback = trace.painted
    remove = client.add_event_listener(trace.applied)
    contend = os.environ.get("BENCH_EVENTS_CONTEND")
    busy = busy_loop(int(contend)) if contend else None
    profile_to = os.environ.get("BENCH_EVENTS_PROFILE")
    profiler = None
    if profile_to:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    try:
        print(json.dumps({"ready": console.controller.session_id}), flush=True)
        cpu = sum(os.times()[:2])
        await asyncio.sleep(seconds + SETTLE_S)
        cpu = (sum(os.times()[:2]) - cpu) / (seconds + SETTLE_S)
    finally:
        if profiler is not None and profile_to:
            profiler.disable()
            profiler.dump_stats(profile_to)
        if busy is not None:
            busy.kill()
            busy.wait()
        remove()
    batch = getattr(client, "batch", None)
    return {"records": trace.records, "offscreen": trace.offscreen, "cpu": cpu,
            "coalesced": getattr(batch, "coalesced", 0), "flushes": getattr(batch, "flushes", 0)}


def child_main(args: argparse.Namespace) -> None:
    if args.cpu >= 0:  # before Qt starts its threads: they inherit it
        os.sched_setaffinity(0, {args.cpu})
    console_child(args, measure)


# ---- the parent --------------------------------------------------------------------------


def run(children: list[Child], args: argparse.Namespace, path: Path | None,
        contended: bool) -> dict[str, Any]:
    """One traffic run of the console at ``path`` (None: this checkout) on a fresh sandbox."""
    n = args.conversations
    console_cpu, sandbox_cpu = 0, 1 % (os.cpu_count() or 1)
    sandbox, info = start_sandbox(children, n, n * 10, args.seed, stamp=True)
    os.sched_setaffinity(sandbox.proc.pid, {sandbox_cpu})
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "PYTHONPATH": str(path if path is not None else ROOT)}
    env.pop("BENCH_EVENTS_CONTEND", None)
    if contended:
        env["BENCH_EVENTS_CONTEND"] = str(console_cpu)
    if args.profile and path is None:
        env["BENCH_EVENTS_PROFILE"] = f"{args.profile}.{'contended' if contended else 'quiet'}"
    argv = ["--child", "console", "--mode", "traffic", "--info", json.dumps(info),
            "--conversations", str(n), "--seconds", str(args.seconds),
            "--spawned-at", repr(time.time()), "--cpu", str(console_cpu)]
    console = Child(children, argv, env, script=Path(__file__).resolve(), name="console",
                    cwd=path)
    sandbox.send({"rate": args.rate, "seconds": args.seconds, "focus": console.read()["ready"]})
    sent, got = sandbox.read(), console.read()
    sandbox.send({"ask": "requests"})  # after the console's settle: its late fetches too
    sent["requests"] = sandbox.read()["requests"] - sent["requests_before"]
    console.close()
    sandbox.close()
    return {"sent": sent, **got}


def summarize(r: dict[str, Any]) -> dict[str, Any]:
    recs = [x for x in r["records"] if x[0] >= 0]
    painted = [(x[3] - x[0]) * 1000 for x in recs if x[3] >= 0]
    socket = [(x[1] - x[0]) * 1000 for x in recs]
    applied = [x for x in recs if x[2] >= 0]
    out: dict[str, Any] = {
        "emitted": r["sent"]["emitted"], "received": len(r["records"]),
        "e2e_p50": percentile(painted, 50), "e2e_p99": percentile(painted, 99),
        "e2e_max": max(painted, default=0.0), "painted": len(painted),
        "socket_p99": percentile(socket, 99), "cpu": r["cpu"],
        "coalesced": r["coalesced"], "flushes": r["flushes"],
        "requests": r["sent"].get("requests", 0),
        "new_conversations": r["sent"].get("done", {}).get("conversation", 0),
    }
    if recs:
        t0, t1 = min(x[0] for x in recs), max(x[0] for x in recs)
        quarter = (t1 - t0) / 4
        lag = [(x[0], (x[2] - x[0]) * 1000) for x in applied]
        out["lag_first"] = percentile([v for t, v in lag if t <= t0 + quarter], 50)
        out["lag_last"] = percentile([v for t, v in lag if t >= t1 - quarter], 50)
        out["backlog"] = sum(1 for x in recs if x[2] < 0 or x[2] > t1)
        out["left"] = len(recs) - len(applied) + max(0, out["emitted"] - len(r["records"]))
        out["drain_ms"] = (max(x[2] for x in applied) - t1) * 1000 if applied else 0.0
        out["drains"] = (out["left"] == 0
                         and out["lag_last"] <= out["lag_first"] + DRAIN_SLACK_MS)
    return out


def row(what: str, ours: float | str, base: float | str | None, goal: str = "",
        met: bool | None = None, fmt: str = "{:.1f}") -> str:
    def cell(v: float | str | None) -> str:
        return "-" if v is None else v if isinstance(v, str) else fmt.format(v)

    ratio = (f"{ours / base:.2f}x" if isinstance(ours, float | int) and isinstance(
        base, float | int) and base else "")
    verdict = "" if met is None else ("met" if met else "NOT met")
    return f"  {what:<38} {cell(ours):>10} {cell(base):>10} {ratio:>7}  {goal:<16} {verdict}"


def report(label: str, ours: dict[str, Any], base: dict[str, Any] | None,
           contended: bool) -> None:
    def b(key: str) -> Any:
        return None if base is None else base.get(key)

    goal = GOAL_CONTENDED_MS if contended else GOAL_QUIET_MS
    print(f"{label}:")
    print(f"  {'':<38} {'ours':>10} {'baseline':>10} {'ratio':>7}  {'goal':<16} verdict")
    e2e_met = ours["e2e_p99"] <= goal and (not contended or ours.get("drains", False))
    print(row("emit -> row painted p99 (ms)", ours["e2e_p99"], b("e2e_p99"),
              f"<= {goal:g} ms" + (" + drains" if contended else ""), e2e_met))
    print(row("emit -> row painted p50 (ms)", ours["e2e_p50"], b("e2e_p50")))
    print(row("emit -> row painted max (ms)", ours["e2e_max"], b("e2e_max")))
    print(row("  as frames of 60 Hz (p99)", ours["e2e_p99"] / FRAME_MS,
              None if base is None else base["e2e_p99"] / FRAME_MS, fmt="{:.2f}"))
    print(row("socket leg p99 (emit -> gateway, ms)", ours["socket_p99"], b("socket_p99")))
    print(row("lag p50, first quarter (ms)", ours.get("lag_first", 0.0), b("lag_first")))
    print(row("lag p50, last quarter (ms)", ours.get("lag_last", 0.0), b("lag_last")))
    print(row("waiting when the last was emitted", float(ours.get("backlog", 0)),
              None if base is None else float(base.get("backlog", 0)), fmt="{:.0f}"))
    print(row("never applied (end of run)", float(ours.get("left", 0)),
              None if base is None else float(base.get("left", 0)), "0", ours.get("left") == 0,
              fmt="{:.0f}"))
    print(row("queue drains", "yes" if ours.get("drains") else "no",
              None if base is None else ("yes" if base.get("drains") else "no")))
    print(row("rows painted (samples)", float(ours["painted"]),
              None if base is None else float(base["painted"]), fmt="{:.0f}"))
    print(row("console CPU (share of a core)", ours["cpu"], b("cpu"), fmt="{:.0%}"))
    # The shared REST quota: what the console asked during the traffic (owed fetches of the
    # conversations it did not know), against the new conversations the traffic made.
    print(row("REST requests during the traffic", float(ours["requests"]),
              None if base is None else float(base["requests"]), fmt="{:.0f}"))
    print(row("  new conversations in the traffic", float(ours["new_conversations"]),
              None if base is None else float(base["new_conversations"]), fmt="{:.0f}"))
    print(f"  events emitted {ours['emitted']} / received {ours['received']} (baseline "
          f"{b('emitted')} / {b('received')}); ours coalesced {ours['coalesced']} typing "
          f"events, in {ours['flushes']} flushes")


def orchestrate(args: argparse.Namespace) -> None:
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, offscreen, load average "
          f"{os.getloadavg()[0]:.2f}; {args.conversations} conversations, {args.rate:g} "
          f"events/s for {args.seconds:g} s; console on cpu 0, sandbox on cpu 1; contended: "
          f"a busy loop pinned to cpu 0 too; anchor: the 60 Hz frame ({FRAME_MS:.1f} ms)")
    children: list[Child] = []
    results: dict[tuple[str, bool], dict[str, Any]] = {}
    try:
        for contended in (False, True):
            for who, path in (("ours", None), ("baseline", args.before)):
                if who == "baseline" and path is None:
                    continue
                results[(who, contended)] = summarize(run(children, args, path, contended))
    finally:
        for child in reversed(children):
            child.close()
    for contended, label in ((False, "quiet"), (True, "contended (busy loop on the console's "
                                                       "core)")):
        report(label, results[("ours", contended)], results.get(("baseline", contended)),
               contended)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: 1k conversations, 5 s")
    parser.add_argument("--before", type=Path, default=None,
                        help="a checkout measured the same way, side by side")
    parser.add_argument("--conversations", type=int, default=0,
                        help="sandbox size (default 5000; --quick 1000)")
    parser.add_argument("--rate", type=float, default=500.0, help="RTM events per second")
    parser.add_argument("--seconds", type=float, default=0.0,
                        help="traffic duration (default 20; --quick 5)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", default="",
                        help="cProfile the console's traffic window to PATH.quiet/.contended")
    internal = parser.add_argument_group("internal (the console child)")
    internal.add_argument("--child", choices=["console"], help=argparse.SUPPRESS)
    internal.add_argument("--mode", help=argparse.SUPPRESS)
    internal.add_argument("--info", help=argparse.SUPPRESS)
    internal.add_argument("--spawned-at", type=float, default=0.0, help=argparse.SUPPRESS)
    internal.add_argument("--cpu", type=int, default=-1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.conversations = args.conversations or (1000 if args.quick else 5000)
    args.seconds = args.seconds or (5.0 if args.quick else 20.0)
    if args.before is not None:
        args.before = args.before.resolve()
    if args.child == "console":
        child_main(args)
        return
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # close the children first
    try:
        orchestrate(args)
    except KeyboardInterrupt:
        raise SystemExit(130) from None


if __name__ == "__main__":
    main()
