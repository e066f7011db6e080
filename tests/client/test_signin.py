"""check_sign_in against a real sandbox on loopback: success and every failure, in words,
without the key ever reaching a log record or a result. A website token is named as one and
never signs in (the diagnosis at the unit level, against every answer: test_signin_tier.py)."""

from __future__ import annotations

import base64
import datetime as dt
import logging
import socket
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from aiohttp import web

from crisp_console.client.signin import (
    SignedIn,
    SignInFailure,
    SignInResult,
    check_sign_in,
    host_text,
)
from crisp_console.sandbox.profile import Behaviours
from crisp_console.sandbox.server import Sandbox
from crisp_console.storage.accounts import Account
from tests.api.helpers import quota_used, set_faults
from tests.sandbox.conftest import admin, sandbox  # noqa: F401 - fixtures reused here

Check = Callable[..., Awaitable[SignInResult]]


def root(sb: Sandbox) -> str:
    """The host an operator would type for the sandbox: its root, without /v1/."""
    return sb.base_url


async def check(sb: Sandbox, *, host: str | None = None, key: str | None = None,
                timeout: float = 10.0) -> SignInResult:
    token = sb.state.token
    return await check_sign_in(root(sb) if host is None else host, token.identifier,
                               token.key if key is None else key, timeout=timeout)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


Serve = Callable[..., Awaitable[str]]


@pytest_asyncio.fixture
async def serve() -> AsyncIterator[Serve]:
    """Start a plain aiohttp server on loopback answering every path with ``status`` and
    ``body`` (HTML); returns its root URL. ``tls`` is an SSLContext to serve https."""
    runners: list[web.AppRunner] = []

    async def start(status: int, body: str, tls: ssl.SSLContext | None = None) -> str:
        async def answer(request: web.Request) -> web.Response:
            return web.Response(status=status, text=body, content_type="text/html")

        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", answer)
        runner = web.AppRunner(app)
        await runner.setup()
        runners.append(runner)
        site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=tls)
        await site.start()
        port = runner.addresses[0][1]
        return f"{'https' if tls else 'http'}://127.0.0.1:{port}"

    yield start
    for runner in runners:
        await runner.cleanup()


def self_signed(tmp_path: Path) -> ssl.SSLContext:
    """A server context with a freshly made self-signed certificate for 127.0.0.1."""
    crypto = pytest.importorskip("cryptography")
    assert crypto
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "crisp-console test")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + dt.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context


# ---- success ---------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_success_returns_the_plugin_and_the_host(sandbox: Sandbox) -> None:  # noqa: F811
    result = await check(sandbox)
    assert result.ok and result.failure is None
    assert result.plugin_id == sandbox.info()["plugin_id"]
    assert result.host == root(sandbox)
    # The /v1/ root and a trailing slash are accepted as well.
    assert (await check(sandbox, host=sandbox.rest_url)).ok


def test_host_text_completes_what_was_typed() -> None:
    assert host_text("") == "https://api.crisp.chat"
    assert host_text("  api.crisp.chat/ ") == "https://api.crisp.chat"
    assert host_text("http://127.0.0.1:8080/") == "http://127.0.0.1:8080"


# ---- the token -------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_bad_key(sandbox: Sandbox) -> None:  # noqa: F811
    result = await check(sandbox, key="not-the-key-0123456789")
    assert result.failure is SignInFailure.BAD_KEY and not result.ok
    assert "did not accept" in result.message and "Marketplace" in result.message
    assert "invalid_session" in result.detail and "invalid token" in result.detail
    assert result.failure.field == "key"


@pytest.mark.asyncio
async def test_empty_key_is_said_without_asking_the_server(sandbox: Sandbox,  # noqa: F811
                                                          admin: httpx.AsyncClient,  # noqa: F811
                                                          ) -> None:
    result = await check(sandbox, key="   ")
    assert result.failure is SignInFailure.BAD_KEY and "Enter the key" in result.message
    assert await quota_used(admin) == 0


