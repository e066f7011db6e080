"""Benchmark of the console window: first paint, event-to-paint latency, stalls and memory.

A script that prints figures, not a test that asserts them. The sandbox runs in a child
process (``--child sandbox``) so its CPU is not charged to the console, and makes the traffic
itself: the visitor simulator's own actions (messages typed with MagicType excerpts, new
conversations, pages, availability, visitor counts) launched as often as it takes to emit
``--rate`` RTM events/s (the simulator's own loop stops at 50 actions/s, ~200 events/s).
Each console measurement runs in a fresh process (``--child console``): QApplication, qasync
loop, the whole ``Console`` around a ``ConsoleClient``, 1440x860, offscreen unless --xcb.

    .venv/bin/python scripts/bench_ui.py                 # 5k conversations, 500 events/s, 20 s
    .venv/bin/python scripts/bench_ui.py --quick         # smoke run: small worlds, 5 s of traffic
    xvfb-run -a .venv/bin/python scripts/bench_ui.py --xcb

Paints are timed by wrapping the views' ``viewportEvent`` (to a Paint's end). Latency runs from
the client's event listener (after the store applied the event) to the end of the first list
paint after the model's coalesced flush in which the conversation's row is visible; for the
thread, from a new message of the open conversation to the thread's next paint after its flush.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import json
import math
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QAbstractItemView

    from crisp_console.sandbox.server import Sandbox
    from crisp_console.ui.console import Console

WINDOW = (1440, 860)
PER_PAGE = 50  # conversations per REST page (ClientConfig.per_page)
HISTORY_BATCH = 40  # messages per Get Messages answer (sandbox routes_messages.MESSAGE_BATCH)
STAMPED = ("message:send", "message:compose:send")  # visitor events stamped when emitted
ROW_EVENTS = frozenset(("message:send", "message:received", "message:compose:send",
                        "session:set_state", "session:set_routing"))  # change what a row shows
IN_FLIGHT_EVENTS = 1.0  # events a launched, unfinished simulator action is counted for
TICK_MS = 5  # the stall probe's timer
# The console child's MainThreadGC (the app's collector; None in a checkout without one).
COLLECTOR: Any = None
STAMP = "bench_emitted"  # with --stamp, the sandbox's time.monotonic() at emit, per event


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if values else 0.0


def spread(values: list[float], unit: float = 1000) -> str:
    v = [x * unit for x in values]
    return (f"p50 {percentile(v, 50):.1f}, p95 {percentile(v, 95):.1f}, "
            f"p99 {percentile(v, 99):.1f}, max {max(v, default=0):.1f} ms (n={len(v)})")


def memory_mb() -> tuple[float, float]:
    """(VmRSS, VmHWM) of this process, MB."""
    status = dict(line.split(":", 1) for line in
                  Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return int(status["VmRSS"].split()[0]) / 1024, int(status["VmHWM"].split()[0]) / 1024


# ---- the sandbox child ----------------------------------------------------------------------


async def serve_sandbox(args: argparse.Namespace) -> None:
    from crisp_console.sandbox.config import FaultConfig, SandboxConfig, Sizes
    from crisp_console.sandbox.server import Sandbox

    start = time.perf_counter()
    # Every website bound (unsubscribed=0): all the conversations can reach the console.
    sizes = Sizes(websites=3, unsubscribed=0, conversations=args.conversations,
                  messages=args.messages)
    sandbox = Sandbox(SandboxConfig(seed=args.seed, sizes=sizes,
                                    faults=FaultConfig(daily_quota=0)))
    gc.freeze()  # as the sandbox CLI does: no collector walks over the seeded world
    await sandbox.start()
    emitted: Counter[str] = Counter()  # by name, all rooms
    broadcast = sandbox.state.emit

    def counting(name: str, payload: Any) -> None:
        emitted[name] += 1
        if args.stamp:  # bench_events.py: CLOCK_MONOTONIC is system-wide, so comparable
            payload = {**payload, STAMP: time.monotonic()}
        broadcast(name, payload)

    sandbox.state.emit = counting
    total = sum(len(c.messages) for c in sandbox.state.conversations.values())
    print(json.dumps({**sandbox.info(), "build_s": time.perf_counter() - start,
                      "messages": total}), flush=True)
    reader = asyncio.StreamReader()
    await asyncio.get_running_loop().connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    try:
        while line := await reader.readline():  # EOF (the parent closed it or died): stop
            cmd = json.loads(line)
            reply = ({"requests": sandbox.requests.total} if cmd.get("ask") == "requests"
                     else await drive(sandbox, emitted, cmd, args.seed))
            print(json.dumps(reply), flush=True)
    finally:
        await sandbox.stop()


async def drive(sandbox: Sandbox, emitted: Counter[str], cmd: dict[str, Any],
                seed: int) -> dict[str, Any]:
    """Simulator actions at the pace that emits ``rate`` events/s for ``seconds``; up to 4
    visitor messages a second go to ``focus`` (the conversation open in the console)."""
    from crisp_console.sandbox.simulator import ACTIONS, TYPING_CHANCE, WEIGHTS

    rate, seconds, focus = float(cmd["rate"]), float(cmd["seconds"]), cmd.get("focus")
    sim, rng, loop = sandbox.simulator, random.Random(seed), asyncio.get_running_loop()
    tasks: set[asyncio.Task[None]] = set()
    before, skipped, done = emitted.total(), Counter[str](), Counter[str]()
    requests_before = sandbox.requests.total  # REST requests the console made before it
    focus_task: asyncio.Task[None] | None = None
    focus_at = -1.0

    async def act(action: str, kw: dict[str, Any]) -> None:
        try:
            await sim.act(action, **kw)
        except LookupError:  # nothing to act on just now
            skipped[action] += 1
        else:
            done[action] += 1

    start = loop.time()
    while (elapsed := loop.time() - start) < seconds:
        while emitted.total() - before + IN_FLIGHT_EVENTS * len(tasks) < rate * elapsed:
            action = rng.choices(ACTIONS, WEIGHTS)[0]
            kw: dict[str, Any] = {}
            if action in ("conversation", "message"):
                kw["typing"] = rng.random() < TYPING_CHANCE
            to_focus = (action == "message" and focus and elapsed - focus_at >= 0.25
                        and (focus_task is None or focus_task.done()))
            if to_focus:  # half of them pasted: more samples of the thread's latency
                kw.update(session_id=focus, typing=rng.random() < 0.5)
                focus_at = elapsed
            task = loop.create_task(act(action, kw))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            focus_task = task if to_focus else focus_task
        await asyncio.sleep(0.005)
    in_window = emitted.total() - before
    await asyncio.gather(*tasks)  # typed messages still in flight finish (<= 2 s)
    return {"seconds": seconds, "in_window": in_window, "emitted": emitted.total() - before,
            "skipped": dict(skipped), "done": dict(done), "requests_before": requests_before}


# ---- the console child ----------------------------------------------------------------------


class PaintWatch:
    """Calls ``callback(start, end)`` around every Paint of the view's viewport."""

    def __init__(self, view: QAbstractItemView,
                 callback: Callable[[float, float], None] | None = None) -> None:
        from PySide6.QtCore import QEvent

        self.callback = callback
        paint, inner = QEvent.Type.Paint, view.viewportEvent

        def viewport_event(event: QEvent) -> bool:
            if event.type() != paint:
                return inner(event)
            start = time.perf_counter()
            handled = inner(event)
            if self.callback is not None:
                self.callback(start, time.perf_counter())
            return handled

        # An instance attribute overrides the virtual: shiboken looks it up on every call.
        view.viewportEvent = viewport_event  # type: ignore[method-assign]


