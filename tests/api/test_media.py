"""Media in and out of CrispApi: upload progress, and fetch_media (no credentials, bounded
size, checked redirects, one deadline), against the sandbox bucket and a tiny aiohttp server
that records what reaches it."""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import httpx
import pytest
import pytest_asyncio
from aiohttp import web

from crisp_console.api import CrispApi
from crisp_console.api.agent import default_user_agent
from crisp_console.api.media import UPLOAD_CHUNK, _redirect, media_type
from crisp_console.errors import (
    ClosedError,
    InsecureHostError,
    MediaError,
    MediaTooLargeError,
    TransportError,
)
from crisp_console.types import Credentials
from tests.api.conftest import ApiFactory
from tests.sandbox.conftest import RtmProbe

pytestmark = pytest.mark.asyncio

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40


@dataclass
class MediaServer:
    """A third-party host on loopback: every request's headers are kept in ``seen``."""

    base: str = ""
    seen: list[tuple[str, httpx.Headers]] = field(default_factory=list)
    put_failures: int = 0  # PUTs still to answer 503 (after reading the whole body)
    bodies: list[bytes] = field(default_factory=list)
    trickled_out: bool = False  # /trickle wrote its whole body

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def headers(self, path: str) -> list[httpx.Headers]:
        return [h for p, h in self.seen if p == path]


