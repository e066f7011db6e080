"""The sandbox's log of the API requests it received (request_log.py)."""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlsplit

import httpx
import pytest

from crisp_console.sandbox.request_log import LoggedRequest, RequestLog
from crisp_console.sandbox.server import Sandbox
from tests.client.conftest import until
from tests.sandbox.conftest import auth_headers

pytestmark = pytest.mark.asyncio


async def test_every_api_request_is_logged_faults_included(
        sandbox: Sandbox, api: httpx.AsyncClient, admin: httpx.AsyncClient) -> None:
    log = sandbox.requests
    mark = log.total
    wid = sandbox.state.subscribed_website_ids()[0]
    assert (await api.get("plugin/connect/account")).status_code == 200
    assert (await api.get(f"website/{wid}", params={"x": "1"})).status_code == 200
    assert (await api.head("plugin/connect/session")).status_code == 200
    await admin.patch("faults", json={"burst_429": 1, "retry_after": 1})
    assert (await api.get("plugin/connect/account")).status_code == 429
    await admin.patch("faults", json={"reset_rate": 1.0})
    with pytest.raises(httpx.TransportError):
        await api.get("plugin/connect/account")
    await admin.patch("faults", json={"reset_rate": 0.0})
    assert (await admin.get("quota")).status_code == 200  # the admin API is not logged
    assert log.since(mark) == [
        LoggedRequest("GET", "plugin/connect/account"), LoggedRequest("GET", f"website/{wid}"),
        LoggedRequest("HEAD", "plugin/connect/session"),
        LoggedRequest("GET", "plugin/connect/account"),
        LoggedRequest("GET", "plugin/connect/account")]
    assert log.total == mark + 5


async def test_the_log_keeps_the_latest_entries_and_counts_them_all() -> None:
    log = RequestLog(limit=2)
    log.entries.extend([LoggedRequest("GET", "a"), LoggedRequest("GET", "b"),
                        LoggedRequest("GET", "c")])
    log.total = 3
    assert log.since(0) == [LoggedRequest("GET", "b"), LoggedRequest("GET", "c")]
    assert log.since(2) == [LoggedRequest("GET", "c")] and log.since(3) == []
    log.clear()
    assert (len(log), log.since(0)) == (0, [])


async def test_a_client_gone_before_its_answer_is_counted_and_logs_no_server_error(
        sandbox: Sandbox, api: httpx.AsyncClient, caplog: pytest.LogCaptureFixture) -> None:
    """A console quitting while its POST's body is still on the way: aiohttp cancels the
    body read with ConnectionResetError, which used to be logged as a server error with a
    traceback (and failed the smoke test's "no Traceback on stderr")."""
    caplog.set_level(logging.DEBUG)
    wid = sandbox.state.subscribed_website_ids()[0]
    sid = next(iter(sandbox.state.conversations))
    url = urlsplit(sandbox.rest_url)
    _reader, writer = await asyncio.open_connection(url.hostname, url.port)
    head = "".join(f"{k}: {v}\r\n" for k, v in auth_headers(sandbox).items())
    writer.write((f"POST {url.path.rstrip('/')}/website/{wid}/conversation/{sid}/message "
                  f"HTTP/1.1\r\nHost: {url.netloc}\r\n{head}Content-Type: application/json"
                  f"\r\nContent-Length: 1000\r\n\r\n{{\"type\": \"text\"").encode())
    await writer.drain()
    await until(lambda: sandbox.requests.total > 0, what="the request")  # in the handlers
    writer.close()  # the rest of the body never comes
    await until(lambda: sandbox.requests.gone == 1, what="the client gone")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "Traceback" not in caplog.text
    # The server goes on answering as before.
    assert (await api.get("plugin/connect/account")).status_code == 200
    assert sandbox.requests.gone == 1

