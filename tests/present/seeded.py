"""A Store seeded from payload factories (no server, no Qt), shared by the presentation tests
and the Qt model and widget tests: every state, assignee, website, unread and mention
combination occurs, and ``recount`` gives every filter's count the slow way."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from crisp_console.core import Conversation, Store
from crisp_console.present.filters import Filter, matches
from tests.core import factories as f

T = f.BASE_TIME
SITES = (f.WEBSITE, f.OTHER_WEBSITE)
ME = f.OPERATOR
COLLEAGUE = "0b7e6f3a-2c4d-4e5f-8a9b-1c2d3e4f5a6b"
STATES = ("pending", "unresolved", "resolved")


def conversation_payload(i: int, **overrides: Any) -> dict[str, Any]:
    """The ``i``-th conversation of the seeded store: every state, assignee, website, unread
    and mention combination occurs, and ``updated_at`` decreases with ``i``."""
    assignee = (ME, COLLEAGUE, None, None)[i % 4]
    values: dict[str, Any] = {
        "website_id": SITES[i % 2],
        "state": STATES[i % 3],
        "updated_at": T - i * 60_000,
        "created_at": T - 10**8 + i * 1000,
        "waiting_since": T - i * 60_000 if i % 3 == 0 else 0,
        "assigned": {"user_id": assignee} if assignee else {},
        "unread": {"operator": i % 2, "visitor": 0},
        "mentions": [ME] if i % 5 == 0 else ([COLLEAGUE] if i % 7 == 0 else []),
        "last_message": f"Question number {i}",
        "meta": {"nickname": f"Visitor {i:02d}", "email": f"visitor{i}@example.com"},
    }
    values.update(overrides)
    return f.conversation(**values)


def seeded_store(n: int = 24, *, block_size: int = 1000) -> Store:
    store = Store(block_size=block_size)
    store.set_websites([f.website(s) for s in SITES])
    store.set_operators([f.operator(), f.operator(COLLEAGUE, first_name="Bob")])
    store.upsert_conversations([conversation_payload(i) for i in range(n)])
    return store


def visitor_says(store: Store, sid: str, ts: int, text: str = "ping") -> None:
    store.apply("message:send", f.message_event(sid, timestamp=ts, content=text))


def burst(store: Store, rng: random.Random, n: int = 1000) -> None:
    """A reconnect backlog: new conversations, visitor messages, state and assignment
    changes, removals, in random order."""
    clock = T
    for i in range(n):
        clock += 10
        ids = store.conversation_ids()
        roll = rng.random()
        if roll < 0.1 or not ids:
            store.upsert_conversation(conversation_payload(1000 + i, updated_at=clock,
                                                           state=rng.choice(["pending",
                                                                             "unresolved"])))
        elif roll < 0.8:
            visitor_says(store, rng.choice(ids), clock, f"message {i}")
        elif roll < 0.9:
            store.apply("session:set_state", f.session_event(
                rng.choice(ids), state=rng.choice(["pending", "unresolved", "resolved"])))
        elif roll < 0.97:
            store.apply("session:set_routing", f.session_event(
                rng.choice(ids), routing_id=rng.choice([None, f.OPERATOR])))
        else:
            sid = rng.choice(ids)
            store.apply("session:removed", f.session_event(
                sid, website_id=store.conversations[sid].website_id))


def recount(store: Store, user_id: str | None) -> dict[Filter, int]:
    """Every filter's count, the slow way."""
    def counter(kind: Filter) -> Callable[[Conversation], bool]:
        return lambda conv: matches(kind, conv, user_id)
    return {kind: store.count(counter(kind)) for kind in Filter}
