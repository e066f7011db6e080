"""A seeded random walk over every kind of store operation, replayed onto plain lists with
Qt's rules (tests/core/mirror.py) and compared with the store after each operation.

This is the check qtmodeltester will make on the Qt adapters later: if the Change stream is
right here, an adapter that maps it one-to-one is right too.
"""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import pytest

from crisp_console.core import ChangeKind, Ordering, Store
from crisp_console.core.changes import CONVERSATIONS, MESSAGES
from tests.core import factories as f
from tests.core.conftest import assert_consistent
from tests.core.mirror import QtMirror

T = f.BASE_TIME
SITES = [f.WEBSITE, f.OTHER_WEBSITE, "third-website"]


class Walk:
    def __init__(self, store: Store, rng: random.Random) -> None:
        self.store = store
        self.rng = rng
        self.clock = T
        self.next_fp = 1

    def tick(self) -> int:
        self.clock += self.rng.randint(0, 3) * 1000  # equal timestamps happen
        return self.clock

    def fp(self) -> int:
        self.next_fp += 1
        return self.next_fp

    def sid(self) -> str | None:
        ids = list(self.store.conversations)
        return self.rng.choice(ids) if ids else None

    def new_conversation(self) -> dict[str, Any]:
        r = self.rng
        waiting = r.choice([0, self.clock - r.randint(0, 10**6)])
        return f.conversation(
            website_id=r.choice(SITES), state=r.choice(["pending", "unresolved", "resolved"]),
            updated_at=self.clock - r.randint(0, 10**7), waiting_since=waiting,
            created_at=self.clock - r.randint(10**7, 10**8))

    # ---- operations ----------------------------------------------------------------------------

    def load(self) -> None:
        batch = [self.new_conversation() for _ in range(self.rng.randint(1, 12))]
        for sid in self.rng.sample(list(self.store.conversations),
                                   min(3, len(self.store.conversations))):
            batch.append(f.conversation(sid, website_id=self.store.conversations[sid].website_id,
                                        updated_at=self.tick(), state="unresolved"))
        self.store.upsert_conversations(batch)

    def message(self) -> None:
        sid = self.sid()
        if sid is None:
            return
        sender = self.rng.choice(["user", "operator"])
        ts = self.tick() if self.rng.random() < 0.8 else self.clock - self.rng.randint(1, 10**6)
        kind = self.rng.choice(["text", "text", "text", "note", "file"])
        payload = f.message_event(sid, from_=sender, timestamp=ts, type=kind,
                                  fingerprint=self.fp())
        event = "message:send" if sender == "user" else "message:received"
        self.store.apply(event, payload)
        if self.rng.random() < 0.1:
            self.store.apply(event, payload)  # a replay

    def session(self) -> None:
        sid = self.sid()
        if sid is None:
            return
        r = self.rng
        choices: list[tuple[str, dict[str, Any]]] = [
            ("session:set_state", {"state": r.choice(["pending", "unresolved", "resolved"])}),
            ("session:set_routing", {"routing_id": r.choice([None, f.OPERATOR])}),
            ("session:set_block", {"is_blocked": r.random() < 0.5}),
            ("message:compose:send", {"type": r.choice(["start", "stop"]), "excerpt": "Hi"}),
            ("session:set_nickname", {"nickname": r.choice(["a", "b"])}),
            ("message:acknowledge:read:received", {"fingerprints": [], "origin": "chat"}),
        ]
        event, extra = r.choice(choices)
        self.store.apply(event, f.session_event(sid, **extra))

    def remove(self) -> None:
        sid = self.sid()
        if sid is not None:
            self.store.apply("session:removed", f.session_event(sid))

    def history(self) -> None:
        sid = self.sid()
        if sid is None:
            return
        msgs = self.store.messages(sid)
        oldest = msgs[0].timestamp if msgs else self.clock
        page = [f.message(sid, timestamp=oldest - self.rng.randint(0, 10**5),
                          fingerprint=self.fp()) for _ in range(self.rng.randint(1, 8))]
        if msgs and self.rng.random() < 0.5:
            page.append(f.message(sid, fingerprint=msgs[-1].fingerprint,
                                  timestamp=msgs[-1].timestamp, read="chat",
                                  from_=msgs[-1].from_))
        self.store.upsert_messages(sid, page)

    def echo(self) -> None:
        sid = self.sid()
        if sid is None:
            return
        r = self.rng
        pending = [m for m in self.store.messages(sid) if m.is_pending]
        if not pending or r.random() < 0.4:
            self.store.add_pending(sid, fingerprint=self.fp(), type="text", content="x",
                                   user_id=f.OPERATOR, nickname="Ada", timestamp=self.tick())
            return
        msg = r.choice(pending)
        action = r.choice(["echo", "echo", "fail", "retry", "discard"])
        if action == "echo":
            payload = f.message_event(sid, from_="operator", fingerprint=msg.fingerprint,
                                      timestamp=self.tick())
            self.store.apply("message:received", payload)
        elif action == "fail":
            self.store.fail_pending(sid, msg.fingerprint, "boom")
        elif action == "retry":
            self.store.retry_pending(sid, msg.fingerprint)
        else:
            self.store.discard_pending(sid, msg.fingerprint)

    def edit(self) -> None:
        sid = self.sid()
        msgs = self.store.messages(sid) if sid else []
        if not sid or not msgs:
            return
        msg = self.rng.choice(msgs)
        if self.rng.random() < 0.5:
            self.store.apply("message:removed", f.session_event(sid, fingerprint=msg.fingerprint))
        else:
            self.store.apply("message:updated", f.session_event(
                sid, fingerprint=msg.fingerprint, content=f"edit {self.fp()}"))

    def reorder(self) -> None:
        self.store.set_ordering(self.rng.choice(list(Ordering)))

    def drop_website(self) -> None:
        if self.rng.random() < 0.5:
            self.store.remove_website(self.rng.choice(SITES))


