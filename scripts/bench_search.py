"""Benchmark of local search (issue 14): per-keystroke latency over 1M cached messages, against
a naive LIKE scan of the same database in the same run, and what the index costs to build and
to keep.

A script that prints figures, not a test that asserts them. The database is the one issue
13's storage bench writes (bench_storage_data.py: the sandbox's multilingual dataset, older
copies of its history beyond 100k messages), written as a schema-v1 file, then upgraded in
place to v2: the migration (timed alone: it only makes the empty index and records the debt,
as when the console opens an upgraded file), then the background backfill that indexes the
cached rows in chunks on the database's writer (search_backfill.py, timed apart, with what
one chunk holds the writer). It is kept under /tmp, keyed by its size, and reused by the
next run (--rebuild makes it again). Then queries are typed one
character at a time, as an operator does, each prefix one search through LocalSearch (its
own read connection and thread, as the console uses it):

    .venv/bin/python scripts/bench_search.py                    # 1M messages, a few minutes
    .venv/bin/python scripts/bench_search.py --messages 100000  # smaller
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any

import bench_storage_data as data

from crisp_console.storage import schema
from crisp_console.storage.cache import Batch, save_rows
from crisp_console.storage.database import DB_NAME, Database, open_database
from crisp_console.storage.engine import default_engine
from crisp_console.storage.eviction import used_bytes
from crisp_console.storage.search import LocalSearch
from crisp_console.storage.search_backfill import CHUNK, Backfill

# (what the operator types, what it is); each is typed one character at a time.
QUERIES = (
    ("vat", "a word of the issue's scenario"),
    ("refund", "a common word"),
    ("{first}", "a visitor's first name, without its accents"),
    ("{last}", "a visitor's last name"),
    ("{email}", "an email fragment"),
    ('"refund went through"', "a quoted phrase"),
    ("tracking number", "two words"),
    ("invoise", "a typo: matches nothing once past 'invoi'"),
    ("A-2291", "an order number"),
    ("thank", "a very common word"),
)


def sql_like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# ---- the database ---------------------------------------------------------------------------


def build(directory: Path, key: str | None, conversations: int, messages: int,
          seed: int) -> dict[str, Any]:
    """A v1 file written as the cache writes it, migrated to v2, then indexed by the
    backfill (the index build)."""
    engine = default_engine()
    path = directory / DB_NAME
    started = time.perf_counter()
    head, rows, distinct = data.world_rows(conversations, messages, seed)
    out: dict[str, Any] = {"engine": engine.version, "distinct": distinct,
                           "dataset_s": time.perf_counter() - started}
    conn = engine.connect(path, key=key)
    conn.execute("PRAGMA journal_mode = WAL")
    schema.migrate(conn, schema.MIGRATIONS[:1])  # v1: the cache without the index

    def write(batch: Batch) -> None:
        conn.execute("BEGIN IMMEDIATE")
        save_rows(conn, batch)  # the index is not there: save_rows writes the cache only
        conn.execute("COMMIT")

    started = time.perf_counter()
    write(head)
    written = 0
    for chunk in data.copies(rows, messages):
        write(Batch(messages=chunk))
        written += len(chunk)
    write(Batch(timelines=[(sid, 1, None, 1, updated)
                           for sid, _w, updated, _b in head.conversations]))
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    out.update(messages=written, conversations=len(head.conversations),
               write_s=time.perf_counter() - started, v1_used=used_bytes(conn),
               v1_file=path.stat().st_size)
    conn.close()
    started = time.perf_counter()
    db = open_database(directory, key)  # v1 -> v2, as the console opens it
    out.update(open_s=time.perf_counter() - started, versions=[1, db.read(schema.version).result()])
    out.update(asyncio.run(backfilled(db)))
    db.close()
    conn = engine.connect(path, key=key)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    out.update(v2_used=used_bytes(conn), v2_file=path.stat().st_size,
               tables=dict(conn.execute(
                   "SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall())
               if has_dbstat(conn) else {})
    conn.close()
    return out


async def backfilled(db: Database) -> dict[str, Any]:
    """The background backfill to its end, as open_local runs it; each chunk's time on the
    writer (nothing else writes here, so a batch is one chunk)."""
    chunk_ms: list[float] = []
    backfill = Backfill(db, on_chunk=lambda _b: chunk_ms.append(db.stats.last_batch_ms))
    started = time.perf_counter()
    indexed = await backfill.run()
    elapsed = time.perf_counter() - started
    ordered = sorted(chunk_ms) or [0.0]
    return {"backfill_s": elapsed, "indexed": indexed, "chunks": backfill.chunks,
            "chunk": backfill.chunk, "pause_s": backfill.pause,
            "busy_s": sum(chunk_ms) / 1000, "chunk_p50_ms": statistics.median(ordered),
            "chunk_max_ms": ordered[-1]}


def has_dbstat(conn: Any) -> bool:
    try:
        conn.execute("SELECT 1 FROM dbstat LIMIT 1").fetchall()
    except Exception:  # noqa: BLE001 - a SQLite built without it
        return False
    return True


def prepared(args: argparse.Namespace) -> tuple[Path, str | None, dict[str, Any]]:
    """The database's folder, its key and its build figures (made now or by an earlier run)."""
    engine = default_engine()
    directory = Path(args.dir) if args.dir else (
        Path(tempfile.gettempdir()) / "crisp-bench-search"
        / f"{args.messages}m-{args.conversations}c-seed{args.seed}-{engine.name}-chunk{CHUNK}")
    built = directory / "built.json"
    key_file = directory / "bench.key"  # a random key of this throwaway file, nobody's
    if args.rebuild and directory.exists():
        shutil.rmtree(directory)
    if built.exists():
        info = json.loads(built.read_text())
        info["reused"] = True
        key = key_file.read_text() if engine.encrypted else None
        return directory, key, info
    if directory.exists():
        shutil.rmtree(directory)  # a build that did not finish
    directory.mkdir(parents=True, mode=0o700)
    key = secrets.token_hex(32) if engine.encrypted else None
    if key is not None:
        key_file.touch(mode=0o600)
        key_file.write_text(key)
    info = build(directory, key, args.conversations, args.messages, args.seed)
    built.write_text(json.dumps(info))
    info["reused"] = False
    return directory, key, info


