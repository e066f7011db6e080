"""Benchmark of core.Store: events applied per second and memory per 10k conversations.

A script that prints figures, not a test that asserts them. The world and the events come
from the sandbox's own state (dataset + SandboxState mutations), serialised to JSON and
decoded again, so the store sees exactly what it would get off the wire. Examples:

    .venv/bin/python scripts/bench_store.py                         # 10k conversations
    .venv/bin/python scripts/bench_store.py --conversations 100000  # the O(log n) check
    .venv/bin/python scripts/bench_store.py --events 20000 --no-observer

Event mix (per 100): 33 visitor messages, 12 operator messages, 30 compose start/stop,
8 state changes, 8 read acknowledgements, 4 routing, 3 availability, 2 nickname changes.
Then a page of 50 conversations the store holds already, read again (what the backfill
and a view's reread cost the loop in one step), for this checkout and ``--before PATH`` side
by side (run there with PYTHONPATH=PATH). Last, the conversation list alone at 10k, 100k and
1M rows: the cost of one move.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import subprocess
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Any

from crisp_console.core import Change, ChangeKind, Conversation, Store
from crisp_console.core.sharing import Sharer
from crisp_console.core.sortedrows import SortedRows
from crisp_console.sandbox.config import SandboxConfig, Sizes
from crisp_console.sandbox.dataset import build_state
from crisp_console.sandbox.state import SandboxState

SCRIPTS = Path(__file__).resolve().parent
BASE = 1_750_000_000_000
MIX = [("visitor", 33), ("operator", 12), ("compose", 30), ("state", 8), ("read", 8),
       ("routing", 4), ("availability", 3), ("nickname", 2)]


def world(conversations: int, seed: int) -> SandboxState:
    # Histories are not what is measured here (they stay in the sandbox): keep them small.
    sizes = Sizes(websites=3, unsubscribed=1, operators=8, conversations=conversations,
                  messages=conversations * 2)
    return build_state(SandboxConfig(seed=seed, sizes=sizes, base_time=BASE))


def wire(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"))


def make_events(state: SandboxState, count: int, seed: int) -> list[tuple[str, Any]]:
    """Drive the sandbox's state and record what it emits, as JSON text per event."""
    rng = random.Random(seed)
    ticks = iter(range(BASE + 1000, BASE + 10**12, 250))
    state.clock = lambda: next(ticks)
    out: list[tuple[str, Any]] = []
    state.emit = lambda name, payload: out.append((name, wire(payload)))
    convs = list(state.conversations.values())
    ops = state.operators
    kinds = [k for k, _ in MIX]
    weights = [w for _, w in MIX]
    while len(out) < count:
        conv = rng.choice(convs)
        kind = rng.choices(kinds, weights)[0]
        op = rng.choice(ops)
        if kind == "visitor":
            state.add_message(conv, type="text", from_="user", origin="chat",
                              content=f"visitor text {len(out)}", user=conv.visitor)
        elif kind == "operator":
            state.add_message(conv, type="text", from_="operator", origin="chat",
                              content=f"operator reply {len(out)}", user=op.user())
        elif kind == "compose":
            side = rng.choice(["user", "operator"])
            state.compose(conv, kind=rng.choice(["start", "stop"]), from_=side,
                          excerpt="typing…", user=op.user() if side == "operator" else None)
        elif kind == "state":
            state.set_state(conv, rng.choice(["pending", "unresolved", "resolved"]))
        elif kind == "read":
            tail = [m.fingerprint for m in conv.messages[-3:]]
            state.acknowledge(conv, kind="read", from_="operator", origin="chat",
                              fingerprints=tail)
        elif kind == "routing":
            state.set_routing(conv, rng.choice([None, op.user_id]))
        elif kind == "availability":
            state.set_availability(conv, rng.choice(["online", "offline"]))
        else:
            state.update_meta(conv, {"nickname": f"visitor-{rng.randrange(10**6)}"})
    return out[:count]