def _routes(server: MediaServer) -> web.Application:
    async def record(request: web.Request) -> None:
        server.seen.append((request.path, httpx.Headers(list(request.headers.items()))))

    async def image(request: web.Request) -> web.Response:
        await record(request)
        resp = web.Response(body=PNG, content_type="image/png")
        resp.set_cookie("tracker", "abc")
        return resp

    async def hop(request: web.Request) -> web.Response:
        await record(request)
        left = int(request.match_info["n"])
        target = "/image.png" if left == 0 else f"/hop/{left - 1}"
        raise web.HTTPFound(target)

    async def elsewhere(request: web.Request) -> web.Response:
        await record(request)
        raise web.HTTPFound(request.query["to"])

    async def big(request: web.Request) -> web.StreamResponse:
        await record(request)
        size = int(request.match_info["size"])
        if request.query.get("chunked"):  # no Content-Length: only counting can stop it
            resp = web.StreamResponse(headers={"Content-Type": "image/jpeg"})
            resp.enable_chunked_encoding()
            await resp.prepare(request)
            for _ in range(size // 4096):
                await resp.write(b"x" * 4096)
            await resp.write_eof()
            return resp
        return web.Response(body=b"x" * size, content_type="image/jpeg")

    async def trickle(request: web.Request) -> web.StreamResponse:
        await record(request)
        resp = web.StreamResponse(headers={"Content-Type": "image/gif"})
        resp.enable_chunked_encoding()
        await resp.prepare(request)
        for _ in range(200):  # a byte every 50 ms: no single read ever times out
            await resp.write(b"g")
            await asyncio.sleep(0.05)
        server.trickled_out = True
        return resp

    async def missing(request: web.Request) -> web.Response:
        await record(request)
        return web.Response(status=404, text="nope")

    async def upload(request: web.Request) -> web.Response:
        await record(request)
        server.bodies.append(await request.read())
        if server.put_failures:
            server.put_failures -= 1
            return web.Response(status=503, text="busy")
        return web.Response(status=201, text="{}")

    app = web.Application()
    app.router.add_get("/image.png", image)
    app.router.add_get("/hop/{n}", hop)
    app.router.add_get("/elsewhere", elsewhere)
    app.router.add_get("/big/{size}", big)
    app.router.add_get("/trickle", trickle)
    app.router.add_get("/missing", missing)
    app.router.add_put("/upload", upload)
    return app


@pytest_asyncio.fixture
async def media_server() -> AsyncIterator[MediaServer]:
    server = MediaServer()
    runner = web.AppRunner(_routes(server), access_log=None, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    server.base = f"http://{host}:{port}"
    try:
        yield server
    finally:
        await runner.cleanup()


async def bucket_url(crisp: CrispApi, rtm: Callable[[], Awaitable[RtmProbe]],
                     name: str, mime: str) -> dict[str, str]:
    probe = await rtm()
    await probe.authenticate(["bucket:url:upload:generated"])
    await crisp.generate_bucket_url(request_id=name, name=name, mime=mime)
    _, event = await probe.wait_for(lambda n, d: n == "bucket:url:upload:generated"
                                    and d["id"] == name)
    url: dict[str, str] = event["url"]
    return url


# ---- upload progress ---------------------------------------------------------------------


async def test_upload_reports_progress_then_fetch_gets_it_back(
        make_api: ApiFactory, rtm: Callable[[], Awaitable[RtmProbe]]) -> None:
    crisp = make_api()
    url = await bucket_url(crisp, rtm, "photo.png", "image/png")
    data = PNG * 20 + b"tail"  # ~200 KiB: four chunks, the last one short
    seen: list[tuple[int, int]] = []
    await crisp.upload(url["signed"], data, "image/png",
                       progress=lambda sent, total: seen.append((sent, total)))

    total = len(data)
    assert seen[-1] == (total, total)
    assert [s for s, _ in seen] == sorted({s for s, _ in seen})  # strictly increasing
    assert {t for _, t in seen} == {total}
    assert len(seen) == math.ceil(total / UPLOAD_CHUNK)

    content, mime = await crisp.fetch_media(url["resource"])
    assert (content, mime) == (data, "image/png")


async def test_empty_upload_reports_zero_of_zero(
        make_api: ApiFactory, rtm: Callable[[], Awaitable[RtmProbe]]) -> None:
    crisp = make_api()
    url = await bucket_url(crisp, rtm, "empty.txt", "text/plain")
    seen: list[tuple[int, int]] = []
    await crisp.upload(url["signed"], b"", "text/plain",
                       progress=lambda sent, total: seen.append((sent, total)))
    assert seen == [(0, 0)]


async def test_a_retried_upload_sends_everything_again_but_progress_never_goes_back(
        make_api: ApiFactory, media_server: MediaServer) -> None:
    crisp = make_api()
    media_server.put_failures = 1
    data = b"z" * (3 * UPLOAD_CHUNK + 10)
    seen: list[int] = []

    def progress(sent: int, total: int) -> None:
        seen.append(sent)
        if len(seen) == 1:
            raise RuntimeError("a broken progress bar")  # logged, the upload goes on

    await crisp.upload(media_server.url("/upload"), data, "application/octet-stream",
                       progress=progress)
    assert media_server.bodies == [data, data]  # the 503 was retried with the whole body
    assert seen == sorted(set(seen)) and seen[-1] == len(data)
    for headers in media_server.headers("/upload"):
        assert headers["Content-Length"] == str(len(data))  # sized, not chunked
        assert "Transfer-Encoding" not in headers and "Authorization" not in headers


# ---- fetch_media ---------------------------------------------------------------------------


async def test_fetch_sends_no_credentials_and_keeps_no_cookies(
        crisp: CrispApi, media_server: MediaServer) -> None:
    await crisp.check_session()  # the Crisp client exists and holds the token
    content, mime = await crisp.fetch_media(media_server.url("/image.png"))
    assert (content, mime) == (PNG, "image/png")
    # user:password in a URL would become Basic auth in httpx: it is dropped.
    userinfo = media_server.url("/image.png").replace("http://", "http://bob:pw@")
    assert (await crisp.fetch_media(userinfo))[0] == PNG
    first, second = media_server.headers("/image.png")
    for headers in (first, second):
        assert "Authorization" not in headers and "X-Crisp-Tier" not in headers
        assert headers["User-Agent"] == default_user_agent()
    assert "Cookie" not in second  # the Set-Cookie of the first answer was not kept


async def test_redirects_are_followed_up_to_three_and_rechecked(
        crisp: CrispApi, media_server: MediaServer) -> None:
    assert (await crisp.fetch_media(media_server.url("/hop/2")))[0] == PNG  # 3 redirects
    assert [p for p, _ in media_server.seen] == ["/hop/2", "/hop/1", "/hop/0", "/image.png"]
    assert all("Authorization" not in h for _, h in media_server.seen)

    media_server.seen.clear()
    with pytest.raises(MediaError, match="more than 3 redirects"):
        await crisp.fetch_media(media_server.url("/hop/3"))
    assert len(media_server.seen) == 4  # the fifth request is never made

    with pytest.raises(InsecureHostError):  # plain http to a public host, even via redirect
        await crisp.fetch_media(media_server.url("/elsewhere?to=http://example.com/a.png"))


async def test_a_public_host_may_not_redirect_to_loopback() -> None:
    with pytest.raises(InsecureHostError, match="loopback"):
        _redirect(httpx.URL("https://cdn.example/a.png"), "http://127.0.0.1:8080/admin")
    with pytest.raises(InsecureHostError, match="loopback"):
        _redirect(httpx.URL("https://cdn.example/a.png"), "https://localhost/admin")
    assert str(_redirect(httpx.URL("https://cdn.example/x/a.png"), "../b.png#f")) == \
        "https://cdn.example/b.png"


@pytest.mark.parametrize("url", ["http://example.com/a.png", "ftp://127.0.0.1/a.png",
                                 "file:///etc/passwd", "javascript:alert(1)", "", "a.png"])
async def test_insecure_or_odd_urls_are_refused(crisp: CrispApi, url: str) -> None:
    with pytest.raises(InsecureHostError):
        await crisp.fetch_media(url)


@pytest.mark.parametrize("chunked", [False, True])
async def test_too_large_is_refused(crisp: CrispApi, media_server: MediaServer,
                                    chunked: bool) -> None:
    suffix = "?chunked=1" if chunked else ""
    limit = 64 * 1024
    content, _ = await crisp.fetch_media(media_server.url(f"/big/{limit}{suffix}"),
                                         max_bytes=limit)
    assert len(content) == limit  # exactly the limit is fine
    with pytest.raises(MediaTooLargeError) as err:
        await crisp.fetch_media(media_server.url(f"/big/{limit + 4096}{suffix}"),
                                max_bytes=limit)
    assert err.value.limit == limit
    with pytest.raises(MediaTooLargeError):  # the 10 MiB default
        await crisp.fetch_media(media_server.url(f"/big/{10 * 2**20 + 4096}{suffix}"))


async def test_http_errors_timeouts_and_closing(make_api: ApiFactory,
                                                media_server: MediaServer) -> None:
    crisp = make_api(media_timeout=0.4)
    with pytest.raises(MediaError) as err:
        await crisp.fetch_media(media_server.url("/missing"))
    assert err.value.status == 404 and not isinstance(err.value, MediaTooLargeError)

    with pytest.raises(TransportError, match=r"within 0\.4 s"):
        await crisp.fetch_media(media_server.url("/trickle"))  # each read is quick
    assert not media_server.trickled_out  # it gave up while the 10 s body was still coming

    await crisp.aclose()
    with pytest.raises(ClosedError):
        await crisp.fetch_media(media_server.url("/image.png"))


async def test_media_type_is_reduced_to_a_plain_token() -> None:
    assert media_type("Image/PNG; charset=binary") == "image/png"
    assert media_type(None) == "application/octet-stream"
    assert media_type("text/html<script>") == "application/octet-stream"


@pytest.mark.parametrize("declared", ["1" * 5000, "9" * 19, "\u00b2", "12abc", "-1"])
async def test_an_absurd_content_length_is_no_crash(declared: str) -> None:
    # MockTransport ON PURPOSE: h11 refuses such headers before a real server's bytes arrive.
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers=[(b"Content-Type", b"image/png"),
                                            (b"Content-Length", declared.encode())],
                              content=b"png")

    api = CrispApi("http://127.0.0.1:9", Credentials("id", "key"),
                   media_transport=httpx.MockTransport(answer))
    async with api:
        try:
            content, mime = await api.fetch_media("https://media.example/a.png")
        except MediaTooLargeError:
            assert declared.isdigit() and declared.isascii()
        else:
            assert (content, mime) == (b"png", "image/png")
