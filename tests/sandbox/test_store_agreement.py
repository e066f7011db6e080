"""The store fed by the sandbox's RTM events agrees with the sandbox's REST view.

In-process and pure (no server, no socket): the sandbox's SandboxState is driven directly and
every event it emits goes to ``Store.apply``. After each mutation, every conversation the store
holds must equal ``Conversation.from_payload(<sandbox REST payload>)`` — except ``updated_at``,
which Crisp's events do not carry for non-message changes — and the loaded timelines must
equal the sandbox's messages. This also keeps tests/core/factories.py honest: the same keys.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from crisp_console.core import ApplyResult, Conversation, Store
from crisp_console.sandbox.config import SandboxConfig, Sizes
from crisp_console.sandbox.dataset import build_state
from crisp_console.sandbox.state import SandboxState
from tests.core import factories as f
from tests.core.conftest import assert_consistent
from tests.core.mirror import QtMirror

BASE = 1_700_000_000_000


@pytest.fixture
def world() -> tuple[SandboxState, Store, QtMirror, list[tuple[str, ApplyResult]]]:
    state = build_state(SandboxConfig(sizes=Sizes.tiny(), base_time=BASE))
    ticks = itertools.count(BASE + 1000, 1000)
    state.clock = lambda: next(ticks)
    store = Store()
    mirror = QtMirror(store)
    results: list[tuple[str, ApplyResult]] = []

    def emit(name: str, payload: dict[str, Any]) -> None:
        results.append((name, store.apply(name, payload)))

    state.emit = emit
    store.set_websites([w.to_payload() for w in state.websites.values()])
    store.set_operators([o.to_payload() for o in state.operators])
    store.upsert_conversations([c.to_payload() for c in state.conversations.values()])
    for conv in state.conversations.values():
        store.upsert_messages(conv.session_id, [m.to_payload(conv.website_id, conv.session_id)
                                                for m in conv.messages])
    return state, store, mirror, results


def assert_agree(state: SandboxState, store: Store) -> None:
    assert set(store.conversations) == set(state.conversations)
    for sid, conv in state.conversations.items():
        expected = Conversation.from_payload(conv.to_payload()).field_values()
        actual = store.conversations[sid].field_values()
        del expected["updated_at"], actual["updated_at"]
        assert actual == expected, sid
        sandbox_msgs = [m.to_payload(conv.website_id, sid) for m in conv.messages]
        store_msgs = store.messages(sid)
        assert [m.fingerprint for m in store_msgs] == [m["fingerprint"] for m in sandbox_msgs]
        for mine, theirs in zip(store_msgs, sandbox_msgs, strict=True):
            assert (mine.content, mine.read, mine.delivered, mine.edited) == (
                theirs["content"], theirs["read"], theirs["delivered"], theirs["edited"])
    assert_consistent(store)


def test_initial_load_agrees(world: Any) -> None:
    state, store, _mirror, _ = world
    assert_agree(state, store)
    assert store.conversation_count() == len(state.conversations)


def test_factories_use_the_sandbox_keys(world: Any) -> None:
    state, *_ = world
    conv = next(c for c in state.conversations.values() if c.messages and c.waiting_since)
    assert set(f.conversation()) == set(conv.to_payload())
    msg = conv.messages[0].to_payload(conv.website_id, conv.session_id)
    assert set(f.message("s")) == set(msg)
    op = state.operators[0].to_payload()
    assert set(f.operator()) == set(op) and set(f.operator()["details"]) == set(op["details"])
    site = next(iter(state.websites.values())).to_payload()
    assert set(f.website()) == set(site)


def test_every_mutation_agrees(world: Any) -> None:
    state, store, mirror, results = world
    convs = list(state.conversations.values())
    op = state.operators[0]
    a, b, c = convs[0], convs[1], convs[2]
    visitor = {"type": "participant", "user_id": a.session_id, "nickname": "v"}
    steps = [
        lambda: state.add_message(a, type="text", from_="user", origin="chat",
                                  content="hello?", user=visitor),
        lambda: state.compose(a, kind="start", from_="user", excerpt="more"),
        lambda: state.compose(a, kind="start", from_="operator", excerpt="typing",
                              user=op.user()),
        lambda: state.add_message(a, type="text", from_="operator", origin="chat",
                                  content="hi!", user=op.user()),
        lambda: state.compose(a, kind="stop", from_="user", excerpt=None),
        lambda: state.compose(a, kind="stop", from_="operator", excerpt=None),
        lambda: state.add_message(a, type="note", from_="operator", origin="chat",
                                  content="note", user=op.user(), mentions=[op.user_id]),
        lambda: state.acknowledge(a, kind="read", from_="operator", origin="chat",
                                  fingerprints=None),
        lambda: state.acknowledge(a, kind="delivered", from_="user", origin="chat",
                                  fingerprints=None),
        lambda: state.acknowledge(a, kind="read", from_="user", origin="chat",
                                  fingerprints=None),
        lambda: state.mark_unread(a, from_="operator"),
        lambda: state.update_message(a, a.messages[-1], "edited note"),
        lambda: state.remove_message(a, a.messages[-1]),
        lambda: state.set_state(b, "resolved"),
        lambda: state.add_message(b, type="text", from_="user", origin="chat",
                                  content="back again", user=visitor),
        lambda: state.set_state(b, "pending"),
        lambda: state.set_routing(b, op.user_id),
        lambda: state.set_routing(b, None),
        lambda: state.set_block(b, True),
        lambda: state.set_inbox(b, "inbox-x"),
        lambda: state.update_meta(b, {"nickname": "Nick", "email": "n@example.com",
                                      "phone": "+1", "subject": "s", "segments": ["x"],
                                      "data": {"k": "v"}, "avatar": "https://a.example/x"}),
        lambda: state.update_meta(b, {"device": {**b.meta["device"],
                                                 "geolocation": {"country": "DE"}}}),
        lambda: state.set_availability(c, "online"),
        lambda: state.sync_pages(c, [{"page_title": "t", "page_url": "u",
                                      "page_referrer": "", "timestamp": BASE}]),
        lambda: state.remove_conversation(c),
    ]
    for step in steps:
        results.clear()
        step()
        assert results, "each step emits at least one event"
        assert all(r in (ApplyResult.APPLIED, ApplyResult.IGNORED) for _, r in results), results
        mirror.check()
        assert_agree(state, store)
