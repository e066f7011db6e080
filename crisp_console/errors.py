"""Typed exceptions at the boundaries. Every error the service layer raises is a CrispError."""

from __future__ import annotations

from typing import Any


class CrispError(Exception):
    """Base of every error crisp-console raises on purpose."""


class InsecureHostError(CrispError):
    """Plain HTTP to a host that is not loopback: the token would travel in clear text."""


class TransportError(CrispError):
    """The network failed (refused, reset, timed out) and retries were exhausted or not allowed."""


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
    """``invalid_session``: wrong token pair or tier."""


class ValidationError(ApiError):
    """``invalid_data``: the body broke the route's schema; ``message`` names the field."""


class NotSubscribedError(ApiError):
    """``not_subscribed``: the plugin is not bound to that website."""


class NotFoundError(ApiError):
    """``not_found``: unknown resource."""


class NotAllowedError(ApiError):
    """``not_allowed``: the token may not do that."""


class ConflictError(ApiError):
    """A resource already exists (e.g. ``people_exists``)."""


class RateLimitError(ApiError):
    """429/420. ``retry_after`` is the server's delay in seconds, when it gave one."""

    def __init__(self, status: int, reason: str, message: str = "",
                 data: dict[str, Any] | None = None, retry_after: float | None = None) -> None:
        super().__init__(status, reason, message, data)
        self.retry_after = retry_after


class QuotaExceededError(RateLimitError):
    """The daily request quota is spent; retrying before the next UTC day is pointless."""


class ServerError(ApiError):
    """5xx that outlived the retries."""


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