def samples(db: Database) -> dict[str, str]:
    """Real values of the dataset to type: a visitor's names and an email fragment."""
    def read(conn: Any) -> dict[str, str]:
        for (body,) in conn.execute("SELECT body FROM conversations ORDER BY updated_at DESC"):
            conv = json.loads(body)
            nick, email = conv.get("nickname", ""), conv.get("email", "")
            if " " in nick and "@" in email and not nick.isascii():
                first, last = nick.split(" ", 1)
                return {"first": fold(first), "last": last, "email": email[:email.index("@") + 4]}
        return {"first": "zoe", "last": "smith", "email": "zoe@exa"}
    return db.read(read).result()


def fold(text: str) -> str:
    """Accents off, as an operator types a name they heard."""
    import unicodedata
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


# ---- measuring ------------------------------------------------------------------------------


def keystrokes(query: str) -> list[str]:
    return [query[:n] for n in range(1, len(query) + 1)]


async def ours(search: LocalSearch, typed: list[tuple[str, str]],
               rounds: int) -> tuple[list[float], dict[str, list[float]], dict[str, int]]:
    """Every keystroke of every query, ``rounds`` times: latencies (ms), by query, and the
    hits of each full query."""
    all_ms: list[float] = []
    by_query: dict[str, list[float]] = {}
    hits: dict[str, int] = {}
    for _ in range(rounds):
        for query, _what in typed:
            for prefix in keystrokes(query):
                started = time.perf_counter()
                found = await search.search(prefix)
                ms = (time.perf_counter() - started) * 1000
                all_ms.append(ms)
                by_query.setdefault(query, []).append(ms)
                if prefix == query:
                    hits[query] = len(found)
    return all_ms, by_query, hits


