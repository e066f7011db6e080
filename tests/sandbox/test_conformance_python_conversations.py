"""Conformance of the official python crisp-api 1.1.23 client, unchanged: conversation and
message routes (crisp-api.md §2.1, §2.2) against the sandbox CLI.

Tests that change a conversation create their own, so they do not depend on each other.
python crisp-api 1.1.23 has no method for Remove A Message, Mark Conversation Unread,
Update Conversation Inbox or Schedule A Reminder, so those routes are not driven from here.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from crisp_api import Crisp  # type: ignore[import-untyped]

from tests.sandbox.pyclient import PySandbox, client_error, running_sandbox

UNKNOWN_SESSION = "session_00000000-0000-4000-8000-000000000000"


@pytest.fixture(scope="module")
def sb() -> Iterator[PySandbox]:
    with running_sandbox() as sandbox:
        yield sandbox


@pytest.fixture
def session(sb: PySandbox) -> str:
    """A new, empty conversation on the first website."""
    created = sb.client.website.create_new_conversation(sb.website_id)
    session_id: str = created["session_id"]
    return session_id


def send(client: Crisp, wid: str, sid: str, content: Any = "hello", *, kind: str = "text",
         sender: str = "operator", **extra: Any) -> int:
    body = {"type": kind, "from": sender, "origin": "chat", "content": content, **extra}
    answer = client.website.send_message_in_conversation(wid, sid, body)
    assert set(answer) == {"fingerprint"}
    fingerprint: int = answer["fingerprint"]
    assert isinstance(fingerprint, int) and 0 < fingerprint < 2**53
    return fingerprint


def history(client: Crisp, wid: str, sid: str) -> list[dict[str, Any]]:
    return list(client.website.get_messages_in_conversation(wid, sid, {}))


# ---- listing and searching ----------------------------------------------------------------


def test_list_conversations_pages(sb: PySandbox) -> None:
    client, wid = sb.client, sb.website_id
    first = client.website.list_conversations(wid, 1)
    second = client.website.list_conversations(wid, 2)
    assert len(first) == 20 and second  # the default page size; the seed has more than 20
    both = first + second
    assert len({c["session_id"] for c in both}) == len(both)
    assert all(c["website_id"] == wid and c["last_message"] for c in both)
    stamps = [c["updated_at"] for c in both]
    assert stamps == sorted(stamps, reverse=True)  # most recently updated first
    assert client.website.list_conversations(wid, 999) == []


def test_search_conversations_filters(sb: PySandbox) -> None:
    # Every call with parameters goes to /conversations/1/?... (python's trailing slash).
    # The client quotes each value, so only strings work: "1", not True.
    client, wid = sb.client, sb.website_id

    def search(**params: str) -> list[dict[str, Any]]:
        found = client.website.search_conversations(wid, 1, **params)
        assert found, params  # the seeded world has a match for every filter used here
        return list(found)

    assert all(c["state"] == "resolved" for c in search(filter_resolved="1"))
    assert all(c["state"] != "resolved" for c in search(filter_not_resolved="true"))
    assert all(c["unread"]["operator"] > 0 for c in search(filter_unread="1"))
    assert all(c["assigned"] == {} for c in search(filter_unassigned="1"))
    assert all(c["mentions"] for c in search(filter_mention="1"))
    operator = next(c["assigned"]["user_id"] for c in search(filter_resolved="1")
                    if c["assigned"])
    assert all(c["assigned"] == {"user_id": operator} for c in search(filter_assigned=operator))
    created = [c["created_at"] for c in search(order_date_created="1")]
    assert created == sorted(created, reverse=True)
    assert search(order_date_updated="1") == client.website.list_conversations(wid, 1)

    # An old seeded conversation: the ones tests create are newer and only push it down.
    sample = next(c for c in client.website.list_conversations(wid, 3)
                  if c["meta"].get("nickname"))
    middle = datetime.fromtimestamp(sample["updated_at"] / 1000, UTC)
    start = (middle - timedelta(seconds=1)).isoformat()  # "+00:00": quoted by the client
    end = (middle + timedelta(seconds=1)).isoformat()
    window = search(filter_date_start=start, filter_date_end=end)
    assert sample["session_id"] in {c["session_id"] for c in window}
    low, high = (sample["updated_at"] - 1000, sample["updated_at"] + 1000)
    assert all(low <= c["updated_at"] <= high for c in window)

    nickname = sample["meta"]["nickname"]
    assert sample["session_id"] in {c["session_id"] for c in search(search_query=nickname)}
    segment = next(c["meta"]["segments"][0] for c in client.website.list_conversations(wid, 1)
                   if c["meta"].get("segments"))
    by_segment = search(search_query=segment, search_type="segment")
    assert all(segment in c["meta"]["segments"] for c in by_segment)
    filters = json.dumps([{"model": "session", "criterion": "state", "operator": "eq",
                           "query": ["resolved"]},
                          {"model": "session", "criterion": "state", "operator": "eq",
                           "query": ["pending"]}])
    either = search(search_query=filters, search_type="filter", search_operator="or")
    assert {c["state"] for c in either} <= {"resolved", "pending"}
    code, reason, detail = client_error(client.website.search_conversations, wid, 1,
                                        search_query="x", search_type="fuzzy")
    assert (code, reason) == (400, "invalid_data") and "search_type" in detail


def test_empty_conversations_need_include_empty(sb: PySandbox, session: str) -> None:
    client, wid = sb.client, sb.website_id
    newest = client.website.search_conversations(wid, 1, include_empty="1",
                                                 order_date_created="1")
    assert newest[0]["session_id"] == session
    assert session not in {c["session_id"] for c in
                           client.website.search_conversations(wid, 1, order_date_created="1")}


# ---- the conversation itself --------------------------------------------------------------


def test_create_get_exists_remove(sb: PySandbox, session: str) -> None:
    client, wid = sb.client, sb.website_id
    assert session.startswith("session_")
    got = client.website.get_conversation(wid, session)
    assert (got["session_id"], got["website_id"], got["state"]) == (session, wid, "pending")
    assert got["unread"] == {"operator": 0, "visitor": 0}
    assert client.website.check_conversation_exists(wid, session) == {}
    assert client.website.remove_conversation(wid, session) == {}
    assert client_error(client.website.get_conversation, wid, session) == (
        404, "session_not_found", "conversation not found")
    # HEAD: python makes up the reason from the status alone.
    assert client_error(client.website.check_conversation_exists, wid, session) == (
        404, "not_found", "not_found")


def test_unknown_conversation_is_not_found(sb: PySandbox) -> None:
    client, wid = sb.client, sb.website_id
    for call, args in [(client.website.get_conversation, ()),
                       (client.website.get_messages_in_conversation, ({},)),
                       (client.website.get_conversation_state, ()),
                       (client.website.list_conversation_pages, (1,))]:
        assert client_error(call, wid, UNKNOWN_SESSION, *args) == (
            404, "session_not_found", "conversation not found")


def test_state_get_and_change(sb: PySandbox, session: str) -> None:
    client, wid = sb.client, sb.website_id
    assert client.website.get_conversation_state(wid, session) == {"state": "pending"}
    assert client.website.change_conversation_state(wid, session, {"state": "resolved"}) == {}
    assert client.website.get_conversation_state(wid, session) == {"state": "resolved"}
    got = client.website.get_conversation(wid, session)
    assert (got["state"], got["status"]) == ("resolved", 2)
    assert client_error(client.website.change_conversation_state, wid, session,
                        {"state": "closed"}) == (
        400, "invalid_data", "data.state should be equal to one of the allowed values")


def test_routing_get_and_assign(sb: PySandbox, session: str) -> None:
    client, wid = sb.client, sb.website_id
    assert client.website.get_conversation_routing_assign(wid, session) == {"assigned": {}}
    operator = client.website.list_website_operators(wid)[-1]["details"]["user_id"]
    assert client.website.assign_conversation_routing(
        wid, session, {"assigned": {"user_id": operator}}) == {}
    assert client.website.get_conversation_routing_assign(wid, session) == {
        "assigned": {"user_id": operator}}
    assert client.website.get_conversation(wid, session)["assigned"] == {"user_id": operator}
    code, reason, detail = client_error(client.website.assign_conversation_routing, wid,
                                        session, {"assigned": {"user_id": "nobody"}})
    assert (code, reason) == (400, "invalid_data")
    assert detail.startswith("data.assigned.user_id")
    assert client.website.assign_conversation_routing(wid, session, {"assigned": None}) == {}
    assert client.website.get_conversation_routing_assign(wid, session) == {"assigned": {}}


def test_metas_get_and_update(sb: PySandbox, session: str) -> None:
    client, wid = sb.client, sb.website_id
    patch = {"nickname": "Ada Lovelace", "email": "ada@example.com", "subject": "Engines",
             "segments": ["vip", "python"], "data": {"plan": "pro", "seats": 3}}
    assert client.website.update_conversation_metas(wid, session, patch) == {}
    meta = client.website.get_conversation_metas(wid, session)
    assert {k: meta[k] for k in patch} == patch
    assert client.website.get_conversation(wid, session)["meta"]["email"] == "ada@example.com"
    code, reason, detail = client_error(client.website.update_conversation_metas, wid, session,
                                        {"email": "not an email"})
    assert (code, reason) == (400, "invalid_data") and detail.startswith("data.email")


def test_block_get_and_set(sb: PySandbox, session: str) -> None:
    client, wid = sb.client, sb.website_id
    assert client.website.get_block_status_for_conversation(wid, session) == {"blocked": False}
    assert client.website.block_incoming_messages_for_conversation(
        wid, session, {"blocked": True}) == {}
    assert client.website.get_block_status_for_conversation(wid, session) == {"blocked": True}
    assert client.website.get_conversation(wid, session)["is_blocked"] is True
    assert client_error(send, client, wid, session, sender="user")[:2] == (403, "not_allowed")
    send(client, wid, session, "operators may still write")
    client.website.block_incoming_messages_for_conversation(wid, session, {"blocked": False})
    send(client, wid, session, "let me in", sender="user")
    assert [m["from"] for m in history(client, wid, session)] == ["operator", "user"]


def test_pages_and_events_of_seeded_conversations(sb: PySandbox) -> None:
    client, wid = sb.client, sb.website_id
    pages = events = None
    for page in (1, 2, 3):
        for conv in client.website.list_conversations(wid, page):
            sid = conv["session_id"]
            pages = pages or client.website.list_conversation_pages(wid, sid, 1)
            events = events or client.website.list_conversation_events(wid, sid, 1)
        if pages and events:
            break
    assert pages and events, "the seeded world has browsed pages and session events"
    for item in pages:
        assert {"page_title", "page_url", "page_referrer", "timestamp"} <= set(item)
    for item in events:
        assert {"text", "data", "color", "timestamp"} <= set(item)
    stamps = [p["timestamp"] for p in pages]
    assert stamps == sorted(stamps, reverse=True)  # newest first


def test_files_list_the_file_messages(sb: PySandbox, session: str) -> None:
    client, wid = sb.client, sb.website_id
    assert client.website.list_conversation_files(wid, session, 1) == []
    content = {"name": "report.pdf", "url": "https://files.example/report.pdf",
               "type": "application/pdf"}
    fingerprint = send(client, wid, session, content, kind="file")
    files = client.website.list_conversation_files(wid, session, 1)
    assert [(f["name"], f["url"], f["type"], f["fingerprint"]) for f in files] == [
        ("report.pdf", "https://files.example/report.pdf", "application/pdf", fingerprint)]
    assert client.website.list_conversation_files(wid, session, 2) == []
    assert client.website.list_conversation_events(wid, session, 1) == []
    assert client.website.list_conversation_pages(wid, session, 1) == []


# ---- messages -----------------------------------------------------------------------------


def test_send_get_update_message(sb: PySandbox, session: str) -> None:
    client, wid = sb.client, sb.website_id
    fingerprint = send(client, wid, session, "How can I help?")
    message = client.website.get_message_in_conversation(wid, session, fingerprint)
    assert (message["fingerprint"], message["content"], message["from"], message["type"]) == (
        fingerprint, "How can I help?", "operator", "text")
    assert (message["session_id"], message["website_id"]) == (session, wid)
    assert message["edited"] is False and message["user"]["nickname"]
    assert client.website.update_message_in_conversation(
        wid, session, fingerprint, {"content": "How may I help?"}) == {}
    message = client.website.get_message_in_conversation(wid, session, fingerprint)
    assert (message["content"], message["edited"]) == ("How may I help?", True)
    assert client.website.get_conversation(wid, session)["last_message"] == "How may I help?"
    assert client_error(client.website.get_message_in_conversation, wid, session, 1) == (
        404, "message_not_found", "message not found")
    assert client_error(send, client, wid, session, kind="shout") == (
        400, "invalid_data", "data.type should be equal to one of the allowed values")
    assert client_error(send, client, wid, session, content="") == (
        400, "invalid_data", "data.content should be >= 1 in length")


def test_client_fingerprint_sent_twice_makes_two_messages(sb: PySandbox, session: str) -> None:
    # The strict profile (duplicate_fingerprints): Crisp is not known to de-duplicate.
    client, wid = sb.client, sb.website_id
    fingerprint = random.randrange(10**14, 10**15)
    assert send(client, wid, session, "once", fingerprint=fingerprint) == fingerprint
    assert send(client, wid, session, "twice", fingerprint=fingerprint) == fingerprint
    assert [(m["fingerprint"], m["content"]) for m in history(client, wid, session)] == [
        (fingerprint, "once"), (fingerprint, "twice")]
    # By fingerprint, the first of the twins answers.
    assert client.website.get_message_in_conversation(wid, session, fingerprint)[
        "content"] == "once"


def test_messages_page_with_timestamp_before(sb: PySandbox, session: str) -> None:
    client, wid = sb.client, sb.website_id
    sent = [send(client, wid, session, f"message {i}") for i in range(45)]
    latest = history(client, wid, session)
    assert latest[-1]["fingerprint"] == sent[-1] and len(latest) < len(sent)
    batches = [latest]
    while True:
        older = client.website.get_messages_in_conversation(
            wid, session, {"timestamp_before": batches[-1][0]["timestamp"]})
        if not older:
            break
        assert older[-1]["timestamp"] < batches[-1][0]["timestamp"]
        batches.append(older)
    walked = [m["fingerprint"] for batch in reversed(batches) for m in batch]
    assert walked == sent  # every message once, oldest first
    assert len(batches) >= 2


def test_compose_start_and_stop(sb: PySandbox, session: str) -> None:
    client, wid = sb.client, sb.website_id
    assert client.website.compose_message_in_conversation(
        wid, session, {"type": "start", "from": "operator", "excerpt": "Typing…"}) == {}
    compose = client.website.get_conversation(wid, session)["compose"]
    assert compose["operator"]["type"] == "start"
    assert compose["operator"]["excerpt"] == "Typing…"
    assert compose["operator"]["user"]["user_id"]
    client.website.compose_message_in_conversation(wid, session,
                                                   {"type": "stop", "from": "operator"})
    assert "operator" not in client.website.get_conversation(wid, session)["compose"]
    assert client_error(client.website.compose_message_in_conversation, wid, session,
                        {"type": "start"}) == (
        400, "invalid_data", "data should have required property '.from'")


def test_read_and_delivered(sb: PySandbox, session: str) -> None:
    client, wid = sb.client, sb.website_id
    question = send(client, wid, session, "Anyone there?", sender="user")
    assert client.website.get_conversation(wid, session)["unread"]["operator"] == 1
    assert client.website.mark_messages_read_in_conversation(
        wid, session, {"from": "operator", "origin": "chat", "fingerprints": [question]}) == {}
    assert client.website.get_conversation(wid, session)["unread"]["operator"] == 0
    assert client.website.get_message_in_conversation(wid, session, question)["read"] == "chat"

    answer = send(client, wid, session, "Yes!")
    assert client.website.mark_messages_delivered_in_conversation(
        wid, session, {"from": "user", "origin": "chat"}) == {}
    message = client.website.get_message_in_conversation(wid, session, answer)
    assert (message["delivered"], message["read"]) == ("chat", "")

    code, reason, detail = client_error(client.website.mark_messages_read_in_conversation,
                                        wid, session, {"from": "robot", "origin": "chat"})
    assert (code, reason, detail) == (400, "invalid_data",
                                      "data.from should be equal to one of the allowed values")
