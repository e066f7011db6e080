"""``crisp-sandbox``: serve a Crisp-compatible REST v1 + RTM API on loopback.

It prints how to connect (or one JSON line with ``--json``), flushes stdout, and serves until
SIGTERM or SIGINT, then shuts down cleanly (writing ``--state-file`` if one was given).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import os
import signal
import sys
from pathlib import Path

from crisp_console.sandbox.admin_guard import TOKEN_ENV, check_admin_token, is_loopback_host
from crisp_console.sandbox.config import FaultConfig, SandboxConfig, Sizes
from crisp_console.sandbox.profile import BEHAVIOURS, PROFILES, Behaviours, parse_switch
from crisp_console.sandbox.scopes import all_grants, revoke
from crisp_console.sandbox.server import Sandbox

log = logging.getLogger("crisp_console.sandbox")


def _fraction(raw: str) -> float:
    value = float(raw)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return value


def _non_negative(kind: type[int] | type[float]):  # type: ignore[no-untyped-def]
    def parse(raw: str) -> int | float:
        value = kind(raw)
        if value < 0:
            raise argparse.ArgumentTypeError("must not be negative")
        return value

    return parse


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="crisp-sandbox",
        description="A local Crisp-compatible REST v1 + RTM server with seeded data, "
        "simulated visitors and fault injection.",
    )
    nn_int, nn_float = _non_negative(int), _non_negative(float)
    net = p.add_argument_group("network")
    net.add_argument("--host", default="127.0.0.1",
                     help="bind address (default 127.0.0.1); off loopback needs --allow-remote")
    net.add_argument("--allow-remote", action="store_true",
                     help="allow a --host off loopback: the admin API (token key included) "
                     "then faces the network, guarded only by the admin token")
    net.add_argument("--admin-token", default=os.environ.get(TOKEN_ENV) or None,
                     metavar="TOKEN",
                     help=f"a fixed admin token (X-Sandbox-Token) instead of a random one per "
                     f"run; ${TOKEN_ENV} does the same without showing it in ps")
    net.add_argument("--port", type=nn_int, default=0, help="port; 0 picks a free one")
    net.add_argument("--auth-timeout", type=nn_float, default=10.0,
                     help="seconds an RTM socket may stay unauthenticated (default 10)")
    data = p.add_argument_group("dataset")
    data.add_argument("--seed", type=int, default=1)
    data.add_argument("--websites", type=nn_int, default=Sizes.websites)
    data.add_argument("--unsubscribed", type=nn_int, default=Sizes.unsubscribed,
                      help="websites the plugin is not bound to")
    data.add_argument("--operators", type=nn_int, default=Sizes.operators)
    data.add_argument("--conversations", type=nn_int, default=Sizes.conversations)
    data.add_argument("--messages", type=nn_int, default=None,
                      help="total messages (default: 10 per conversation)")
    data.add_argument("--people", type=nn_int, default=None)
    data.add_argument("--base-time", type=int, default=None,
                      help="epoch ms the dataset is built around (default: now)")
    data.add_argument("--state-file", type=Path, default=None,
                      help="load the world from this snapshot if it exists; write it on "
                      "exit and on POST /_sandbox/snapshot")
    data.add_argument("--state-dir", type=Path, default=None,
                      help="POST /_sandbox/snapshot {path} writes only here (default: the "
                      "directory of --state-file, else a private temporary directory)")
    data.add_argument("--identifier", default=None, help="token identifier (default: seeded)")
    data.add_argument("--key", default=None, help="token key (default: seeded)")
    fidelity = p.add_argument_group(
        "fidelity", "where the sandbox may be kinder than Crisp (crisp-api.md section 10)")
    fidelity.add_argument("--profile", choices=PROFILES, default="strict",
                          help="strict (default): every pessimistic behaviour on; lenient: "
                          "the sandbox's kinder original choices")
    fidelity.add_argument("--behaviour", action="append", default=[], metavar="NAME=on|off",
                          help="switch one behaviour after the profile (repeatable): "
                          + ", ".join(BEHAVIOURS))
    fidelity.add_argument("--tier", choices=("plugin", "website"), default="plugin",
                          help="the token's tier (default plugin)")
    fidelity.add_argument("--revoke-scope", action="append", default=[],
                          metavar="SCOPE[:read|:write]",
                          help="take a scope (or one of its modes) from the token; "
                          "enforced under the scopes behaviour (repeatable)")
    sim = p.add_argument_group("simulator and faults")
    sim.add_argument("--simulate", type=nn_float, default=0.0, metavar="RATE",
                     help="simulated visitor actions per second (default 0: off)")
    sim.add_argument("--latency-ms", type=nn_float, default=0.0)
    sim.add_argument("--error-rate", type=_fraction, default=0.0,
                     help="fraction of /v1 requests answered 5xx")
    sim.add_argument("--reset-rate", type=_fraction, default=0.0,
                     help="fraction of /v1 requests whose connection is reset")
    sim.add_argument("--late-fraction", type=_fraction, default=0.0,
                     help="fraction of those 5xx and resets that happen after the request "
                     "was carried out (default 0: all before)")
    sim.add_argument("--burst-429", type=nn_int, default=0, help="answer the next N with 429")
    sim.add_argument("--retry-after", type=nn_float, default=None,
                     help="Retry-After seconds on 429 bursts (default: no header)")
    sim.add_argument("--quota", type=nn_int, default=5000,
                     help="requests per token per UTC day (default 5000; 0: unlimited)")
    sim.add_argument("--quota-status", type=int, choices=(429, 420), default=429,
                     help="status of a spent quota under opaque_quota (default 429)")
    out = p.add_argument_group("output")
    out.add_argument("--json", action="store_true",
                     help="print the connection details as one JSON line")
    out.add_argument("--log-level", default="WARNING",
                     choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    return p


def config_from_args(args: argparse.Namespace) -> SandboxConfig:
    messages = args.messages if args.messages is not None else args.conversations * 10
    sizes = Sizes(websites=args.websites, unsubscribed=args.unsubscribed,
                  operators=args.operators, conversations=args.conversations,
                  messages=messages, people=args.people)
    if sizes.websites <= sizes.unsubscribed:
        raise SystemExit("crisp-sandbox: --websites must exceed --unsubscribed "
                         "(the plugin needs at least one bound website)")
    behaviours = Behaviours.of(args.profile)
    for raw in args.behaviour:
        try:
            name, on = parse_switch(raw)
        except ValueError as exc:
            raise SystemExit(f"crisp-sandbox: --behaviour: {exc}") from None
        behaviours.update({name: on})
    if not (is_loopback_host(args.host) or args.allow_remote):
        raise SystemExit(f"crisp-sandbox: --host {args.host} is not a loopback address: the "
                         "admin API and the token key would be reachable from the network. "
                         "Add --allow-remote to do it anyway.")
    if args.admin_token is not None:
        try:
            check_admin_token(args.admin_token)
        except ValueError as exc:
            raise SystemExit(f"crisp-sandbox: --admin-token: {exc}") from None
    try:
        grants = revoke(all_grants(), args.revoke_scope)
    except ValueError as exc:
        raise SystemExit(f"crisp-sandbox: --revoke-scope: {exc}") from None
    faults = FaultConfig(latency_ms=args.latency_ms, error_rate=args.error_rate,
                         reset_rate=args.reset_rate, late_fraction=args.late_fraction,
                         burst_429=args.burst_429,
                         retry_after=args.retry_after, daily_quota=args.quota,
                         quota_status=args.quota_status)
    return SandboxConfig(host=args.host, port=args.port, seed=args.seed, sizes=sizes,
                         faults=faults, simulator_rate=args.simulate,
                         auth_timeout=args.auth_timeout, state_file=args.state_file,
                         base_time=args.base_time, identifier=args.identifier, key=args.key,
                         tier=args.tier, behaviours=behaviours, grants=grants,
                         admin_token=args.admin_token, allow_remote=args.allow_remote,
                         state_dir=args.state_dir)


def describe(info: dict[str, object]) -> str:
    return "\n".join([
        "Crisp sandbox is serving.",
        f"  REST      {info['rest']}",
        f"  RTM       {info['rtm']}",
        f"  tier      {info['tier']}",
        f"  identifier {info['identifier']}",
        f"  key       {info['key']}",
        f"  plugin_id {info['plugin_id']}",
        f"  websites  {', '.join(map(str, info['websites']))}",  # type: ignore[call-overload]
        f"  admin     {info['admin']}",
        f"  admin token {info['admin_token']}  (send as X-Sandbox-Token)",
        f"  profile   {info['profile']}",
        "Stop with Ctrl+C (SIGINT) or SIGTERM.",
    ])


async def serve(config: SandboxConfig, *, as_json: bool) -> None:
    sandbox = Sandbox(config)
    # The seeded world lives as long as the process: moving it out of the collector's view
    # spares every later full collection a ~1 s walk over a million messages.
    gc.freeze()
    await sandbox.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    # Handlers first: whoever reads the line below may send SIGTERM at once.
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    info = sandbox.info()
    print(json.dumps(info) if as_json else describe(info), flush=True)
    try:
        await stop.wait()
    finally:
        if config.state_file is not None:
            sandbox.save_snapshot(config.state_file)
        await sandbox.stop()


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=args.log_level, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = config_from_args(args)
    if config.allow_remote and not is_loopback_host(config.host):
        print(f"crisp-sandbox: WARNING: serving on {config.host}: the admin API and the token "
              "key are reachable from the network, guarded only by the admin token",
              file=sys.stderr, flush=True)
    try:
        asyncio.run(serve(config, as_json=args.json))
    except OSError as exc:  # e.g. the port is taken
        print(f"crisp-sandbox: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:  # e.g. a broken --state-file
        print(f"crisp-sandbox: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