class Recording(httpx.AsyncHTTPTransport):
    """Real requests, each noted as (method, path, X-Crisp-Tier)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, str, str | None]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append((request.method, request.url.path, request.headers.get("X-Crisp-Tier")))
        return await super().handle_async_request(request)


@pytest.mark.sandbox_config(tier="website")
@pytest.mark.asyncio
async def test_a_website_token_is_named_and_never_signs_in(sandbox: Sandbox) -> None:  # noqa: F811
    token, recording = sandbox.state.token, Recording()
    result = await check_sign_in(root(sandbox), token.identifier, token.key,
                                 transport=recording)
    assert result.failure is SignInFailure.WEBSITE_TIER and result.failure.field == "key"
    assert result.message.startswith("This is a website token; crisp-console needs a plugin")
    assert "refuse website tokens" in result.message
    assert "your plugin → Tokens → Production" in result.message
    assert "invalid_session" in result.detail and "as a website token" in result.detail
    # The plugin tier is refused; one HEAD with the website tier diagnoses; nothing more.
    assert recording.seen == [("HEAD", "/v1/plugin/connect/session", "plugin"),
                              ("GET", "/v1/plugin/connect/account", "plugin"),
                              ("HEAD", "/v1/plugin/connect/session", "website")]


# The strict sandbox refuses the website tier on plugin routes (crisp-api.md §10 row 1), as
# Crisp does: the diagnosis meets 403 not_allowed.
@pytest.mark.sandbox_config(tier="website")
@pytest.mark.asyncio
async def test_the_strict_sandbox_refuses_the_website_tier_with_403(sandbox: Sandbox,  # noqa: F811
                                                                    ) -> None:
    result = await check(sandbox)
    assert result.failure is SignInFailure.WEBSITE_TIER
    assert "NotAllowedError" in result.detail and "403" in result.detail


@pytest.mark.sandbox_config(tier="website", behaviours=Behaviours.of("lenient"))
@pytest.mark.asyncio
async def test_a_website_token_is_named_where_plugin_routes_let_it_in(
        sandbox: Sandbox) -> None:  # noqa: F811
    """Lenient on purpose: a server whose plugin routes accept the website tier proves the pair
    is a valid website token just as well; the console still does not sign in with it."""
    result = await check(sandbox)
    assert result.failure is SignInFailure.WEBSITE_TIER
    assert "the plugin route accepted it" in result.detail


@pytest.mark.asyncio
async def test_quota_used_up(sandbox: Sandbox, admin: httpx.AsyncClient) -> None:  # noqa: F811
    await set_faults(admin, daily_quota=2)
    assert (await check(sandbox)).ok  # HEAD + GET: the quota is spent
    assert await quota_used(admin) == 2
    result = await check(sandbox)
    assert result.failure is SignInFailure.QUOTA
    assert "00:00 UTC" in result.message and "Development tokens" in result.message
    # The check's first request is a HEAD: its body-less 429 names no reason.
    assert "QuotaExceededError" in result.detail and result.failure.field == ""


@pytest.mark.asyncio
async def test_rate_limit_is_reported_not_waited_out(sandbox: Sandbox,  # noqa: F811
                                                     admin: httpx.AsyncClient,  # noqa: F811
                                                     ) -> None:
    # 20 s is a short Retry-After (a rate limit, not a spent quota) but over the sign-in's
    # 3 s budget for waiting.
    await set_faults(admin, burst_429=5, retry_after=20)
    result = await check(sandbox, timeout=5.0)
    assert result.failure is SignInFailure.RATE_LIMITED
    assert "Try again in 20 seconds" in result.message


@pytest.mark.asyncio
async def test_server_error(sandbox: Sandbox, admin: httpx.AsyncClient) -> None:  # noqa: F811
    await set_faults(admin, error_rate=1.0)
    result = await check(sandbox)
    assert result.failure is SignInFailure.SERVER and "HTTP 503" in result.message
    assert "503" in result.detail


@pytest.mark.asyncio
async def test_timeout(sandbox: Sandbox, admin: httpx.AsyncClient) -> None:  # noqa: F811
    await set_faults(admin, latency_ms=1200)
    result = await check(sandbox, timeout=0.3)
    assert result.failure is SignInFailure.TIMEOUT
    assert "did not answer within 0.3 seconds" in result.message
    assert result.failure.field == "host"


# ---- the host --------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_no_network_on_a_closed_port() -> None:
    port = closed_port()
    result = await check_sign_in(f"http://127.0.0.1:{port}", "id", "some-key-123")
    assert result.failure is SignInFailure.NO_NETWORK
    assert f"127.0.0.1:{port}" in result.message and "refused" in result.message
    assert result.failure.field == "host"


@pytest.mark.asyncio
async def test_unknown_host_name() -> None:
    result = await check_sign_in("https://no-such-host.invalid", "id", "some-key-123",
                                 timeout=10.0)
    assert result.failure in (SignInFailure.NO_NETWORK, SignInFailure.TIMEOUT)
    if result.failure is SignInFailure.NO_NETWORK:
        assert "no-such-host.invalid could not be found" in result.message


@pytest.mark.asyncio
async def test_https_to_a_plain_http_port_is_a_tls_failure(sandbox: Sandbox,  # noqa: F811
                                                           ) -> None:
    result = await check(sandbox, host=f"https://127.0.0.1:{sandbox.port}")
    assert result.failure is SignInFailure.TLS
    assert "does not speak TLS" in result.message and "SSL" in result.detail


@pytest.mark.asyncio
async def test_an_unverifiable_certificate(serve: Serve, tmp_path: Path) -> None:
    url = await serve(200, "<html></html>", tls=self_signed(tmp_path))
    result = await check_sign_in(url, "id", "some-key-123")
    assert result.failure is SignInFailure.TLS
    assert "certificate could not be verified" in result.message
    assert "self-signed" in result.message or "self signed" in result.message


@pytest.mark.asyncio
async def test_insecure_host_is_refused_before_any_request() -> None:
    class NoNetwork(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            raise AssertionError("no request may leave for an insecure host")

    result = await check_sign_in("http://example.com", "id", "some-key-123",
                                 transport=NoNetwork())
    assert result.failure is SignInFailure.INSECURE_HOST
    assert "unencrypted to example.com" in result.message and "https://" in result.message


@pytest.mark.parametrize("host", ["https://", "ftp://files.example.com",
                                  "https://api.crisp.chat:99999", "https://exa mple.com"])
@pytest.mark.asyncio
async def test_a_malformed_host_gets_words(host: str) -> None:
    result = await check_sign_in(host, "id", "some-key-123")
    assert result.failure is SignInFailure.BAD_HOST
    assert "is not a usable API host" in result.message and "https://api.crisp.chat" \
        in result.message


@pytest.mark.asyncio
async def test_a_web_server_answering_404_html_is_not_crisp(serve: Serve) -> None:
    url = await serve(404, "<html><body>Not here</body></html>")
    result = await check_sign_in(url, "id", "some-key-123")
    assert result.failure is SignInFailure.NOT_CRISP
    assert "does not answer like the Crisp API" in result.message


@pytest.mark.asyncio
async def test_a_web_server_answering_200_html_is_not_crisp(serve: Serve) -> None:
    url = await serve(200, "<html><body>Welcome</body></html>")
    result = await check_sign_in(url, "id", "some-key-123")
    assert result.failure is SignInFailure.NOT_CRISP
    assert "unreadable answer" in result.message


@pytest.mark.asyncio
async def test_a_web_server_asking_for_its_own_login_is_not_crisp(serve: Serve) -> None:
    url = await serve(401, "<html><body>Log in</body></html>")
    result = await check_sign_in(url, "id", "some-key-123")
    assert result.failure is SignInFailure.NOT_CRISP


@pytest.mark.asyncio
async def test_a_path_outside_the_api_is_not_crisp(sandbox: Sandbox) -> None:  # noqa: F811
    result = await check(sandbox, host=f"{sandbox.base_url}/elsewhere")
    assert result.failure is SignInFailure.NOT_CRISP and "not_found" in result.message


# ---- secrets ---------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_the_key_reaches_no_log_and_no_result(sandbox: Sandbox,  # noqa: F811
                                                    admin: httpx.AsyncClient,  # noqa: F811
                                                    serve: Serve,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # httpx and httpcore debug lines included
    token = sandbox.state.token
    wrong = "wrong-key-0123456789"
    html = await serve(200, "<html></html>")
    results = [
        await check(sandbox),
        await check(sandbox, key=wrong),
        await check(sandbox, host=f"https://127.0.0.1:{sandbox.port}"),
        await check(sandbox, host=html),
        await check_sign_in(f"http://127.0.0.1:{closed_port()}", token.identifier, token.key),
    ]
    await set_faults(admin, error_rate=1.0)
    results.append(await check(sandbox))
    await set_faults(admin, error_rate=0.0, daily_quota=1)
    results.append(await check(sandbox))
    await set_faults(admin, daily_quota=0)
    sandbox.state.token.tier = "website"
    results.append(await check(sandbox))
    assert {r.failure for r in results} >= {None, SignInFailure.BAD_KEY, SignInFailure.TLS,
                                            SignInFailure.WEBSITE_TIER, SignInFailure.NOT_CRISP,
                                            SignInFailure.NO_NETWORK, SignInFailure.SERVER,
                                            SignInFailure.QUOTA}
    secrets = {token.key, wrong}
    secrets |= {base64.b64encode(f"{token.identifier}:{k}".encode()).decode() for k in secrets}
    assert any(r.name.startswith(("httpx", "httpcore")) for r in caplog.records)
    texts = [caplog.text]
    texts += [str(r.msg) + repr(r.args) + (r.exc_text or "") for r in caplog.records]
    texts += [r.message + r.detail + repr(r) for r in results]
    for text in texts:
        for secret in secrets:
            assert secret not in text


def test_signed_in_never_shows_the_key() -> None:
    signed = SignedIn(Account("id-1"), "the-secret-key-42", persisted=False, plugin_id="p")
    assert "the-secret-key-42" not in repr(signed) and "the-secret-key-42" not in str(signed)
    assert signed.key == "the-secret-key-42"
