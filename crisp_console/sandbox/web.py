"""The REST plumbing every route shares: Crisp's envelope, errors, auth, parsing and validation.

Crisp answers every non-HEAD request with ``{error, reason, data}``, ``data`` always an object
or array (python crisp-api calls ``.json()`` before it looks at the status, and its error path
breaks on a null ``data``). Status codes Crisp does not document are chosen in README.md.

Where the fidelity profile (profile.py) changes an error's answer, the error carries both
readings (``SandboxError.strict``) and the envelope middleware picks one per request, so no
handler needs to know the profile.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

import jsonschema
from aiohttp import web

from crisp_console.sandbox.context import CONTEXT
from crisp_console.sandbox.model import Conversation, Website
from crisp_console.sandbox.profile import Behaviours
from crisp_console.sandbox.state import SandboxState

log = logging.getLogger("crisp_console.sandbox")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

STATE: web.AppKey[SandboxState] = web.AppKey("state", SandboxState)
API_PREFIX = "/v1"
PAGE_SIZE = 20  # items a page of the paged lists (people, segments, websites; UNCONFIRMED)
T = TypeVar("T")


class SandboxError(Exception):
    """An error answer: HTTP status, Crisp reason, and a message for ``data.message``.

    ``strict`` maps a behaviour name to the ``(reason, message)`` answered instead when that
    switch is on, for /v1 requests (the admin API is ours and keeps one reading).
    """

    def __init__(self, status: int, reason: str, message: str, namespace: str = "data", *,
                 strict: Mapping[str, tuple[str, str]] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason
        self.message = message
        self.namespace = namespace
        self.strict = dict(strict or {})

    def resolved(self, behaviours: Behaviours | None) -> SandboxError:
        """This error as the given switches have it answered (itself when none applies)."""
        if behaviours is None:
            return self
        for name, (reason, message) in self.strict.items():
            if getattr(behaviours, name):
                return SandboxError(self.status, reason, message, self.namespace)
        return self


def invalid_data(message: str, *, crisp: str | None = None) -> SandboxError:
    """400 ``invalid_data``; ``crisp`` is the wording answered under ``crisp_wording``."""
    strict = {"crisp_wording": ("invalid_data", crisp)} if crisp is not None else None
    return SandboxError(400, "invalid_data", message, strict=strict)


# What ``not_found(what)`` answers under ``specific_not_found`` (the reason for an unknown
# route stays ``not_found``). Crisp's real reasons are unknown: these are a pessimistic guess.
SPECIFIC_NOT_FOUND: dict[str, str] = {
    "website": "website_not_found",
    "conversation": "session_not_found",
    "message": "message_not_found",
    "people profile": "people_not_found",
    "plugin": "plugin_not_found",
}


def not_found(what: str) -> SandboxError:
    message = f"{what} not found"
    specific = SPECIFIC_NOT_FOUND.get(what)
    strict = {"specific_not_found": (specific, message)} if specific else None
    return SandboxError(404, "not_found", message, namespace="resource", strict=strict)


def envelope(data: Any, reason: str = "resolved", status: int = 200) -> web.Response:
    body = {"error": status >= 400, "reason": reason, "data": data}
    return web.json_response(body, status=status, dumps=_dumps)


def error_response(err: SandboxError, headers: dict[str, str] | None = None) -> web.Response:
    resp = envelope({"namespace": err.namespace, "message": err.message}, err.reason, err.status)
    if headers:
        resp.headers.update(headers)
    return resp


def _dumps(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


# ---- routing -----------------------------------------------------------------------------


def add_route(app: web.Application, method: str, path: str, handler: Handler) -> None:
    """Register ``/v1<path>``, with and without a trailing slash (python crisp-api adds one)."""
    full = API_PREFIX + path
    for variant in {full.rstrip("/"), full.rstrip("/") + "/"}:
        if method == "GET":
            # aiohttp answers HEAD for GET routes: Crisp's "check exists" idiom.
            app.router.add_get(variant, handler, allow_head=True)
        else:
            app.router.add_route(method, variant, handler)


# ---- request parsing ---------------------------------------------------------------------

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def flag(request: web.Request, name: str) -> bool | None:
    """A boolean query flag; node sends 1/0, python sends `True` literally. None if absent."""
    raw = request.query.get(name)
    if raw is None:
        return None
    low = raw.strip().lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise invalid_data(f"{name} should be boolean")


def int_param(request: web.Request, name: str, *, default: int | None = None,
              minimum: int | None = None, maximum: int | None = None) -> int | None:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise invalid_data(f"{name} should be integer") from None
    if minimum is not None and value < minimum:
        raise invalid_data(f"{name} should be >= {minimum}")
    if maximum is not None and value > maximum:
        raise invalid_data(f"{name} should be <= {maximum}")
    return value


def page_items(items: Sequence[T], page: int) -> list[T]:
    """Page ``page`` (from 1) of a paged list, PAGE_SIZE items a page; past the end: []."""
    return list(items[(page - 1) * PAGE_SIZE:page * PAGE_SIZE])


def page_of(request: web.Request) -> int:
    raw = request.match_info.get("page", "1")
    if not raw.isdigit() or int(raw) < 1:
        raise invalid_data("page should be a positive integer")
    return int(raw)


async def json_body(request: web.Request, schema: dict[str, Any] | None = None) -> Any:
    """Parse and validate a JSON body; an absent body reads as ``{}``."""
    raw = await request.read()
    if not raw.strip():
        body: Any = {}
    else:
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise invalid_data("data should be valid JSON") from None
    if schema is not None:
        validate(body, schema)
    return body


def validate(instance: Any, schema: dict[str, Any], root: str = "data") -> None:
    """jsonschema validation with an ajv-style message naming the offending field."""
    validator = jsonschema.Draft202012Validator(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
    if error is not None:
        message = describe_error(error, root)
        crisp = describe_error(error, root, crisp=True)
        raise invalid_data(message, crisp=crisp if crisp != message else None)


def describe_error(error: jsonschema.ValidationError, root: str = "data", *,
                   crisp: bool = False) -> str:
    """ajv's message for ``error``. ``crisp``: ajv's old dataPath style that Crisp answers
    (node-crisp-api#29), which names a missing property ``'.origin'`` rather than
    ``'origin'``; other messages read the same either way."""
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
    where = root + path
    kind = error.validator
    if kind == "required":
        missing = error.message.split("'")[1] if "'" in error.message else "?"
        dot = "." if crisp else ""
        return f"{where} should have required property '{dot}{missing}'"
    if kind == "additionalProperties":
        return f"{where} should NOT have additional properties ({error.message})"
    if kind == "enum":
        return f"{where} should be equal to one of the allowed values"
    if kind == "type":
        return f"{where} should be {error.validator_value}"
    if kind in ("minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems"):
        op = ">=" if kind.startswith("min") else "<="
        unit = "" if kind in ("minimum", "maximum") else " in length"
        return f"{where} should be {op} {error.validator_value}{unit}"
    return f"{where} {error.message}"


# ---- auth and resources ----------------------------------------------------------------


def check_auth(request: web.Request, state: SandboxState) -> None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    identifier = key = ""
    if scheme.lower() == "basic":
        try:
            identifier, _, key = base64.b64decode(value, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            identifier = key = ""
    token = state.token
    if not (identifier == token.identifier and key == token.key):
        raise SandboxError(401, "invalid_session", "invalid token", namespace="session")
    tier = request.headers.get("X-Crisp-Tier", "")
    if tier != token.tier:
        raise SandboxError(401, "invalid_session",
                           f"tier '{tier or '(none)'}' does not match the token tier "
                           f"'{token.tier}'", namespace="session")


def website_of(request: web.Request) -> Website:
    """The URL's website, which must exist and be bound to the token's plugin."""
    state = request.app[STATE]
    website = state.websites.get(request.match_info["website_id"])
    if website is None:
        raise not_found("website")
    if not website.subscribed:
        raise not_subscribed()
    return website


def not_subscribed() -> SandboxError:
    return SandboxError(404, "not_subscribed", "the website is not subscribed to the plugin",
                        namespace="subscription")


def conversation_of(request: web.Request) -> Conversation:
    website = website_of(request)
    conv = request.app[STATE].conversations.get(request.match_info["session_id"])
    if conv is None or conv.website_id != website.website_id:
        raise not_found("conversation")
    return conv


def behaviours_of(request: web.Request) -> Behaviours | None:
    """The live switches (None for an app built without a context, e.g. in a unit test)."""
    ctx = request.app.get(CONTEXT)
    return ctx.behaviours if ctx is not None else None


@web.middleware
async def envelope_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Authenticate /v1 calls and turn every error into Crisp's envelope."""
    api = request.path.startswith(API_PREFIX + "/")
    try:
        if api:
            check_auth(request, request.app[STATE])
        return await handler(request)
    except SandboxError as err:
        return error_response(err.resolved(behaviours_of(request)) if api else err)
    except web.HTTPNotFound:
        return error_response(SandboxError(404, "not_found", "route not found", "route"))
    except web.HTTPMethodNotAllowed:
        return error_response(SandboxError(405, "not_allowed", "method not allowed", "route"))
