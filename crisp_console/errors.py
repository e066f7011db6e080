"""Typed exceptions at the boundaries. Every error the service layer raises is a CrispError."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any


class CrispError(Exception):
    """Base of every error crisp-console raises on purpose."""


class InsecureHostError(CrispError):
    """Plain HTTP to a host that is not loopback: the token would travel in clear text."""


class TransportError(CrispError):
    """The network failed (refused, reset, timed out) and retries were exhausted or not allowed.

    ``sent`` is False only when the request certainly never left (connection refused or timed
    out, no free connection): repeating it cannot duplicate anything. True means the outcome
    is unknown: Crisp may have processed it.
    """

    def __init__(self, message: str, *, sent: bool) -> None:
        super().__init__(message)
        self.sent = sent


class ProtocolError(CrispError):
    """Crisp answered something this console cannot read: no JSON envelope, or valid JSON of
    the wrong shape (a string where an object belongs, a missing key, an absurd number).

    It only ever comes from a 2xx answer (an error status is an ApiError, however odd its
    body): Crisp accepted the request. ``where`` names the request (method and path),
    ``message`` says what was wrong.
    """

    def __init__(self, message: str, *, where: str = "") -> None:
        detail = f"{where}: {message}" if where else message
        super().__init__(f"Crisp answered something this console cannot read ({detail})")
        self.message = message
        self.where = where


class ApiError(CrispError):
    """Crisp answered with an error envelope (or an unreadable body)."""

    def __init__(self, status: int, reason: str, message: str = "",
                 data: dict[str, Any] | None = None) -> None:
        super().__init__(f"{reason} ({status}): {message}" if message else f"{reason} ({status})")
        self.status = status
        self.reason = reason
        self.message = message
        self.data = data or {}


class AuthError(ApiError):
    """``invalid_session`` (or any 401): wrong token pair or tier."""


# ajv's messages, in Crisp's wording (``data.user should have required property '.type'``)
# or the sandbox's older one (``... 'type'``), and the other rules (``data.content should``).
_REQUIRED = re.compile(r"^data((?:\.\S+)?) should have required property '\.?([^']+)'")
_RULE = re.compile(r"^data\.(\S+) should ")


class ValidationError(ApiError):
    """``invalid_data`` (or any 400): the body broke the route's schema; ``message`` names
    the field, ``field`` extracts it."""

    @property
    def field(self) -> str:
        """The dotted path of the field the message names (``user.type``), or ""."""
        required = _REQUIRED.match(self.message)
        if required:
            return f"{required.group(1)}.{required.group(2)}".lstrip(".")
        rule = _RULE.match(self.message)
        return rule.group(1) if rule else ""


class NotSubscribedError(ApiError):
    """``not_subscribed``: the plugin is not bound to that website."""


class NotFoundError(ApiError):
    """``not_found`` or any other 404 (``session_not_found``...): unknown resource."""


class NotAllowedError(ApiError):
    """``not_allowed`` (or any 403): the token may not do that (a scope it lacks)."""


class ConflictError(ApiError):
    """A resource already exists (e.g. ``people_exists``, or any 409)."""


class RateLimitError(ApiError):
    """429/420 with a short Retry-After that outlasted the bounded pauses (or one that came
    back to a probe). ``retry_after`` is the server's delay in seconds, when it gave one."""

    def __init__(self, status: int, reason: str, message: str = "",
                 data: dict[str, Any] | None = None, retry_after: float | None = None) -> None:
        super().__init__(status, reason, message, data)
        self.retry_after = retry_after


class QuotaExceededError(RateLimitError):
    """The daily request quota is spent: any 429/420 without a short Retry-After.

    ``resets_at`` is an aware UTC datetime (the next 00:00 UTC, or sooner if Crisp said so);
    ``local`` is True when the client refused the request itself, without asking Crisp,
    because its quota gate is closed.
    """

    def __init__(self, status: int, reason: str, message: str = "",
                 data: dict[str, Any] | None = None, retry_after: float | None = None, *,
                 resets_at: datetime, local: bool = False) -> None:
        super().__init__(status, reason, message, data, retry_after)
        self.resets_at = resets_at
        self.local = local


class ServerError(ApiError):
    """5xx that outlived the retries (or was not retried: the request may have been
    processed)."""


class MediaError(CrispError):
    """A media file (an image in a message) could not be fetched: an HTTP error answer
    (``status``), too many redirects, or a redirect the policy refuses."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class MediaTooLargeError(MediaError):
    """The media file is larger than the caller's ``max_bytes``; nothing more was read."""

    def __init__(self, message: str, limit: int) -> None:
        super().__init__(message)
        self.limit = limit


class RealtimeUnauthorized(CrispError):
    """The RTM server answered ``unauthorized``: reconnecting would only be refused again."""


class ClosedError(CrispError):
    """The client was closed while the operation was pending."""
