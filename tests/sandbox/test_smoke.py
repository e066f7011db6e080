from __future__ import annotations

import httpx
import pytest

from crisp_console.sandbox.server import Sandbox
from tests.sandbox.conftest import RtmProbe


@pytest.mark.asyncio
async def test_unauthenticated_request_gets_invalid_session(sandbox: Sandbox) -> None:
    async with httpx.AsyncClient(base_url=sandbox.rest_url) as client:
        resp = await client.get("plugin/connect/account")
    assert resp.status_code == 401
    assert resp.json() == {"error": True, "reason": "invalid_session",
                           "data": {"namespace": "session", "message": "invalid token"}}


@pytest.mark.asyncio
async def test_rtm_authenticates(rtm) -> None:  # type: ignore[no-untyped-def]
    probe: RtmProbe = await rtm()
    assert await probe.authenticate(["message:send"]) == ("authenticated", True)
