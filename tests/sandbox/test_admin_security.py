"""The admin API's guard: loopback Host and Origin, the admin token, JSON bodies, and
snapshots confined to the state directory (issue 11, item 3)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from crisp_console.sandbox.admin_guard import (
    AdminGuard,
    check_admin_token,
    is_loopback_host,
    split_host_header,
)
from crisp_console.sandbox.server import Sandbox
from crisp_console.sandbox.statedir import StateDir
from tests.sandbox.conftest import admin_headers, make_config

TOKEN = "X-Sandbox-Token"


def refused(resp: httpx.Response, status: int, reason: str) -> None:
    """An enveloped refusal that says nothing of the sandbox's secrets."""
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert (body["error"], body["reason"], body["data"]["namespace"]) == (True, reason, "admin")
    assert "Access-Control-Allow-Origin" not in resp.headers


def no_secrets(resp: httpx.Response, sb: Sandbox) -> None:
    assert sb.state.token.key not in resp.text
    assert sb.admin_token not in resp.text


# ---- pure checks ----------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "host"), [
    ("127.0.0.1:8080", "127.0.0.1"), ("localhost", "localhost"), ("LocalHost:1", "localhost"),
    ("[::1]:80", "::1"), ("[::1]", "::1"), ("evil.example", "evil.example"),
    ("127.0.0.1:", None), ("127.0.0.1:http", None), ("::1", None), ("[::1", None),
    ("[::1]x", None), ("", None), (":80", None),
])
def test_split_host_header(value: str, host: str | None) -> None:
    assert split_host_header(value) == host


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.4.5.6", True), ("::1", True), ("[::1]", True),
    ("localhost", True), ("LOCALHOST", True),
    ("128.0.0.1", False), ("0.0.0.0", False), ("::", False), ("10.1.2.3", False),  # noqa: S104
    ("127.0.0.1.evil.example", False), ("localhost.evil.example", False), ("127.1", False),
    ("evil.example", False), ("", False),
])
def test_is_loopback_host(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


def test_remote_hosts_need_allow_remote() -> None:
    local = AdminGuard(make_config(), "t" * 20)
    assert local.host_allowed("127.0.0.1") and not local.host_allowed("192.0.2.7")
    wildcard = AdminGuard(make_config(host="0.0.0.0", allow_remote=True), "t" * 20)  # noqa: S104
    # Any IP literal (no rebinding page can use one), but still no host name.
    assert wildcard.host_allowed("192.0.2.7") and wildcard.host_allowed("2001:db8::1")
    assert not wildcard.host_allowed("evil.example")
    named = AdminGuard(make_config(host="192.0.2.7", allow_remote=True), "t" * 20)
    assert named.host_allowed("192.0.2.7") and not named.host_allowed("192.0.2.8")


def test_a_sandbox_off_loopback_needs_allow_remote() -> None:
    with pytest.raises(ValueError, match="allow_remote"):
        Sandbox(make_config(host="0.0.0.0"))  # noqa: S104
    Sandbox(make_config(host="0.0.0.0", allow_remote=True))  # noqa: S104 - not started


def test_admin_tokens() -> None:
    first, second = Sandbox(make_config()), Sandbox(make_config())
    assert first.admin_token != second.admin_token  # random per run, same seed or not
    assert len(first.admin_token) >= 32
    fixed = "a-fixed-token-for-scripts"
    assert Sandbox(make_config(admin_token=fixed)).admin_token == fixed
    for weak in ("short", "has spaces in it, sadly", "x" * 257, "tab\there-is-long-enough"):
        with pytest.raises(ValueError, match="admin token"):
            check_admin_token(weak)
        with pytest.raises(ValueError, match="admin token"):
            Sandbox(make_config(admin_token=weak))


# ---- over HTTP ------------------------------------------------------------------------------

@pytest.mark.asyncio
async def test_info_carries_the_admin_token(sandbox: Sandbox, admin: httpx.AsyncClient) -> None:
    resp = await admin.get("info")
    assert resp.status_code == 200
    assert resp.json()["data"]["admin_token"] == sandbox.admin_token == sandbox.info()[
        "admin_token"]


@pytest.mark.asyncio
@pytest.mark.parametrize("host", [
    "evil.example", "127.0.0.1.evil.example", "localhost.evil.example", "evil.example:{port}",
    "127.0.0.1.evil.example:{port}", "10.0.0.1:{port}", "0.0.0.0:{port}",
])
async def test_a_foreign_host_is_refused_even_with_the_token(
        sandbox: Sandbox, admin: httpx.AsyncClient, host: str) -> None:
    for method, path, body in (("GET", "info", None), ("PATCH", "faults", {"error_rate": 1}),
                               ("POST", "snapshot", {"path": "x.json"})):
        resp = await admin.request(method, path, json=body,
                                   headers={"Host": host.format(port=sandbox.port)})
        refused(resp, 403, "not_allowed")
        no_secrets(resp, sandbox)
    assert sandbox.config.faults.error_rate == 0


@pytest.mark.asyncio
@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.1:{port}", "127.9.9.9:{port}",
                                  "localhost", "LOCALHOST:{port}", "[::1]:{port}", "[::1]"])
