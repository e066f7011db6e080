"""Generate Bucket URL: the RTM answer, the signed upload, and serving the file back."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import pytest_asyncio

from crisp_console.sandbox.server import Sandbox
from tests.sandbox.conftest import RtmProbe
from tests.sandbox.route_helpers import error_of

Factory = Callable[[], Awaitable[RtmProbe]]
pytestmark = pytest.mark.asyncio


async def generate(api: httpx.AsyncClient, probe: RtmProbe, request_id: str,
                   namespace: str = "upload", **extra: Any) -> dict[str, Any]:
    """POST generate, then return the payload of the matching RTM event."""
    body = {"namespace": namespace, "id": request_id,
            "file": {"name": "report final.pdf", "type": "application/pdf"}, **extra}
    resp = await api.post("bucket/url/generate", json=body)
    assert resp.status_code == 202, resp.text
    assert resp.json() == {"error": False, "reason": "dispatched", "data": {}}
    name = f"bucket:url:{namespace}:generated"
    _, payload = await probe.wait_for(lambda n, d: n == name and d["id"] == request_id)
    assert isinstance(payload, dict)
    return payload


@pytest_asyncio.fixture
async def probe(rtm: Factory) -> RtmProbe:
    p = await rtm()
    await p.authenticate(["bucket:url:upload:generated", "bucket:url:avatar:generated"])
    return p


async def test_generate_upload_download(sandbox: Sandbox, api: httpx.AsyncClient,
                                        probe: RtmProbe) -> None:
    event = await generate(api, probe, "req-1", resource={"type": "conversation", "id": "s1"})
    assert set(event) == {"from", "id", "identifier", "type", "resource", "policy", "url"}
    assert "website_id" not in event
    assert event["type"] == "application/pdf"
    assert event["resource"] == {"type": "conversation", "id": "s1"}
    assert event["from"] == "plugin" and event["identifier"] == sandbox.state.token.plugin_id
    assert event["policy"]["size_limit"] == sandbox.bucket.size_limit
    signed, resource = event["url"]["signed"], event["url"]["resource"]
    assert signed.startswith(f"{sandbox.base_url}/_bucket/")
    assert resource.startswith(f"{sandbox.base_url}/_bucket/")

    payload = bytes(range(256)) * 40
    async with httpx.AsyncClient(timeout=10.0) as plain:  # no Basic auth outside /v1
        before = await plain.get(resource)
        assert error_of(before)[:2] == (404, "not_found")
        put = await plain.put(signed, content=payload)
        assert put.status_code == 201, put.text
        assert put.json()["data"] == {"resource": resource}
        got = await plain.get(resource)
        assert got.status_code == 200
        assert got.content == payload
        assert got.headers["Content-Type"] == "application/pdf"
        assert got.headers["X-Content-Type-Options"] == "nosniff"
        assert got.headers["Content-Disposition"].startswith("attachment;")
        assert "report%20final.pdf" in got.headers["Content-Disposition"]
    assert sandbox.bucket.used_bytes == len(payload)


async def test_other_namespace_and_caller_identity(sandbox: Sandbox, api: httpx.AsyncClient,
                                                   probe: RtmProbe) -> None:
    wid = sandbox.state.subscribed_website_ids()[0]
    event = await generate(api, probe, "req-avatar", namespace="avatar", **{"from": "website"},
                           identifier=wid)
    assert (event["from"], event["identifier"]) == ("website", wid)
    assert "resource" not in event
    # Only sockets that asked for this event name hear it.
    assert "bucket:url:upload:generated" not in probe.names()


async def test_post_upload_and_overwrite(sandbox: Sandbox, api: httpx.AsyncClient,
                                         probe: RtmProbe) -> None:
    event = await generate(api, probe, "req-post")
    async with httpx.AsyncClient(timeout=10.0) as plain:
        assert (await plain.post(event["url"]["signed"], content=b"first")).status_code == 201
        assert (await plain.put(event["url"]["signed"], content=b"second")).status_code == 201
        assert (await plain.get(event["url"]["resource"])).content == b"second"
    assert sandbox.bucket.used_bytes == len(b"second")


async def test_bad_signatures_are_refused(sandbox: Sandbox, api: httpx.AsyncClient,
                                          probe: RtmProbe) -> None:
    event = await generate(api, probe, "req-tamper")
    signed = event["url"]["signed"]
    parts = urlsplit(signed)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    base = f"{parts.scheme}://{parts.netloc}{parts.path}"
    flipped = query["signature"][:-1] + ("0" if query["signature"][-1] != "0" else "1")
    other_key = base.rsplit("/", 1)[0] + "/someone-elses-key"
    attempts = [
        (base, {**query, "signature": flipped}),
        (base, {**query, "expires": str(int(query["expires"]) + 1)}),
        (base, {"expires": query["expires"]}),
        (other_key, query),
    ]
    async with httpx.AsyncClient(timeout=10.0) as plain:
        for url, params in attempts:
            resp = await plain.put(url, params=params, content=b"evil")
            assert error_of(resp)[:2] == (403, "not_allowed"), (url, params)
        assert (await plain.get(event["url"]["resource"])).status_code == 404
        # The same URL once expired.
        sandbox.bucket.clock = lambda: int(query["expires"]) + 1
        expired = await plain.put(signed, content=b"late")
        assert error_of(expired)[:2] == (403, "not_allowed")
    assert sandbox.bucket.used_bytes == 0


async def test_oversize_upload_is_refused(sandbox: Sandbox, api: httpx.AsyncClient,
                                          probe: RtmProbe) -> None:
    sandbox.bucket.size_limit = 1000
    event = await generate(api, probe, "req-big")
    assert event["policy"]["size_limit"] == 1000
    async with httpx.AsyncClient(timeout=10.0) as plain:
        resp = await plain.put(event["url"]["signed"], content=b"x" * 1001)
        assert error_of(resp)[:2] == (413, "too_large")

        async def chunks() -> Any:  # no Content-Length: the limit holds while streaming
            for _ in range(3):
                yield b"y" * 600

        streamed = await plain.put(event["url"]["signed"], content=chunks())
        assert streamed.status_code == 413
        assert (await plain.put(event["url"]["signed"], content=b"z" * 1000)).status_code == 201


async def test_total_cap_drops_the_oldest_files(sandbox: Sandbox, api: httpx.AsyncClient,
                                                probe: RtmProbe) -> None:
    sandbox.bucket.size_limit = 600
    sandbox.bucket.total_cap = 1000
    events = [await generate(api, probe, f"req-cap-{i}") for i in range(3)]
    async with httpx.AsyncClient(timeout=10.0) as plain:
        for i, event in enumerate(events):
            put = await plain.put(event["url"]["signed"], content=bytes([i]) * 500)
            assert put.status_code == 201
        assert sandbox.bucket.used_bytes <= 1000
        first = await plain.get(events[0]["url"]["resource"])
        assert first.status_code == 404
        for i in (1, 2):
            got = await plain.get(events[i]["url"]["resource"])
            assert got.content == bytes([i]) * 500


@pytest.mark.parametrize(("body", "message"), [
    ({"namespace": "secret", "id": "1", "file": {"name": "a", "type": "text/plain"}},
     "data.namespace should be equal to one of the allowed values"),
    ({"namespace": "upload", "file": {"name": "a", "type": "text/plain"}},
     "data should have required property '.id'"),
    ({"namespace": "upload", "id": "1", "file": {"name": "a"}},
     "data.file should have required property '.type'"),
    ({"namespace": "upload", "id": "1", "file": {"name": "a", "type": "text/html\r\nX: 1"}},
     "data.file.type"),
])
async def test_generate_validates_the_body(sandbox: Sandbox, api: httpx.AsyncClient,
                                           probe: RtmProbe, body: dict[str, Any],
                                           message: str) -> None:
    resp = await api.post("bucket/url/generate", json=body)
    status, reason, text = error_of(resp)
    assert (status, reason) == (400, "invalid_data")
    assert text.startswith(message), text
    await probe.settle()
    assert not [n for n in probe.names() if n.startswith("bucket:")]


async def test_generate_needs_auth(sandbox: Sandbox) -> None:
    async with httpx.AsyncClient(base_url=sandbox.rest_url) as anonymous:
        resp = await anonymous.post("bucket/url/generate", json={})
    assert error_of(resp)[:2] == (401, "invalid_session")
