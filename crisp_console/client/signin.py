"""The sign-in check: does this token pair open Crisp's plugin API on this host, and if not, why.

``check_sign_in`` runs Check Connect Session Validity and Get Connect Account with the plugin
tier, a short retry policy and an overall deadline, and turns every way it can fail into a
``SignInResult`` whose ``message`` an operator can act on (what is wrong, what to do) and
whose ``detail`` is the technical text for a bug report. It never raises for a failed check,
and the key appears in neither text nor any log line (it is registered with the log's
SecretFilter before the first request).

The console supports plugin tokens only: Crisp's plugin connect routes, which list the
subscribed websites and give the RTM endpoint, refuse website-tier tokens (crisp-api.md §10
row 1). When the plugin tier is refused, one HEAD with the website tier tells a website token
from a bad key, so the operator is told which token to get; nothing ever signs in with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import socket
import ssl
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from crisp_console.api import CrispApi, RetryPolicy, normalise_base_url
from crisp_console.errors import (
    ApiError,
    AuthError,
    CrispError,
    InsecureHostError,
    NotAllowedError,
    ProtocolError,
    QuotaExceededError,
    RateLimitError,
    ServerError,
    TransportError,
)
from crisp_console.log import MASK, secret_filter
from crisp_console.storage.accounts import DEFAULT_HOST, PLUGIN_TIER, Account
from crisp_console.types import Credentials

if TYPE_CHECKING:  # imported by the checks that use it: sign-in is not on the first frame's path
    import httpx

log = logging.getLogger(__name__)

# A sign-in answers within seconds: one retry for a network blip, and a rate limit that
# asks for more than a few seconds is reported instead of waited out.
SIGN_IN_RETRY = RetryPolicy(max_attempts=2, base_delay=0.25, max_delay=0.5,
                            rate_limit_min_delay=0.5, rate_limit_max_wait=3.0)
DIAGNOSTIC_TIER = "website"  # only ever sent to diagnose a refused key
# Why a plugin token, and where to get one: the dialog, the saved-account notice, the
# CRISP_TIER error and the sign-in failure all say the same.
PLUGIN_ROUTES = ("Crisp's plugin routes, which list the subscribed websites and give the live"
                 " (RTM) endpoint, refuse website tokens")
WHY_PLUGIN = f"crisp-console needs a plugin token because {PLUGIN_ROUTES}."
WHERE_PLUGIN = "Get one in the Crisp Marketplace: your plugin → Tokens → Production."
WEBSITE_TOKEN_WORDS = f"This is a website token; {WHY_PLUGIN} {WHERE_PLUGIN}"


class SignInFailure(enum.Enum):
    """Why a sign-in check failed; ``value`` is a short title, ``field`` the input to fix."""

    BAD_KEY = "Token not accepted"
    WEBSITE_TIER = "A website token"
    NO_NETWORK = "Host not reachable"
    TLS = "Secure connection failed"
    QUOTA = "Daily quota used up"
    INSECURE_HOST = "Insecure host"
    BAD_HOST = "Not a valid host"
    NOT_CRISP = "Not the Crisp API"
    SERVER = "Server error"
    RATE_LIMITED = "Too many requests"
    TIMEOUT = "No answer in time"

    @property
    def field(self) -> str:
        """The input the operator most likely has to change: "key", "host" or ""."""
        return _FIELDS.get(self, "")


_FIELDS = {
    SignInFailure.BAD_KEY: "key", SignInFailure.WEBSITE_TIER: "key",
    SignInFailure.NO_NETWORK: "host", SignInFailure.TLS: "host",
    SignInFailure.INSECURE_HOST: "host", SignInFailure.BAD_HOST: "host",
    SignInFailure.NOT_CRISP: "host", SignInFailure.TIMEOUT: "host",
}


@dataclass(frozen=True)
class SignInResult:
    failure: SignInFailure | None
    message: str  # one or two plain sentences: what is wrong and what to do
    detail: str = ""  # technical detail (exception text), never containing the key
    plugin_id: str = ""
    host: str = ""  # the host as it should be saved ("https://" added, no trailing slash)

    @property
    def ok(self) -> bool:
        return self.failure is None


@dataclass(frozen=True)
class SignedIn:
    """What a completed sign-in hands to the app. ``persisted``: the key is in the keyring
    (False: "keep for this session only", the key lives in memory only)."""

    account: Account
    key: str = field(repr=False)
    persisted: bool
    plugin_id: str

    def __repr__(self) -> str:
        return (f"SignedIn(account={self.account!r}, key={MASK}, persisted={self.persisted!r},"
                f" plugin_id={self.plugin_id!r})")


SignInCheck = Callable[[str, str, str], Awaitable[SignInResult]]  # host, identifier, key


def host_text(host: str) -> str:
    """The host as typed, made whole: empty is Crisp's, a bare name gets ``https://``."""
    text = host.strip() or DEFAULT_HOST
    if "://" not in text:
        text = "https://" + text
    return text.rstrip("/")


