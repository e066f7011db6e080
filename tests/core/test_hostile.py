"""Fuzz: hostile input at every public entry point of the Store and every RTM event.

A seeded generator (hostile.py) throws junk and mutated real payloads; after every operation
nothing has escaped, and every few operations the Qt mirror agrees with the store, the store's
own invariants hold, and every value it keeps is within limits (hostile.assert_within_limits).
Nothing may reach the safety net (an ERROR line means a handler or parser bug), and the log
stays throttled: one WARNING per kind of bad input, plus one per power of ten.
"""

from __future__ import annotations

import logging
import math
import random
from collections.abc import Callable
from typing import Any

import pytest

from crisp_console.core import HANDLERS, ApplyResult, Conversation, Ordering, Person, Store
from crisp_console.core import parse as p
from crisp_console.core.models import Operator, Website
from tests.core import factories as f
from tests.core.conftest import assert_consistent
from tests.core.hostile import Junk, assert_within_limits
from tests.core.mirror import QtMirror

SEED = 11
OPERATIONS = 3000
CHECK_EVERY = 50


class Fuzz:
    def __init__(self, store: Store, seed: int) -> None:
        self.store = store
        self.rng = random.Random(seed)
        self.junk = Junk(self.rng, [], [])
        self.ops: list[tuple[int, Callable[[], Any]]] = [
            (30, self.event), (6, self.junk_event), (6, self.conversations),
            (6, self.messages), (2, self.websites), (2, self.website), (2, self.operators),
            (3, self.person), (6, self.update), (6, self.pending), (4, self.local_echo),
            (4, self.edits), (3, self.reads), (1, self.remove), (1, self.ordering)]
        self.names = sorted(HANDLERS)
        self.seen: set[str] = set()

    # ---- the world -------------------------------------------------------------------------

    def seed_world(self) -> None:
        s = self.store
        s.set_websites([f.website(), f.website(f.OTHER_WEBSITE)])
        s.set_operators([f.operator()])
        s.upsert_person(f.profile(people_id="p"), website_id=f.WEBSITE)
        self.grow()

    def grow(self) -> None:
        """Keep a dozen conversations with a loaded timeline (removals eat them)."""
        s = self.store
        while len(s.conversations) < 12:
            conv = f.conversation(updated_at=f.BASE_TIME - self.rng.randrange(10**6))
            s.upsert_conversations([conv])
            sid = conv["session_id"]
            s.upsert_messages(sid, [f.message(sid, timestamp=f.BASE_TIME - i) for i in range(3)])
        self.junk.ids[:] = list(s.conversations)
        self.junk.fps[:] = [m.fingerprint for sid in self.junk.ids[:4] for m in s.messages(sid)]

    def sid(self) -> Any:
        return self.rng.choice(self.junk.ids) if self.rng.random() < 0.9 else self.junk.value()

    def fp(self) -> Any:
        fps = self.junk.fps
        return self.rng.choice(fps) if fps and self.rng.random() < 0.8 else self.junk.value()

    def maybe(self, payload: Any) -> Any:
        """A real payload, mutated four times out of five."""
        return self.junk.mutate(payload) if self.rng.random() < 0.8 else payload

    # ---- operations --------------------------------------------------------------------------

    def event(self) -> None:
        sid = self.rng.choice(self.junk.ids)
        fp = self.fp()
        payloads = f.event_payloads(sid, fp if p.is_int(fp) else 1)
        name = self.rng.choice(self.names)
        base = payloads.get(name, {"id": "x", "url": {"signed": "s", "resource": "r"}})
        self.apply(name, self.maybe(base))

    def junk_event(self) -> None:
        if self.rng.random() < 0.1:  # names no handler knows, or no name at all
            self.apply(self.junk.value(), self.junk.value())
        else:
            self.apply(self.rng.choice(self.names), self.junk.value())

    def apply(self, name: Any, payload: Any) -> None:
        self.seen.add(name if isinstance(name, str) else "")
        assert isinstance(self.store.apply(name, payload), ApplyResult)

    def conversations(self) -> None:
        items = [self.maybe(f.conversation(self.rng.choice([None, *self.junk.ids])))
                 for _ in range(self.rng.randrange(1, 4))]
        batch = items if self.rng.random() < 0.9 else self.junk.value()
        assert isinstance(self.store.upsert_conversations(batch), ApplyResult)
        assert isinstance(self.store.upsert_conversation(self.maybe(f.conversation())),
                          ApplyResult)

    def messages(self) -> None:
        sid = self.sid()
        target = sid if isinstance(sid, str) else "x"
        items = [self.maybe(f.message(target, from_=self.rng.choice(["user", "operator"]),
                                      timestamp=f.BASE_TIME + self.rng.randrange(-5, 5)))
                 for _ in range(self.rng.randrange(1, 4))]
        batch = items if self.rng.random() < 0.9 else self.junk.value()
        assert isinstance(self.store.upsert_messages(sid, batch), ApplyResult)

    def websites(self) -> None:
        batch = [self.maybe(f.website()), self.maybe(f.connect_website(f.OTHER_WEBSITE))]
        assert isinstance(self.store.set_websites(self.maybe(batch)), ApplyResult)

    def website(self) -> None:
        assert isinstance(self.store.upsert_website(self.maybe(f.website())), ApplyResult)

    def operators(self) -> None:
        batch = [self.maybe(f.operator()), self.maybe(f.operator("op2"))]
        assert isinstance(self.store.set_operators(self.maybe(batch)), ApplyResult)

    def person(self) -> None:
        website_id = f.WEBSITE if self.rng.random() < 0.7 else self.junk.value()
        payload = self.maybe(f.profile(people_id=self.rng.choice(["p", "q"])))
        assert isinstance(self.store.upsert_person(payload, website_id), ApplyResult)

    def update(self) -> None:
        """The domain-level updates, with junk values for real field names."""
        s, rng = self.store, self.rng
        fields = {Conversation: Conversation.__dataclass_fields__,
                  Website: Website.__dataclass_fields__,
                  Operator: Operator.__dataclass_fields__,
                  Person: Person.__dataclass_fields__}
        cls, call = rng.choice([
            (Conversation, lambda part: s.update_conversation(self.sid(), part)),
            (Website, lambda part: s.update_website(f.WEBSITE, part)),
            (Operator, lambda part: s.update_operator(f.OPERATOR, part)),
            (Person, lambda part: s.update_person("p", part))])
        partial = {rng.choice(list(fields[cls])): self.junk.value() for _ in range(2)}
        call(partial if rng.random() < 0.95 else self.junk.value())

    def pending(self) -> None:
        s, rng = self.store, self.rng
        sid, fp = self.sid(), self.fp()
        action = rng.choice([s.confirm_pending, s.retry_pending, s.discard_pending,
                             lambda a, b: s.fail_pending(a, b, self.junk.value())])
        assert isinstance(action(sid, fp), ApplyResult)

    def local_echo(self) -> None:
        """add_pending: junk content, names and times never raise; only a conversation not in
        the store (KeyError) or a fingerprint or type it cannot keep (ValueError) do."""
        rng = self.rng
        sid = self.sid()
        fp = rng.randrange(p.MAX_FINGERPRINT) if rng.random() < 0.7 else self.junk.value()
        kind = "text" if rng.random() < 0.8 else self.junk.value()
        valid = (sid in self.store.conversations if isinstance(sid, str) else False) and (
            p.is_int(fp) and 0 <= fp <= p.MAX_FINGERPRINT) and (
            isinstance(kind, str) and 0 < len(kind) <= p.MAX_NAME)
        try:
            self.store.add_pending(sid, fingerprint=fp, type=kind, content=self.junk.value(),
                                   user_id=self.junk.value(), nickname=self.junk.value(),
                                   timestamp=self.junk.value(), extra=self.junk.value())
        except (KeyError, ValueError):
            assert not valid
        else:
            assert valid

    def edits(self) -> None:
        """The console's own changes: junk never raises but the documented KeyError (no such
        conversation), ValueError (no such state) and LookupError (no such message); junk
        meta is counted like wire data."""
        s, rng, junk = self.store, self.rng, self.junk.value
        sid = self.sid()
        hold = rng.choice([0.0, 5.0])
        make = rng.choice([
            lambda: s.change_state(sid, rng.choice(["resolved", "pending", junk()]), hold=hold),
            lambda: s.change_assignee(sid, rng.choice([f.OPERATOR, None, junk()]), hold=hold),
            lambda: s.change_blocked(sid, junk(), hold=hold),
            lambda: s.change_content(sid, self.fp(), junk(), hold=hold)])
        try:
            change = make()
        except (LookupError, ValueError):
            change = None
        if change is not None and rng.random() < 0.5:
            s.undo(change)
        key = rng.choice(["nickname", "email", "avatar", "phone", "segments", "data", "ip"])
        patch = {key: junk() if rng.random() < 0.7 else "plain"}
        assert isinstance(s.update_meta(sid, patch), ApplyResult)
        for outcome in (s.mark_read(sid), s.mark_unread(sid), s.remove_message(sid, self.fp())):
            assert isinstance(outcome, ApplyResult)

    def reads(self) -> None:
        s = self.store
        sid, fp = self.sid(), self.fp()
        s.message(sid, fp)
        s.messages(sid)
        s.message_count(sid)
        assert s.row_of(sid) >= -1
        s.timeline_loaded(sid), s.history_cursor(sid), s.at_history_start(sid)
        if self.rng.random() < 0.1:
            payloads = [self.maybe(f.message(sid if isinstance(sid, str) else "x",
                                             timestamp=f.BASE_TIME - 10**6))]
            batch = payloads if self.rng.random() < 0.8 else self.junk.value()
            outcome = s.add_history_page(sid, batch, older=self.rng.random() < 0.5)
            assert isinstance(outcome, ApplyResult)

    def remove(self) -> None:
        s, rng = self.store, self.rng
        rng.choice([lambda: s.remove_conversation(self.sid()),
                    lambda: s.remove_person(self.junk.value()),
                    lambda: s.remove_website(self.junk.value())])()

    def ordering(self) -> None:
        self.store.set_ordering(self.rng.choice(list(Ordering)))


