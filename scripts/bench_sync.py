"""Benchmark of the initial sync (issue 16): every conversation of a 2,000-conversation inbox
into the store, 80 ms of latency per request, against the official python client.

A script that prints figures, not a test that asserts them. Every party is its own process
(bench_ui's ``Child``, JSON lines): the sandbox (one website, ``--conversations``, every
/v1 request delayed ``--latency-ms``; it counts the requests, so they are counted on its
side), the console of this checkout, the console of ``--before PATH`` (PYTHONPATH and cwd
PATH), and the official python client ``crisp-api`` (tests/sandbox/pyclient.py's way of
pointing it at the sandbox).

- the console: from ``ConsoleClient.start()`` until every conversation of the website is in
  the store, as the console does it: start-up, then the backfill through the window of pages
  in flight (client/window.py), the view looked at being All (the list's default filter).
  A checkout without the window (the baseline) reads the pages one after another after
  start-up (``pager.read_next`` until the list ends), as its console does when scrolled;
- the python client: ``website.list_conversations`` page by page until an empty page (its
  pages hold Crisp's default of 20 conversations: it has no per_page).

    .venv/bin/python scripts/bench_sync.py                       # about a minute
    .venv/bin/python scripts/bench_sync.py --quick --before ../base
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

from bench_ui import Child

HERE = Path(__file__).resolve()
ROOT = HERE.parent.parent
GOAL = 0.25  # the console's time as a share of the python client's, at most
LIST_PAGE = re.compile(r"website/[^/]+/conversations/\d+/?$")


# ---- children -----------------------------------------------------------------------------


async def serve_sandbox(args: argparse.Namespace) -> None:
    """One website of ``args.conversations``; each stdin line is answered with the request
    counts so far (every /v1 request, and the List Conversations pages among them)."""
    from crisp_console.sandbox.config import FaultConfig, SandboxConfig, Sizes
    from crisp_console.sandbox.server import Sandbox

    sizes = Sizes(websites=1, unsubscribed=0, operators=4, conversations=args.conversations,
                  messages=args.conversations * 3)
    sandbox = Sandbox(SandboxConfig(seed=args.seed, sizes=sizes, faults=FaultConfig(
        latency_ms=args.latency_ms, daily_quota=0)))
    await sandbox.start()
    listed = sum(1 for c in sandbox.state.conversations.values() if c.messages)
    print(json.dumps({**sandbox.info(), "listed": listed}), flush=True)
    reader = asyncio.StreamReader()
    await asyncio.get_running_loop().connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    try:
        while await reader.readline():  # EOF (the parent closed it or died): stop
            log = sandbox.requests
            pages = sum(1 for r in log.entries if LIST_PAGE.search(r.path))
            print(json.dumps({"requests": log.total, "pages": pages}), flush=True)
    finally:
        await sandbox.stop()


async def run_console(info: dict[str, Any]) -> dict[str, Any]:
    """This process's checkout of the console (PYTHONPATH), start() to a full store."""
    from crisp_console.client import ConsoleClient
    from crisp_console.client.config import ClientConfig
    from crisp_console.core.views import ALL_QUERY
    from crisp_console.types import Credentials

    windowed = hasattr(ClientConfig, "list_window")
    config = ClientConfig() if windowed else ClientConfig(backfill=False)
    client = ConsoleClient(info["rest"], Credentials(info["identifier"], info["key"]),
                           config=config)
    pager = client.pager
    done = asyncio.Event()
    try:
        if windowed:
            pager.focus(ALL_QUERY)  # as the list pane says of its default view, All
        started = time.perf_counter()
        await client.start()
        website_id = client.websites.ids()[0]
        listing = pager.listing(ALL_QUERY, website_id)
        if windowed:
            def look() -> None:
                if listing.done:
                    done.set()

            unobserve = pager.observe(look)
            if not listing.done:
                await asyncio.wait_for(done.wait(), 120)
            unobserve()
        else:
            while not listing.done:
                await pager.read_next(ALL_QUERY, website_id)
        seconds = time.perf_counter() - started
        return {"seconds": seconds, "conversations": len(client.store.conversations),
                "mode": f"window of {config.list_window}" if windowed else "one page at a time"}
    finally:
        await client.aclose()