class Recorder:
    """Event receipt times, matched to the paints that show them."""

    def __init__(self, console: Console, focus: str | None) -> None:
        self.list_pane, self.thread = console.panes.list_pane, console.panes.thread
        self.focus = focus
        self.received: Counter[str] = Counter()
        self.list_wait: list[tuple[float, str]] = []
        self.thread_wait: list[float] = []
        # list_queue: listener -> the model flush before the paint that showed the event
        self.samples: dict[str, list[float]] = {k: [] for k in (
            "net_ms", "list_lat", "list_queue", "list_paint", "thread_lat")}
        self.offscreen = 0
        self.flushed = {"list": 0.0, "thread": 0.0}
        for name, model in (("list", self.list_pane.model), ("thread", self.thread.model)):
            for sig in (model.dataChanged, model.rowsInserted, model.rowsMoved,
                        model.rowsRemoved, model.modelReset, model.layoutChanged):
                # A flush applies every change received before it; its signals go out at once.
                sig.connect(lambda *_, n=name: self.flushed.__setitem__(n, time.perf_counter()))

    def on_event(self, name: str, payload: Any) -> None:
        now = time.perf_counter()
        self.received[name] += 1
        if not isinstance(payload, dict):
            return
        stamp, sid = payload.get("timestamp"), payload.get("session_id")
        if name in STAMPED and isinstance(stamp, int):
            self.samples["net_ms"].append(time.time() * 1000 - stamp)
        if name in ROW_EVENTS and isinstance(sid, str):
            self.list_wait.append((now, sid))
        if name == "message:send" and sid == self.focus:
            self.thread_wait.append(now)

    def list_painted(self, start: float, end: float) -> None:
        self.samples["list_paint"].append(end - start)
        view, model = self.list_pane.view, self.list_pane.model
        first, last = view.rowAt(0), view.rowAt(view.viewport().height() - 1)
        last = model.rowCount() - 1 if last < 0 else last
        waiting, flushed = [], self.flushed["list"]
        for received, sid in self.list_wait:
            if received > flushed:  # not in the model's rows yet: a later paint shows it
                waiting.append((received, sid))
            elif 0 <= first <= model.row_of(sid) <= last:
                self.samples["list_lat"].append(end - received)
                self.samples["list_queue"].append(flushed - received)
            else:
                self.offscreen += 1
        self.list_wait = waiting

    def thread_painted(self, _start: float, end: float) -> None:
        flushed = self.flushed["thread"]
        self.samples["thread_lat"] += [end - t for t in self.thread_wait if t <= flushed]
        self.thread_wait = [t for t in self.thread_wait if t > flushed]


