"""``crisp-console tail``: connect headless, print live events and the store's changes.

For debugging any Crisp-compatible host, and to show the service layer working without Qt.
Secrets come from the environment (or --demo), never from the command line, where other users
of the machine could read them in the process list.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import signal
import sys
from typing import Any, TextIO

from crisp_console import demo
from crisp_console.client import ConsoleClient
from crisp_console.client.signin import env_tier_problem
from crisp_console.core import Change, ChangeKind
from crisp_console.errors import CrispError
from crisp_console.log import install_secret_filter
from crisp_console.storage.accounts import DEFAULT_HOST, PLUGIN_TIER
from crisp_console.types import Credentials


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="crisp-console tail",
        description="Print live RTM events and the store's changes. Credentials (a plugin "
        "token) come from CRISP_IDENTIFIER and CRISP_KEY, or use --demo.")
    p.add_argument("--host", default=DEFAULT_HOST, help=f"REST host (default {DEFAULT_HOST})")
    p.add_argument("--demo", action="store_true", help="start a local sandbox and tail it")
    p.add_argument("--changes", action="store_true",
                   help="also print the store's change notifications")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument("--duration", type=float, default=None, metavar="SECONDS",
                   help="stop after SECONDS (default: until Ctrl+C)")
    return p.parse_args(argv)


class Printer:
    def __init__(self, out: TextIO, as_json: bool) -> None:
        self.out = out
        self.as_json = as_json
        self.events = 0
        self.changes = 0

    def event(self, name: str, payload: Any) -> None:
        self.events += 1
        if self.as_json:
            self._line({"kind": "event", "event": name, "payload": payload})
            return
        session = payload.get("session_id", "") if isinstance(payload, dict) else ""
        body = json.dumps(payload, ensure_ascii=False, default=str)
        self._line(f"event  {name:36} {session}  {body[:160]}")

    def change(self, change: Change) -> None:
        self.changes += 1
        if self.as_json:
            self._line({"kind": "change", "change": change.kind.name,
                        "collection": change.collection, "key": change.key,
                        "first": change.first, "last": change.last, "dest": change.dest,
                        "fields": sorted(change.fields)})
            return
        where = f"{change.first}..{change.last}"
        if change.kind in (ChangeKind.MOVING, ChangeKind.MOVED):
            where += f" -> {change.dest}"
        fields = f" {sorted(change.fields)}" if change.fields else ""
        key = f" [{change.key}]" if change.key else ""
        self._line(f"store  {change.collection}{key} {change.kind.name} {where}{fields}")

    def _line(self, item: Any) -> None:
        text = json.dumps(item, ensure_ascii=False, default=str) if not isinstance(item, str) \
            else item
        print(text, file=self.out, flush=True)


async def run(rest: str, credentials: Credentials, args: argparse.Namespace,
              out: TextIO = sys.stdout) -> int:
    printer = Printer(out, args.json)
    client = ConsoleClient(rest, credentials)
    client.add_event_listener(printer.event)
    if args.changes:
        client.store.subscribe(printer.change)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    if args.duration is not None:
        loop.call_later(args.duration, stop.set)
    try:
        await client.start()
        websites = len(client.store.websites)
        conversations = len(client.store.conversations)
        print(f"# connected: {websites} websites, {conversations} conversations loaded; "
              f"tailing (Ctrl+C stops)", file=sys.stderr, flush=True)
        await stop.wait()
    finally:
        await client.aclose()
    print(f"# {printer.events} events, {printer.changes} store changes", file=sys.stderr,
          flush=True)
    return 0


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    sandbox: demo.DemoSandbox | None = None
    try:
        if args.demo:
            sandbox = demo.DemoSandbox(simulator_rate=1.0)
            info = sandbox.start()
            rest, credentials = info["rest"], Credentials(info["identifier"], info["key"])
        else:
            identifier, key = os.environ.get("CRISP_IDENTIFIER"), os.environ.get("CRISP_KEY")
            if not identifier or not key:
                print("crisp-console tail: set CRISP_IDENTIFIER and CRISP_KEY, or use --demo",
                      file=sys.stderr)
                return 2
            problem = env_tier_problem(os.environ.get("CRISP_TIER"))
            if problem:
                print(f"crisp-console tail: {problem}", file=sys.stderr)
                return 2
            rest = args.host
            credentials = Credentials(identifier, key, PLUGIN_TIER)
        install_secret_filter([credentials.key])
        return asyncio.run(run(rest, credentials, args))
    except demo.SandboxStartError as exc:
        print(f"crisp-console tail: {exc}", file=sys.stderr)
        return 1
    except (CrispError, OSError, TimeoutError) as exc:  # one clear line, not a traceback
        print(f"crisp-console tail: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    finally:
        if sandbox is not None:
            sandbox.stop()