def measure_memory(state: SandboxState) -> tuple[int, int, int]:
    """Bytes the store retains for the conversations (as decoded from the wire), the part
    of it that is the Conversation objects alone, and bytes per message of their history
    (one REST page per conversation)."""
    conv_text = wire([c.to_payload() for c in state.conversations.values()])
    pages = [(c.session_id, wire([m.to_payload(c.website_id, c.session_id)
                                  for m in c.messages])) for c in state.conversations.values()]
    n_msgs = sum(len(c.messages) for c in state.conversations.values())
    gc.collect()
    tracemalloc.start()
    sharer = Sharer()
    objects = [Conversation.from_payload(p, sharer) for p in json.loads(conv_text)]
    gc.collect()
    object_bytes = tracemalloc.get_traced_memory()[0]
    del objects, sharer
    tracemalloc.stop()
    gc.collect()
    tracemalloc.start()
    store = Store()
    store.upsert_conversations(json.loads(conv_text))
    gc.collect()
    conv_bytes = tracemalloc.get_traced_memory()[0]
    for sid, text in pages:
        store.upsert_messages(sid, json.loads(text))
    gc.collect()
    msg_bytes = tracemalloc.get_traced_memory()[0] - conv_bytes
    tracemalloc.stop()
    del store
    return conv_bytes, object_bytes, msg_bytes // max(1, n_msgs)


def fresh_store(state: SandboxState, observer: Any = None) -> Store:
    store = Store()
    if observer is not None:
        store.subscribe(observer)
    store.upsert_conversations(json.loads(wire([c.to_payload()
                                                for c in state.conversations.values()])))
    return store