WEIGHTS = {"load": 8, "message": 40, "session": 20, "remove": 4, "history": 8, "echo": 14,
           "edit": 5, "reorder": 2, "drop_website": 1}


@pytest.mark.parametrize(("seed", "block"), [(1, 1000), (2, 2), (3, 8), (4, 5)])
def test_random_walk_matches_qt_replay(seed: int, block: int) -> None:
    rng = random.Random(seed)
    store = Store(block_size=block)
    mirror = QtMirror(store)
    store.set_websites([f.website(s) for s in SITES])
    walk = Walk(store, rng)
    names = list(WEIGHTS)
    weights = [WEIGHTS[n] for n in names]
    for _step in range(600):
        getattr(walk, rng.choices(names, weights)[0])()
        mirror.check()
        assert_consistent(store)
    # The walk must have exercised every notification on both kinds of list.
    seen = Counter((c.collection, c.kind) for c in mirror.log)
    for collection in (CONVERSATIONS, MESSAGES):
        for kind in ChangeKind:
            assert seen[(collection, kind)] > 0, (collection, kind)
    assert seen[(CONVERSATIONS, ChangeKind.MOVING)] > 50


@pytest.mark.parametrize("block", [2, 1000])
def test_moves_to_every_kind_of_destination(block: int) -> None:
    """Exhaustive on a small list: every row to every slot."""
    for n in range(1, 9):
        for src in range(n):
            for slot in range(n + 1):
                store = Store(block_size=block)
                mirror = QtMirror(store)
                payloads = [f.conversation(updated_at=T - 10 * i) for i in range(n)]
                store.upsert_conversations(payloads)
                sid = store.conversation_ids()[src]
                # Land just above the row now at ``slot`` (or below the last one).
                target = T - 10 * slot + 5
                store.update_conversation(sid, {"updated_at": target})
                mirror.check()
                assert_consistent(store)
                moves = [c for c in mirror.log if c.kind is ChangeKind.MOVING]
                assert len(moves) == (0 if slot in (src, src + 1) else 1)
