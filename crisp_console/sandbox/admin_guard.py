"""Who may use the admin API (``/_sandbox/``): loopback Host and Origin, a per-run token, JSON.

The admin API reads the token key (``info``) and writes files (``snapshot``), so a web page
must not reach it: a DNS-rebinding page talks to 127.0.0.1 under its own host name, and a
cross-site form can POST ``text/plain`` without a preflight. Every admin request therefore
1. names a loopback host in ``Host`` (127.0.0.0/8, ::1 or ``localhost``, any port), and its
   ``Origin``, when present, is loopback too; else 403 ``not_allowed``. With ``allow_remote``
   the configured bind host is accepted as well (for a wildcard bind: any IP literal, which
   no rebinding page can use);
2. carries ``X-Sandbox-Token: <admin token>`` (compared in constant time); else 401
   ``invalid_session``;
3. sends ``Content-Type: application/json`` whenever it has a body or a content type; else
   415 ``unsupported_media_type`` (a browser preflights that type cross-site).
Host and Origin come first, so a foreign page learns nothing about the token.
"""

from __future__ import annotations

import hmac
import ipaddress
import re
import secrets
from urllib.parse import urlsplit

from aiohttp import web

from crisp_console.sandbox.config import SandboxConfig
from crisp_console.sandbox.web import SandboxError

TOKEN_HEADER = "X-Sandbox-Token"  # noqa: S105 - a header name, not a secret
TOKEN_ENV = "CRISP_SANDBOX_ADMIN_TOKEN"  # noqa: S105 - a variable name, not a secret
# A fixed token must still be hard to guess, and fit a header unchanged.
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9._~+/=-]{16,256}")
_WILDCARDS = ("0.0.0.0", "::")  # noqa: S104 - names of the wildcard, nothing is bound here
_PORT = re.compile(r"\d{1,5}")


def new_admin_token() -> str:
    return secrets.token_urlsafe(32)


def check_admin_token(token: str) -> str:
    """``token`` if it is fit to be a fixed admin token, else ValueError saying why."""
    if not _TOKEN_SHAPE.fullmatch(token):
        raise ValueError("the admin token must be 16 to 256 characters of A-Z a-z 0-9 . _ ~ "
                         "+ / = -")
    return token


def is_loopback_host(host: str) -> bool:
    """True for ``localhost`` and loopback IP literals (brackets allowed around IPv6)."""
    name = host.strip().lower()
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def split_host_header(value: str) -> str | None:
    """The host name of a ``Host`` header value (``[v6]:port``, ``name:port``, ``name``);
    None when it is malformed. IPv6 literals come back without brackets."""
    value = value.strip().lower()
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            return None
        host, rest = value[1:end], value[end + 1:]
        if rest and not (rest.startswith(":") and _PORT.fullmatch(rest[1:])):
            return None
        return host or None
    host, colon, port = value.partition(":")
    if colon and not _PORT.fullmatch(port):
        return None  # also an unbracketed IPv6 literal, which Host does not allow
    return host or None


class AdminGuard:
    """The three checks above, for one sandbox's config and admin token."""

    def __init__(self, config: SandboxConfig, token: str) -> None:
        self.config = config
        self.token = token

    def host_allowed(self, host: str) -> bool:
        if is_loopback_host(host):
            return True
        if not self.config.allow_remote:
            return False
        bind = self.config.host.strip().lower().strip("[]")
        if bind in _WILDCARDS:
            try:
                ipaddress.ip_address(host)
            except ValueError:
                return False
            return True
        return host == bind

    def check(self, request: web.Request) -> None:
        host = split_host_header(request.headers.get("Host", ""))
        if host is None or not self.host_allowed(host):
            raise _refused("the admin API answers only requests addressed to a loopback host")
        origin = request.headers.get("Origin")
        if origin is not None:
            origin_host = _origin_host(origin)
            if origin_host is None or not self.host_allowed(origin_host):
                raise _refused("the admin API answers no page from another origin")
        given = request.headers.get(TOKEN_HEADER, "")
        if not hmac.compare_digest(given.encode("utf-8", "replace"), self.token.encode()):
            raise SandboxError(401, "invalid_session",
                               f"missing or wrong {TOKEN_HEADER} header (the admin_token the "
                               "sandbox printed)", namespace="admin")
        if (request.body_exists or "Content-Type" in request.headers) \
                and request.content_type != "application/json":
            raise SandboxError(415, "unsupported_media_type",
                               "admin requests with a body must be application/json",
                               namespace="admin")


def _origin_host(origin: str) -> str | None:
    """The host of an ``http(s)`` Origin (``null`` and other schemes: None)."""
    try:
        parts = urlsplit(origin.strip())
        host = parts.hostname
    except ValueError:
        return None
    return host if parts.scheme in ("http", "https") else None


def _refused(message: str) -> SandboxError:
    return SandboxError(403, "not_allowed", message, namespace="admin")