async def fetch_conversations(info: dict[str, Any]) -> list[dict[str, Any]]:
    """Every conversation of the bound websites, as REST pages carry them."""
    from crisp_console.api import CrispApi
    from crisp_console.types import Credentials

    api = CrispApi(info["rest"], Credentials(info["identifier"], info["key"]))
    try:
        return [conv for website_id in info["websites"]
                async for conv in api.iter_conversations(website_id, per_page=PER_PAGE)]
    finally:
        await api.aclose()


# What the traffic mode measures (default ``traffic``); bench_events.py brings its own.
Measure = Callable[["Console", PaintWatch, float], Awaitable[dict[str, Any]]]


async def run_console(args: argparse.Namespace, info: dict[str, Any],
                      preload: list[dict[str, Any]], marks: dict[str, float],
                      measure: Measure | None = None) -> dict[str, Any]:
    from crisp_console.client import ClientConfig, ConsoleClient
    from crisp_console.present.filters import Filter
    from crisp_console.types import Credentials
    from crisp_console.ui.console import Console

    marks["client"] = time.perf_counter()
    pages = math.ceil(args.conversations / PER_PAGE) + 1 if args.mode == "all-pages" else 1
    client = ConsoleClient(info["rest"], Credentials(info["identifier"], info["key"]),
                           config=ClientConfig(first_pages=pages, per_page=PER_PAGE))
    client.store.upsert_conversations(preload)
    marks["console"] = time.perf_counter()
    console = Console(client, drafts_path=None, settings=None)
    lp = console.panes.list_pane
    if args.mode in ("all-pages", "preload", "memory"):
        lp.set_filter(Filter.ALL)  # every conversation is a row
    paints: dict[str, tuple[float, int]] = {}
    complete = asyncio.Event()

    def first_paints(_start: float, end: float) -> None:
        if lp.model.rowCount():
            paints.setdefault("any", (end, lp.model.rowCount()))
        if "started" in marks:
            paints.setdefault("full", (end, lp.model.rowCount()))
            complete.set()

    watch = PaintWatch(lp.view, first_paints)
    console.window.resize(*WINDOW)
    console.window.show()
    try:
        marks["start"] = time.perf_counter()
        await console.start()
        marks["started"] = time.perf_counter()
        freeze = getattr(COLLECTOR, "freeze", None)
        if freeze is not None:
            freeze()  # what app.py does once console.start() returns
        lp.view.viewport().update()  # the complete list's paint, if nothing else asks one
        await asyncio.wait_for(complete.wait(), 30)
        marks["any"], marks["full"] = paints["any"][0], paints["full"][0]
        out = {"store": len(client.store.conversations), "rows_any": paints["any"][1],
               "rows": paints["full"][1], "filter": lp.filter().value}
        if args.mode == "traffic":
            out.update(await (measure or traffic)(console, watch, args.seconds))
        elif args.mode == "memory":
            out.update(await load_everything(console))
    finally:
        await console.aclose()
    return out


