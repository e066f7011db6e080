"""List People Profiles: paging, sorting, text search and filter search.

Expectations are computed from ``sandbox.state`` so they hold whatever the dataset holds;
the profiles each test adds carry a marker no generated profile has.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from crisp_console.sandbox.model import Person
from crisp_console.sandbox.server import Sandbox
from tests.sandbox.route_helpers import (
    add_person,
    error_of,
    people_of,
    python_client,
    subscribed_website,
)

pytestmark = pytest.mark.asyncio


async def list_all(api: httpx.AsyncClient, wid: str, **params: Any) -> list[dict[str, Any]]:
    """Every page until an empty one, checking the page size on the way."""
    out: list[dict[str, Any]] = []
    page = 1
    while True:
        resp = await api.get(f"website/{wid}/people/profiles/{page}", params=params)
        assert resp.status_code == 200, resp.text
        batch = resp.json()["data"]
        if not batch:
            return out
        assert len(batch) <= 20
        out += batch
        page += 1


async def seed(api: httpx.AsyncClient, wid: str, n: int = 25) -> list[str]:
    ids = []
    for i in range(n):
        ids.append(await add_person(
            api, wid, f"qq{i:02d}@list.example", f"Qq {chr(ord('a') + (i * 7) % 26)}{i}",
            segments=["qq-even" if i % 2 == 0 else "qq-odd"],
            company={"name": f"QqCorp {i % 3}"},
            person={"geolocation": {"country": "FR" if i < 5 else "DE"}},
        ))
    return ids


def nick(p: Person) -> str:
    return str(p.person.get("nickname") or "").casefold()


async def test_default_order_and_paging(sandbox: Sandbox, api: httpx.AsyncClient) -> None:
    wid = subscribed_website(sandbox)
    await seed(api, wid)
    people = people_of(sandbox, wid)
    expected = sorted(people, key=lambda p: (p.created_at, p.people_id), reverse=True)
    first = (await api.get(f"website/{wid}/people/profiles/1")).json()["data"]
    assert first == [p.to_payload() for p in expected[:20]]
    listed = await list_all(api, wid)
    assert [p["people_id"] for p in listed] == [p.people_id for p in expected]
    past = (await api.get(f"website/{wid}/people/profiles/{len(people) // 20 + 2}")).json()
    assert past == {"error": False, "reason": "resolved", "data": []}


@pytest.mark.parametrize(("field", "order"), [
    ("nickname", "asc"), ("nickname", "desc"), ("email", "asc"), ("created_at", "desc"),
    ("updated_at", "asc"), ("score", "desc"),
])
async def test_sorting(sandbox: Sandbox, api: httpx.AsyncClient, field: str, order: str) -> None:
    wid = subscribed_website(sandbox)
    await seed(api, wid)
    keys = {"nickname": nick, "email": lambda p: p.email.casefold(),
            "created_at": lambda p: p.created_at, "updated_at": lambda p: p.updated_at,
            "score": lambda p: p.score}
    key = keys[field]
    expected = sorted(people_of(sandbox, wid), key=lambda p: (key(p), p.people_id),
                      reverse=order == "desc")
    listed = await list_all(api, wid, sort_field=field, sort_order=order)
    assert [p["people_id"] for p in listed] == [p.people_id for p in expected]


async def test_search_text(sandbox: Sandbox, api: httpx.AsyncClient) -> None:
    wid = subscribed_website(sandbox)
    ids = await seed(api, wid)
    # On the nickname, the email and the company name, case-insensitively.
    by_nick = await list_all(api, wid, search_text="qq A")
    assert {p["people_id"] for p in by_nick} == {
        p.people_id for p in people_of(sandbox, wid) if "qq a" in nick(p)}
    assert by_nick
    by_email = await list_all(api, wid, search_text="QQ07@LIST")
    assert [p["people_id"] for p in by_email] == [ids[7]]
    by_company = await list_all(api, wid, search_text="qqcorp 2")
    assert {p["people_id"] for p in by_company} == {ids[i] for i in range(25) if i % 3 == 2}


async def test_search_filter(sandbox: Sandbox, api: httpx.AsyncClient) -> None:
    wid = subscribed_website(sandbox)
    ids = await seed(api, wid)

    async def search(filters: list[dict[str, Any]], operator: str = "and") -> set[str]:
        listed = await list_all(api, wid, search_filter=json.dumps(filters),
                                search_operator=operator)
        return {p["people_id"] for p in listed}

    even = {"model": "people", "criterion": "segments", "operator": "eq", "query": ["qq-even"]}
    french = {"model": "people", "criterion": "person.geolocation.country", "operator": "eq",
              "query": ["fr"]}
    assert await search([even]) == {ids[i] for i in range(0, 25, 2)}
    assert await search([even, french]) == {ids[0], ids[2], ids[4]}
    french_elsewhere = {p.people_id for p in people_of(sandbox, wid) if p.people_id not in ids
                        and str((p.person.get("geolocation") or {}).get("country", "")).casefold()
                        == "fr"}
    assert await search([even, french], "or") == {
        ids[i] for i in range(25) if i % 2 == 0 or i < 5} | french_elsewhere
    corp = {"criterion": "company.name", "operator": "has", "query": ["qqcorp 1"]}
    assert await search([corp]) == {ids[i] for i in range(25) if i % 3 == 1}
    not_corp = {**corp, "operator": "has_not"}
    assert await search([not_corp, even]) == {ids[i] for i in range(0, 25, 2) if i % 3 != 1}
    others = {p.people_id for p in people_of(sandbox, wid) if p.people_id not in ids}
    odd = {"criterion": "segments", "operator": "neq", "query": ["qq-odd"]}
    assert await search([odd]) == {ids[i] for i in range(0, 25, 2)} | others

    # Dates compare numerically: the profiles created from the 11th on.
    cutoff = sandbox.state.people[ids[10]].created_at
    later = {"criterion": "created_at", "operator": "gte", "query": [cutoff]}
    assert await search([later, {"criterion": "email", "operator": "has",
                                 "query": ["@list.example"]}]) == {
        ids[i] for i in range(25) if sandbox.state.people[ids[i]].created_at >= cutoff}

    await api.patch(f"website/{wid}/people/data/{ids[3]}", json={"tier": 3})
    tier = {"criterion": "data.tier", "operator": "lte", "query": ["5"]}
    assert await search([tier]) == {ids[3]} | {
        p.people_id for p in people_of(sandbox, wid)
        if isinstance(p.data.get("tier"), int | float) and p.data["tier"] <= 5}


@pytest.mark.parametrize(("params", "message"), [
    ({"sort_field": "shoe_size"}, "sort_field should be equal to one of the allowed values"),
    ({"sort_order": "sideways"}, "sort_order should be equal to one of the allowed values"),
    ({"search_operator": "xor", "search_filter": "[]"},
     "search_operator should be equal to one of the allowed values"),
    ({"search_filter": "{not json"}, "search_filter should be a JSON array of filters"),
    ({"search_filter": '{"criterion": "email"}'}, "search_filter should be array"),
    ({"search_filter": '[{"criterion": "email", "operator": "like", "query": ["a"]}]'},
     "search_filter[0].operator should be equal to one of the allowed values"),
    ({"search_filter": '[{"criterion": "email", "operator": "eq"}]'},
     "search_filter[0] should have required property '.query'"),
    ({"search_filter": '[{"criterion": "shoe", "operator": "eq", "query": ["a"]}]'},
     "search_filter[0].criterion"),
    ({"search_filter": '[{"criterion": "score", "operator": "gte", "query": []}]'},
     "search_filter[0].query"),
])
async def test_bad_list_parameters(sandbox: Sandbox, api: httpx.AsyncClient,
                                   params: dict[str, str], message: str) -> None:
    wid = subscribed_website(sandbox)
    resp = await api.get(f"website/{wid}/people/profiles/1", params=params)
    status, reason, text = error_of(resp)
    assert (status, reason) == (400, "invalid_data")
    assert text.startswith(message), text


async def test_bad_page(sandbox: Sandbox, api: httpx.AsyncClient) -> None:
    wid = subscribed_website(sandbox)
    resp = await api.get(f"website/{wid}/people/profiles/0")
    assert error_of(resp)[:2] == (400, "invalid_data")


async def test_python_client_lists_and_searches(sandbox: Sandbox) -> None:
    wid = subscribed_website(sandbox)
    client = python_client(sandbox)
    created = await asyncio.to_thread(client.website.add_new_people_profile, wid, {
        "email": "py@list.example", "person": {"nickname": "Py Thon"}, "segments": ["qq-py"]})
    pid = created["people_id"]
    first = await asyncio.to_thread(client.website.list_people_profiles, wid, 1)
    assert first[0]["people_id"] == pid  # newest first
    # python puts the JSON into the URL as it is; requests percent-encodes what it must.
    filters = json.dumps([{"model": "people", "criterion": "segments", "operator": "eq",
                           "query": ["qq-py"]}])
    found = await asyncio.to_thread(client.website.search_people_profiles, wid, 1, filters)
    assert [p["people_id"] for p in found] == [pid]
    await asyncio.to_thread(client.website.save_people_data, wid, pid, {"plan": "team"})
    assert await asyncio.to_thread(client.website.get_people_data, wid, pid) == {
        "data": {"plan": "team"}}
