"""The local cache over the sandbox's own worlds (the dataset the console meets): every core
model round-trips exactly through codec.py, and a saved world loads back as it was.

tests/storage checks the same over factory-built worlds; it may not import the sandbox."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from crisp_console.core import Conversation, Message, Operator, Person, Store, Website
from crisp_console.sandbox.config import SandboxConfig, Sizes
from crisp_console.sandbox.dataset import build_state
from crisp_console.storage.cache import load_snapshot, save_rows
from tests.core.conftest import assert_consistent
from tests.storage.runner import connect, in_transaction
from tests.storage.test_cache import batch_of
from tests.storage.test_codec import assert_world_round_trips
from tests.storage.world import Models, assert_same_model

BASE = 1_750_000_000_000


def sandbox_world(seed: int) -> Models:
    state = build_state(SandboxConfig(seed=seed, sizes=Sizes.tiny(), base_time=BASE))
    convs = list(state.conversations.values())
    return Models(
        websites=[Website.from_payload(w.to_payload()) for w in state.websites.values()],
        operators=[Operator.from_payload(o.to_payload()) for o in state.operators],
        people=[Person.from_payload(p.to_payload(), p.website_id)
                for p in state.people.values()],
        conversations=[Conversation.from_payload(c.to_payload()) for c in convs],
        messages=[Message.from_payload(m.to_payload(c.website_id, c.session_id))
                  for c in convs for m in c.messages])


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("omit_keys", [False, True], ids=["whole", "keys-in-columns"])
def test_every_model_of_a_sandbox_world_round_trips_exactly(seed: int,
                                                            omit_keys: bool) -> None:
    models = sandbox_world(seed)
    assert len(models.messages) > 500 and len(models.people) > 10
    assert_world_round_trips(models, seed, omit_keys)


def test_a_saved_sandbox_world_loads_back_as_it_was(tmp_path: Path) -> None:
    models = sandbox_world(1)
    conn = connect(tmp_path / "console.db")
    try:
        in_transaction(conn, lambda cn: save_rows(cn, batch_of(models)))
        loaded = in_transaction(conn, lambda cn: load_snapshot(
            cn, conversations=10_000, timelines=10_000, messages=10_000))
    finally:
        conn.close()
    snap = loaded.snapshot
    assert loaded.skipped == 0
    by_id = {v.session_id: dataclasses.replace(v, compose_visitor=None, compose_operator=None)
             for v in models.conversations}
    assert {v.session_id for v in snap.conversations} == set(by_id)
    for conv in snap.conversations:
        assert_same_model(conv, by_id[conv.session_id])
    msgs = {(m.session_id, m.fingerprint): m for m in models.messages}
    restored = [m for t in snap.timelines for m in t.messages]
    assert len(restored) == len(msgs)
    for m in restored:
        assert_same_model(m, msgs[(m.session_id, m.fingerprint)])
    store = Store()
    store.restore(snap)
    assert_consistent(store)
