"""Where RTM is served (rtm_root, row 8 of crisp-api.md §10) and the rtm_main_down fault.

Strict: the handshake is accepted at ``/`` (and ``//``, which python-engineio's client asks
for), and at ``/rescue/``; ``rtm_path`` serves nothing. Lenient: ``rtm_path`` only, which is
also the rescue URL. The switch is read per handshake, so flipping it live moves RTM at once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import aiohttp
import httpx
import pytest

from crisp_console.sandbox.profile import Behaviours
from crisp_console.sandbox.server import Sandbox
from tests.sandbox.conftest import RtmProbe

Factory = Callable[..., Awaitable[RtmProbe]]
pytestmark = pytest.mark.asyncio
OPENED = 101


async def handshake(sb: Sandbox, path: str) -> int:
    """The status of a raw engine.io WebSocket handshake at ``path`` (101: it opened)."""
    url = f"{sb.base_url}{path}?EIO=4&transport=websocket"
    async with aiohttp.ClientSession() as session:
        try:
            async with session.ws_connect(url, timeout=aiohttp.ClientWSTimeout(ws_close=5)) as ws:
                opening = await ws.receive(timeout=5)
                assert str(opening.data).startswith("0{"), opening  # engine.io OPEN packet
                return OPENED
        except aiohttp.WSServerHandshakeError as exc:
            return exc.status


async def endpoints(sb: Sandbox, api: httpx.AsyncClient) -> tuple[str, str]:
    data = (await api.get("plugin/connect/endpoints")).json()["data"]
    return data["socket"]["app"], data["rescue"]["socket"]["app"]


async def test_root_endpoints_name_the_root_and_a_rescue(
    sandbox: Sandbox, api: httpx.AsyncClient
) -> None:
    base = sandbox.base_url
    assert await endpoints(sandbox, api) == (f"{base}/", f"{base}/rescue/")
    assert (sandbox.rtm_url, sandbox.rescue_url) == (f"{base}/", f"{base}/rescue/")
    assert sandbox.info()["rtm"] == f"{base}/"


@pytest.mark.parametrize(("path", "status"), [
    ("/", OPENED), ("//", OPENED), ("/rescue/", OPENED), ("/rtm/", 404), ("/other/", 404)])
async def test_root_handshake_paths(sandbox: Sandbox, path: str, status: int) -> None:
    assert await handshake(sandbox, path) == status


async def test_events_arrive_at_the_root_and_at_the_rescue(
    sandbox: Sandbox, rtm: Factory
) -> None:
    website = sandbox.state.websites[sandbox.state.subscribed_website_ids()[0]]
    main, rescue = await rtm(), await rtm(sandbox.rescue_url)  # main: "//", as python asks
    for probe in (main, rescue):
        assert await probe.authenticate(["website:update_visitors_count"]) == \
            ("authenticated", True)
    sandbox.state.set_visitors_count(website, 9)
    for probe in (main, rescue):
        _, data = await probe.wait_for(lambda n, d: n == "website:update_visitors_count")
        assert data["visitors_count"] == 9


@pytest.mark.sandbox_config(behaviours=Behaviours(rtm_root=False))
async def test_lenient_rtm_path_serves_main_and_rescue(
    sandbox: Sandbox, api: httpx.AsyncClient
) -> None:
    url = f"{sandbox.base_url}/rtm/"
    assert await endpoints(sandbox, api) == (url, url)
    assert (sandbox.rtm_url, sandbox.rescue_url, sandbox.info()["rtm"]) == (url, url, url)
    statuses = [await handshake(sandbox, p) for p in ("/rtm/", "/", "//", "/rescue/")]
    assert statuses == [OPENED, 404, 404, 404]


async def test_the_switch_is_read_per_handshake(sandbox: Sandbox, api: httpx.AsyncClient) -> None:
    sandbox.config.behaviours.rtm_root = False
    assert await endpoints(sandbox, api) == (sandbox.rtm_url, sandbox.rtm_url)
    assert [await handshake(sandbox, p) for p in ("/", "/rtm/")] == [404, OPENED]
    sandbox.config.behaviours.rtm_root = True
    assert [await handshake(sandbox, p) for p in ("/", "/rtm/")] == [OPENED, 404]


async def test_rtm_main_down_refuses_the_main_path_only(
    sandbox: Sandbox, admin: httpx.AsyncClient, rtm: Factory
) -> None:
    website = sandbox.state.websites[sandbox.state.subscribed_website_ids()[0]]
    live = await rtm()
    await live.authenticate(["website:update_visitors_count"])
    answer = await admin.patch("faults", json={"rtm_main_down": True})
    assert answer.status_code == 200 and answer.json()["data"]["rtm_main_down"] is True
    assert [await handshake(sandbox, p) for p in ("/", "//", "/rescue/")] == [503, 503, OPENED]
    # Sockets already open stay up: the fault refuses handshakes, it does not cut connections.
    sandbox.state.set_visitors_count(website, 3)
    await live.wait_for(lambda n, d: n == "website:update_visitors_count")
    await admin.patch("faults", json={"rtm_main_down": False})
    assert await handshake(sandbox, "/") == OPENED


@pytest.mark.sandbox_config(behaviours=Behaviours(rtm_root=False))
async def test_lenient_rtm_main_down_leaves_no_endpoint(
    sandbox: Sandbox, admin: httpx.AsyncClient
) -> None:
    await admin.patch("faults", json={"rtm_main_down": True})
    assert await handshake(sandbox, "/rtm/") == 503  # the rescue URL is the same one
    await admin.post("faults/reset")
    assert await handshake(sandbox, "/rtm/") == OPENED


async def test_rtm_main_down_must_be_a_boolean(admin: httpx.AsyncClient) -> None:
    answer = await admin.patch("faults", json={"rtm_main_down": "yes"})
    assert answer.status_code == 400