async def test_loopback_hosts_are_accepted(sandbox: Sandbox, admin: httpx.AsyncClient,
                                           host: str) -> None:
    resp = await admin.get("info", headers={"Host": host.format(port=sandbox.port)})
    assert resp.status_code == 200, resp.text


@pytest.mark.asyncio
@pytest.mark.parametrize(("origin", "allowed"), [
    ("http://evil.example", False), ("https://127.0.0.1.evil.example", False),
    ("null", False), ("file://", False), ("chrome-extension://abc", False),
    ("http://127.0.0.1:{port}", True), ("http://localhost:3000", True), ("http://[::1]", True),
])
async def test_origin_must_be_loopback(sandbox: Sandbox, admin: httpx.AsyncClient,
                                       origin: str, allowed: bool) -> None:
    headers = {"Origin": origin.format(port=sandbox.port)}
    resp = await admin.get("info", headers=headers)
    if allowed:
        assert resp.status_code == 200, resp.text
    else:
        refused(resp, 403, "not_allowed")
        no_secrets(resp, sandbox)
    resp = await admin.patch("faults", json={"latency_ms": 7}, headers=headers)
    assert resp.status_code == (200 if allowed else 403)
    assert sandbox.config.faults.latency_ms == (7 if allowed else 0)


@pytest.mark.asyncio
async def test_every_route_needs_the_token(sandbox: Sandbox) -> None:
    wrong_same_length = "x" * len(sandbox.admin_token)
    async with httpx.AsyncClient(base_url=f"{sandbox.base_url}/_sandbox/") as bare:
        for headers in ({}, {TOKEN: ""}, {TOKEN: wrong_same_length},
                        {TOKEN: sandbox.admin_token + "x"}, {TOKEN: sandbox.admin_token[:-1]},
                        {TOKEN: "é".encode() * 10}):  # type: ignore[dict-item]
            for method, path, body in (("GET", "info", None), ("GET", "faults", None),
                                       ("PATCH", "faults", {"error_rate": 1}),
                                       ("POST", "snapshot", {"path": "x.json"}),
                                       ("POST", "restart", {"down_ms": 10})):
                resp = await bare.request(method, path, json=body, headers=headers)
                refused(resp, 401, "invalid_session")
                no_secrets(resp, sandbox)
                assert "X-Sandbox-Token" in resp.json()["data"]["message"]
        assert sandbox.config.faults.error_rate == 0
        resp = await bare.get("info", headers={TOKEN: sandbox.admin_token})
        assert resp.status_code == 200


@pytest.mark.asyncio
@pytest.mark.parametrize("content_type", [
    "text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x", "application/jsonx", None,
])
async def test_bodies_must_be_json(sandbox: Sandbox, admin: httpx.AsyncClient,
                                   content_type: str | None) -> None:
    """A cross-site form or text/plain POST (no preflight) cannot pass for JSON."""
    headers = {"Content-Type": content_type} if content_type else {}
    resp = await admin.patch("faults", content=b'{"error_rate": 1}', headers=headers)
    if content_type is None:  # httpx sends no type for raw bytes
        assert "content-type" not in resp.request.headers
    refused(resp, 415, "unsupported_media_type")
    assert sandbox.config.faults.error_rate == 0
    # A type on an empty body is refused too: what a bodiless cross-site form sends.
    if content_type is not None:
        refused(await admin.post("quota/reset", headers=headers), 415, "unsupported_media_type")


@pytest.mark.asyncio
async def test_json_with_a_charset_and_bodiless_posts_are_fine(
        sandbox: Sandbox, admin: httpx.AsyncClient) -> None:
    resp = await admin.patch("faults", content=b'{"latency_ms": 3}',
                             headers={"Content-Type": "application/json; charset=utf-8"})
    assert resp.status_code == 200, resp.text
    assert sandbox.config.faults.latency_ms == 3
    assert (await admin.post("quota/reset")).status_code == 200