async def traffic(console: Console, watch: PaintWatch, seconds: float) -> dict[str, Any]:
    from PySide6.QtCore import Qt, QTimer

    console.panes.list_pane.select_first()  # open the top conversation, as an operator would
    await asyncio.sleep(1.5)  # its timeline and details load
    rec = Recorder(console, console.controller.session_id)
    watch.callback = rec.list_painted
    PaintWatch(console.panes.thread.view, rec.thread_painted)
    remove = console.client.add_event_listener(rec.on_event)
    ticks: list[float] = []
    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(TICK_MS)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    print(json.dumps({"ready": rec.focus}), flush=True)
    cpu = sum(os.times()[:2])
    await asyncio.sleep(seconds + 3)  # the traffic, and the typed messages still in flight
    cpu = (sum(os.times()[:2]) - cpu) / (seconds + 3)
    timer.stop()
    remove()
    rss, peak = memory_mb()
    return {**rec.samples, "received": rec.received.total(), "by_name": dict(rec.received),
            "cpu": cpu, "offscreen": rec.offscreen, "unpainted": len(rec.list_wait),
            "rss": rss, "peak": peak, "gaps": [b - a for a, b in itertools.pairwise(ticks)],
            "store_after": len(console.client.store.conversations)}


async def load_everything(console: Console) -> dict[str, Any]:
    """Every conversation's whole history into the store, then a few opened in the window."""
    client, store = console.client, console.client.store
    rss_before, gate = memory_mb()[0], asyncio.Semaphore(8)

    async def history(sid: str) -> None:
        async with gate:
            while await client.loader.load_older(sid) >= HISTORY_BATCH:
                pass

    start = time.perf_counter()
    await asyncio.gather(*(history(sid) for sid in list(store.conversations)))
    load_s = time.perf_counter() - start
    for sid in console.panes.list_pane.model.session_ids()[:5]:
        console.controller.jump_to(sid)
        await asyncio.sleep(0.3)
    gc.collect()
    rss, peak = memory_mb()
    return {"rss_conversations": rss_before, "rss": rss, "peak": peak, "load_s": load_s,
            "messages": sum(store.message_count(sid) for sid in store.conversations)}


def console_child(args: argparse.Namespace, measure: Measure | None = None) -> None:
    """``measure``: what the traffic mode measures (default ``traffic``; other benches
    bring their own)."""
    marks = {"process": time.perf_counter() - (time.time() - args.spawned_at)}
    info = json.loads(args.info)
    preload: list[dict[str, Any]] = []
    if args.mode in ("preload", "traffic", "memory"):
        preload = asyncio.run(fetch_conversations(info))
        marks["preloaded"] = time.perf_counter()
    marks["qapp"] = time.perf_counter()  # before importing Qt and creating QApplication
    import qasync
    from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    from crisp_console.ui.theme import Theme

    def qt_message(_kind: QtMsgType, _context: QMessageLogContext, text: str) -> None:
        if "propagateSizeHints" not in text:  # the offscreen plugin's, on every show()
            print(text, file=sys.stderr)

    qInstallMessageHandler(qt_message)
    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    theme = Theme(app)  # the app's style sheet and palette: part of what painting costs
    global COLLECTOR  # one per child process, as app.py has one
    try:  # the app's garbage collection, as app.py runs it (a checkout may lack it)
        from crisp_console.ui.main_thread_gc import MainThreadGC
    except ImportError:
        pass
    else:
        COLLECTOR = MainThreadGC(parent=app)
        COLLECTOR.start()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        out = loop.run_until_complete(asyncio.wait_for(
            run_console(args, info, preload, marks, measure), 900))
    del theme
    print(json.dumps({**out, "marks": marks}), flush=True)


# ---- the parent -----------------------------------------------------------------------------


