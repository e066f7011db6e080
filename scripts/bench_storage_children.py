"""bench_storage.py's child processes, each a fresh interpreter started by the parent.

- ``sandbox``: the sandbox, counting every /v1 request by route (a middleware outermost, so
  refused requests count too) and every RTM event it emits; ``GET /_bench/requests`` (with
  the admin token) answers both, and stdin lines ``{"rate", "seconds"}`` drive bench_ui's
  traffic (simulator actions at the pace of ``rate`` events/s);
- ``bare``: QApplication and a QListView of 50 rows, until its first paint;
- ``console``: the console as app.py builds it, on the database in ``--db``: cold (empty
  database: it then fills it, ``--fill`` conversations opened) or warm (restore_cache()
  before start()), until its first paint of rows and the reconcile;
- ``rss``: memory of the interpreter, the imports, the open database, a warm restore;
- ``shift`` and ``stall``: bench_storage_load.py's (parts 3 and 4).

The database key comes in BENCH_DB_KEY (never on a command line).
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import gc
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench_ui import WINDOW, PaintWatch, drive, memory_mb

if TYPE_CHECKING:
    from crisp_console.client import ConsoleClient

ROWS = 50  # the bare window's rows
BENCH_ROUTE = "/_bench/requests"


def key() -> str:
    return os.environ["BENCH_DB_KEY"]


def client_for(info: dict[str, Any], db: Any, **kw: Any) -> ConsoleClient:
    from crisp_console.client import ConsoleClient
    from crisp_console.types import Credentials

    return ConsoleClient(info["rest"], Credentials(info["identifier"], info["key"]),
                         cache=db, **kw)


async def counts(info: dict[str, Any]) -> dict[str, Any]:
    """The sandbox's request and event counters (no /v1 request: not counted)."""
    import httpx

    async with httpx.AsyncClient() as http:
        answer = await http.get(info["bench"], headers={"X-Sandbox-Token": info["admin_token"]})
    answer.raise_for_status()
    out: dict[str, Any] = answer.json()
    return out


async def simulator(info: dict[str, Any], rate: float) -> None:
    """The sandbox's own visitor simulator, through its admin API."""
    import httpx

    async with httpx.AsyncClient() as http:
        answer = await http.patch(info["admin"] + "simulator", json={"rate": rate},
                                  headers={"X-Sandbox-Token": info["admin_token"]})
    if answer.is_error:
        raise RuntimeError(f"simulator rate {rate}: {answer.status_code} {answer.text}")


async def until(check: Callable[[], bool], what: str, within: float = 60.0) -> None:
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {within:g} s for {what}")
        await asyncio.sleep(0.02)


def in_step(client: ConsoleClient) -> bool:
    """The start-up (or warm start's reconcile) catch-up ran and nothing is owed."""
    return client.catchup.completed >= 1 and not client.catchup.owed and not len(client.fetches)


# ---- sandbox ----------------------------------------------------------------------------------


