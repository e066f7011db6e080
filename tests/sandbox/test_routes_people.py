"""People profile routes: add, get/HEAD, merge vs replace, remove, data, events, conversations."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest

from crisp_console.sandbox.server import Sandbox
from tests.sandbox.conftest import RtmProbe
from tests.sandbox.route_helpers import (
    add_person,
    error_of,
    people_of,
    subscribed_website,
    unsubscribed_website,
)

Factory = Callable[[], Awaitable[RtmProbe]]
pytestmark = pytest.mark.asyncio


async def test_add_then_get_and_head(sandbox: Sandbox, api: httpx.AsyncClient) -> None:
    wid = subscribed_website(sandbox)
    pid = await add_person(api, wid, "Ada@Example.com", "Ada", segments=["vip"],
                           company={"name": "Analytical"}, notepad="met at the fair")
    person = sandbox.state.people[pid]
    assert person.website_id == wid
    resp = await api.get(f"website/{wid}/people/profile/{pid}")
    assert resp.status_code == 200
    assert resp.json() == {"error": False, "reason": "resolved", "data": person.to_payload()}
    data = resp.json()["data"]
    assert data["person"]["nickname"] == "Ada"
    assert data["segments"] == ["vip"] and data["company"] == {"name": "Analytical"}

    # Crisp accepts an email in place of the people_id, whatever its case.
    by_email = await api.get(f"website/{wid}/people/profile/ada@example.COM")
    assert by_email.json()["data"]["people_id"] == pid

    head = await api.head(f"website/{wid}/people/profile/{pid}")
    assert head.status_code == 200 and head.content == b""
    missing = await api.head(f"website/{wid}/people/profile/nobody@example.com")
    assert missing.status_code == 404


@pytest.mark.parametrize(("body", "field"), [
    ({"person": {"nickname": "x"}}, "data should have required property '.email'"),
    ({"email": "a@b.co", "person": {}}, "data.person should have required property '.nickname'"),
    ({"email": "not-an-email", "person": {"nickname": "x"}}, "data.email"),
    ({"email": "a@b.co", "person": {"nickname": "x"}, "unknown": 1},
     "data should NOT have additional properties"),
    ({"email": "a@b.co", "person": {"nickname": "x"}, "segments": "vip"},
     "data.segments should be array"),
])
async def test_add_rejects_invalid_bodies(sandbox: Sandbox, api: httpx.AsyncClient,
                                          body: dict[str, object], field: str) -> None:
    wid = subscribed_website(sandbox)
    before = len(sandbox.state.people)
    resp = await api.post(f"website/{wid}/people/profile", json=body)
    status, reason, message = error_of(resp)
    assert (status, reason) == (400, "invalid_data")
    assert message.startswith(field)
    assert len(sandbox.state.people) == before


async def test_email_already_taken(sandbox: Sandbox, api: httpx.AsyncClient) -> None:
    wid = subscribed_website(sandbox)
    await add_person(api, wid, "taken@example.com", "First")
    again = await api.post(f"website/{wid}/people/profile",
                           json={"email": "TAKEN@example.com", "person": {"nickname": "Twin"}})
    assert error_of(again)[:2] == (409, "people_exists")
    other = await add_person(api, wid, "other@example.com", "Other")
    rename = await api.patch(f"website/{wid}/people/profile/{other}",
                             json={"email": "taken@example.com"})
    assert error_of(rename)[:2] == (409, "people_exists")
    # Re-saving one's own email is no conflict.
    same = await api.patch(f"website/{wid}/people/profile/{other}",
                           json={"email": "other@example.com"})
    assert same.status_code == 200


async def test_patch_merges_put_replaces(sandbox: Sandbox, api: httpx.AsyncClient) -> None:
    wid = subscribed_website(sandbox)
    pid = await add_person(api, wid, "grace@example.com", "Grace", segments=["navy"],
                           notepad="cobol", company={"name": "Navy", "domain": "navy.mil"})
    url = f"website/{wid}/people/profile/{pid}"
    resp = await api.patch(url, json={"person": {"phone": "+1 555"},
                                      "company": {"domain": "harvard.edu"}, "active": 1234})
    assert resp.json() == {"error": False, "reason": "updated", "data": {}}
    data = (await api.get(url)).json()["data"]
    assert data["person"] == {"nickname": "Grace", "phone": "+1 555"}
    assert data["company"] == {"name": "Navy", "domain": "harvard.edu"}
    assert data["segments"] == ["navy"] and data["notepad"] == "cobol"
    assert data["active"]["last"] == 1234

    resp = await api.put(url, json={"person": {"nickname": "Admiral Hopper"}})
    assert resp.json()["reason"] == "updated"
    data = (await api.get(url)).json()["data"]
    assert data["person"] == {"nickname": "Admiral Hopper"}
    assert data["segments"] == [] and data["notepad"] == "" and data["company"] == {}
    assert data["email"] == "grace@example.com"

    bad = await api.patch(url, json={"person": {"timezone": "UTC"}})
    assert error_of(bad) == (400, "invalid_data", "data.person.timezone should be integer")


async def test_delete_profile(sandbox: Sandbox, api: httpx.AsyncClient) -> None:
    wid = subscribed_website(sandbox)
    pid = await add_person(api, wid, "gone@example.com", "Gone")
    resp = await api.delete(f"website/{wid}/people/profile/gone@example.com")
    assert resp.json() == {"error": False, "reason": "deleted", "data": {}}
    assert pid not in sandbox.state.people
    again = await api.get(f"website/{wid}/people/profile/{pid}")
    assert error_of(again)[:2] == (404, "people_not_found")
    # The email is free again.
    await add_person(api, wid, "gone@example.com", "Back")


async def test_profile_changes_emit_events(sandbox: Sandbox, api: httpx.AsyncClient,
                                           rtm: Factory) -> None:
    wid = subscribed_website(sandbox)
    probe = await rtm()
    await probe.authenticate(["people:profile:created", "people:profile:updated",
                              "people:profile:removed"])
    pid = await add_person(api, wid, "ev@example.com", "Eve")
    await api.patch(f"website/{wid}/people/profile/{pid}", json={"person": {"nickname": "Evie"}})
    await api.patch(f"website/{wid}/people/data/{pid}", json={"plan": "pro"})
    await api.delete(f"website/{wid}/people/profile/{pid}")
    await probe.settle()
    events = [(n, d) for n, d in probe.received if n.startswith("people:")]
    assert [n for n, _ in events] == ["people:profile:created", "people:profile:updated",
                                      "people:profile:updated", "people:profile:removed"]
    assert all(d["website_id"] == wid and d["people_id"] == pid for _, d in events)
    assert events[0][1]["email"] == "ev@example.com"
    assert events[1][1]["update"]["person"]["nickname"] == "Evie"
    assert events[2][1]["update"]["data"] == {"plan": "pro"}


async def test_data_merge_and_replace(sandbox: Sandbox, api: httpx.AsyncClient) -> None:
    wid = subscribed_website(sandbox)
    pid = await add_person(api, wid, "data@example.com", "Data")
    url = f"website/{wid}/people/data/{pid}"
    assert (await api.get(url)).json()["data"] == {"data": {}}
    assert (await api.patch(url, json={"plan": "pro", "seats": 3})).json()["reason"] == "updated"
    await api.patch(url, json={"data": {"trial": True}})  # Crisp's documented wrapper
    assert (await api.get(url)).json()["data"] == {
        "data": {"plan": "pro", "seats": 3, "trial": True}}
    await api.put(url, json={"plan": "free"})
    assert (await api.get(url)).json()["data"] == {"data": {"plan": "free"}}
    assert sandbox.state.people[pid].data == {"plan": "free"}

    for body, message in [({"nested": {"a": 1}}, "data.nested"),
                          ({"list": [1]}, "data.list"),
                          ([1, 2], "data should be object")]:
        resp = await api.patch(url, json=body)
        status, reason, text = error_of(resp)
        assert (status, reason) == (400, "invalid_data") and text.startswith(message)
    assert sandbox.state.people[pid].data == {"plan": "free"}


async def test_events_add_and_list_newest_first(sandbox: Sandbox,
                                                api: httpx.AsyncClient) -> None:
    wid = subscribed_website(sandbox)
    pid = await add_person(api, wid, "events@example.com", "Events")
    for i in range(23):
        resp = await api.post(f"website/{wid}/people/events/{pid}",
                              json={"text": f"event {i}", "data": {"i": i}, "color": "green"})
        assert resp.status_code == 201 and resp.json()["reason"] == "added"
    first = (await api.get(f"website/{wid}/people/events/{pid}/list/1")).json()["data"]
    second = (await api.get(f"website/{wid}/people/events/{pid}/list/2")).json()["data"]
    third = (await api.get(f"website/{wid}/people/events/{pid}/list/3")).json()["data"]
    assert [e["text"] for e in first + second] == [f"event {i}" for i in range(22, -1, -1)]
    assert len(first) == 20 and third == []
    assert first[0]["data"] == {"i": 22} and first[0]["color"] == "green"
    assert isinstance(first[0]["timestamp"], int)

    bad = await api.post(f"website/{wid}/people/events/{pid}",
                         json={"text": "x", "color": "mauve"})
    assert error_of(bad) == (400, "invalid_data",
                             "data.color should be equal to one of the allowed values")
    assert len(sandbox.state.people[pid].events) == 23


async def test_conversations_of_a_person(sandbox: Sandbox, api: httpx.AsyncClient) -> None:
    wid = subscribed_website(sandbox)
    state = sandbox.state
    pid = await add_person(api, wid, "convs@example.com", "Convs")
    convs = [state.create_conversation(wid, people_id=pid) for _ in range(3)]
    for i, conv in enumerate(convs):
        conv.updated_at = state.clock() + i  # distinct and ordered
    state.set_state(convs[0], "resolved")
    convs[0].updated_at = convs[2].updated_at + 10  # most recently active
    convs[1].unread_operator = 2
    base = f"website/{wid}/people/conversations/{pid}/list/1"

    listed = (await api.get(base)).json()["data"]
    assert listed == [convs[0].session_id, convs[2].session_id, convs[1].session_id]
    assert (await api.get(base, params={"filter_unread": "1"})).json()["data"] == [
        convs[1].session_id]
    assert (await api.get(base, params={"filter_resolved": "true"})).json()["data"] == [
        convs[0].session_id]
    assert (await api.get(base, params={"filter_not_resolved": "True"})).json()["data"] == [
        convs[2].session_id, convs[1].session_id]
    page2 = f"website/{wid}/people/conversations/{pid}/list/2"
    assert (await api.get(page2)).json()["data"] == []


async def test_stats_and_segments(sandbox: Sandbox, api: httpx.AsyncClient) -> None:
    wid = subscribed_website(sandbox)
    await add_person(api, wid, "s1@example.com", "S1", segments=["zz-rare", "zz-common"])
    await add_person(api, wid, "s2@example.com", "S2", segments=["zz-common"])
    stats = (await api.get(f"website/{wid}/people/stats")).json()["data"]
    assert stats == {"total": len(people_of(sandbox, wid))}
    segments: list[dict[str, object]] = []
    page = 1
    while batch := (await api.get(f"website/{wid}/people/segments/{page}")).json()["data"]:
        segments += batch
        page += 1
    counts = {s["segment"]: s["count"] for s in segments}
    expected: dict[str, int] = {}
    for person in people_of(sandbox, wid):
        for seg in person.segments:
            expected[seg] = expected.get(seg, 0) + 1
    assert counts == expected and counts["zz-common"] == 2


async def test_unknown_and_unsubscribed(sandbox: Sandbox, api: httpx.AsyncClient) -> None:
    wid = subscribed_website(sandbox)
    off = unsubscribed_website(sandbox)
    cases = [
        (await api.get(f"website/{wid}/people/profile/no-such-id"), (404, "people_not_found")),
        (await api.get(f"website/{wid}/people/data/no-such-id"), (404, "people_not_found")),
        (await api.get("website/nowhere/people/profiles/1"), (404, "website_not_found")),
        (await api.get(f"website/{off}/people/profiles/1"), (404, "not_subscribed")),
        (await api.post(f"website/{off}/people/profile",
                        json={"email": "a@b.co", "person": {"nickname": "A"}}),
         (404, "not_subscribed")),
    ]
    for resp, expected in cases:
        assert error_of(resp)[:2] == expected, resp.text
    # A profile of another website is not reachable through this one.
    other = sandbox.state.subscribed_website_ids()[1]
    pid = await add_person(api, other, "elsewhere@example.com", "Elsewhere")
    resp = await api.get(f"website/{wid}/people/profile/{pid}")
    assert error_of(resp)[:2] == (404, "people_not_found")
