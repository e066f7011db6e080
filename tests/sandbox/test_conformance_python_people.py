"""Conformance of the official python crisp-api 1.1.23 client, unchanged: people routes
(crisp-api.md §2.3) against the sandbox CLI.

Tests that change profiles add their own (with a unique email), so they do not depend on each
other. get/update_people_subscription_status target a route the sandbox does not serve: see
test_unserved_routes_fail_cleanly in test_conformance_python.py.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from crisp_api import Crisp  # type: ignore[import-untyped]

from tests.sandbox.pyclient import PySandbox, client_error, running_sandbox

UNKNOWN_PERSON = "00000000-0000-4000-8000-000000000000"


@pytest.fixture(scope="module")
def sb() -> Iterator[PySandbox]:
    with running_sandbox() as sandbox:
        yield sandbox


@pytest.fixture
def person(sb: PySandbox) -> tuple[str, str]:
    """(people_id, email) of a new profile on the first website."""
    email = f"py-{uuid.uuid4().hex[:10]}@conformance.example"
    added = sb.client.website.add_new_people_profile(sb.website_id, {
        "email": email, "person": {"nickname": "Grace Hopper"}, "segments": ["navy"]})
    assert set(added) == {"people_id"}
    people_id: str = added["people_id"]
    return people_id, email


def every_profile(client: Crisp, wid: str) -> list[dict[str, Any]]:
    profiles: list[dict[str, Any]] = []
    page = 1
    while batch := client.website.list_people_profiles(wid, page):
        assert len(batch) <= 20
        profiles.extend(batch)
        page += 1
    return profiles


def test_stats_and_profile_pages(sb: PySandbox) -> None:
    client, wid = sb.client, sb.website_id
    total = client.website.get_people_statistics(wid)["total"]
    profiles = every_profile(client, wid)
    assert total > 20  # the seeded world needs more than one page
    assert len(profiles) == total
    assert len({p["people_id"] for p in profiles}) == total
    created = [p["created_at"] for p in profiles]
    assert created == sorted(created, reverse=True)  # newest first


def test_add_get_exists_save_update_remove(sb: PySandbox) -> None:
    client, wid = sb.client, sb.website_id
    total = client.website.get_people_statistics(wid)["total"]
    email = f"py-{uuid.uuid4().hex[:10]}@conformance.example"
    people_id = client.website.add_new_people_profile(wid, {
        "email": email, "person": {"nickname": "Ada", "phone": "+44 20 0000 0000"},
        "segments": ["first"], "notepad": "met at PyCon"})["people_id"]
    assert client.website.get_people_statistics(wid)["total"] == total + 1
    assert client.website.list_people_profiles(wid, 1)[0]["people_id"] == people_id
    assert client.website.check_people_profile_exists(wid, people_id) == {}
    profile = client.website.get_people_profile(wid, people_id)
    assert (profile["people_id"], profile["email"], profile["segments"], profile["notepad"]) == (
        people_id, email, ["first"], "met at PyCon")
    assert profile["person"] == {"nickname": "Ada", "phone": "+44 20 0000 0000"}
    # A profile may also be named by its email.
    assert client.website.get_people_profile(wid, email)["people_id"] == people_id

    # PATCH merges into the person and keeps what it does not name.
    assert client.website.update_people_profile(
        wid, people_id, {"person": {"nickname": "Ada Lovelace"}}) == {}
    profile = client.website.get_people_profile(wid, people_id)
    assert profile["person"] == {"nickname": "Ada Lovelace", "phone": "+44 20 0000 0000"}
    assert profile["segments"] == ["first"]
    # PUT replaces: parts it omits are cleared.
    assert client.website.save_people_profile(
        wid, people_id, {"email": email, "person": {"nickname": "A. Lovelace"}}) == {}
    profile = client.website.get_people_profile(wid, people_id)
    assert (profile["person"], profile["segments"], profile["notepad"]) == (
        {"nickname": "A. Lovelace"}, [], "")

    assert client.website.remove_people_profile(wid, people_id) == {}
    assert client.website.get_people_statistics(wid)["total"] == total
    assert client_error(client.website.get_people_profile, wid, people_id) == (
        404, "people_not_found", "people profile not found")
    assert client_error(client.website.check_people_profile_exists, wid, people_id) == (
        404, "not_found", "not_found")


def test_profile_errors(sb: PySandbox, person: tuple[str, str]) -> None:
    client, wid = sb.client, sb.website_id
    people_id, email = person
    assert client_error(client.website.add_new_people_profile, wid, {
        "email": email.upper(), "person": {"nickname": "Twin"}})[:2] == (409, "people_exists")
    assert client_error(client.website.add_new_people_profile, wid, {
        "email": "solo@conformance.example", "person": {}}) == (
        400, "invalid_data", "data.person should have required property '.nickname'")
    code, reason, detail = client_error(client.website.update_people_profile, wid, people_id,
                                        {"email": "nope"})
    assert (code, reason) == (400, "invalid_data") and detail.startswith("data.email")
    assert client_error(client.website.update_people_profile, wid, UNKNOWN_PERSON,
                        {"notepad": "x"})[:2] == (404, "people_not_found")


def test_search_people_profiles_with_a_filter(sb: PySandbox, person: tuple[str, str]) -> None:
    client, wid = sb.client, sb.website_id
    people_id, _ = person
    segment = f"seg-{uuid.uuid4().hex[:8]}"
    client.website.update_people_profile(wid, people_id, {"segments": [segment]})
    # python pastes the JSON into the URL unescaped; requests then quotes spaces and quotes.
    filters = json.dumps([{"model": "people", "criterion": "segments", "operator": "eq",
                           "query": [segment]}])
    found = client.website.search_people_profiles(wid, 1, filters)
    assert [p["people_id"] for p in found] == [people_id]
    nickname = json.dumps([{"model": "people", "criterion": "nickname", "operator": "has",
                            "query": ["grace hop"]}])
    assert people_id in {p["people_id"]
                         for p in client.website.search_people_profiles(wid, 1, nickname)}
    code, reason, detail = client_error(client.website.search_people_profiles, wid, 1,
                                        "not-json")
    assert (code, reason) == (400, "invalid_data") and detail.startswith("search_filter")


def test_segments_are_counted(sb: PySandbox, person: tuple[str, str]) -> None:
    client, wid = sb.client, sb.website_id
    segments = client.website.list_people_segments(wid, 1)
    assert segments and all(set(s) == {"segment", "count"} for s in segments)
    counts = [s["count"] for s in segments]
    assert counts == sorted(counts, reverse=True)
    navy = {s["segment"]: s["count"] for s in segments}.get("navy", 0)
    assert navy >= 1  # the fixture's profile


def test_people_data_get_save_update(sb: PySandbox, person: tuple[str, str]) -> None:
    client, wid = sb.client, sb.website_id
    people_id, _ = person
    assert client.website.get_people_data(wid, people_id) == {"data": {}}
    assert client.website.save_people_data(wid, people_id, {"plan": "team", "seats": 4}) == {}
    assert client.website.get_people_data(wid, people_id) == {
        "data": {"plan": "team", "seats": 4}}
    assert client.website.update_people_data(wid, people_id, {"trial": False}) == {}
    assert client.website.get_people_data(wid, people_id) == {
        "data": {"plan": "team", "seats": 4, "trial": False}}
    assert client.website.save_people_data(wid, people_id, {"plan": "free"}) == {}
    assert client.website.get_people_data(wid, people_id) == {"data": {"plan": "free"}}
    code, reason, detail = client_error(client.website.update_people_data, wid, people_id,
                                        {"nested": {"no": "objects"}})
    assert (code, reason) == (400, "invalid_data") and "nested" in detail


def test_people_events_add_and_list(sb: PySandbox, person: tuple[str, str]) -> None:
    client, wid = sb.client, sb.website_id
    people_id, _ = person
    assert client.website.list_people_events(wid, people_id, 1) == []
    assert client.website.add_people_event(wid, people_id, {
        "text": "Signed up", "data": {"plan": "free"}, "color": "green"}) == {}
    assert client.website.add_people_event(wid, people_id, {"text": "Upgraded"}) == {}
    events = client.website.list_people_events(wid, people_id, 1)
    assert [(e["text"], e["color"], e["data"]) for e in events] == [
        ("Upgraded", "blue", {}), ("Signed up", "green", {"plan": "free"})]  # newest first
    assert all(isinstance(e["timestamp"], int) for e in events)
    assert client.website.list_people_events(wid, people_id, 2) == []
    assert client_error(client.website.add_people_event, wid, people_id,
                        {"text": "x", "color": "mauve"}) == (
        400, "invalid_data", "data.color should be equal to one of the allowed values")


def test_people_conversations(sb: PySandbox, person: tuple[str, str]) -> None:
    client, wid = sb.client, sb.website_id
    owners: dict[str, set[str]] = {}
    for conv in client.website.list_conversations(wid, 1):
        if conv["people_id"]:
            owners.setdefault(conv["people_id"], set()).add(conv["session_id"])
    assert owners, "the seeded world links conversations to contacts"
    for people_id, sessions in owners.items():
        listed = client.website.list_people_conversations(wid, people_id, 1)
        assert all(isinstance(s, str) and s.startswith("session_") for s in listed)
        assert sessions <= set(listed)
    assert client.website.list_people_conversations(wid, person[0], 1) == []
    assert client_error(client.website.list_people_conversations, wid, UNKNOWN_PERSON, 1)[:2] \
        == (404, "people_not_found")