def page_reread(conversations: int, seed: int) -> float:
    """Milliseconds to upsert one page of 50 known conversations, unchanged (the median over
    every page of the world, three rounds)."""
    state = world(conversations, seed)
    store = fresh_store(state)
    payloads = [c.to_payload() for c in state.conversations.values()]
    pages = [json.loads(wire(payloads[i:i + 50])) for i in range(0, len(payloads), 50)]
    times = []
    for _ in range(3):
        for page in pages:
            start = time.perf_counter()
            store.upsert_conversations(page)
            times.append(time.perf_counter() - start)
    times.sort()
    return times[len(times) // 2] * 1000


def reread_side_by_side(args: argparse.Namespace) -> None:
    ours = page_reread(args.conversations, args.seed)
    line = f"page of 50 known conversations read again: {ours:.2f} ms per page (ours)"
    if args.before is not None:
        code = (f"import sys; sys.path.insert(0, {str(SCRIPTS)!r}); import bench_store; "
                f"print(bench_store.page_reread({args.conversations}, {args.seed}))")
        env = {**os.environ, "PYTHONPATH": str(args.before)}
        out = subprocess.run([sys.executable, "-c", code], env=env, cwd=args.before,
                             capture_output=True, text=True, check=True).stdout
        before = float(out.strip().splitlines()[-1])
        line += f", {before:.2f} ms (before), ratio {ours / before:.2f}x"
    print(line)


def by_name_of(events: list[tuple[str, Any]]) -> list[str]:
    return sorted({name for name, _ in events})


def run_events(state: SandboxState, events: list[tuple[str, str]], observer: bool) -> None:
    kinds: Counter[ChangeKind] = Counter()

    def count(change: Change) -> None:  # the least a Qt adapter costs: one call per Change
        kinds[change.kind] += 1

    store = fresh_store(state, count if observer else None)
    decoded = [(name, json.loads(text)) for name, text in events]
    gc.collect()
    start = time.perf_counter()
    results = Counter(store.apply(name, payload).value for name, payload in decoded)
    elapsed = time.perf_counter() - start
    n = len(decoded)
    print(f"apply: {n} events over {store.conversation_count()} conversations in "
          f"{elapsed:.2f} s = {n / elapsed:,.0f} events/s ({elapsed / n * 1e6:.1f} µs/event)"
          f"{'' if observer else ' [no observer]'}")
    print("  results:", ", ".join(f"{k} {v}" for k, v in results.most_common()))
    if observer:
        print("  changes emitted:", ", ".join(f"{k.value} {v}" for k, v in kinds.most_common()))

    # Where the time goes: the same events on a fresh store, timed one by one.
    store = fresh_store(state, count if observer else None)
    decoded = [(name, json.loads(text)) for name, text in events]
    spent: dict[str, float] = dict.fromkeys(by_name_of(decoded), 0.0)
    seen: Counter[str] = Counter()
    clock = time.perf_counter
    for name, payload in decoded:
        t0 = clock()
        store.apply(name, payload)
        spent[name] += clock() - t0
        seen[name] += 1
    print("  per event kind (µs/event, incl. ~0.1 µs timer overhead):")
    for name, total in sorted(spent.items(), key=lambda kv: -kv[1]):
        print(f"    {name:<36} {seen[name]:>7}  {total / seen[name] * 1e6:6.1f}")


def list_scaling(sizes: tuple[int, ...] = (10_000, 100_000, 1_000_000)) -> None:
    """The conversation list alone: cost of moving a row to a random new place, vs size."""
    print("conversation list, one row to a random new place (MOVING/MOVED + rekey):")
    for n in sizes:
        rng = random.Random(n)
        rows = SortedRows(lambda change: None, "conversations")
        ids = [f"session_{i:08d}" for i in range(n)]
        rows.replace([((rng.random() < 0.1, -rng.randrange(10**12), sid), sid) for sid in ids])
        picks = [(rng.choice(ids), rng.randrange(10**12)) for _ in range(20_000)]
        gc.collect()
        start = time.perf_counter()
        for sid, stamp in picks:
            rows.rekey(sid, (False, -stamp, sid))
            rows.row_of(sid)
        per = (time.perf_counter() - start) / len(picks) * 1e6
        print(f"  {n:>9,} rows: {per:5.1f} µs per move + row_of")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-observer", action="store_true",
                        help="apply without any subscriber (the store's own cost)")
    parser.add_argument("--no-scaling", action="store_true",
                        help="skip the conversation-list scaling figures (10k to 1M rows)")
    parser.add_argument("--before", type=Path, default=None,
                        help="a checkout whose page reread is measured side by side")
    parser.add_argument("--reread-only", action="store_true",
                        help="only the page reread figure")
    args = parser.parse_args(argv)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus")
    if args.reread_only:
        reread_side_by_side(args)
        return
    start = time.perf_counter()
    state = world(args.conversations, args.seed)
    print(f"sandbox world: {len(state.conversations)} conversations, "
          f"{sum(len(c.messages) for c in state.conversations.values())} messages "
          f"({time.perf_counter() - start:.1f} s to build)")

    conv_bytes, object_bytes, per_msg = measure_memory(state)
    per_conv = conv_bytes / len(state.conversations)
    per_object = object_bytes / len(state.conversations)
    print("memory (tracemalloc, what the store retains after decoding the wire JSON):")
    print(f"  conversations: {conv_bytes / 2**20:.1f} MiB for {len(state.conversations)} = "
          f"{per_conv:,.0f} B each, {per_conv * 10_000 / 2**20:.1f} MiB per 10k conversations")
    print(f"  of which the Conversation objects with their values: {per_object:,.0f} B each "
          f"(the rest: sort keys, row blocks, dicts by id)")
    print(f"  messages: {per_msg:,} B each (REST pages loaded into timelines)")

    start = time.perf_counter()
    events = make_events(state, args.events, args.seed)
    print(f"events: {len(events)} generated by the sandbox in {time.perf_counter() - start:.1f} s")
    run_events(world(args.conversations, args.seed), events, observer=not args.no_observer)
    reread_side_by_side(args)
    if not args.no_scaling:
        list_scaling()


if __name__ == "__main__":
    main()
