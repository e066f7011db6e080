"""bench_storage.py's part 5: a database of N conversations and M messages, written through
``Database`` in batches, and its size on disk.

The rows are the codec's (storage/cache.py's ``*_row`` helpers, what the Persister writes):
the sandbox's dataset (real content: texts, files, events, pickers...) loaded into a Store as
REST would. The dataset is built with up to ``DISTINCT`` messages; beyond that its messages
are written again as older history (each copy ``AGE`` earlier, new fingerprints), which keeps
the build and the encoding out of what is measured: the write and the size.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

from crisp_console.core import Message, Store
from crisp_console.sandbox.config import SandboxConfig, Sizes
from crisp_console.sandbox.dataset import build_state
from crisp_console.storage.cache import (
    Batch,
    conversation_row,
    message_row,
    operator_row,
    person_row,
    save_rows,
    website_row,
)
from crisp_console.storage.database import Database, open_database
from crisp_console.storage.eviction import used_bytes

BASE = 1_750_000_000_000
DISTINCT = 100_000  # messages the dataset builds; more are older copies of them
AGE = 90 * 86_400_000  # ms between two copies of the history
BATCH = 20_000  # messages per Database.write, whole conversations (the Persister's are smaller)
IN_FLIGHT = 2  # writes queued at once: the writer thread makes each its own transaction


def on_disk(path: Path) -> tuple[int, int]:
    """(file, WAL) bytes."""
    wal = Path(f"{path}-wal")
    return path.stat().st_size, wal.stat().st_size if wal.exists() else 0


def checkpoint(db: Database) -> tuple[int, ...]:
    """PRAGMA wal_checkpoint(TRUNCATE) on the writer's connection: (busy, log, done)."""
    def run(conn: Any) -> tuple[int, ...]:
        # The writer runs every fn in a transaction and a checkpoint wants none: end it (the
        # writer begins again after a fn that committed).
        conn.execute("COMMIT")
        return tuple(conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone())
    return db.write(run).result()


def world_rows(conversations: int, messages: int, seed: int) -> tuple[Batch, list[Any], int]:
    """The dataset as codec rows: (websites, operators, conversations and people in one
    batch; the distinct message rows; how many messages the dataset built)."""
    distinct = min(messages, DISTINCT)
    state = build_state(SandboxConfig(seed=seed, base_time=BASE, sizes=Sizes(
        websites=3, unsubscribed=0, operators=8, conversations=conversations,
        messages=distinct)))
    store = Store()
    store.set_websites([w.to_payload() for w in state.websites.values()])
    store.set_operators([o.to_payload() for o in state.operators])
    store.upsert_conversations([c.to_payload() for c in state.conversations.values()])
    for person in state.people.values():
        store.upsert_person(person.to_payload(), person.website_id)
    now = int(time.time() * 1000)
    head = Batch(websites=[website_row(s) for s in store.websites.values()],
                 operators=[operator_row(o) for o in store.operators.values()],
                 conversations=[conversation_row(c) for c in store.conversations.values()],
                 people=[person_row(p, now) for p in store.people.values()])
    rows = []
    for conv in state.conversations.values():
        for m in conv.messages:
            row = message_row(Message.from_payload(m.to_payload(conv.website_id,
                                                                conv.session_id)))
            if row is not None:
                rows.append(row)
    return head, rows, len(rows)


def copies(rows: list[Any], messages: int) -> Iterator[list[tuple[str, int, int, str]]]:
    """``messages`` rows in batches of whole conversations: each conversation's ``rows``,
    then older copies of them (as its history is read page after page)."""
    generations = math.ceil(messages / len(rows))
    by_conversation: dict[str, list[Any]] = {}
    for row in rows:
        by_conversation.setdefault(row[0], []).append(row)
    quota = [messages // generations + (g < messages % generations)
             for g in range(generations)]  # rows of each generation
    out: list[tuple[str, int, int, str]] = []
    for own in by_conversation.values():
        for generation in range(generations):
            shift = generation * AGE
            for sid, fp, ts, body in own:
                if not quota[generation]:
                    break
                quota[generation] -= 1
                if generation:  # same digits: the body keeps its length
                    body = body.replace(f'"timestamp":{ts},', f'"timestamp":{ts - shift},', 1)
                out.append((sid, fp * 16 + generation, ts - shift, body))
        if len(out) >= BATCH:
            yield out
            out = []
    if out:
        yield out