def baseline(db: Database, typed: list[tuple[str, str]], sql: str, count: int) -> list[float]:
    """The naive search, on ``count`` keystrokes spread over the queries."""
    strokes = [p for q, _w in typed for p in keystrokes(q)]
    step = max(1, len(strokes) // count)
    out = []
    for prefix in strokes[::step][:count]:
        started = time.perf_counter()
        db.read(partial(lambda conn, p: conn.execute(sql, (sql_like(p),)).fetchall(),
                        p=prefix)).result()
        out.append((time.perf_counter() - started) * 1000)
    return out


def line(name: str, ms: list[float]) -> str:
    ordered = sorted(ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (f"  {name:<44} p50 {statistics.median(ordered):8.1f} ms  p95 {p95:8.1f} ms  "
            f"max {ordered[-1]:8.1f} ms  ({len(ordered)} keystrokes)")


def print_build(info: dict[str, Any], mb: float = 1e6) -> None:
    n = info["messages"]
    how = "reused from an earlier run" if info["reused"] else "built now"
    print(f"database ({how}): {info['conversations']} conversations, {n} messages "
          f"({info['distinct']} distinct from the sandbox's dataset, the rest older copies); "
          f"{info['engine']}")
    print(f"  written as a v1 file through save_rows in {info['write_s']:.1f} s "
          f"(dataset {info['dataset_s']:.1f} s)")
    print(f"  open with the v1 -> v2 migration in place (empty index, debt recorded): "
          f"{info['open_s'] * 1000:.0f} ms")
    print(f"  index build = the background backfill: {info['backfill_s']:.1f} s "
          f"({n / info['backfill_s']:,.0f} messages/s, {info['indexed']} documents), "
          f"{info['chunks']} chunks of {info['chunk']} rows, {info['pause_s'] * 1000:.0f} ms "
          f"apart; the writer busy {info['busy_s']:.1f} s of it, one chunk holding it "
          f"p50 {info['chunk_p50_ms']:.0f} ms, max {info['chunk_max_ms']:.0f} ms")
    v1, v2 = info["v1_used"], info["v2_used"]
    print(f"  pages in use: v1 {v1 / mb:.0f} MB, v2 {v2 / mb:.0f} MB: the index adds "
          f"{(v2 - v1) / mb:.0f} MB (+{(v2 - v1) / v1:.0%}), {(v2 - v1) / n:.0f} B per message;"
          f" file {info['v1_file'] / mb:.0f} -> {info['v2_file'] / mb:.0f} MB")
    tables = info.get("tables") or {}
    parts: dict[str, int] = {}
    for name, size in tables.items():
        if name.startswith("search_text"):
            parts["search_text (FTS5: doclists, text, sizes)"] = parts.get(
                "search_text (FTS5: doclists, text, sizes)", 0) + size
        elif name.startswith("search_cards"):
            parts["search_cards"] = parts.get("search_cards", 0) + size
        elif name.startswith(("search_", "sqlite_autoindex_search")):
            parts["rowid maps (messages, sessions, websites)"] = parts.get(
                "rowid maps (messages, sessions, websites)", 0) + size
    if parts:
        print("  of which " + "; ".join(f"{k} {v / mb:.0f} MB" for k, v in parts.items()))


def upkeep(messages: int = 40_000, batch: int = 200) -> None:
    """What keeping the index costs the writer thread: save_rows of new messages, in the
    Persister's batch size, on a v1 (no index) and a v2 database in memory, same engine."""
    head, rows, _distinct = data.world_rows(2000, messages, 3)
    print(f"index upkeep on the writer thread (save_rows, batches of {batch}, in memory):")
    for version in (1, 2):
        conn = default_engine().connect(":memory:")
        schema.migrate(conn, schema.MIGRATIONS[:version])
        timed: list[float] = []
        for rows_now in (head, *(Batch(messages=rows[i:i + batch])
                                 for r in range(2) for i in range(0, len(rows), batch))):
            started = time.perf_counter()
            conn.execute("BEGIN")
            save_rows(conn, rows_now)
            conn.execute("COMMIT")
            timed.append(time.perf_counter() - started)
        half = (len(timed) - 1) // 2
        new, again = sum(timed[1:1 + half]), sum(timed[1 + half:])
        what = "v1, no index" if version == 1 else "v2, indexed "
        print(f"  {what}: {len(rows)} new messages {new:5.2f} s ({len(rows) / new:9,.0f}/s, "
              f"{new / len(rows) * 1e6:4.0f} us each); saved again unchanged {again:5.2f} s")
        conn.close()


async def measure(args: argparse.Namespace, directory: Path, key: str | None) -> None:
    db = open_database(directory, key)
    search = await asyncio.to_thread(LocalSearch.open, db, key)
    try:
        names = samples(db)
        typed = [(q.format(**names), what) for q, what in QUERIES]
        print(f"typed one character at a time, each prefix a search ({search.separate=}):")
        for query, what in typed:
            print(f"  {query!r}: {what}")
        first, _by, _hits = await ours(search, typed, 1)  # a fresh reader: cold pages
        again, by_query, hits = await ours(search, typed, args.rounds)
        print("per keystroke, ours (LocalSearch: FTS5, bm25, snippets, 100 hits):")
        print(line("every keystroke", first + again))
        print(line("the first time (the reader's page cache cold)", first))
        print(line(f"typed again ({args.rounds} more rounds)", again))
        print("  by query, typed again:")
        for query, _what in typed:
            print(line(f"{query!r} ({hits.get(query, 0)} hits)", by_query[query]))
        if not args.baseline:
            return
        print(f"baseline, same database, same run ({args.baseline} keystrokes each: "
              "every one reads all the messages):")
        print(line("LIKE '%term%' newest first, LIMIT 100", baseline(
            db, typed, "SELECT session_id, fingerprint FROM messages WHERE body LIKE ? "
                       "ESCAPE '\\' ORDER BY timestamp DESC LIMIT 100", args.baseline)))
        print(line("LIKE '%term%' first 100 found (no order)", baseline(
            db, typed, "SELECT session_id, fingerprint FROM messages WHERE body LIKE ? "
                       "ESCAPE '\\' LIMIT 100", args.baseline)))
    finally:
        await search.aclose()
        db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=2,
                        help="times each query is typed again after the first")
    parser.add_argument("--baseline", type=int, default=12,
                        help="keystrokes the LIKE baseline runs (0: none)")
    parser.add_argument("--dir", default="", help="where the database is kept")
    parser.add_argument("--rebuild", action="store_true", help="make the database again")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    started = time.perf_counter()
    directory, key, info = prepared(args)
    print_build(info)
    upkeep()
    asyncio.run(measure(args, directory, key))
    print(f"run time {time.perf_counter() - started:.0f} s; load average "
          f"{os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
