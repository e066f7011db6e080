"""Late faults (``late_fraction``): the request is carried out, then its answer is lost."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from crisp_console.sandbox.cli import build_parser, config_from_args
from crisp_console.sandbox.model import Conversation
from crisp_console.sandbox.server import Sandbox
from tests.sandbox.conv_helpers import conv_url, data_of, error_of, open_conversation, probe_for
from tests.sandbox.test_faults import set_faults

TEXT = {"type": "text", "from": "operator", "origin": "chat"}


def stored(conv: Conversation, content: str) -> int:
    return sum(1 for m in conv.messages if m.content == content)


async def used(admin: httpx.AsyncClient) -> int:
    count: int = (await admin.get("quota")).json()["data"]["used"]
    return count


@pytest.mark.asyncio
async def test_a_late_503_comes_after_the_message_was_stored_and_emitted(
        sandbox: Sandbox, api: httpx.AsyncClient, admin: httpx.AsyncClient, rtm: Any) -> None:
    conv = open_conversation(sandbox)
    probe = await probe_for(rtm, "message:received")
    await set_faults(admin, error_rate=1.0, late_fraction=1.0)
    fingerprint = 777_000_001
    resp = await api.post(conv_url(conv, "/message"),
                          json={**TEXT, "content": "late 503", "fingerprint": fingerprint})
    assert "injected fault" in error_of(resp, 503, "service_unavailable")
    assert stored(conv, "late 503") == 1
    _, event = await probe.wait_for(
        lambda n, d: n == "message:received" and d.get("fingerprint") == fingerprint)
    assert event["content"] == "late 503"
    # A late 503 replaces any answer, a refusal included (nothing was stored then).
    resp = await api.post(conv_url(conv, "/message"), json={"type": "text"})
    error_of(resp, 503, "service_unavailable")
    resp = await api.get(conv_url(conv, "/message/1"))  # a 404 becomes a 503 too
    error_of(resp, 503, "service_unavailable")
    await set_faults(admin, error_rate=0.0)
    fetched = data_of(await api.get(conv_url(conv, f"/message/{fingerprint}")))
    assert fetched["content"] == "late 503"


@pytest.mark.asyncio
async def test_a_late_reset_comes_after_the_message_was_stored(
        sandbox: Sandbox, api: httpx.AsyncClient, admin: httpx.AsyncClient) -> None:
    conv = open_conversation(sandbox)
    await set_faults(admin, reset_rate=1.0, late_fraction=1.0, daily_quota=100)
    before = await used(admin)
    with pytest.raises(httpx.TransportError):
        await api.post(conv_url(conv, "/message"), json={**TEXT, "content": "late reset"})
    assert stored(conv, "late reset") == 1
    assert await used(admin) == before + 1  # it reached the API, so it spent quota


@pytest.mark.asyncio
async def test_early_faults_still_change_nothing(
        sandbox: Sandbox, api: httpx.AsyncClient, admin: httpx.AsyncClient) -> None:
    """The default (late_fraction 0): the same faults come before the handler."""
    conv = open_conversation(sandbox)
    await set_faults(admin, error_rate=1.0, daily_quota=100)
    error_of(await api.post(conv_url(conv, "/message"), json={**TEXT, "content": "early"}),
             503, "service_unavailable")
    await set_faults(admin, error_rate=0.0, reset_rate=1.0)
    before = await used(admin)
    with pytest.raises(httpx.TransportError):
        await api.post(conv_url(conv, "/message"), json={**TEXT, "content": "early"})
    assert stored(conv, "early") == 0
    assert await used(admin) == before  # an early reset spends no quota


@pytest.mark.asyncio
async def test_a_fraction_splits_early_and_late_reproducibly(
        sandbox: Sandbox, api: httpx.AsyncClient, admin: httpx.AsyncClient) -> None:
    conv = open_conversation(sandbox)

    async def run() -> list[bool]:
        await set_faults(admin, error_rate=1.0, late_fraction=0.5, seed=11)
        landed = []
        for i in range(20):
            content = f"split {len(conv.messages)} {i}"
            resp = await api.post(conv_url(conv, "/message"), json={**TEXT, "content": content})
            error_of(resp, 503, "service_unavailable")
            landed.append(stored(conv, content) == 1)
        return landed

    first = await run()
    assert any(first) and not all(first)
    assert await run() == first


@pytest.mark.asyncio
async def test_late_fraction_is_patchable_and_validated(admin: httpx.AsyncClient) -> None:
    assert (await set_faults(admin, late_fraction=1))["late_fraction"] == 1.0
    resp = await admin.patch("faults", json={"late_fraction": 1.5})
    assert "data.late_fraction" in error_of(resp, 400, "invalid_data")
    reset = (await admin.post("faults/reset")).json()["data"]
    assert reset["late_fraction"] == 0.0


def test_late_fraction_flag() -> None:
    args = build_parser().parse_args(["--late-fraction", "0.25", "--error-rate", "0.2"])
    assert config_from_args(args).faults.late_fraction == 0.25
    assert build_parser().parse_args([]).late_fraction == 0.0
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--late-fraction", "2"])
