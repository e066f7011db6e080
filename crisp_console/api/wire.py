"""Pure helpers of the REST wire: URL rules, query encoding, and Crisp's envelope to errors.

Every answer Crisp gives is ``{error, reason, data}``; errors carry ``data = {namespace,
message}`` (crisp-api.md §1.2). A known reason names the error; an unknown one (or a HEAD
answer, which has no body) is typed by the HTTP status: 400 ValidationError, 401 AuthError,
403 NotAllowedError, 404 NotFoundError, 409 ConflictError, 5xx ServerError. Every 429/420
is a RateLimitError here; api/quota.py tells a spent quota from a short rate limit.
"""

from __future__ import annotations

import email.utils
import ipaddress
import json
import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from crisp_console.errors import (
    ApiError,
    AuthError,
    ConflictError,
    InsecureHostError,
    NotAllowedError,
    NotFoundError,
    NotSubscribedError,
    ProtocolError,
    RateLimitError,
    ServerError,
    ValidationError,
)

if TYPE_CHECKING:  # imported by the functions that parse: not on the first frame's path
    import httpx

RATE_LIMIT_STATUSES = (429, 420)
QUOTA_REASON = "quota_limited"
INVALID_RESPONSE = "invalid_response"  # the reason of an error answer that is not JSON

_REASON_ERRORS: dict[str, type[ApiError]] = {
    "invalid_session": AuthError,
    "invalid_data": ValidationError,
    "not_subscribed": NotSubscribedError,
    "not_found": NotFoundError,
    "not_allowed": NotAllowedError,
}
# When the reason is unknown, the status says what kind of refusal it was.
_STATUS_ERRORS: dict[int, type[ApiError]] = {
    400: ValidationError,
    401: AuthError,
    403: NotAllowedError,
    404: NotFoundError,
    409: ConflictError,
}
# What a body-less (HEAD) error answer most likely means; python crisp-api guesses the same.
_STATUS_REASONS = {400: "invalid_data", 401: "invalid_session", 403: "not_allowed",
                   404: "not_found", 409: "conflict", 420: "rate_limited",
                   429: "rate_limited"}


# ---- URLs --------------------------------------------------------------------------------


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 (also IPv4-mapped) or ``localhost``."""
    name = host.strip("[]").lower()
    if name == "localhost":
        return True
    try:
        ip = ipaddress.ip_address(name)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def secure_url(url: str) -> httpx.URL:
    """``url`` parsed, if the token or file may travel over it: https, or http to loopback."""
    import httpx

    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise InsecureHostError(f"not a usable URL: {exc}") from None
    if parsed.host and (parsed.scheme == "https"
                        or (parsed.scheme == "http" and is_loopback(parsed.host))):
        return parsed
    raise InsecureHostError(
        f"refusing {parsed.scheme or '(no scheme)'}://{parsed.host or '(no host)'}: "
        "use https, or http only to a loopback address")


# An already-canonical http(s) URL: lower-case scheme and host name, a port that is not the
# scheme's default, plain path segments; no IP literal, user, query or fragment. httpx.URL
# leaves such a URL as it is, so start-up need not import httpx to name the database.
_PLAIN_URL = re.compile(r"(?P<scheme>https?)://(?P<host>[a-z0-9-]+(?:\.[a-z0-9-]+)*)"
                        r"(?::(?P<port>[1-9][0-9]{0,4}))?"
                        r"(?P<path>(?:/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)*)/?")
_DEFAULT_PORTS = {"https": "443", "http": "80"}


def normalise_base_url(url: str) -> str:
    """The REST root ending in ``/v1/``: ``https://api.crisp.chat`` -> ``.../v1/``."""
    plain = _PLAIN_URL.fullmatch(url)
    if plain is not None and plain["port"] != _DEFAULT_PORTS[plain["scheme"]] \
            and int(plain["port"] or 0) < 65536 \
            and (plain["scheme"] == "https" or is_loopback(plain["host"])):
        path, port = plain["path"], plain["port"]
        if not path.endswith("/v1"):
            path += "/v1"
        return f"{plain['scheme']}://{plain['host']}{':' + port if port else ''}{path}/"
    parsed = secure_url(url)  # anything else as httpx parses it (and refuses)
    path = parsed.path.rstrip("/")
    if not path.endswith("/v1"):
        path += "/v1"
    return str(parsed.copy_with(path=path + "/", query=None, fragment=None))


