"""Retries against the sandbox's injected faults: 5xx and connection resets are retried for
retry-safe requests only; a send or a create that may have reached Crisp is never repeated
here (the client reads before it retries)."""

from __future__ import annotations

import asyncio
import json
import random
import socket
from dataclasses import replace

import httpx
import pytest

from crisp_console.api import CrispApi, RetryPolicy
from crisp_console.errors import ServerError, TransportError
from crisp_console.sandbox.server import Sandbox
from crisp_console.types import Credentials
from tests.api.conftest import ApiFactory
from tests.api.helpers import (
    FAST,
    RecordingTransport,
    bound_website,
    quota_used,
    set_faults,
)

pytestmark = pytest.mark.asyncio

PATIENT = replace(FAST, max_attempts=8)


class FakeSleep:
    """Records the delays asked for and returns at once."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        await asyncio.sleep(0)


def conversations(sb: Sandbox, website_id: str) -> list[str]:
    return [c.session_id for c in sb.state.website_conversations(website_id)]


async def test_gets_survive_injected_5xx(make_api: ApiFactory, sandbox: Sandbox,
                                         admin: httpx.AsyncClient) -> None:
    rec = RecordingTransport()
    crisp = make_api(transport=rec, retry=PATIENT)
    wid = bound_website(sandbox)
    sessions = conversations(sandbox, wid)[:20]
    await set_faults(admin, error_rate=0.5, seed=3)
    got = [(await crisp.get_conversation(wid, sid))["session_id"] for sid in sessions]
    assert got == sessions
    statuses = [s.status for s in rec.sent]
    assert statuses.count(503) > 0
    assert statuses.count(200) == len(sessions)


async def test_gets_survive_connection_resets(make_api: ApiFactory, sandbox: Sandbox,
                                              admin: httpx.AsyncClient) -> None:
    rec = RecordingTransport()
    crisp = make_api(transport=rec, retry=PATIENT)
    wid = bound_website(sandbox)
    sessions = conversations(sandbox, wid)[:20]
    await set_faults(admin, reset_rate=0.5, seed=4)
    got = [(await crisp.get_conversation(wid, sid))["session_id"] for sid in sessions]
    assert got == sessions
    assert any(s.error for s in rec.sent)  # some attempts died with the connection
    assert [s.status for s in rec.sent].count(200) == len(sessions)


async def test_exhausted_5xx_retries_raise_server_error(make_api: ApiFactory,
                                                        admin: httpx.AsyncClient) -> None:
    rec, sleep = RecordingTransport(), FakeSleep()
    policy = RetryPolicy(max_attempts=4, base_delay=0.1, max_delay=0.25, jitter=0.5)
    crisp = make_api(transport=rec, retry=policy, sleep=sleep, rng=random.Random(1))
    await set_faults(admin, error_rate=1.0)
    with pytest.raises(ServerError) as err:
        await crisp.connect_account()
    assert (err.value.status, err.value.reason) == (503, "service_unavailable")
    assert len(rec.sent) == 4
    assert await quota_used(admin) == 4  # injected 5xx are counted by Crisp's quota
    # Exponential, capped at max_delay, jittered down by at most half.
    assert len(sleep.delays) == 3
    for delay, nominal in zip(sleep.delays, (0.1, 0.2, 0.25), strict=True):
        assert nominal * 0.5 <= delay <= nominal


async def test_exhausted_reset_retries_raise_transport_error(
        make_api: ApiFactory, admin: httpx.AsyncClient) -> None:
    rec = RecordingTransport()
    crisp = make_api(transport=rec)
    await set_faults(admin, reset_rate=1.0)
    with pytest.raises(TransportError):
        await crisp.connect_account()
    assert len(rec.sent) == FAST.max_attempts
    assert all(s.error and s.status is None for s in rec.sent)


async def test_create_is_not_repeated_after_a_5xx(make_api: ApiFactory, sandbox: Sandbox,
                                                  admin: httpx.AsyncClient) -> None:
    rec = RecordingTransport()
    crisp = make_api(transport=rec)
    wid = bound_website(sandbox)
    before = len(conversations(sandbox, wid))
    await set_faults(admin, error_rate=1.0)
    with pytest.raises(ServerError):
        await crisp.create_conversation(wid)
    assert [(s.method, s.status) for s in rec.sent] == [("POST", 503)]
    assert len(conversations(sandbox, wid)) == before


async def test_create_is_not_repeated_after_a_reset(make_api: ApiFactory, sandbox: Sandbox,
                                                    admin: httpx.AsyncClient) -> None:
    rec = RecordingTransport()
    crisp = make_api(transport=rec)
    wid = bound_website(sandbox)
    before = len(conversations(sandbox, wid))
    await set_faults(admin, reset_rate=1.0)
    with pytest.raises(TransportError) as err:
        await crisp.create_conversation(wid)
    assert err.value.sent is True  # the outcome is unknown
    assert len(rec.sent) == 1 and rec.sent[0].error
    assert len(conversations(sandbox, wid)) == before


async def test_refused_connections_are_retried_even_for_a_post() -> None:
    # Nothing reached the server, so repeating the POST cannot duplicate anything.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    rec = RecordingTransport()
    async with CrispApi(f"http://127.0.0.1:{port}", Credentials("i", "k"), retry=FAST,
                        transport=rec) as crisp:
        with pytest.raises(TransportError) as err:
            await crisp.create_conversation("w")
    assert "ConnectError" in str(err.value) and err.value.sent is False
    assert [s.error for s in rec.sent] == ["ConnectError"] * FAST.max_attempts


@pytest.mark.parametrize("fault", [{"error_rate": 1.0}, {"reset_rate": 1.0}])
async def test_a_send_is_not_repeated_after_it_may_have_reached_crisp(
        make_api: ApiFactory, sandbox: Sandbox, admin: httpx.AsyncClient,
        fault: dict[str, float]) -> None:
    rec = RecordingTransport()
    crisp = make_api(transport=rec, retry=PATIENT)
    wid = bound_website(sandbox)
    sid = await crisp.create_conversation(wid)
    await set_faults(admin, **fault)
    with pytest.raises((ServerError, TransportError)) as err:
        await crisp.send_message(wid, sid, type="text", content="once", fingerprint=42)
    if isinstance(err.value, TransportError):
        assert err.value.sent is True
    posts = [s for s in rec.sent if s.method == "POST" and s.path.endswith("/message")]
    assert len(posts) == 1


class LosingTransport(RecordingTransport):
    """Real sockets; drops the answer to the first send of each fingerprint AFTER the server
    processed it (the sandbox cannot lose an answer it already wrote)."""

    def __init__(self) -> None:
        super().__init__()
        self.lost: set[int] = set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        if request.method == "POST" and request.url.path.endswith("/message"):
            fp = json.loads(request.content)["fingerprint"]
            if fp not in self.lost:
                self.lost.add(fp)
                await response.aclose()
                raise httpx.ReadError("connection lost before the answer", request=request)
        return response


async def test_a_send_whose_answer_was_lost_is_ambiguous_not_repeated(
        make_api: ApiFactory, sandbox: Sandbox) -> None:
    rec = LosingTransport()
    crisp = make_api(transport=rec)
    wid = bound_website(sandbox)
    sid = await crisp.create_conversation(wid)
    with pytest.raises(TransportError) as err:
        await crisp.send_message(wid, sid, type="text", content="m11", fingerprint=11)
    assert err.value.sent is True  # it reached Crisp: the caller must read before retrying
    conv = sandbox.state.conversations[sid]
    assert [(m.fingerprint, m.content) for m in conv.messages] == [(11, "m11")]
    assert len([s for s in rec.sent if s.method == "POST"]) == 1 + 1