async def serve_sandbox(args: argparse.Namespace) -> None:
    from aiohttp import web

    from crisp_console.sandbox.config import FaultConfig, SandboxConfig, Sizes
    from crisp_console.sandbox.route_scopes import route_template
    from crisp_console.sandbox.server import Sandbox

    requests: Counter[str] = Counter()
    emitted: Counter[str] = Counter()
    actions: Counter[str] = Counter()  # the simulator's

    @web.middleware
    async def count(request: web.Request, handler: Any) -> web.StreamResponse:
        if request.path.startswith("/v1/"):
            requests[f"{request.method} {route_template(request) or request.path}"] += 1
        response: web.StreamResponse = await handler(request)
        return response

    async def report(request: web.Request) -> web.Response:
        if request.headers.get("X-Sandbox-Token") != sandbox.admin_token:
            raise web.HTTPForbidden()
        return web.json_response({"requests": dict(requests), "emitted": dict(emitted),
                                  "actions": dict(actions)})

    class Counting(Sandbox):
        def _build_app(self) -> web.Application:
            app = super()._build_app()
            app.middlewares.insert(0, count)
            app.router.add_get(BENCH_ROUTE, report)
            return app

    start = time.perf_counter()
    sizes = Sizes(websites=3, unsubscribed=0, conversations=args.conversations,
                  messages=args.conversations * 10)
    # The world as of 10 minutes ago: nothing in it is recent enough for the reconcile's
    # margin (catchup_margin_ms) to fetch again, as in a quiet inbox.
    base = int(time.time() * 1000) - 600_000
    sandbox = Counting(SandboxConfig(seed=args.seed, sizes=sizes, base_time=base,
                                     faults=FaultConfig(daily_quota=0)))
    gc.freeze()  # as the sandbox CLI does
    await sandbox.start()
    broadcast = sandbox.state.emit

    def counting(name: str, payload: Any) -> None:
        emitted[name] += 1
        broadcast(name, payload)

    sandbox.state.emit = counting
    act = sandbox.simulator.act

    async def counted(action: str, **kw: Any) -> dict[str, Any]:
        actions[action] += 1
        return await act(action, **kw)

    sandbox.simulator.act = counted  # type: ignore[method-assign]
    info = sandbox.info()
    info["bench"] = info["rest"].removesuffix("/v1/") + BENCH_ROUTE
    messages = sum(len(c.messages) for c in sandbox.state.conversations.values())
    print(json.dumps({**info, "build_s": time.perf_counter() - start, "messages": messages}),
          flush=True)
    reader = asyncio.StreamReader()
    await asyncio.get_running_loop().connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    try:
        while line := await reader.readline():  # EOF: stop
            print(json.dumps(await drive(sandbox, emitted, json.loads(line), args.seed)),
                  flush=True)
    finally:
        await sandbox.stop()


# ---- first paint: a bare window, the console ------------------------------------------------


def quiet_qt() -> None:
    from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

    def qt_message(_kind: QtMsgType, _context: QMessageLogContext, text: str) -> None:
        if "propagateSizeHints" not in text:  # the offscreen plugin's, on every show()
            print(text, file=sys.stderr)

    qInstallMessageHandler(qt_message)


def bare_child(args: argparse.Namespace) -> None:
    marks = {"process": time.perf_counter() - (time.time() - args.spawned_at)}
    from PySide6.QtCore import QStringListModel, QTimer
    from PySide6.QtWidgets import QApplication, QListView

    marks["imported"] = time.perf_counter()
    quiet_qt()
    app = QApplication(sys.argv[:1])
    marks["qapp"] = time.perf_counter()
    view = QListView()
    model = QStringListModel([f"Conversation {i}" for i in range(ROWS)])
    view.setModel(model)

    def painted(_start: float, end: float) -> None:
        if "painted" not in marks:
            marks["painted"] = end
            QTimer.singleShot(0, app.quit)

    PaintWatch(view, painted)
    view.resize(*WINDOW)
    view.show()
    marks["shown"] = time.perf_counter()
    app.exec()
    print(json.dumps({"marks": marks, "rows": model.rowCount()}), flush=True)


def console_child(args: argparse.Namespace) -> None:
    marks = {"process": time.perf_counter() - (time.time() - args.spawned_at)}
    info = json.loads(args.info)
    import qasync
    from PySide6.QtWidgets import QApplication

    from crisp_console.ui.console import Console
    from crisp_console.ui.theme import Theme

    marks["imported"] = time.perf_counter()
    quiet_qt()
    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    theme = Theme(app)  # as app.py: part of what the first paint costs
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    marks["qapp"] = time.perf_counter()
    with loop:
        out = loop.run_until_complete(asyncio.wait_for(
            run_console(args, info, marks, Console), 180))
    del theme
    print(json.dumps({**out, "marks": marks}), flush=True)


