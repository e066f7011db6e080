"""List Conversations: paging, per_page, every filter, ordering and the three search types."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from crisp_console.sandbox.model import Conversation
from crisp_console.sandbox.server import Sandbox
from tests.sandbox.conv_helpers import (
    all_pages,
    conversations,
    data_of,
    error_of,
    newest_first,
    website_id,
)


def listed(sb: Sandbox, wid: str) -> list[Conversation]:
    """What the list shows by default: conversations with at least one message."""
    return [c for c in conversations(sb, wid) if c.messages]


def some(sb: Sandbox, wid: str, count: int, start: int = 0) -> list[Conversation]:
    convs = listed(sb, wid)
    assert len(convs) >= start + count, "dataset too small for this test"
    return convs[start:start + count]


@pytest.mark.asyncio
async def test_default_paging_reaches_empty_page_in_updated_order(
        sandbox: Sandbox, api: httpx.AsyncClient) -> None:
    wid = website_id(sandbox)
    expected = newest_first(listed(sandbox, wid))
    assert len(expected) > 20, "need more than one page"
    assert await all_pages(api, wid, {}) == expected
    first = data_of(await api.get(f"website/{wid}/conversations/1"))
    assert [c["session_id"] for c in first] == expected[:20]
    # Without {page}, and with python's trailing slash, it is page 1.
    bare = data_of(await api.get(f"website/{wid}/conversations"))
    slashed = data_of(await api.get(f"website/{wid}/conversations/1/"))
    assert bare == first == slashed


@pytest.mark.asyncio
async def test_per_page_bounds(sandbox: Sandbox, api: httpx.AsyncClient) -> None:
    wid = website_id(sandbox)
    total = len(listed(sandbox, wid))
    for bad in ("19", "51", "0", "many"):
        resp = await api.get(f"website/{wid}/conversations/1", params={"per_page": bad})
        assert "per_page" in error_of(resp, 400, "invalid_data")
    page = data_of(await api.get(f"website/{wid}/conversations/1", params={"per_page": 50}))
    assert len(page) == min(50, total)
    assert len(await all_pages(api, wid, {}, per_page=50)) == total
    far = await api.get(f"website/{wid}/conversations/999", params={"per_page": 50})
    assert data_of(far) == []


@pytest.mark.asyncio
async def test_include_empty(sandbox: Sandbox, api: httpx.AsyncClient) -> None:
    wid = website_id(sandbox)
    created = data_of(await api.post(f"website/{wid}/conversation", json={}), 201, "added")
    assert created["session_id"] not in await all_pages(api, wid, {})
    everything = await all_pages(api, wid, {"include_empty": "1"})
    assert everything == newest_first(conversations(sandbox, wid))
    assert created["session_id"] in everything
    assert await all_pages(api, wid, {"include_empty": "false"}) == newest_first(
        listed(sandbox, wid))


@pytest.mark.asyncio
async def test_state_unread_and_mention_filters(sandbox: Sandbox,
                                                api: httpx.AsyncClient) -> None:
    wid = website_id(sandbox)
    state = sandbox.state
    a, b, c = some(sandbox, wid, 3)
    state.set_state(a, "resolved")
    state.set_state(b, "unresolved")
    state.mark_unread(c, from_="operator")
    op = state.operators[0]
    state.add_message(b, type="note", from_="operator", origin="chat", content="ping",
                      user=op.user(), mentions=[op.user_id])
    convs = listed(sandbox, wid)
    cases: list[tuple[dict[str, str], list[Conversation]]] = [
        ({"filter_resolved": "1"}, [x for x in convs if x.state == "resolved"]),
        ({"filter_not_resolved": "True"}, [x for x in convs if x.state != "resolved"]),
        ({"filter_resolved": "0"}, convs),
        ({"filter_unread": "true"}, [x for x in convs if x.unread_operator > 0]),
        ({"filter_mention": "1"}, [x for x in convs if x.mentions]),
    ]
    for params, want in cases:
        assert want, params
        assert await all_pages(api, wid, params) == newest_first(want), params
    assert a.session_id in await all_pages(api, wid, {"filter_resolved": "1"})
    assert b.session_id in await all_pages(api, wid, {"filter_mention": "1"})
    resp = await api.get(f"website/{wid}/conversations/1", params={"filter_unread": "maybe"})
    assert "filter_unread" in error_of(resp, 400, "invalid_data")


@pytest.mark.asyncio
async def test_inbox_and_assignment_filters(sandbox: Sandbox, api: httpx.AsyncClient) -> None:
    wid = website_id(sandbox)
    state = sandbox.state
    a, b, c = some(sandbox, wid, 3)
    state.set_inbox(a, "inbox_test")
    state.set_inbox(c, "inbox_test")
    op0, op1 = state.operators[0], state.operators[1]
    state.set_routing(a, op0.user_id)
    state.set_routing(b, op1.user_id)
    convs = listed(sandbox, wid)
    assert await all_pages(api, wid, {"filter_inbox_id": "inbox_test"}) == newest_first([a, c])
    mine = [x for x in convs if x.assigned == op0.user_id]
    assert await all_pages(api, wid, {"filter_assigned": op0.user_id}) == newest_first(mine)
    anyone = [x for x in convs if x.assigned is not None]
    assert len(anyone) >= 2
    assert await all_pages(api, wid, {"filter_assigned": "1"}) == newest_first(anyone)
    nobody = [x for x in convs if x.assigned is None]
    assert await all_pages(api, wid, {"filter_unassigned": "1"}) == newest_first(nobody)


def iso(ms: int) -> str:
    when = datetime.fromtimestamp(ms // 1000, UTC) + timedelta(milliseconds=ms % 1000)
    return when.isoformat(timespec="milliseconds")


@pytest.mark.asyncio
async def test_date_filters_on_updated_at(sandbox: Sandbox, api: httpx.AsyncClient) -> None:
    wid = website_id(sandbox)
    convs = listed(sandbox, wid)
    stamps = sorted({c.updated_at for c in convs})
    low, high = stamps[len(stamps) // 3], stamps[-1]
    if len(stamps) < 3:  # a dataset built in one millisecond: spread a few out
        low, high = stamps[0] - 1, stamps[0]
    between = [c for c in convs if low <= c.updated_at <= high]
    params = {"filter_date_start": iso(low), "filter_date_end": iso(high)}
    assert await all_pages(api, wid, params) == newest_first(between)
    zulu = {"filter_date_start": iso(low).replace("+00:00", "Z")}
    since = [c for c in convs if c.updated_at >= low]
    assert await all_pages(api, wid, zulu) == newest_first(since)
    # An unescaped "+00:00" arrives as " 00:00": still understood.
    raw = await api.get(f"website/{wid}/conversations/1?per_page=50&filter_date_start="
                        + iso(low))
    assert [c["session_id"] for c in data_of(raw)] == newest_first(since)[:50]
    before_all = {"filter_date_end": iso(stamps[0] - 1)}
    assert await all_pages(api, wid, before_all) == []
    for name in ("filter_date_start", "filter_date_end"):
        resp = await api.get(f"website/{wid}/conversations/1", params={name: "yesterday"})
        assert name in error_of(resp, 400, "invalid_data")


@pytest.mark.asyncio
async def test_order_by_created_and_waiting(sandbox: Sandbox, api: httpx.AsyncClient) -> None:
    wid = website_id(sandbox)
    state = sandbox.state
    a, b = some(sandbox, wid, 2)
    later = state.clock() + 60_000
    op = state.operators[0].user()
    for conv, ts in ((b, later), (a, later + 1000)):
        # An operator reply first, so that neither is already waiting from the dataset.
        state.add_message(conv, type="text", from_="operator", origin="chat", content="hi",
                          user=op)
        state.add_message(conv, type="text", from_="user", origin="chat", content="hello?",
                          user=conv.visitor, timestamp=ts)
    convs = listed(sandbox, wid)
    by_created = await all_pages(api, wid, {"order_date_created": "1"})
    assert by_created == newest_first(convs, "created_at")
    waiting = sorted((c for c in convs if c.waiting_since), key=lambda c: (c.waiting_since,
                                                                            c.session_id))
    got = await all_pages(api, wid, {"order_date_waiting": "1"})
    assert got == [c.session_id for c in waiting]
    assert got.index(b.session_id) < got.index(a.session_id)
    explicit = await all_pages(api, wid, {"order_date_updated": "1"})
    assert explicit == newest_first(convs)


def text_hit(conv: Conversation, needle: str) -> bool:
    needle = needle.lower()
    meta = [str(conv.meta.get(k) or "") for k in ("nickname", "email", "subject", "phone")]
    texts = [m.content for m in conv.messages if m.type in ("text", "note")]
    last = conv.last()
    hay = [*meta, *(t for t in texts if isinstance(t, str)), last.excerpt() if last else ""]
    return any(needle in h.lower() for h in hay)


@pytest.mark.asyncio
async def test_text_search(sandbox: Sandbox, api: httpx.AsyncClient) -> None:
    wid = website_id(sandbox)
    state = sandbox.state
    target, other = some(sandbox, wid, 2)
    state.add_message(target, type="text", from_="user", origin="chat",
                      content="My Zebracorn broke", user=target.visitor)
    state.add_message(target, type="text", from_="operator", origin="chat",
                      content="sorry to hear", user=state.operators[0].user())
    state.update_meta(other, {"subject": "zebracorn refund"})
    for params in ({"search_query": "ZEBRACORN"},
                   {"search_query": "zebracorn", "search_type": "text"}):
        assert set(await all_pages(api, wid, params)) == {target.session_id, other.session_id}
    nickname = str(target.meta.get("nickname") or "")
    if nickname:
        want = [c for c in listed(sandbox, wid) if text_hit(c, nickname)]
        assert await all_pages(api, wid, {"search_query": nickname}) == newest_first(want)
    assert await all_pages(api, wid, {"search_query": "no-such-words-anywhere"}) == []


@pytest.mark.asyncio
async def test_segment_search(sandbox: Sandbox, api: httpx.AsyncClient) -> None:
    wid = website_id(sandbox)
    a, b = some(sandbox, wid, 2)
    for conv in (a, b):
        segments = [*conv.meta.get("segments", []), "zz-seg-test"]
        sandbox.state.update_meta(conv, {"segments": segments})
    params = {"search_query": "ZZ-seg-TEST", "search_type": "segment"}
    assert await all_pages(api, wid, params) == newest_first([a, b])
    partial = {"search_query": "zz-seg", "search_type": "segment"}
    assert await all_pages(api, wid, partial) == []
    # A segment of the dataset, if it has any: whole-segment matches only.
    convs = listed(sandbox, wid)
    existing = sorted({s for c in convs for s in c.meta.get("segments", [])} - {"zz-seg-test"})
    if existing:
        wanted = existing[0]
        want = [c for c in convs if wanted in c.meta.get("segments", [])]
        found = await all_pages(api, wid, {"search_query": wanted, "search_type": "segment"})
        assert found == newest_first(want)


def criteria(*items: tuple[str, str, list[Any]]) -> str:
    return json.dumps([{"model": "session", "criterion": c, "operator": o, "query": q}
                       for c, o, q in items])


@pytest.mark.asyncio
async def test_filter_search(sandbox: Sandbox, api: httpx.AsyncClient) -> None:
    wid = website_id(sandbox)
    state = sandbox.state
    a, b, c = some(sandbox, wid, 3)
    # Keys and values no dataset uses, so the expected sets are known exactly.
    state.update_meta(a, {"segments": ["vip-test"],
                          "data": {**a.meta.get("data", {}), "zz_plan": "gold", "zz_seats": 12}})
    state.update_meta(b, {"data": {**b.meta.get("data", {}), "zz_plan": "silver",
                                   "zz_seats": 3}})
    state.set_state(c, "resolved")
    state.update_meta(c, {"email": "someone@filter.example"})
    convs = listed(sandbox, wid)

    async def search(items: str, operator: str | None = None) -> set[str]:
        params = {"search_type": "filter", "search_query": items}
        if operator:
            params["search_operator"] = operator
        return set(await all_pages(api, wid, params))

    def ids(pred: Any) -> set[str]:
        return {x.session_id for x in convs if pred(x)}

    assert await search(criteria(("segments", "eq", ["vip-test"]))) == {a.session_id}
    assert await search(criteria(("data.zz_plan", "eq", ["gold", "silver"]))) == {
        a.session_id, b.session_id}
    assert await search(criteria(("data.zz_seats", "gte", [10]))) == {a.session_id}
    assert await search(criteria(("data.zz_seats", "lte", ["5"]))) == {b.session_id}
    assert await search(criteria(("email", "has", ["@filter.example"]))) == {c.session_id}
    assert await search(criteria(("state", "neq", ["resolved"]))) == ids(
        lambda x: x.state != "resolved")
    assert await search(criteria(("data.zz_plan", "has_not", []))) == ids(
        lambda x: "zz_plan" not in (x.meta.get("data") or {}))
    assert await search(criteria(("people_id", "eq", [a.people_id]))) == ids(
        lambda x: x.people_id == a.people_id and x.people_id != "")
    both = criteria(("segments", "eq", ["vip-test"]), ("state", "eq", ["resolved"]))
    assert await search(both, "and") == ids(
        lambda x: "vip-test" in x.meta.get("segments", []) and x.state == "resolved")
    assert await search(both, "or") == ids(
        lambda x: "vip-test" in x.meta.get("segments", []) or x.state == "resolved")
    assert await search(criteria(("availability", "eq", ["online", "offline"]))) == ids(
        lambda x: True)


@pytest.mark.asyncio
async def test_search_rejections_name_the_parameter(sandbox: Sandbox,
                                                     api: httpx.AsyncClient) -> None:
    wid = website_id(sandbox)
    url = f"website/{wid}/conversations/1"
    bad = [
        ({"search_type": "filter", "search_query": "[{not json"}, "search_query"),
        ({"search_type": "filter", "search_query": criteria(("state", "like", ["x"]))},
         "search_query[0].operator"),
        ({"search_type": "filter", "search_query": '{"criterion": "state"}'}, "search_query"),
        ({"search_type": "filter", "search_query": criteria(("state", "eq", ["x"])),
          "search_operator": "xor"}, "search_operator"),
        ({"search_type": "regex", "search_query": "x"}, "search_type"),
    ]
    for params, field in bad:
        message = error_of(await api.get(url, params=params), 400, "invalid_data")
        assert message.startswith(field), (params, message)
