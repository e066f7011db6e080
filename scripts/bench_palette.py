"""Benchmark of the command palette's search: 100k conversations, 5k people, the commands.

A script that prints figures, not a test that asserts them. The world comes from the
sandbox's seeded dataset (realistic, multilingual names and messages), loaded into a Store.
Queries are typed one character at a time, as an operator does, so every prefix is a
search: names, e-mail fragments, words of messages, typos that match nothing, ">" commands
and "@" people. Examples:

    .venv/bin/python scripts/bench_palette.py
    .venv/bin/python scripts/bench_palette.py --conversations 10000 --people 1000
    .venv/bin/python scripts/bench_palette.py --widget     # also through the Qt dialog

Prints: the first build of the index (all at once, and as the palette does it: folded in
chunks while idle, then laid out on open), a rebuild after live changes, per-keystroke
search times (p50/p95/max, the slowest queries), and with --widget the time from a
keystroke to the repainted result list.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable

from crisp_console.core import Store
from crisp_console.present.palette_sources import PaletteIndex
from crisp_console.sandbox.config import SandboxConfig, Sizes
from crisp_console.sandbox.dataset import build_state
from crisp_console.ui.default_commands import build_registry
from crisp_console.ui.widgets.command_palette import WARM_CHUNK

BASE = 1_750_000_000_000


def world(conversations: int, people: int, seed: int) -> Store:
    sizes = Sizes(websites=3, unsubscribed=1, operators=8, conversations=conversations,
                  messages=conversations * 2, people=people)
    state = build_state(SandboxConfig(seed=seed, sizes=sizes, base_time=BASE))
    store = Store()
    wire = json.dumps([c.to_payload() for c in state.conversations.values()])
    store.upsert_conversations(json.loads(wire))
    for person in state.people.values():
        store.upsert_person(json.loads(json.dumps(person.to_payload())), person.website_id)
    return store


def queries(store: Store, rng: random.Random) -> list[str]:
    """Whole queries; every prefix of each is timed."""
    convs = rng.sample(list(store.conversations.values()), 12)
    people = rng.sample(list(store.people.values()), 4)
    words = [w for c in convs for w in c.last_message.split() if len(w) > 4][:6]
    out = [c.nickname for c in convs[:6] if c.nickname]
    out += [c.email.split("@")[0] for c in convs[6:10] if c.email]
    out += words
    out += ["@" + p.nickname.split(" ")[0] for p in people if p.nickname]
    out += [">resolve", ">next unread", ">assign me", "mark read"]
    out += ["qzxjv", "zzqq wkk", "xqy", "jjjjjj"]  # typos: nothing or nearly nothing matches
    out += [f"{c.nickname.split(' ')[0][:3]} {c.nickname.split(' ')[-1][:3]}"
            for c in convs[:3] if " " in c.nickname]  # "gra hop": two terms
    return out


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def report(label: str, times: list[float]) -> None:
    ms = [t * 1000 for t in times]
    print(f"{label}: {len(ms)} keystrokes, p50 {statistics.median(ms):.1f} ms, "
          f"p95 {percentile(ms, 95):.1f} ms, max {max(ms):.1f} ms")


def churn(store: Store, rng: random.Random, n: int) -> None:
    """Live traffic between two opens: visitor messages (reorder + new excerpt)."""
    ids = store.conversation_ids()
    for i in range(n):
        sid = rng.choice(ids)
        conv = store.conversations[sid]
        store.apply("message:send", {
            "website_id": conv.website_id, "session_id": sid, "inbox_id": None,
            "type": "text", "from": "user", "origin": "chat",
            "content": f"live message {i}", "fingerprint": 900_000_000_000_000 + i,
            "timestamp": BASE + 10**9 + i * 1000,
            "user": {"type": "participant", "user_id": sid, "nickname": conv.nickname},
        })


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def bench_widget(store: Store, typed: list[str]) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QMainWindow

    from crisp_console.ui.widgets.command_palette import CommandPalette

    app = QApplication.instance() or QApplication(sys.argv)
    window = QMainWindow()
    window.resize(1100, 700)
    window.show()
    palette = CommandPalette(build_registry(), store, window)
    palette.debounce_ms = 0  # measure the work, not the debounce
    open_times, key_times = [], []
    for query in typed:
        open_times.append(timed(lambda: palette.open_switcher()))
        for ch in query:
            def key(ch: str = ch) -> None:
                palette.line_edit.insert(ch)  # QTest types ASCII only; names are not
                palette.flush()
                palette.view.viewport().repaint()  # paint the rows now, not later
                app.processEvents()
            key_times.append(timed(key))
        QTest.keyClick(palette.line_edit, Qt.Key.Key_Escape)
        app.processEvents()
    report_opens = [t * 1000 for t in open_times]
    print(f"widget open_switcher(): {len(open_times)} opens, first {report_opens[0]:.0f} ms "
          f"(cold index), then max {max(report_opens[1:], default=0):.1f} ms")
    report("widget keystroke to refreshed list (no debounce)", key_times)
    palette.deleteLater()
    window.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--people", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--widget", action="store_true", help="also time the Qt dialog")
    args = parser.parse_args()

    start = time.perf_counter()
    store = world(args.conversations, args.people, args.seed)
    print(f"world: {store.conversation_count()} conversations, {len(store.people)} people "
          f"in {time.perf_counter() - start:.1f} s")
    registry = build_registry()
    cold = PaletteIndex(store, registry)
    print(f"first open, cold (fold everything at once): {timed(cold.refresh) * 1000:.0f} ms; "
          f"{len(cold.command_items())} commands")
    cold.detach()
    index = PaletteIndex(store, registry)
    lines = index.conversations
    chunks: list[float] = []
    while lines.dirty():
        chunks.append(timed(lambda: lines.fold_dirty(WARM_CHUNK)))
    print(f"idle folding (what the palette does after start-up): {len(chunks)} chunks of "
          f"{WARM_CHUNK}, longest {max(chunks, default=0) * 1000:.1f} ms, "
          f"total {sum(chunks) * 1000:.0f} ms")
    print(f"first open after idle folding (lay out the lines): "
          f"{timed(index.refresh) * 1000:.0f} ms")
    rng = random.Random(args.seed)
    churn(store, rng, 500)
    print(f"open after 500 live messages, without idle folding: "
          f"{timed(index.refresh) * 1000:.0f} ms")
    print(f"open with nothing changed: {timed(index.refresh) * 1000:.2f} ms")
    print(f"empty query (recent conversations + commands): "
          f"{timed(lambda: index.search('')) * 1000:.1f} ms")

    typed = queries(store, rng)
    times: list[float] = []
    worst: list[tuple[float, str, int]] = []
    for query in typed:
        for end in range(1, len(query) + 1):
            prefix = query[:end]
            start = time.perf_counter()
            results = index.search(prefix)
            elapsed = time.perf_counter() - start
            times.append(elapsed)
            worst.append((elapsed, prefix, len(results)))
    report("search per keystroke", times)
    worst.sort(reverse=True)
    print("slowest:", ", ".join(f"{q!r} {t * 1000:.1f} ms ({n} rows)" for t, q, n in worst[:5]))
    sample = typed[0]
    print(f"top results for {sample!r}:",
          "; ".join(f"{r.item.title} [{r.score}]" for r in index.search(sample)[:3]))
    if args.widget:
        bench_widget(store, typed[:8])


if __name__ == "__main__":
    main()