@pytest.mark.asyncio
async def test_host_is_checked_before_the_token(sandbox: Sandbox) -> None:
    async with httpx.AsyncClient(base_url=f"{sandbox.base_url}/_sandbox/") as bare:
        refused(await bare.get("info", headers={"Host": "evil.example"}), 403, "not_allowed")
        refused(await bare.get("info", headers={"Origin": "http://evil.example"}), 403,
                "not_allowed")


@pytest.mark.asyncio
async def test_no_cors_for_the_admin_api(sandbox: Sandbox, admin: httpx.AsyncClient) -> None:
    """socket.io's cors_allowed_origins="*" covers its own path only: a cross-origin
    preflight to the admin API is not allowed, and no admin answer grants an origin."""
    preflight = {"Origin": "http://evil.example", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type,x-sandbox-token"}
    for path in ("snapshot", "info", "faults"):
        resp = await admin.options(path, headers=preflight)
        assert resp.status_code >= 400, resp.text
        assert not any(h.lower().startswith("access-control-") for h in resp.headers), \
            resp.headers
    resp = await admin.get("info", headers={"Origin": "http://127.0.0.1:1"})
    assert resp.status_code == 200
    assert not any(h.lower().startswith("access-control-") for h in resp.headers)


# ---- snapshots stay in the state directory ----------------------------------------------------


@contextlib.asynccontextmanager
async def serving(**config: Any) -> AsyncIterator[tuple[Sandbox, httpx.AsyncClient]]:
    sb = Sandbox(make_config(**config))
    await sb.start()
    try:
        async with httpx.AsyncClient(base_url=f"{sb.base_url}/_sandbox/",
                                     headers=admin_headers(sb)) as admin:
            yield sb, admin
    finally:
        await sb.stop()


def invalid_path(resp: httpx.Response, needle: str) -> None:
    assert resp.status_code == 400, resp.text
    body = resp.json()
    assert body["reason"] == "invalid_data"
    assert "data.path" in body["data"]["message"] and needle in body["data"]["message"], body


@pytest.mark.asyncio
async def test_snapshot_paths_cannot_leave_the_state_directory(tmp_path: Path) -> None:
    state_dir, outside = tmp_path / "state", tmp_path / "outside"
    outside.mkdir()
    state_dir.mkdir()
    victim = outside / "victim.json"
    victim.write_text("precious")
    (state_dir / "link-dir").symlink_to(outside, target_is_directory=True)
    (state_dir / "link-file.json").symlink_to(victim)
    async with serving(state_dir=state_dir) as (_, admin):
        cases = [(str(outside / "abs.json"), "absolute"), ("/etc/crisp.json", "absolute"),
                 ("../outside/dots.json", ".."), ("a/../../outside/dots.json", ".."),
                 ("..", ".."), ("link-dir/snap.json", "symbolic link"),
                 ("link-file.json", "symbolic link"), (".", "file"), ("a/", "file"),
                 ("nul\x00.json", "plain"), ("..\\outside\\win.json", "plain")]
        for name, needle in cases:
            invalid_path(await admin.post("snapshot", json={"path": name}), needle)
        ok = await admin.post("snapshot", json={"path": "runs/first.json"})
        assert ok.status_code == 200, ok.text
    assert victim.read_text() == "precious"
    assert sorted(p.name for p in outside.iterdir()) == ["victim.json"]
    assert ok.json()["data"] == {"path": str(state_dir / "runs" / "first.json")}
    assert (state_dir / "runs" / "first.json").stat().st_mode & 0o777 == 0o600


@pytest.mark.asyncio
async def test_without_a_state_dir_snapshots_go_to_a_private_temporary_one() -> None:
    async with serving() as (_, admin):
        resp = await admin.post("snapshot", json={"path": "kept.json"})
        assert resp.status_code == 200, resp.text
        written = Path(resp.json()["data"]["path"])
        assert written.parent.stat().st_mode & 0o777 == 0o700
        assert written.parent != Path.cwd()
    try:
        assert written.exists()  # the user asked for it: kept after the sandbox stopped
    finally:
        written.unlink()
        written.parent.rmdir()


def test_state_dir_lifecycle(tmp_path: Path) -> None:
    unused = StateDir(None)
    unused.cleanup()  # made nothing, removes nothing
    empty = StateDir(None)
    made = empty.path
    assert made.is_dir() and made.stat().st_mode & 0o777 == 0o700
    empty.cleanup()
    assert not made.exists()
    configured = StateDir(tmp_path / "new" / "dir")
    assert configured.target("a.json") == tmp_path / "new" / "dir" / "a.json"
    assert (tmp_path / "new" / "dir").stat().st_mode & 0o777 == 0o700
    configured.cleanup()  # never removes a configured directory
    assert (tmp_path / "new" / "dir").is_dir()
