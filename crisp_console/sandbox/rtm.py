"""The RTM API: a python-socketio server speaking Crisp's authentication and binding protocol.

A socket must send ``authentication`` within ``auth_timeout`` seconds or it is closed. After
that it receives exactly the event names it asked for, for the websites it asked for (or all
subscribed websites when it named none), and never for a website the plugin is not bound to.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import Any

import socketio

from crisp_console.sandbox.state import SandboxState

log = logging.getLogger("crisp_console.sandbox.rtm")

# Plugin-level events reach a token's sockets whatever their rooms: a client must hear that a
# website was bound before it can add that website to its rooms.
UNROOMED_EVENTS = frozenset({"plugin:subscription:updated", "plugin:settings:saved"})


@dataclass
class RtmClient:
    sid: str
    authenticated: bool = False
    events: set[str] = field(default_factory=set)
    rooms: set[str] | None = None  # None: every subscribed website
    deadline: asyncio.TimerHandle | None = None


class RtmServer:
    """Owns the socket.io server; ``broadcast`` is the state's ``emit`` hook."""

    def __init__(self, state: SandboxState, *, auth_timeout: float = 10.0) -> None:
        self.state = state
        self.auth_timeout = auth_timeout
        self.sio = socketio.AsyncServer(
            async_mode="aiohttp",
            transports=["websocket"],
            cors_allowed_origins="*",
            logger=False,
            engineio_logger=False,
        )
        self.clients: dict[str, RtmClient] = {}
        self._outbox: asyncio.Queue[tuple[str, Any, str]] | None = None
        self._pump: asyncio.Task[None] | None = None
        self.sio.on("connect", self._on_connect)
        self.sio.on("disconnect", self._on_disconnect)
        self.sio.on("authentication", self._on_authentication)
        self.sio.on("socket:bind", self._on_bind)
        self.sio.on("socket:bind:push", self._on_bind_push)
        self.sio.on("socket:bind:pop", self._on_bind_pop)

    # ---- lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        self._outbox = asyncio.Queue()
        self._pump = asyncio.get_running_loop().create_task(self._drain(), name="rtm-pump")

    async def stop(self) -> None:
        await self.drop_all()
        if self._pump is not None:
            self._pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pump
            self._pump = None
        with contextlib.suppress(Exception):
            await self.sio.shutdown()

    async def drop_all(self) -> int:
        """Cut every socket's connection, as a network drop would: clients reconnect.

        Returns how many live connections were cut.
        """
        dropped = 0
        for sid in list(self.clients):
            # Abort the TCP transport under the websocket: an Engine.IO CLOSE packet would
            # read as a deliberate server disconnect, after which python-socketio never
            # reconnects. The keys of ``clients`` are Socket.IO sids, not Engine.IO ones.
            # No transport means the connection is already gone (and eio.disconnect() on
            # such a half-closed socket waits forever for its dead writer).
            eio_sid = self.sio.manager.eio_sid_from_sid(sid, "/")
            environ = self.sio.environ.get(eio_sid) if eio_sid else None
            request = environ.get("aiohttp.request") if environ else None
            transport = request.transport if request is not None else None
            if transport is not None and not transport.is_closing():
                transport.abort()
                dropped += 1
            self._forget(sid)
        return dropped

    async def flush(self) -> None:
        """Wait until every queued event has been handed to its sockets (tests, shutdown)."""
        if self._outbox is not None:
            await self._outbox.join()

    # ---- delivery -------------------------------------------------------------------------

    def broadcast(self, name: str, payload: dict[str, Any]) -> None:
        """Queue ``name`` for every socket that subscribed to it for this website."""
        if self._outbox is None:
            return
        website_id = payload.get("website_id")
        website = self.state.websites.get(website_id) if website_id else None
        for client in self.clients.values():
            if not client.authenticated or name not in client.events:
                continue
            if website_id is not None:
                if website is None:
                    continue
                if name not in UNROOMED_EVENTS:
                    if not website.subscribed:
                        continue
                    if client.rooms is not None and website_id not in client.rooms:
                        continue
            self._outbox.put_nowait((name, payload, client.sid))

    def send_to_token(self, name: str, payload: dict[str, Any]) -> None:
        """Events with no website (bucket answers) go to every socket of the token."""
        self.broadcast(name, payload)

    async def _drain(self) -> None:
        # One consumer keeps events in the order the state produced them.
        assert self._outbox is not None
        while True:
            name, payload, sid = await self._outbox.get()
            try:
                if sid in self.clients:
                    await self.sio.emit(name, payload, to=sid)
            except Exception:  # a socket that vanished mid-emit must not stop the pump
                log.debug("emit %s to %s failed", name, sid, exc_info=True)
            finally:
                self._outbox.task_done()

    # ---- handlers -------------------------------------------------------------------------

    async def _on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        client = RtmClient(sid)
        loop = asyncio.get_running_loop()
        client.deadline = loop.call_later(self.auth_timeout, self._expire, sid)
        self.clients[sid] = client

    def _expire(self, sid: str) -> None:
        client = self.clients.get(sid)
        if client is not None and not client.authenticated:
            log.info("closing %s: no authentication within %.1fs", sid, self.auth_timeout)
            self._forget(sid)
            asyncio.get_running_loop().create_task(self.sio.disconnect(sid))

    async def _on_disconnect(self, sid: str, *args: Any) -> None:
        self._forget(sid)

    def _forget(self, sid: str) -> None:
        client = self.clients.pop(sid, None)
        if client is not None and client.deadline is not None:
            client.deadline.cancel()

    async def _on_authentication(self, sid: str, data: Any) -> None:
        client = self.clients.get(sid)
        if client is None:
            return
        problem = self._check_credentials(data)
        if problem:
            log.info("rtm auth refused for %s: %s", sid, problem)
            await self.sio.emit("unauthorized", {"message": problem}, to=sid)
            return
        events = data.get("events")
        client.events = {e for e in events if isinstance(e, str)} if isinstance(events, list) \
            else set()
        client.rooms = self._rooms(data.get("rooms"))
        client.authenticated = True
        if client.deadline is not None:
            client.deadline.cancel()
            client.deadline = None
        await self.sio.emit("authenticated", True, to=sid)

    def _check_credentials(self, data: Any) -> str:
        token = self.state.token
        if not isinstance(data, dict):
            return "authentication payload should be an object"
        if data.get("username") != token.identifier or data.get("password") != token.key:
            return "invalid credentials"
        tier = data.get("tier", token.tier)
        if tier != token.tier:
            return f"tier '{tier}' does not match the token tier '{token.tier}'"
        events = data.get("events")
        if events is not None and not isinstance(events, list):
            return "events should be an array"
        return ""

    @staticmethod
    def _rooms(raw: Any) -> set[str] | None:
        if isinstance(raw, list) and raw:
            return {r for r in raw if isinstance(r, str)}
        return None

    def _bound_client(self, sid: str) -> RtmClient | None:
        client = self.clients.get(sid)
        return client if client is not None and client.authenticated else None

    async def _on_bind(self, sid: str, data: Any = None) -> None:
        client = self._bound_client(sid)
        if client is None:
            await self.sio.emit("unauthorized", {"message": "not authenticated"}, to=sid)
            return
        # An empty payload ({} from node, "" from go) rebinds to every subscribed website.
        if isinstance(data, dict) and data:
            if isinstance(data.get("events"), list):
                client.events = {e for e in data["events"] if isinstance(e, str)}
            client.rooms = self._rooms(data.get("rooms"))
        else:
            client.rooms = None

    async def _on_bind_push(self, sid: str, data: Any = None) -> None:
        client = self._bound_client(sid)
        if client is not None and isinstance(data, dict) and isinstance(data.get("events"), list):
            client.events |= {e for e in data["events"] if isinstance(e, str)}

    async def _on_bind_pop(self, sid: str, data: Any = None) -> None:
        client = self._bound_client(sid)
        if client is not None and isinstance(data, dict) and isinstance(data.get("events"), list):
            client.events -= set(data["events"])