def tier_problem(tier: str, who: str = "This account") -> str:
    """Why an account or ``CRISP_TIER`` with ``tier`` cannot be used; "" for the plugin tier.
    Old accounts files may hold website-tier accounts: they lead here, never to a start."""
    if tier == PLUGIN_TIER:
        return ""
    what = "a website token" if tier == DIAGNOSTIC_TIER else f"the tier “{tier}”"
    return f"{who} uses {what}; {WHY_PLUGIN} {WHERE_PLUGIN}"


def env_tier_problem(value: str | None) -> str:
    """Why ``CRISP_TIER=value`` cannot be used; "" when it is unset, empty or plugin."""
    tier = (value or "").strip() or PLUGIN_TIER
    problem = tier_problem(tier, f"CRISP_TIER={tier}")
    return (f"{problem} Leave CRISP_TIER unset (or set it to plugin) and give a plugin"
            " token's identifier and key.") if problem else ""


async def check_sign_in(host: str, identifier: str, key: str, *,
                        timeout: float = 15.0,  # noqa: ASYNC109 - also each request's timeout
                        transport: httpx.AsyncBaseTransport | None = None) -> SignInResult:
    """Check the token pair against ``host`` as a plugin token; never raises for a failed
    check."""
    identifier, key = identifier.strip(), key.strip()
    text = host_text(host)
    bad = _bad_host(text)
    if bad is not None:
        return bad
    try:
        normalise_base_url(text)
    except InsecureHostError as exc:
        return SignInResult(
            SignInFailure.INSECURE_HOST,
            f"Plain http:// would send the key unencrypted to {_netloc(text)}. Use https://, or"
            " http:// only for a server on this computer (such as a local sandbox).",
            str(exc), host=text)
    if not identifier or not key:
        missing = "token identifier" if not identifier else "key"
        return SignInResult(SignInFailure.BAD_KEY, f"Enter the {missing} of your token.",
                            host=text)
    secret_filter().add_credentials(identifier, key)
    check = _Check(text, identifier, key, timeout, transport)
    try:
        async with asyncio.timeout(timeout):
            result = await check.run()
    except TimeoutError as exc:
        result = check.timed_out(exc)
    log.info("sign-in check of %s on %s: %s", identifier, _netloc(text),
             result.failure.name if result.failure else "ok")
    return result


def _bad_host(text: str) -> SignInResult | None:
    import httpx

    try:
        url = httpx.URL(text)
        port_ok = url.port is None or 0 < url.port < 65536
    except (httpx.InvalidURL, ValueError) as exc:
        reason = str(exc)
    else:
        if url.scheme in ("http", "https") and url.host and port_ok \
                and not any(c.isspace() or c == "%" for c in url.host):
            return None
        reason = f"scheme {url.scheme!r}, host {url.host!r}"
    return SignInResult(
        SignInFailure.BAD_HOST,
        f"“{text}” is not a usable API host. Enter an address such as {DEFAULT_HOST}, or the"
        " root of your sandbox or proxy.", reason, host=text)


