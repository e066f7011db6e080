"""Generate Bucket URL (crisp-api.md §2.5, §4) and the loopback "bucket" it points at.

``POST /v1/bucket/url/generate`` answers at once; the URLs arrive as the RTM event
``bucket:url:<namespace>:generated``, as with Crisp. ``url.signed`` accepts one PUT (or POST)
of the raw file bytes; ``url.resource`` then serves them back. Uploads live in memory under a
total cap (oldest dropped first). The upload and file routes sit outside /v1, so they need no
Basic auth: the HMAC signature (random secret per store) is the credential.

Files are hostile content: they are served as attachments, with ``nosniff``, a sandboxing CSP
and a Content-Type reduced to a plain ``type/subtype`` token.

UNCONFIRMED choices (see sandbox/README.md):
- Generate answers 202 ``dispatched`` ``{}``; ``from`` defaults to ``plugin`` and
  ``identifier`` to the token's plugin_id; the event's ``type`` is the file's MIME type.
- Signed URLs live 15 minutes; size_limit is 10 MiB; a good upload answers 201 ``added``
  ``{resource}``; a bad or expired signature is 403 ``not_allowed``; an oversize body is
  413 ``too_large``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from aiohttp import web

from crisp_console.sandbox.context import CONTEXT
from crisp_console.sandbox.route_scopes import add_resources, resource
from crisp_console.sandbox.web import STATE, SandboxError, envelope, json_body, not_found

MiB = 1024 * 1024
NAMESPACES = ("upload", "avatar", "website", "campaign", "helpdesk", "status", "processing")
_MIME = re.compile(r"^[A-Za-z0-9][\w.+-]*/[A-Za-z0-9][\w.+-]*$")

GENERATE: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["namespace", "id", "file"],
    "properties": {
        "namespace": {"enum": list(NAMESPACES)},
        "id": {"type": "string", "minLength": 1, "maxLength": 200},
        "from": {"type": "string", "minLength": 1},
        "identifier": {"type": "string", "minLength": 1},
        "file": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name", "type"],
            "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 255},
                           "type": {"type": "string", "pattern": _MIME.pattern}},
        },
        "resource": {
            "type": "object",
            "additionalProperties": False,
            "required": ["type", "id"],
            "properties": {"type": {"type": "string"}, "id": {"type": "string"}},
        },
    },
}


def _now_ms() -> int:
    return int(time.time() * 1000)


def _resource_url(base: str, key: str, name: str) -> str:
    # The name is cosmetic (the key finds the file) but lets a browser suggest it.
    return f"{base}/_bucket/files/{key}/{quote(name, safe='')}"


@dataclass(slots=True)
class Slot:
    """One generated URL pair, and the bytes once uploaded."""

    name: str
    type: str
    size_limit: int
    expires: int
    data: bytes | None = None


class BucketStore:
    def __init__(self, *, size_limit: int = 10 * MiB, total_cap: int = 64 * MiB,
                 ttl_ms: int = 15 * 60 * 1000, max_slots: int = 10_000,
                 clock: Callable[[], int] = _now_ms) -> None:
        self.size_limit = size_limit
        self.total_cap = total_cap
        self.ttl_ms = ttl_ms
        self.max_slots = max_slots
        self.clock = clock
        self._secret = secrets.token_bytes(32)
        self._slots: OrderedDict[str, Slot] = OrderedDict()
        self._used = 0  # bytes held by uploaded slots

    def register(self, app: web.Application) -> None:
        add_resources(app, [resource("/bucket/url/generate", "bucket:url", POST=self.generate)])
        for method in ("PUT", "POST"):
            app.router.add_route(method, "/_bucket/upload/{key}", self.upload)
        app.router.add_get("/_bucket/files/{key}/{name:.*}", self.serve)

    # ---- store ----------------------------------------------------------------------------

    def _sign(self, key: str, expires: int) -> str:
        message = f"{key}:{expires}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def _new_slot(self, name: str, mime: str) -> tuple[str, Slot]:
        key = secrets.token_urlsafe(18)
        slot = Slot(name=name, type=mime, size_limit=min(self.size_limit, self.total_cap),
                    expires=self.clock() + self.ttl_ms)
        self._slots[key] = slot
        while len(self._slots) > self.max_slots:
            self._drop(next(iter(self._slots)))
        return key, slot

    def _drop(self, key: str) -> None:
        slot = self._slots.pop(key)
        if slot.data is not None:
            self._used -= len(slot.data)

    def _store(self, key: str, slot: Slot, data: bytes) -> None:
        if slot.data is not None:
            self._used -= len(slot.data)
            slot.data = None
        # Oldest first, never the slot being filled (size_limit <= total_cap keeps it room).
        for old in list(self._slots):
            if self._used + len(data) <= self.total_cap:
                break
            if old != key and self._slots[old].data is not None:
                self._drop(old)
        slot.data = data
        self._used += len(data)
        self._slots.move_to_end(key)

    @property
    def used_bytes(self) -> int:
        return self._used

    # ---- routes ---------------------------------------------------------------------------

    async def generate(self, request: web.Request) -> web.Response:
        body = await json_body(request, GENERATE)
        ctx = request.app[CONTEXT]
        file = body["file"]
        key, slot = self._new_slot(file["name"], file["type"])
        base = ctx.base_url
        signature = self._sign(key, slot.expires)
        payload: dict[str, Any] = {
            "from": body.get("from", "plugin"),
            "id": body["id"],
            "identifier": body.get("identifier", request.app[STATE].token.plugin_id),
            "type": file["type"],
            "policy": {"size_limit": slot.size_limit},
            "url": {
                "resource": _resource_url(base, key, file["name"]),
                "signed": f"{base}/_bucket/upload/{key}?expires={slot.expires}"
                          f"&signature={signature}",
            },
        }
        if "resource" in body:
            payload["resource"] = body["resource"]
        # No website_id: RTM hands it to every socket of the token that asked for the event.
        ctx.rtm.broadcast(f"bucket:url:{body['namespace']}:generated", payload)
        return envelope({}, "dispatched", 202)

    async def upload(self, request: web.Request) -> web.Response:
        key = request.match_info["key"]
        slot = self._slots.get(key)
        expires = request.query.get("expires", "")
        signature = request.query.get("signature", "")
        valid = (expires.isdigit()
                 and hmac.compare_digest(self._sign(key, int(expires)).encode(),
                                         signature.encode())
                 and int(expires) >= self.clock())
        if not valid:
            raise SandboxError(403, "not_allowed", "invalid or expired signature", "bucket")
        if slot is None:
            raise not_found("upload slot")
        too_large = SandboxError(413, "too_large",
                                 f"file exceeds size_limit ({slot.size_limit} bytes)", "bucket")
        if request.content_length is not None and request.content_length > slot.size_limit:
            raise too_large
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.content.iter_chunked(64 * 1024):
            size += len(chunk)
            if size > slot.size_limit:
                raise too_large
            chunks.append(chunk)
        self._store(key, slot, b"".join(chunks))
        resource = _resource_url(request.app[CONTEXT].base_url, key, slot.name)
        return envelope({"resource": resource}, "added", 201)

    async def serve(self, request: web.Request) -> web.Response:
        slot = self._slots.get(request.match_info["key"])
        if slot is None or slot.data is None:
            raise not_found("file")
        mime = slot.type if _MIME.match(slot.type) else "application/octet-stream"
        return web.Response(body=slot.data, headers={
            "Content-Type": mime,
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(slot.name, safe='')}",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, no-store",
        })
