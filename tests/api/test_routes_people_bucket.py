"""People routes and the bucket upload of CrispApi, against the sandbox."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest

from crisp_console.api import CrispApi
from crisp_console.errors import ConflictError, InsecureHostError, NotAllowedError
from crisp_console.sandbox.model import Person
from crisp_console.sandbox.server import Sandbox
from tests.api.conftest import ApiFactory
from tests.api.helpers import RecordingTransport, bound_website
from tests.sandbox.conftest import RtmProbe

pytestmark = pytest.mark.asyncio


def people(sb: Sandbox, website_id: str) -> list[Person]:
    return [p for p in sb.state.people.values() if p.website_id == website_id]


async def test_person_profile_and_data(crisp: CrispApi, sandbox: Sandbox) -> None:
    wid = bound_website(sandbox)
    person = next(p for p in people(sandbox, wid) if p.data)
    profile = await crisp.get_person(wid, person.people_id)
    assert (profile["people_id"], profile["email"]) == (person.people_id, person.email)
    # A profile may also be named by its email (escaped in the path).
    assert (await crisp.get_person(wid, person.email))["people_id"] == person.people_id

    await crisp.update_person(wid, person.people_id, {"person": {"nickname": "Grace"},
                                                      "segments": ["vip"]})
    updated = await crisp.get_person(wid, person.people_id)
    assert updated["person"]["nickname"] == "Grace" and updated["segments"] == ["vip"]

    data = await crisp.get_person_data(wid, person.people_id)
    assert data == person.data and "data" not in data  # the inner object


async def test_person_conflict_is_a_conflict_error(crisp: CrispApi, sandbox: Sandbox) -> None:
    wid = bound_website(sandbox)
    one, other = people(sandbox, wid)[:2]
    with pytest.raises(ConflictError) as err:
        await crisp.update_person(wid, one.people_id, {"email": other.email})
    assert (err.value.status, err.value.reason) == (409, "people_exists")
    assert err.value.message == "a people profile with this email already exists"
    with pytest.raises(ConflictError):
        await crisp.request("POST", f"website/{wid}/people/profile",
                            json={"email": other.email, "person": {"nickname": "Dup"}})


async def test_person_events_and_conversations(crisp: CrispApi, sandbox: Sandbox) -> None:
    wid = bound_website(sandbox)
    with_events = next(p for p in people(sandbox, wid) if p.events)
    events = await crisp.list_person_events(wid, with_events.people_id)
    assert len(events) == min(20, len(with_events.events))
    assert await crisp.list_person_events(wid, with_events.people_id, 99) == []

    with_convs = max(people(sandbox, wid), key=lambda p: len(p.sessions))
    sessions = await crisp.list_person_conversations(wid, with_convs.people_id)
    assert sessions and set(sessions) <= set(sandbox.state.conversations)
    assert {sandbox.state.conversations[s].people_id for s in sessions} == {
        with_convs.people_id}
    assert await crisp.list_person_conversations(wid, with_convs.people_id, 2) == []


async def test_bucket_generate_then_upload(make_api: ApiFactory,
                                           rtm: Callable[[], Awaitable[RtmProbe]]) -> None:
    rec = RecordingTransport()
    crisp = make_api(transport=rec)
    probe = await rtm()
    await probe.authenticate(["bucket:url:upload:generated"])
    await crisp.generate_bucket_url(request_id="req-7", name="notes.txt", mime="text/plain")
    _, event = await probe.wait_for(lambda n, d: n == "bucket:url:upload:generated"
                                    and d["id"] == "req-7")
    payload = b"hello bucket" * 100
    await crisp.upload(event["url"]["signed"], payload, "text/plain")
    async with httpx.AsyncClient(timeout=10.0) as plain:
        got = await plain.get(event["url"]["resource"])
    assert got.content == payload and got.headers["Content-Type"] == "text/plain"
    put = rec.sent[-1]
    assert (put.method, put.status, put.content) == ("PUT", 201, payload)
    assert put.headers["Content-Type"] == "text/plain"
    # The signed URL is the credential: the Crisp token never travels to the bucket.
    assert "Authorization" not in put.headers and "X-Crisp-Tier" not in put.headers
    assert crisp.quota.count == 1  # the generate call; the upload is not a Crisp request

    # A tampered signature: the bucket's 403 envelope becomes NotAllowedError.
    with pytest.raises(NotAllowedError):
        await crisp.upload(event["url"]["signed"] + "0", payload, "text/plain")
    with pytest.raises(InsecureHostError):
        await crisp.upload("http://example.com/upload", payload, "text/plain")
