"""Bad input never raises out of apply(): wrong types, missing keys, None, lists, junk.

The handlers must reject bad payloads by validation (MALFORMED), not by crashing into the
safety net: an ERROR log from that net means a handler bug, so it fails these tests.
"""

from __future__ import annotations

import copy
import logging
import random
from typing import Any

import pytest

from crisp_console.core import HANDLERS, ApplyResult, Store
from tests.core import factories as f
from tests.core.conftest import assert_consistent
from tests.core.mirror import QtMirror

T = f.BASE_TIME
SANDBOX_EVENTS = [  # every name sandbox/state.py emits (plus bucket answers)
    "message:send", "message:received", "message:updated", "message:removed",
    "message:compose:send", "message:compose:receive", "message:acknowledge:read:send",
    "message:acknowledge:read:received", "message:acknowledge:delivered",
    "message:acknowledge:unread:send", "session:set_state", "session:set_routing",
    "session:set_block", "session:set_inbox", "session:set_email", "session:set_nickname",
    "session:set_phone", "session:set_address", "session:set_subject", "session:set_avatar",
    "session:set_origin", "session:set_segments", "session:set_data", "session:removed",
    "session:update_availability", "session:sync:pages", "session:sync:geolocation",
    "people:profile:created", "people:profile:updated", "people:profile:removed",
    "website:update_visitors_count", "website:update_operators_availability",
    "plugin:settings:saved", "plugin:subscription:updated", "bucket:url:upload:generated",
]
JUNK: list[Any] = [None, [], [1, 2], "text", 5, 1.5, True, {}, {"session_id": None},
                   {"session_id": 7}, {"session_id": ""}, {"website_id": []},
                   {"people_id": {}}, {"user_id": 3}]


@pytest.fixture
def world(store: Store, mirror: QtMirror) -> tuple[str, int]:
    store.set_websites([f.website()])
    store.set_operators([f.operator()])
    store.upsert_person(f.profile(people_id="p"), website_id=f.WEBSITE)
    convs = [f.conversation(updated_at=T - i) for i in range(4)]
    store.upsert_conversations(convs)
    sid = convs[1]["session_id"]
    msg = f.message(sid, timestamp=T - 1)
    store.upsert_messages(sid, [msg])
    mirror.take()
    return sid, msg["fingerprint"]


@pytest.fixture
def no_handler_bugs(caplog: pytest.LogCaptureFixture) -> Any:
    caplog.set_level(logging.WARNING, logger="crisp_console.core")
    yield caplog
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, errors[0].getMessage()


def test_every_sandbox_event_has_a_handler() -> None:
    assert set(SANDBOX_EVENTS) <= set(HANDLERS)


def test_valid_payloads_cover_every_handler(world: tuple[str, int]) -> None:
    assert set(f.event_payloads(*world)) | {
        n for n in HANDLERS if n.startswith("bucket:")} == set(HANDLERS)


@pytest.mark.usefixtures("no_handler_bugs")
@pytest.mark.parametrize("event", sorted(HANDLERS))
def test_junk_payloads(store: Store, world: tuple[str, int], event: str) -> None:
    for junk in JUNK:
        outcome = store.apply(event, copy.deepcopy(junk))
        if event.startswith("bucket:"):
            assert outcome is ApplyResult.IGNORED
        else:
            assert outcome is ApplyResult.MALFORMED, (event, junk)


@pytest.mark.usefixtures("no_handler_bugs")
@pytest.mark.parametrize("event", sorted(HANDLERS))
def test_each_key_dropped_or_mistyped(store: Store, world: tuple[str, int], event: str) -> None:
    if event.startswith("bucket:"):
        return
    base = f.event_payloads(*world)[event]
    for key in list(base):
        variants: list[Any] = ["drop", None, [], {"x": 1}, "str", 3, True]
        for variant in variants:
            payload = copy.deepcopy(base)
            if variant == "drop":
                del payload[key]
            else:
                payload[key] = variant
            outcome = store.apply(event, payload)
            assert isinstance(outcome, ApplyResult)
    assert_consistent(store)


@pytest.mark.usefixtures("no_handler_bugs")
def test_random_junk_fuzz(store: Store, world: tuple[str, int]) -> None:
    rng = random.Random(7)
    pool: list[Any] = [None, "", "x", 0, -1, 2**60, 1.5, True, [], [1], ["a"], {}, {"a": 1},
                       {"type": "start"}, world[0], world[1]]
    payloads = f.event_payloads(*world)
    for _ in range(3000):
        event = rng.choice(sorted(payloads))
        payload = copy.deepcopy(payloads[event])
        for _ in range(rng.randint(1, 3)):
            key = rng.choice([*payload, "extra"])
            if rng.random() < 0.3:
                payload.pop(key, None)
            else:
                payload[key] = copy.deepcopy(rng.choice(pool))
        assert isinstance(store.apply(event, payload), ApplyResult)
    assert_consistent(store)


def test_unknown_events(store: Store, mirror: QtMirror, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="crisp_console.core")
    assert store.apply("website:users:available", {"available": True}) is (
        ApplyResult.UNKNOWN_EVENT)
    assert store.apply("website:users:available", {}) is ApplyResult.UNKNOWN_EVENT
    assert store.apply(None, {}) is ApplyResult.UNKNOWN_EVENT  # type: ignore[arg-type]
    assert store.apply(["message:send"], {}) is ApplyResult.UNKNOWN_EVENT  # type: ignore[arg-type]
    logged = [r for r in caplog.records if "website:users:available" in r.getMessage()]
    assert len(logged) == 1  # once per name, not once per event
    assert mirror.take() == []


def test_a_handler_bug_is_logged_not_raised(store: Store, monkeypatch: pytest.MonkeyPatch,
                                            caplog: pytest.LogCaptureFixture) -> None:
    def broken(store: Store, payload: Any) -> ApplyResult:
        raise RuntimeError("bug")

    monkeypatch.setitem(HANDLERS, "session:set_state", broken)
    assert store.apply("session:set_state", {}) is ApplyResult.MALFORMED
    assert any(r.levelno == logging.ERROR and r.exc_info for r in caplog.records)


def test_malformed_is_logged_without_the_payload(store: Store, world: tuple[str, int],
                                                 caplog: pytest.LogCaptureFixture) -> None:
    payload = f.session_event(world[0], email=["secret@example.com"])
    assert store.apply("session:set_email", payload) is ApplyResult.MALFORMED
    text = caplog.text
    assert "session:set_email" in text and "secret@example.com" not in text