async def run_console(args: argparse.Namespace, info: dict[str, Any], marks: dict[str, float],
                      console_type: Any) -> dict[str, Any]:
    from crisp_console.storage.database import open_database

    db = open_database(Path(args.db), key())
    marks["db"] = time.perf_counter()
    client = client_for(info, db)
    console = console_type(client, drafts_path=None, settings=None)
    lp = console.panes.list_pane
    out: dict[str, Any] = {"mode": db.mode.value}

    def first_rows(_start: float, end: float) -> None:
        if lp.model.rowCount() and "painted" not in marks:
            marks["painted"] = end
            out["rows"] = lp.model.rowCount()

    PaintWatch(lp.view, first_rows)
    console.window.resize(*WINDOW)
    console.window.show()
    marks["shown"] = time.perf_counter()
    try:
        restored = await client.restore_cache()  # before any request (warmstart.py)
        marks["restored"] = time.perf_counter()
        assert restored is not None
        out["restored"] = [restored.conversations, restored.timelines, restored.messages]
        await console.start()  # app.py's: client.start() (a warm one reconciles), then ui
        marks["started"] = time.perf_counter()
        await until(lambda: in_step(client), "the reconcile")
        marks["reconciled"] = time.perf_counter()
        await until(lambda: "painted" in marks, "the first paint of rows")
        out["store"] = len(client.store.conversations)
        out["counts"] = await counts(info)
        sids = lp.model.session_ids()[:args.fill]
        for sid in sids:  # what the next start restores: timelines and people too
            await client.loader.open_conversation(sid)
            await client.details.load(sid)  # the panel shown: the people are cached too
        if sids:
            client.save_view(last_open=sids[0], filter=lp.filter().value, scope=None)
    finally:
        await console.aclose()  # the client writes what is left
        db.close()
    return out


# ---- memory -----------------------------------------------------------------------------------


async def run_rss(args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {"bare": memory_mb()[0]}
    from crisp_console.client import ConsoleClient  # noqa: F401 - what the console imports
    from crisp_console.storage.database import open_database

    gc.collect()
    out["imports"] = memory_mb()[0]
    db = open_database(Path(args.db), key())
    out["open"] = memory_mb()[0]
    n = db.read(lambda conn: conn.execute("SELECT count(*) FROM messages").fetchone()[0])
    out["counted"] = n.result()
    out["after_count"] = memory_mb()[0]
    info = {"rest": "http://127.0.0.1:9/v1/", "identifier": "bench", "key": "bench"}
    client = client_for(info, db)  # never started: no request
    try:
        started = time.perf_counter()
        restored = await client.restore_cache()
        out["restore_s"] = time.perf_counter() - started
        assert restored is not None
        gc.collect()
        out["restored_rss"], out["peak"] = memory_mb()
        warm = client.warm
        assert warm is not None
        await warm.eviction_done.wait()  # the background eviction (warmstart.py), steps apart
        out["evict_s"] = time.perf_counter() - started - out["restore_s"]
        out["restored"] = [restored.conversations, restored.timelines, restored.messages,
                           restored.people, warm.evicted]
        out["evicted_rss"], out["evicted_peak"] = memory_mb()
        try:  # what of it is memory freed but kept by glibc's allocator
            ctypes.CDLL("libc.so.6").malloc_trim(0)
            out["trimmed"] = memory_mb()[0]
        except (OSError, AttributeError):
            out["trimmed"] = None
    finally:
        await client.aclose()
        db.close()
    return out


def run(args: argparse.Namespace) -> None:
    """The child ``args.child``; its answer is one JSON line on stdout."""
    info = json.loads(args.info) if args.info else {}
    if args.child == "sandbox":
        asyncio.run(serve_sandbox(args))
    elif args.child == "bare":
        bare_child(args)
    elif args.child == "console":
        console_child(args)
    else:
        from bench_storage_load import run_shift, run_stall

        work = {"shift": lambda: run_shift(args, info), "stall": lambda: run_stall(args, info),
                "rss": lambda: run_rss(args)}[args.child]
        print(json.dumps(asyncio.run(work())), flush=True)