def _domain_refusals(store: Store) -> int:
    """How many updates the models refused (wrong type or range): see updatable.py."""
    return sum(n for kind, n in store.reporter.counts().items() if kind.startswith("update:"))


def _allowed_warnings(counts: dict[str, int]) -> int:
    """The first line of each kind, and one per power of ten of its count."""
    return sum(1 + int(math.log10(n)) for n in counts.values())


def test_hostile_input_never_escapes(store: Store, mirror: QtMirror,
                                     caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="crisp_console.core")
    fuzz = Fuzz(store, SEED)
    fuzz.seed_world()
    weights = [w for w, _ in fuzz.ops]
    calls = [c for _, c in fuzz.ops]
    for step in range(1, OPERATIONS + 1):
        call = fuzz.rng.choices(calls, weights)[0]
        before = _domain_refusals(store)
        call()
        if call != fuzz.update:  # handlers and loaders hand the models valid values only
            assert _domain_refusals(store) == before, call
        if step % CHECK_EVERY == 0:
            mirror.check()
            assert_consistent(store)
            assert_within_limits(store)
            fuzz.grow()
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, errors[0].getMessage()
    counts = store.reporter.counts()
    assert not [k for k in counts if k.startswith("bug:")], counts
    warnings = [r for r in caplog.records if r.name.startswith("crisp_console.core")]
    assert len(warnings) <= _allowed_warnings(counts), (len(warnings), counts)
    assert sum(counts.values()) > OPERATIONS // 4  # the junk really was refused
    assert set(HANDLERS) <= fuzz.seen
    assert all(len(r.getMessage()) < 500 for r in warnings)