def where(url: str) -> str:
    """What a log line may say about a URL: its path, never a query (signed URLs sign there)."""
    import httpx

    parsed = httpx.URL(url)
    return f"{parsed.host}{parsed.path}" if parsed.is_absolute_url else parsed.path


# ---- queries -------------------------------------------------------------------------------


def iso_utc(when: datetime) -> str:
    """``2018-03-01T17:00:00.000Z``; a naive datetime is taken as UTC."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    when = when.astimezone(UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def encode_param(value: Any) -> str:
    if isinstance(value, bool):  # before int: bool is an int
        return "1" if value else "0"
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, list | dict):  # e.g. a filter search_query, a JSON array
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def encode_params(params: Mapping[str, Any] | None) -> dict[str, str] | None:
    """Query values as Crisp reads them: bools 1/0, datetimes ISO Z, None left out."""
    if not params:
        return None
    return {name: encode_param(value) for name, value in params.items() if value is not None}


# ---- answers -------------------------------------------------------------------------------


def parse_retry_after(raw: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header: a number (fractions kept) or an HTTP date; None
    when it is absent or unusable (``inf``, ``nan``, garbage)."""
    if not raw:
        return None
    try:
        seconds = float(raw)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError, OverflowError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


def read_envelope(response: httpx.Response) -> dict[str, Any] | None:
    """The JSON object of the body, or None when there is none."""
    try:
        body = response.json()
    except (ValueError, RecursionError):  # not JSON, not UTF-8, too many digits, too deep
        return None
    return body if isinstance(body, dict) else None


def success_data(response: httpx.Response, method: str, label: str) -> Any:
    """``data`` of a 2xx answer (None for HEAD); a missing ``data`` reads as ``{}``."""
    if method == "HEAD":
        return None
    body = read_envelope(response)
    if body is None:
        raise ProtocolError(f"the {response.status_code} answer is not a JSON envelope",
                            where=f"{method} {label}")
    data = body.get("data")
    return {} if data is None else data


def make_error(status: int, reason: str, message: str = "", data: dict[str, Any] | None = None,
               retry_after: float | None = None, *, typed_by_status: bool = True) -> ApiError:
    """The typed error for a status and Crisp reason: the reason when it is a known one,
    else the status (unless ``typed_by_status`` is False: an answer that is not Crisp's)."""
    if status in RATE_LIMIT_STATUSES or reason == QUOTA_REASON:
        return RateLimitError(status, reason, message, data, retry_after)
    if status >= 500:
        return ServerError(status, reason, message, data)
    cls = _REASON_ERRORS.get(reason)
    if cls is None and reason.endswith("_exists"):
        cls = ConflictError
    if cls is None and typed_by_status:
        cls = _STATUS_ERRORS.get(status)
    return (cls or ApiError)(status, reason, message, data)


def error_from(response: httpx.Response, method: str,
               now: datetime | None = None) -> ApiError:
    """The typed error for a non-2xx answer.

    A body that is not a JSON object (an HTML page from a proxy or another web server) is
    not Crisp's refusal: it stays an ApiError with reason ``invalid_response``, except for
    5xx (ServerError) and 429/420 (a limit, whoever said it). ``now`` dates an HTTP-date
    Retry-After (default: the system clock).
    """
    status = response.status_code
    retry_after = parse_retry_after(response.headers.get("Retry-After"), now)
    if method == "HEAD":
        return make_error(status, _STATUS_REASONS.get(status, "http_error"),
                          retry_after=retry_after)
    body = read_envelope(response)
    if body is None:
        return make_error(status, INVALID_RESPONSE, retry_after=retry_after,
                          typed_by_status=False)
    raw = body.get("data")
    data: dict[str, Any] = raw if isinstance(raw, dict) else {}
    message = data.get("message")
    reason = body.get("reason")
    if not isinstance(reason, str) or not reason:
        reason = _STATUS_REASONS.get(status, "http_error")
    return make_error(status, reason, message if isinstance(message, str) else "", data,
                      retry_after)