def build(directory: Path, key: str, conversations: int, messages: int,
          seed: int) -> dict[str, Any]:
    """Write the database in ``directory``; its figures (sizes in bytes, times in s)."""
    started = time.perf_counter()
    head, rows, distinct = world_rows(conversations, messages, seed)
    built = time.perf_counter() - started
    db = open_database(directory, key)
    assert db.path is not None
    out: dict[str, Any] = {"mode": db.mode.value, "engine": db.engine.version,
                           "distinct": distinct, "build_s": built,
                           "conversations": len(head.conversations), "people": len(head.people)}
    db.write(partial(save_rows, batch=head)).result()
    checkpoint(db)
    out["without_messages"] = sum(on_disk(db.path))
    started = time.perf_counter()
    pending: list[Any] = []
    written = body_bytes = 0
    for chunk in copies(rows, messages):
        pending.append(db.write(partial(save_rows, batch=Batch(messages=chunk))))
        written += len(chunk)
        body_bytes += sum(len(r[3].encode()) for r in chunk)
        while len(pending) > IN_FLIGHT:
            pending.pop(0).result()
    for future in pending:
        future.result()
    # Every conversation's timeline as loaded, read at its update: the warm start restores
    # the most recently read ones.
    timelines: list[tuple[str, int, int | None, int, int]] = [
        (sid, 1, None, 1, updated) for sid, _w, updated, _b in head.conversations]
    db.write(partial(save_rows, batch=Batch(timelines=timelines))).result()
    out.update(messages=written, write_s=time.perf_counter() - started, body_bytes=body_bytes,
               before_checkpoint=on_disk(db.path), stats=db.stats)
    out["checkpoint"] = checkpoint(db)
    out["after_checkpoint"] = on_disk(db.path)
    out["used"] = db.read(used_bytes).result()
    out["cap"] = cached_cap()
    db.close()
    out["after_close"] = on_disk(db.path)
    return out


def cached_cap() -> int:
    from crisp_console.client.config import ClientConfig
    return ClientConfig().cache_cap_bytes


def print_size(r: dict[str, Any], mb: float = 1e6) -> None:
    file_b, wal_b = r["after_checkpoint"]
    total = file_b + wal_b
    n = r["messages"]
    per_msg = (total - r["without_messages"]) / n
    stats = r["stats"]
    copied = ", the rest older copies of them" if n > r["distinct"] else ""
    print(f"  {r['conversations']} conversations, {r['people']} people, {n} messages "
          f"({r['distinct']} from the sandbox's dataset{copied}); {r['mode']}, {r['engine']}")
    print(f"  written through Database in batches of {BATCH}: {r['write_s']:.1f} s = "
          f"{n / r['write_s']:,.0f} messages/s ({stats.batches} transactions, longest "
          f"{stats.longest_batch_ms:.0f} ms); dataset built and encoded in {r['build_s']:.1f} s")
    before = r["before_checkpoint"]
    print(f"  on disk before checkpoint: {before[0] / mb:.0f} MB + WAL {before[1] / mb:.0f} MB;"
          f" after wal_checkpoint(TRUNCATE) {r['checkpoint']}: {file_b / mb:.0f} MB + WAL "
          f"{wal_b / mb:.0f} MB = {total / mb:.0f} MB")
    print(f"  without the messages {r['without_messages'] / mb:.1f} MB; messages "
          f"{per_msg:.0f} B each on disk (JSON bodies {r['body_bytes'] / n:.0f} B), "
          f"= {per_msg * 100_000 / mb:.1f} MB per 100k messages")
    cap = r["cap"]
    print(f"  pages in use {r['used'] / mb:.0f} MB vs the default cache cap "
          f"{cap / mb:.0f} MB ({cap / 2**20:.0f} MiB): "
          f"{'over: a warm start evicts first' if r['used'] > cap else 'under the cap'}")