def run_pyclient(info: dict[str, Any]) -> dict[str, Any]:
    """The official python client listing every page of the website's conversations."""
    sys.path.insert(0, str(ROOT))
    from urllib.parse import urlsplit

    from tests.sandbox.pyclient import make_client

    rest = urlsplit(info["rest"])
    client = make_client(f"{rest.scheme}://{rest.netloc}", info["identifier"], info["key"])
    website_id = info["websites"][0]
    seen: set[str] = set()
    started = time.perf_counter()
    page = 1
    while items := client.website.list_conversations(website_id, page):
        seen.update(item["session_id"] for item in items)
        page += 1
    return {"seconds": time.perf_counter() - started, "conversations": len(seen),
            "mode": f"{page} pages of 20"}


# ---- the parent ---------------------------------------------------------------------------


def measure(children: list[Child], sandbox: Child, info: dict[str, Any], kind: str,
            path: Path) -> dict[str, Any]:
    """One run of ``kind`` (console or pyclient) of the checkout at ``path``, with the
    requests the sandbox counted meanwhile."""
    env = {**os.environ, "PYTHONPATH": str(path)}
    sandbox.send({})
    before = sandbox.read()
    child = Child(children, ["--child", kind, "--info", json.dumps(info)], env,
                  script=HERE, name=f"{kind} of {path}", cwd=path)
    try:
        out = child.read()
    finally:
        child.close()
    sandbox.send({})
    after = sandbox.read()
    out["requests"] = after["requests"] - before["requests"]
    out["pages"] = after["pages"] - before["pages"]
    return out


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    ordered = sorted(runs, key=lambda r: float(r["seconds"]))
    return {**ordered[len(ordered) // 2],
            "spread": [round(float(r["seconds"]), 2) for r in runs]}


def report(rows: dict[str, dict[str, Any]], expected: int) -> None:
    py = rows["python client"]["seconds"]
    print(f"\n{'what':<28}{'seconds':>9}{'requests':>10}{'pages':>7}{'in store':>10}"
          f"{'ratio':>8}  goal    met   how")
    for name, r in rows.items():
        ratio = r["seconds"] / py
        anchor = name == "python client"
        met = "-" if anchor else ("met" if ratio <= GOAL else "not met")
        goal = "-" if anchor else f"<={GOAL:.2f}x"
        print(f"{name:<28}{r['seconds']:>9.2f}{r['requests']:>10}{r['pages']:>7}"
              f"{r['conversations']:>10}{ratio:>7.2f}x  {goal:<7} {met:<5} {r['mode']}"
              + (f" (runs {r['spread']})" if len(r.get("spread", [])) > 1 else ""))
        if r["conversations"] < expected:
            print(f"  !! {name}: {r['conversations']} of {expected} conversations")


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="a smoke run: 500 conversations, once")
    p.add_argument("--before", type=Path, default=None,
                   help="a checkout measured the same way, side by side")
    p.add_argument("--conversations", type=int, default=2000)
    p.add_argument("--latency-ms", type=float, default=80.0)
    p.add_argument("--repeat", type=int, default=3, help="console runs each (median)")
    p.add_argument("--seed", type=int, default=16)
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--info", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child == "sandbox":
        asyncio.run(serve_sandbox(args))
        return 0
    if args.child:
        info = json.loads(args.info)
        work = run_pyclient(info) if args.child == "pyclient" else asyncio.run(
            run_console(info))
        print(json.dumps(work), flush=True)
        return 0
    if args.quick:
        args.conversations, args.repeat = 500, 1
    children: list[Child] = []
    try:
        sandbox = Child(children, ["--child", "sandbox", "--conversations",
                                   str(args.conversations), "--latency-ms",
                                   str(args.latency_ms), "--seed", str(args.seed)],
                        {**os.environ, "PYTHONPATH": str(ROOT)}, script=HERE, name="sandbox")
        info = sandbox.read()
        print(f"sandbox: 1 website, {args.conversations} conversations ({info['listed']} "
              f"listed), {args.latency_ms:g} ms per request, a separate process; requests "
              "counted on its side")
        rows = {"python client": measure(children, sandbox, info, "pyclient", ROOT)}
        rows["console (this checkout)"] = median_run(
            [measure(children, sandbox, info, "console", ROOT) for _ in range(args.repeat)])
        if args.before is not None:
            before = args.before.resolve()
            rows[f"console ({before.name})"] = median_run(
                [measure(children, sandbox, info, "console", before)
                 for _ in range(args.repeat)])
        report(rows, info["listed"])
    finally:
        for child in reversed(children):
            child.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