class Child:
    """This script in another process, speaking JSON lines; ``close()`` always ends it."""

    def __init__(self, children: list[Child], argv: list[str],
                 env: dict[str, str] | None = None, *, script: Path | None = None,
                 name: str | None = None, cwd: Path | None = None) -> None:
        """``script``: the one to run (default: this one); other benches reuse the class."""
        # Its own session: Ctrl+C reaches the parent only, which then closes the children.
        target = script if script is not None else Path(__file__).resolve()
        self.proc = subprocess.Popen([sys.executable, str(target), *argv],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
                                     start_new_session=True, cwd=cwd)
        self.name = name if name is not None else " ".join(argv[1:4:2])
        children.append(self)

    def read(self) -> dict[str, Any]:
        """The next line (the children bound their own run times: no timeout here)."""
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"{self.name} exited (rc={self.proc.wait()})")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def send(self, obj: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(obj).encode() + b"\n")
        self.proc.stdin.flush()

    def close(self) -> None:
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            self.proc.stdin.close()  # the sandbox stops cleanly on EOF
        for stop in (lambda: None, self.proc.terminate, self.proc.kill):
            stop()  # a console interrupted mid-run ignores its stdin: terminate it
            try:
                self.proc.wait(2)
                return
            except subprocess.TimeoutExpired:
                continue


def start_sandbox(children: list[Child], conversations: int, messages: int,
                  seed: int, *, stamp: bool = False) -> tuple[Child, dict[str, Any]]:
    """``stamp``: every event carries its emit time (``STAMP``, bench_events.py)."""
    child = Child(children, ["--child", "sandbox", "--conversations", str(conversations),
                             "--messages", str(messages), "--seed", str(seed),
                             *(["--stamp"] if stamp else [])])
    info = child.read()
    print(f"sandbox: {conversations} conversations ({info['messages']} messages, 3 websites) "
          f"in a separate process, built in {info['build_s']:.1f} s")
    return child, info


def console(children: list[Child], mode: str, info: dict[str, Any], args: argparse.Namespace,
            env: dict[str, str], conversations: int) -> Child:
    return Child(children, ["--child", "console", "--mode", mode, "--info", json.dumps(info),
                            "--conversations", str(conversations), "--seconds",
                            str(args.seconds), "--spawned-at", repr(time.time())], env)


def print_paint(label: str, r: dict[str, Any]) -> None:
    m = r["marks"]
    print(f"  {label}: {r['store']} conversations in the store, filter {r['filter']}, "
          f"{r['rows_any']} rows in the first painted list, {r['rows']} once start() returned")
    head = (f"process start +{m['qapp'] - m['process']:.2f} s" if "preloaded" not in m else
            f"[interpreter + REST preload {m['preloaded'] - m['process']:.1f} s, untimed]")
    print(f"    {head} -> imports, QApplication +{m['client'] - m['qapp']:.2f} s -> client, "
          f"store filled +{m['console'] - m['client']:.2f} s -> Console(), show() "
          f"+{m['start'] - m['console']:.2f} s -> start() -> rows painted "
          f"+{m['any'] - m['start']:.2f} s")
    total = ("" if "preloaded" in m else
             f"process start -> rows painted {m['any'] - m['process']:.2f} s, ")
    print(f"    = {total}QApplication -> rows painted {m['any'] - m['qapp']:.2f} s; start() took "
          f"{m['started'] - m['start']:.2f} s, complete list painted at start() + "
          f"{m['full'] - m['start']:.2f} s")