def _netloc(text: str) -> str:
    import httpx

    try:
        url = httpx.URL(text)
    except (httpx.InvalidURL, ValueError):
        return text
    return f"{url.host}:{url.port}" if url.port else url.host or text


class _Check:
    """One sign-in check; its methods turn each failure into words."""

    def __init__(self, host: str, identifier: str, key: str, timeout: float,
                 transport: httpx.AsyncBaseTransport | None) -> None:
        self.host, self.identifier, self.key = host, identifier, key
        self.timeout, self.transport = timeout, transport
        self.where = _netloc(host)

    def _api(self, tier: str) -> CrispApi:
        return CrispApi(self.host, Credentials(self.identifier, self.key, tier),
                        timeout=self.timeout, retry=SIGN_IN_RETRY, transport=self.transport)

    def _result(self, failure: SignInFailure | None, message: str, exc: BaseException | None,
                *, detail: str = "", plugin_id: str = "") -> SignInResult:
        if exc is not None:
            detail = f"{type(exc).__name__}: {exc}" + (f"; {detail}" if detail else "")
        return SignInResult(failure, message, self._safe(detail) if detail else "", plugin_id,
                            self.host)

    def _safe(self, text: str) -> str:
        # Exception texts come from httpx, the server and the OS: none should hold the key,
        # but the detail is shown and copied, so make sure.
        return secret_filter().scrub(text.replace(self.key, MASK))

    async def run(self) -> SignInResult:
        try:
            account = await self._account()
        except (AuthError, NotAllowedError) as exc:
            return await self._refused(exc)
        except CrispError as exc:
            return self._failed(exc)
        plugin_id = account.get("plugin_id") if isinstance(account, dict) else None
        if not isinstance(plugin_id, str) or not plugin_id:
            return self._result(SignInFailure.NOT_CRISP, self._not_crisp("no plugin_id in its"
                                                                         " answer"), None,
                                detail=f"Get Connect Account answered {account!r:.200}")
        return self._result(None, f"Signed in: plugin {plugin_id}.", None, plugin_id=plugin_id)

    async def _account(self) -> Any:
        async with self._api(PLUGIN_TIER) as api:
            # A refused HEAD has no body: Get Connect Account then says why, in Crisp's words
            # (and whether it really is Crisp answering).
            with contextlib.suppress(AuthError):
                await api.check_session()
            return await api.connect_account()

    async def _refused(self, first: AuthError | NotAllowedError) -> SignInResult:
        website = await self._website_token()
        if website:
            return self._result(SignInFailure.WEBSITE_TIER, WEBSITE_TOKEN_WORDS, first,
                                detail=f"as a website token: {website}")
        if isinstance(first, NotAllowedError):
            return self._result(
                SignInFailure.BAD_KEY,
                "Crisp accepted the token but does not allow it to use the plugin API. Check"
                " that it is your plugin's token and that its scopes were granted.", first)
        return self._result(
            SignInFailure.BAD_KEY,
            "Crisp did not accept this token identifier and key. Copy both again from your"
            " plugin's Tokens page in the Crisp Marketplace (a regenerated key replaces the"
            " old one).", first)

    async def _website_token(self) -> str:
        """The same HEAD plugin/connect/session with the website tier, only to diagnose: how
        it answered when that shows a valid website token ("" when it does not). Crisp
        answers 403 not_allowed (the pair is valid, the route is not for it); a server that
        lets the website tier in proves the same. Nothing is signed in with it."""
        try:
            async with self._api(DIAGNOSTIC_TIER) as api:
                await api.check_session()
        except NotAllowedError as exc:
            return f"{type(exc).__name__}: {exc}" if exc.status == 403 else ""
        except CrispError:
            return ""
        return "the plugin route accepted it"

    def _failed(self, exc: CrispError) -> SignInResult:
        if isinstance(exc, TransportError):
            return self._network(exc)
        if isinstance(exc, QuotaExceededError):
            words = _quota_words(datetime.now(UTC), exc.resets_at)
            return self._result(SignInFailure.QUOTA, words, exc)
        if isinstance(exc, RateLimitError):
            wait = f"in {exc.retry_after:.0f} seconds" if exc.retry_after else "in a minute"
            return self._result(
                SignInFailure.RATE_LIMITED,
                f"Crisp is limiting requests from this token right now. Try again {wait}.", exc)
        if isinstance(exc, ServerError):
            return self._result(
                SignInFailure.SERVER,
                f"The API at {self.where} has a problem right now (HTTP {exc.status}). Try"
                " again in a few minutes.", exc)
        if isinstance(exc, ProtocolError):
            return self._result(SignInFailure.NOT_CRISP,
                                self._not_crisp(f"an unreadable answer: {exc.message}"), exc)
        if isinstance(exc, ApiError):
            what = "an unreadable answer" if exc.reason == "invalid_response" \
                else f"HTTP {exc.status} {exc.reason}"
            return self._result(SignInFailure.NOT_CRISP, self._not_crisp(what), exc)
        return self._result(SignInFailure.NOT_CRISP, self._not_crisp(type(exc).__name__), exc)

    def _not_crisp(self, what: str) -> str:
        return (f"{self.where} does not answer like the Crisp API ({what}). Check the API host:"
                f" {DEFAULT_HOST}, or the root address of your sandbox or proxy.")

    def _network(self, exc: TransportError) -> SignInResult:
        import httpx

        chain = list(_causes(exc))
        cert = next((e for e in chain if isinstance(e, ssl.SSLCertVerificationError)), None)
        if cert is not None:
            reason = cert.verify_message or str(cert)
            return self._result(
                SignInFailure.TLS,
                f"The secure connection to {self.where} failed: its certificate could not be"
                f" verified ({reason}). If a proxy uses its own certificate, this system must"
                " trust its authority.", exc)
        tls = next((e for e in chain if isinstance(e, ssl.SSLError)), None)
        if tls is not None:
            plain = "WRONG_VERSION_NUMBER" in str(tls) or "record layer" in str(tls).lower()
            words = "the server does not speak TLS (https) on this port" if plain \
                else "the TLS handshake failed"
            return self._result(
                SignInFailure.TLS,
                f"The secure connection to {self.where} failed: {words}. Check the address and"
                " port (a local sandbox usually uses http://).", exc)
        if any(isinstance(e, httpx.TimeoutException) for e in chain):
            return self.timed_out(exc)
        if any(isinstance(e, socket.gaierror) for e in chain):
            return self._result(
                SignInFailure.NO_NETWORK,
                f"The host name {httpx.URL(self.host).host} could not be found. Check the API"
                " host and your network connection.", exc)
        if any(isinstance(e, ConnectionRefusedError) for e in chain):
            return self._result(
                SignInFailure.NO_NETWORK,
                f"Nothing answered at {self.where}: the connection was refused. Check the API"
                " host and port, and that the server or proxy is running.", exc)
        if any(isinstance(e, httpx.RemoteProtocolError) for e in chain):
            return self._result(
                SignInFailure.NOT_CRISP,
                f"{self.where} closed the connection without an HTTP answer. Check the address"
                " (if it expects https://, say so).", exc)
        return self._result(
            SignInFailure.NO_NETWORK,
            f"Could not reach {self.where}. Check your network connection and the API host.",
            exc)

    def timed_out(self, exc: BaseException) -> SignInResult:
        return self._result(
            SignInFailure.TIMEOUT,
            f"{self.where} did not answer within {self.timeout:g} seconds. Check your network"
            " connection and the API host, then try again.", exc)


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and everything it was raised from or during (httpx keeps the ssl/OS error
    there), each once."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _quota_words(now: datetime, reset: datetime) -> str:
    left = int((reset - now).total_seconds() // 60)
    hours, minutes = divmod(max(1, left), 60)
    when = f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"
    at = "00:00 UTC" if (reset.hour, reset.minute) == (0, 0) else reset.strftime("%H:%M UTC")
    return (f"The daily request quota of this token is used up; it resets at {at} (in"
            f" {when}). Development tokens have a low quota: you can reset it from your"
            " plugin's page in the Crisp Marketplace.")
