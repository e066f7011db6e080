"""The seeded dataset: determinism, coverage of every state/type/flag, and its invariants."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from typing import Any

import jsonschema
import pytest

from crisp_console.sandbox.config import SandboxConfig, Sizes
from crisp_console.sandbox.dataset import build_state
from crisp_console.sandbox.model import Conversation, Message
from crisp_console.sandbox.state import SandboxState
from crisp_console.sandbox.world import now_ms

BASE = 1_750_000_000_000
DAY = 86_400_000
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
COUNTED = ("text", "file", "animation", "audio", "picker", "field", "carousel")
EXPECTED_SCHEMA = {
    "type": "object", "additionalProperties": False, "properties": {
        "greeting": {"type": "string", "maxLength": 500},
        "auto_assign": {"type": "boolean"},
        "default_operator": {"type": ["string", "null"]},
        "sla_minutes": {"type": "integer", "minimum": 1, "maximum": 1440},
        "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 20},
        # The console's keys (resources/schemas/plugin-settings.schema.json).
        "canned_responses": {"type": "array", "maxItems": 500, "items": {
            "type": "object", "required": ["shortcut", "title", "text"],
            "additionalProperties": False, "properties": {
                "shortcut": {"type": "string", "pattern": "^[a-z0-9_-]{1,32}$"},
                "title": {"type": "string", "minLength": 1, "maxLength": 120},
                "text": {"type": "string", "minLength": 1, "maxLength": 10000},
                "locale": {"type": "string", "pattern": "^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"}}}},
        "default_reply_mode": {"enum": ["reply", "note"]}}}


def build(seed: int = 1, sizes: Sizes | None = None, **kw: Any) -> SandboxState:
    return build_state(SandboxConfig(seed=seed, sizes=sizes or Sizes.tiny(), base_time=BASE,
                                     **kw))


def canonical(state: SandboxState) -> dict[str, Any]:
    """Everything a world holds, in a form ``==`` compares by value (Message has no __eq__)."""

    def conversation(c: Conversation) -> dict[str, Any]:
        view = {f.name: getattr(c, f.name) for f in dataclasses.fields(c)
                if f.name not in ("messages", "by_fp")}
        view["messages"] = [tuple(getattr(m, s) for s in Message.__slots__) for m in c.messages]
        view["by_fp"] = sorted(c.by_fp)
        return view

    return {
        "token": state.token, "schema": state.plugin_schema,
        "websites": list(state.websites.values()), "operators": state.operators,
        "people": list(state.people.values()), "people_by_email": state.people_by_email,
        "conversations": [conversation(c) for c in state.conversations.values()],
        "client_fingerprints": state.client_fingerprints,
        "removed_websites": state.removed_websites, "bound_websites": state.bound_websites,
        "rng": state.rng.getstate(),
    }


@pytest.fixture(scope="module")
def tiny() -> SandboxState:
    return build()


def countable(m: Message) -> bool:
    return m.type not in ("note", "event")


# ---- determinism ---------------------------------------------------------------------------


def test_same_config_gives_the_same_world() -> None:
    assert canonical(build(seed=5)) == canonical(build(seed=5))


def test_other_seed_gives_another_world() -> None:
    a, b = build(seed=1), build(seed=2)
    assert a.token.identifier != b.token.identifier
    assert set(a.websites).isdisjoint(b.websites)
    assert set(a.conversations).isdisjoint(b.conversations)
    texts_a = [m.content for c in a.conversations.values() for m in c.messages]
    texts_b = [m.content for c in b.conversations.values() for m in c.messages]
    assert texts_a != texts_b


def test_token_override_changes_nothing_else() -> None:
    plain = build(seed=3)
    custom = build(seed=3, identifier="my-id", key="my-key")
    assert (custom.token.identifier, custom.token.key) == ("my-id", "my-key")
    assert custom.token.plugin_id == plain.token.plugin_id
    assert canonical(custom)["conversations"] == canonical(plain)["conversations"]


def test_token_is_derived_from_the_seed(tiny: SandboxState) -> None:
    token = tiny.token
    assert UUID.match(token.identifier)
    assert UUID.match(token.plugin_id)
    assert re.fullmatch(r"[0-9a-f]{64}", token.key)
    assert token.tier == "plugin"


def test_runtime_ids_come_from_a_seeded_generator() -> None:
    assert build(seed=4).uuid() == build(seed=4).uuid() != build(seed=6).uuid()


@pytest.mark.parametrize("base_time", [BASE, None])
def test_timestamps_fall_within_thirty_days_before_base_time(base_time: int | None) -> None:
    before = now_ms()
    state = build_state(SandboxConfig(sizes=Sizes.tiny(), base_time=base_time))
    base = base_time if base_time is not None else now_ms()
    low = (base_time or before) - 31 * DAY  # pages may precede a conversation by minutes
    stamps = [w.created_at for w in state.websites.values()]
    stamps += [p.created_at for p in state.people.values()]
    stamps += [p.updated_at for p in state.people.values()]
    for c in state.conversations.values():
        stamps += [c.created_at, c.updated_at, c.active_last]
        stamps += [m.timestamp for m in c.messages]
        stamps += [p["timestamp"] for p in c.pages]
    assert low <= min(stamps)
    assert max(stamps) <= base


# ---- sizes and coverage --------------------------------------------------------------------


def test_sizes_are_honoured() -> None:
    sizes = Sizes(websites=5, unsubscribed=2, operators=3, conversations=200, messages=1500)
    state = build(sizes=sizes)
    assert len(state.websites) == 5
    assert [w.subscribed for w in state.websites.values()] == [False, False, True, True, True]
    assert len(state.operators) == 3
    assert len(state.conversations) == 200
    assert sum(len(c.messages) for c in state.conversations.values()) == 1500
    assert len(state.people) == 140  # 70% of the conversations by default
    assert len(build(sizes=dataclasses.replace(sizes, people=17)).people) == 17
    lengths = Counter(len(c.messages) for c in state.conversations.values())
    assert len(lengths) > 5  # spread unevenly


def test_at_least_one_website_is_subscribed() -> None:
    state = build(sizes=Sizes(websites=2, unsubscribed=9, conversations=10, messages=30))
    assert [w.subscribed for w in state.websites.values()] == [False, True]


def test_tiny_world_has_every_state_type_and_flag(tiny: SandboxState) -> None:
    convs = list(tiny.conversations.values())
    assert {c.state for c in convs} == {"pending", "unresolved", "resolved"}
    assert {m.type for c in convs for m in c.messages} == {
        "text", "note", "file", "animation", "audio", "picker", "field", "carousel", "event"}
    assert {c.availability for c in convs} == {"online", "offline"}
    assert any(c.assigned for c in convs) and any(not c.assigned for c in convs)
    assert any(c.unread_operator for c in convs)
    assert any(c.unread_visitor for c in convs)
    assert any(c.mentions for c in convs)
    assert any(c.is_blocked for c in convs) and any(not c.is_blocked for c in convs)
    assert any(c.inbox_id for c in convs) and any(c.inbox_id is None for c in convs)
    assert any(c.topic for c in convs) and any(c.is_verified for c in convs)
    assert any(c.waiting_since for c in convs) and any(c.pages for c in convs)
    assert any(c.events for c in convs) and any(c.files for c in convs)
    assert any(m.edited for c in convs for m in c.messages)
    assert any(not c.people_id for c in convs)


def test_first_conversation_is_an_ordinary_one(tiny: SandboxState) -> None:
    first = next(iter(tiny.conversations.values()))
    assert not first.is_blocked and first.inbox_id is None and first.messages


# ---- websites and operators ----------------------------------------------------------------


def test_plugin_schema_is_the_agreed_one(tiny: SandboxState) -> None:
    assert tiny.plugin_schema == EXPECTED_SCHEMA


def test_websites(tiny: SandboxState) -> None:
    websites = list(tiny.websites.values())
    assert [w.subscribed for w in websites] == [False, True, True]
    assert len({w.domain for w in websites}) == len(websites)
    op_ids = {op.user_id for op in tiny.operators}
    for w in websites:
        assert UUID.match(w.website_id) and w.name and "." in w.domain
        jsonschema.validate(w.settings, tiny.plugin_schema)
        assert w.settings.get("default_operator") in op_ids | {None}
        assert set(w.plan) == {"id", "name", "trialing"}
        assert re.fullmatch(r"[0-9a-f]+", w.token)
        assert w.created_at <= w.updated_at <= BASE
    assert any(w.settings for w in websites if w.subscribed)
    assert set(tiny.removed_websites) == {websites[0].website_id}


def test_operators(tiny: SandboxState) -> None:
    ops = tiny.operators
    assert [op.role for op in ops].count("owner") == 1
    assert len({op.email for op in ops}) == len(ops)
    for op in ops:
        assert UUID.match(op.user_id) and "@" in op.email and op.title
        assert op.availability in ("online", "away", "offline")
        assert op.avatar == "" or op.avatar.startswith("https://")
    # One shared user dict per operator across all of that operator's messages.
    users: dict[str, set[int]] = {}
    for c in tiny.conversations.values():
        for m in c.messages:
            if m.from_ == "operator":
                users.setdefault(m.user["user_id"], set()).add(id(m.user))
                assert m.user == tiny.operator(m.user["user_id"]).user()  # type: ignore[union-attr]
    assert users and all(len(ids) == 1 for ids in users.values())


# ---- conversations ---------------------------------------------------------------------


CONTENT_KEYS = {
    "file": {"name", "url", "type"}, "animation": {"url", "type"},
    "audio": {"url", "type", "duration"}, "picker": {"id", "text", "choices"},
    "field": {"id", "text", "explain"}, "carousel": {"text", "targets"}, "event": {"namespace"},
}


def check_conversation(c: Conversation, state: SandboxState) -> None:
    msgs = c.messages
    assert c.session_id.startswith("session_") and UUID.match(c.session_id[8:])
    assert state.websites[c.website_id].subscribed
    assert c.visitor == {"type": "participant", "user_id": c.session_id,
                         "nickname": c.meta["nickname"]}
    assert c.meta["origin"] == "chat" and isinstance(c.meta["segments"], list)
    assert {"geolocation", "system", "timezone", "locales"} <= set(c.meta["device"])
    stamps = [m.timestamp for m in msgs]
    assert stamps == sorted(set(stamps))  # strictly increasing
    if msgs:
        assert c.created_at <= stamps[0] and c.updated_at == stamps[-1]
    else:
        assert c.updated_at == c.created_at and c.state == "pending"
    assert c.by_fp == {m.fingerprint: m for m in msgs}
    assert len(c.by_fp) == len(msgs)
    for m in msgs:
        assert 10**14 <= m.fingerprint < 10**15
        assert m.origin == "chat"
        if m.from_ == "user":
            assert m.user is c.visitor and m.type in ("text", "file", "animation", "audio")
        if m.type in ("text", "note"):
            assert isinstance(m.content, str) and m.content
        else:
            assert CONTENT_KEYS[m.type] <= set(m.content)
    if c.state == "pending":
        assert not any(m.from_ == "operator" and countable(m) for m in msgs)
    # Unread counters equal the unread countable messages, which are the latest ones.
    for side, count in (("user", c.unread_operator), ("operator", c.unread_visitor)):
        sent = [m for m in msgs if m.from_ == side and countable(m)]
        unread = [m for m in sent if not m.read]
        assert len(unread) == count
        assert sent[len(sent) - count:] == unread
        assert all(m.read == m.delivered == "chat" for m in sent[:len(sent) - count])
    # waiting_since: the first of the visitor's trailing messages, unless resolved.
    tail = [m for m in msgs if countable(m)]
    if c.state != "resolved" and tail and tail[-1].from_ == "user":
        run = []
        for m in reversed(tail):
            if m.from_ != "user":
                break
            run.append(m)
        assert c.waiting_since == run[-1].timestamp
    else:
        assert c.waiting_since == 0
    assert c.files == [{"name": m.content["name"], "type": m.content["type"],
                        "url": m.content["url"], "fingerprint": m.fingerprint,
                        "timestamp": m.timestamp} for m in msgs if m.type == "file"]
    mentioned = sorted({u for m in msgs for u in (m.mentions or ())})
    assert c.mentions == mentioned
    assert all(state.operator(u) for u in mentioned)
    if c.assigned:
        assert state.operator(c.assigned)
    pages = [p["timestamp"] for p in c.pages]
    assert pages == sorted(pages) and all(t <= c.created_at for t in pages)


def test_conversation_invariants(tiny: SandboxState) -> None:
    for c in tiny.conversations.values():
        check_conversation(c, tiny)


def test_invariants_hold_on_a_larger_world() -> None:
    state = build(seed=11, sizes=Sizes(websites=4, unsubscribed=1, operators=6,
                                       conversations=800, messages=9000))
    for c in state.conversations.values():
        check_conversation(c, state)


def test_history_reads_like_a_support_chat(tiny: SandboxState) -> None:
    texts = [m.content for c in tiny.conversations.values() for m in c.messages
             if m.type == "text"]
    assert not any("lorem" in t.lower() for t in texts)
    assert len(set(texts)) > 50


# ---- people ----------------------------------------------------------------------------


def test_people_and_their_links(tiny: SandboxState) -> None:
    assert tiny.people
    for pid, p in tiny.people.items():
        assert p.people_id == pid and UUID.match(pid)
        assert tiny.websites[p.website_id].subscribed
        assert tiny.people_by_email[(p.website_id, p.email.lower())] == pid
        assert p.created_at <= p.updated_at
        person = p.person
        assert {"nickname", "avatar", "gender", "timezone", "geolocation", "locales"} <= set(
            person)
        assert person["avatar"] is None or person["avatar"].startswith("https://")
        assert {"country", "region", "city", "coordinates"} <= set(person["geolocation"])
        for event in p.events:
            assert set(event) == {"text", "data", "color", "timestamp"}
        for sid in p.sessions:
            conv = tiny.conversations[sid]
            assert conv.people_id == pid and conv.website_id == p.website_id
            assert conv.meta["email"] == p.email
            assert p.created_at <= conv.created_at
    assert len(tiny.people_by_email) == len(tiny.people)  # unique per website
    linked = [c for c in tiny.conversations.values() if c.people_id]
    assert len(linked) > len(tiny.conversations) / 2
    for c in linked:
        assert c.session_id in tiny.people[c.people_id].sessions
    assert any(p.company for p in tiny.people.values())
    assert any(p.data for p in tiny.people.values())
    assert any(p.events for p in tiny.people.values())


def test_fingerprints_never_repeat_within_one_millisecond() -> None:
    """Past 100 messages in one millisecond the time part alone would repeat."""
    state = build_state(SandboxConfig(sizes=Sizes.tiny()))
    state.clock = lambda: 1_750_000_000_000  # type: ignore[method-assign]
    fingerprints = [state.new_fingerprint() for _ in range(1000)]
    assert len(set(fingerprints)) == 1000
    assert fingerprints == sorted(fingerprints) and fingerprints[-1] < 2**53
