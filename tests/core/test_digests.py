"""A REST page read again: rows exactly as their last payload left them are not parsed again,
and skipping them changes nothing a full apply would not (core/digests.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from crisp_console.core import ApplyResult, Store
from crisp_console.core.models import Conversation
from crisp_console.core.snapshot import Snapshot
from tests.core import factories as f
from tests.core.mirror import QtMirror
from tests.core.test_optimistic_and_edits import Clock

T = f.BASE_TIME
HOLD = 10.0


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=[1000, 4], ids=["one block", "small blocks"])
def store(request: pytest.FixtureRequest, clock: Clock) -> Store:
    return Store(block_size=request.param, clock=clock)


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The session_ids of the payloads parsed, in order."""
    seen: list[str] = []
    original = Conversation.from_payload

    def counting(payload: Any, *args: Any, **kwargs: Any) -> Conversation:
        seen.append(str(payload.get("session_id")) if isinstance(payload, dict) else "?")
        return original(payload, *args, **kwargs)

    monkeypatch.setattr(Conversation, "from_payload", staticmethod(counting))
    return seen


def wire(payloads: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The payloads as a new answer decodes them: equal values, new objects."""
    decoded: list[dict[str, Any]] = json.loads(json.dumps(payloads))
    return decoded


@pytest.fixture
def page(store: Store, mirror: QtMirror, parsed: list[str]) -> list[dict[str, Any]]:
    payloads = [f.conversation(updated_at=T - 1000 * i, state="unresolved") for i in range(6)]
    assert store.upsert_conversations(wire(payloads)) is ApplyResult.APPLIED
    mirror.take()
    parsed.clear()
    return payloads


def values(store: Store) -> dict[str, dict[str, Any]]:
    return {sid: {**c.field_values()} for sid, c in store.conversations.items()}


def test_a_page_read_again_unchanged_is_not_parsed_and_changes_nothing(
        store: Store, mirror: QtMirror, parsed: list[str],
        page: list[dict[str, Any]]) -> None:
    before = values(store)
    assert store.upsert_conversations(wire(page)) is ApplyResult.IGNORED
    assert parsed == [] and mirror.take() == [] and values(store) == before


def test_only_the_items_that_differ_are_parsed_and_applied(
        store: Store, mirror: QtMirror, parsed: list[str],
        page: list[dict[str, Any]]) -> None:
    again = wire(page)
    again[2]["meta"]["nickname"] = "Katherine Johnson"
    assert store.upsert_conversations(again) is ApplyResult.APPLIED
    sid = again[2]["session_id"]
    assert parsed == [sid]
    assert store.conversations[sid].nickname == "Katherine Johnson"
    assert [c.ids for c in mirror.take()] == [(sid,)]
    assert store.upsert_conversations(wire(again)) is ApplyResult.IGNORED  # its new digest
    assert parsed == [sid]


def test_a_row_changed_since_is_set_again_by_the_same_payload_as_before(
        store: Store, mirror: QtMirror, parsed: list[str],
        page: list[dict[str, Any]]) -> None:
    sid = page[0]["session_id"]
    store.apply("message:send", f.message_event(sid, content="A newer message", timestamp=T + 5))
    assert store.conversations[sid].last_message == "A newer message"
    mirror.take()
    # Not as its last payload left it any more: the page's item is parsed and applied, as
    # a full apply always did (Crisp's copy wins).
    store.upsert_conversations(wire(page))
    assert parsed == [sid]
    assert store.conversations[sid].last_message == page[0]["last_message"]
    store.upsert_conversations(wire(page))  # as the payload left it again
    assert parsed == [sid]


def test_a_row_set_while_a_change_is_held_is_set_again_once_the_hold_is_over(
        store: Store, mirror: QtMirror, clock: Clock, parsed: list[str],
        page: list[dict[str, Any]]) -> None:
    sid = page[1]["session_id"]
    store.change_state(sid, "resolved", hold=HOLD)
    store.upsert_conversations(wire(page))  # read before the change reached Crisp
    assert store.conversations[sid].state == "resolved"  # the held change is not undone
    clock.now += HOLD + 0.1
    parsed.clear()
    store.upsert_conversations(wire(page))  # Crisp still says unresolved: it is applied
    assert parsed == [sid]
    assert store.conversations[sid].state == "unresolved"


def test_rows_removed_restored_or_cleared_are_parsed_again(
        store: Store, mirror: QtMirror, parsed: list[str],
        page: list[dict[str, Any]]) -> None:
    gone = page[3]["session_id"]
    store.remove_conversation(gone)
    store.upsert_conversations(wire(page))
    assert parsed == [gone] and gone in store.conversations
    parsed.clear()
    store.restore(Snapshot(conversations=list(store.conversations.values())))
    store.upsert_conversations(wire(page))
    assert sorted(parsed) == sorted(p["session_id"] for p in page)
    parsed.clear()
    store.clear()
    store.upsert_conversations(wire(page))
    assert len(parsed) == len(page) and len(store.conversations) == len(page)
    mirror.take()


def test_another_key_order_is_parsed_and_changes_nothing(
        store: Store, mirror: QtMirror, parsed: list[str],
        page: list[dict[str, Any]]) -> None:
    reordered = [dict(reversed(list(item.items()))) for item in wire(page[:2])]
    assert store.upsert_conversations(reordered) is ApplyResult.IGNORED
    assert parsed == [p["session_id"] for p in page[:2]] and mirror.take() == []


def test_malformed_items_are_still_counted_and_a_page_of_only_those_is_malformed(
        store: Store, mirror: QtMirror, parsed: list[str],
        page: list[dict[str, Any]]) -> None:
    bad = {"session_id": "session_x", "website_id": 7}
    before = store.reporter.total()
    assert store.upsert_conversations([*wire(page), bad]) is ApplyResult.IGNORED
    assert store.reporter.total() == before + 1
    assert store.upsert_conversations([bad]) is ApplyResult.MALFORMED
    assert store.upsert_conversations("not a list") is ApplyResult.MALFORMED
    assert store.reporter.total() == before + 3
    assert mirror.take() == []


def test_the_last_item_of_a_session_in_a_page_wins_and_keeps_its_digest(
        store: Store, mirror: QtMirror, parsed: list[str],
        page: list[dict[str, Any]]) -> None:
    sid = page[0]["session_id"]
    first, second = wire(page[:1])[0], wire(page[:1])[0]
    first["meta"]["nickname"], second["meta"]["nickname"] = "One", "Two"
    store.upsert_conversations([first, second])
    assert store.conversations[sid].nickname == "Two"
    parsed.clear()
    store.upsert_conversations(wire([second]))
    assert parsed == []
    store.upsert_conversations(wire([first]))
    assert parsed == [sid] and store.conversations[sid].nickname == "One"
    mirror.take()