def orchestrate(args: argparse.Namespace) -> None:
    if args.xcb and not os.environ.get("DISPLAY"):
        raise SystemExit("bench_ui: --xcb needs DISPLAY (try: xvfb-run -a ... --xcb)")
    n = args.conversations or (1000 if args.quick else 5000)
    mem_convs, mem_msgs = (2000, 20_000) if args.quick else (10_000, 100_000)
    platform = "xcb" if args.xcb else "offscreen"
    env = {**os.environ, "QT_QPA_PLATFORM": platform}
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, QT_QPA_PLATFORM={platform}, "
          f"load average {os.getloadavg()[0]:.2f}, window {WINDOW[0]}x{WINDOW[1]}")
    children: list[Child] = []
    try:
        sandbox, info = start_sandbox(children, n, n * 10, args.seed)
        print(f"1. first paint of the conversation list ({n} conversations, the ones with "
              "messages are listed):")
        for mode, label in (("first-pages", f"as the app starts (1 page of {PER_PAGE} per "
                                             "website)"),
                            ("all-pages", "start() loading every page over REST"),
                            ("preload", "store filled before Console()")):
            print_paint(label, console(children, mode, info, args, env, n).read())
        print(f"2. event -> paint at {args.rate:g} events/s for {args.seconds:g} s (store "
              f"preloaded with all, filter Unresolved, top conversation open); load average "
              f"{os.getloadavg()[0]:.2f}")
        child = console(children, "traffic", info, args, env, n)
        sandbox.send({"rate": args.rate, "seconds": args.seconds,
                      "focus": child.read()["ready"]})
        sent, r = sandbox.read(), child.read()
        print(f"  emitted {sent['emitted']} ({sent['in_window'] / sent['seconds']:.0f}/s in the "
              f"window), received {r['received']}; skipped actions: {sent['skipped'] or 'none'}")
        print("  received:", ", ".join(f"{k} {v}" for k, v in Counter(r["by_name"]).most_common()))
        print(f"  socket (sandbox emit -> listener, wall clock): {spread(r['net_ms'], 1)}")
        print(f"  listener -> list row painted: {spread(r['list_lat'])}")
        print(f"    of which listener -> model flush: {spread(r['list_queue'])}")
        print(f"    list paint itself: {spread(r['list_paint'])}; {r['offscreen']} row events "
              f"not on screen (row below the fold or filtered out), {r['unpainted']} unpainted")
        print(f"  listener -> thread painted (open conversation's new messages): "
              f"{spread(r['thread_lat'])}")
        met = percentile(r["list_lat"], 99) <= 0.016
        print(f"  target p99 <= 16 ms (list): {'met' if met else 'NOT met'}")
        gaps = r["gaps"]
        print(f"3. main thread during the traffic ({TICK_MS} ms timer): longest gap "
              f"{max(gaps, default=0) * 1000:.0f} ms, {sum(g > 0.05 for g in gaps)} gaps > 50 ms,"
              f" p99 gap {percentile(gaps, 99) * 1000:.1f} ms over {len(gaps)} ticks; console "
              f"CPU {r['cpu']:.0%} of a core; RSS {r['rss']:.0f} MB (peak {r['peak']:.0f}) "
              f"with {r['store_after']} conversations")
        sandbox.close()
        _, info = start_sandbox(children, mem_convs, mem_msgs, args.seed)
        r = console(children, "memory", info, args, env, mem_convs).read()
        print(f"4. memory with {r['store']} conversations and {r['messages']} messages in the "
              f"store (every history loaded over REST in {r['load_s']:.1f} s, 5 opened):")
        print(f"  VmRSS {r['rss']:.0f} MB now (after gc), VmHWM {r['peak']:.0f} MB peak; "
              f"{r['rss_conversations']:.0f} MB before the messages; target <= 300 MB: "
              f"{'met' if r['peak'] <= 300 else 'NOT met'} (peak)")
        print_paint("first paint at this size", r)
    finally:
        for child in reversed(children):  # the consoles before the sandbox they talk to
            child.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=0,
                        help="sandbox size for 1-3 (default 5000; --quick 1000)")
    parser.add_argument("--rate", type=float, default=500.0, help="RTM events per second")
    parser.add_argument("--seconds", type=float, default=20.0, help="traffic duration")
    parser.add_argument("--quick", action="store_true", help="smoke run: small worlds, 5 s")
    parser.add_argument("--xcb", action="store_true", help="a real X server ($DISPLAY)")
    parser.add_argument("--seed", type=int, default=1)
    internal = parser.add_argument_group("internal (the child processes)")
    internal.add_argument("--child", choices=["sandbox", "console"], help=argparse.SUPPRESS)
    internal.add_argument("--mode", help=argparse.SUPPRESS)
    internal.add_argument("--messages", type=int, default=0, help=argparse.SUPPRESS)
    internal.add_argument("--info", help=argparse.SUPPRESS)
    internal.add_argument("--spawned-at", type=float, default=0.0, help=argparse.SUPPRESS)
    internal.add_argument("--stamp", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick and args.seconds == parser.get_default("seconds"):
        args.seconds = 5.0
    if args.child == "sandbox":
        asyncio.run(serve_sandbox(args))
    elif args.child == "console":
        console_child(args)
    else:
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # close the children first
        try:
            orchestrate(args)
        except KeyboardInterrupt:
            raise SystemExit(130) from None


if __name__ == "__main__":
    main()
