"""A message of a conversation the store does not know, on a website it does: a provisional
row from the message alone, until Crisp's own copy (an upsert) replaces its values."""

from __future__ import annotations

import pytest

from crisp_console.core import ApplyResult, Store
from crisp_console.core.changes import CONVERSATIONS, MESSAGES
from crisp_console.core.live import LiveEvent
from crisp_console.core.snapshot import Snapshot
from tests.core import factories as f
from tests.core.mirror import QtMirror

T = f.BASE_TIME
NEW = "session_4f7e1b2a-0c1d-4e5f-9a8b-7c6d5e4f3a2b"


@pytest.fixture
def sids(store: Store, mirror: QtMirror) -> list[str]:
    """Three conversations of the known website, older than the messages below."""
    store.set_websites([f.website()])
    payloads = [f.conversation(updated_at=T - 1000 * (i + 1)) for i in range(3)]
    store.upsert_conversations(payloads)
    mirror.take()
    return [str(p["session_id"]) for p in payloads]


def visitor_says(sid: str = NEW, text: str = "Hello?", at: int = T) -> dict[str, object]:
    return f.message_event(sid, content=text, timestamp=at,
                           user=f.visitor_user(sid, "Marie Curie"))


def test_a_visitor_message_of_a_new_conversation_adds_a_provisional_row(
        store: Store, mirror: QtMirror, sids: list[str]) -> None:
    heard: list[LiveEvent] = []
    store.subscribe_live(heard.append)
    assert store.apply("message:send", visitor_says()) is ApplyResult.APPLIED
    kinds = [(c.collection, c.kind.name) for c in mirror.take()]
    # One row inserted, at the top (the newest activity), then its message and preview.
    assert kinds[:2] == [(CONVERSATIONS, "INSERTING"), (CONVERSATIONS, "INSERTED")]
    assert (MESSAGES, "INSERTED") in kinds
    assert store.conversation_ids() == [NEW, *sids]
    conv = store.conversations[NEW]
    assert (conv.website_id, conv.state, conv.nickname, conv.email) == (
        f.WEBSITE, "pending", "Marie Curie", "")
    assert (conv.last_message, conv.last_from, conv.unread_operator, conv.waiting_since,
            conv.created_at, conv.updated_at) == ("Hello?", "user", 1, T, T, T)
    assert [m.content for m in store.messages(NEW)] == ["Hello?"]
    assert store.is_provisional(NEW) and not store.is_provisional(sids[0])
    assert heard[-1].result is ApplyResult.APPLIED and heard[-1].session_id == NEW


def test_an_operator_message_of_a_new_conversation_guesses_unresolved(
        store: Store, mirror: QtMirror, sids: list[str]) -> None:
    event = f.message_event(NEW, from_="operator", content="Can I help?", timestamp=T)
    assert store.apply("message:received", event) is ApplyResult.APPLIED
    conv = store.conversations[NEW]
    assert (conv.state, conv.nickname, conv.unread_visitor, conv.unread_operator,
            conv.waiting_since) == ("unresolved", "", 1, 0, 0)
    assert store.is_provisional(NEW)
    mirror.take()


def test_later_messages_count_on_the_same_row(store: Store, mirror: QtMirror,
                                              sids: list[str]) -> None:
    store.apply("message:send", visitor_says(text="Hello?"))
    store.apply("message:send", visitor_says(text="Anyone?", at=T + 5))
    conv = store.conversations[NEW]
    assert (conv.last_message, conv.unread_operator, conv.updated_at, conv.waiting_since) == (
        "Anyone?", 2, T + 5, T)
    assert len(store.conversations) == 4 and store.conversation_ids()[0] == NEW
    # Other events now reach it too (typing, presence): it is a row like any other.
    store.apply("message:compose:send", f.compose_event(NEW, excerpt="Still"))
    assert store.conversations[NEW].compose_visitor == "Still"
    mirror.take()


def test_a_website_the_store_does_not_know_adds_nothing(store: Store, mirror: QtMirror,
                                                        sids: list[str]) -> None:
    event = f.message_event(NEW, website_id=f.OTHER_WEBSITE)
    assert store.apply("message:send", event) is ApplyResult.UNKNOWN_TARGET
    event = f.message_event(NEW, drop=("website_id",))
    assert store.apply("message:send", event) is ApplyResult.UNKNOWN_TARGET
    assert NEW not in store.conversations and not store.is_provisional(NEW)
    assert store.messages(NEW) == [] and mirror.take() == []


def test_a_malformed_message_adds_nothing(store: Store, mirror: QtMirror,
                                          sids: list[str]) -> None:
    assert store.apply("message:send", visitor_says() | {"fingerprint": "x"}) is \
        ApplyResult.MALFORMED
    assert store.apply("message:send", visitor_says() | {"session_id": ""}) is \
        ApplyResult.MALFORMED
    assert NEW not in store.conversations and mirror.take() == []
    assert not store.is_provisional(["not", "hashable"])  # a peer's odd id: just False


def test_crisps_copy_replaces_the_guesses_and_keeps_the_thread(
        store: Store, mirror: QtMirror, sids: list[str]) -> None:
    store.apply("message:send", visitor_says())
    mirror.take()
    copy = f.conversation(NEW, state="unresolved", updated_at=T,
                          meta={"nickname": "Marie C.", "email": "marie@example.org"},
                          unread={"operator": 1, "visitor": 0}, last_message="Hello?")
    assert store.upsert_conversations([copy]) is ApplyResult.APPLIED
    conv = store.conversations[NEW]
    assert (conv.state, conv.nickname, conv.email) == ("unresolved", "Marie C.",
                                                        "marie@example.org")
    assert not store.is_provisional(NEW)
    assert [m.content for m in store.messages(NEW)] == ["Hello?"]
    assert len(store.conversations) == 4  # replaced in place, not added again
    # No longer provisional: dropping it is not this door's to do.
    assert store.drop_provisional(NEW) is False and NEW in store.conversations
    mirror.take()


def test_drop_provisional_removes_the_row_and_its_thread(store: Store, mirror: QtMirror,
                                                         sids: list[str]) -> None:
    store.apply("message:send", visitor_says())
    mirror.take()
    assert store.drop_provisional(NEW) is True
    assert [(c.collection, c.kind.name) for c in mirror.take()][:2] == [
        (CONVERSATIONS, "REMOVING"), (CONVERSATIONS, "REMOVED")]
    assert NEW not in store.conversations and store.messages(NEW) == []
    assert not store.is_provisional(NEW)
    assert store.drop_provisional(NEW) is False  # nothing left to drop
    assert store.drop_provisional(sids[0]) is False and sids[0] in store.conversations
    assert store.conversation_ids() == sids


def test_removal_restore_and_clear_forget_provisional_rows(store: Store, mirror: QtMirror,
                                                           sids: list[str]) -> None:
    store.apply("message:send", visitor_says())
    store.remove_conversation(NEW)
    assert not store.is_provisional(NEW)
    store.apply("message:send", visitor_says())
    assert store.is_provisional(NEW)
    store.restore(Snapshot(conversations=[store.conversations[sids[0]]]))
    assert not store.is_provisional(NEW) and NEW not in store.conversations
    mirror.take()
