"""The RTM API: a python-socketio server speaking Crisp's authentication and binding protocol.

A socket must send ``authentication`` within ``auth_timeout`` seconds or it is closed. After
that it receives exactly the event names it asked for, for the websites it asked for (or all
subscribed websites when it named none), and never for a website the plugin is not bound to.

Three behaviours of the fidelity profile (profile.py) live here, each read when it matters, so
a test can flip it live: ``strict_rooms`` (rooms naming an unbound website, or ``[]``, are
refused), ``scopes`` (an event outside the token's grants is never sent) and ``rtm_root`` (the
handshake is served at ``/`` with a rescue endpoint at ``/rescue/``, instead of ``rtm_path``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import Any

import socketio
from aiohttp import web

from crisp_console.sandbox.config import SandboxConfig
from crisp_console.sandbox.scopes import allows, event_scope
from crisp_console.sandbox.state import SandboxState

log = logging.getLogger("crisp_console.sandbox.rtm")

# Plugin-level events reach a token's sockets whatever their rooms: a client must hear that a
# website was bound before it can add that website to its rooms.
UNROOMED_EVENTS = frozenset({"plugin:subscription:updated", "plugin:settings:saved"})

# rtm_root: Crisp's endpoint is the root path. python-engineio's client asks for "//" when
# given "/" (it wraps the path in slashes), so "//" is the root too.
ROOT_PATHS = ("/", "//")
RESCUE_PATH = "/rescue/"
_HANDSHAKE_METHODS = ("GET", "POST", "OPTIONS")  # what engine.io's own attach() registers


def legacy_path(rtm_path: str) -> str:
    """``config.rtm_path`` as one slash-wrapped path (``rtm`` -> ``/rtm/``; ``/`` stays)."""
    inner = rtm_path.strip("/")
    return f"/{inner}/" if inner else "/"


@dataclass
class RtmClient:
    sid: str
    authenticated: bool = False
    events: set[str] = field(default_factory=set)
    rooms: set[str] | None = None  # None: every subscribed website
    deadline: asyncio.TimerHandle | None = None


class RtmServer:
    """Owns the socket.io server; ``broadcast`` is the state's ``emit`` hook.

    ``config`` is the sandbox's live config: its behaviours, grants and faults are read at
    handshake, authentication and emit time.
    """

    def __init__(self, state: SandboxState, config: SandboxConfig) -> None:
        self.state = state
        self.config = config
        self.auth_timeout = config.auth_timeout
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

    def attach(self, app: web.Application) -> None:
        """Route every path RTM may be served at to ``_handshake``, which decides per request.

        Not ``sio.attach()``: with an empty path it registers only ``//``, and a path chosen
        once could not follow ``rtm_root`` flipped live.
        """
        for path in dict.fromkeys((*ROOT_PATHS, RESCUE_PATH, legacy_path(self.config.rtm_path))):
            for method in _HANDSHAKE_METHODS:
                app.router.add_route(method, path, self._handshake)

    def role(self, path: str) -> str | None:
        """``main``, ``rescue``, or None when ``path`` serves no RTM under the live profile."""
        if self.config.behaviours.rtm_root:
            if path in ROOT_PATHS:
                return "main"
            return "rescue" if path == RESCUE_PATH else None
        # Lenient: one endpoint at rtm_path, which is also the rescue URL.
        return "main" if path == legacy_path(self.config.rtm_path) else None

    async def _handshake(self, request: web.Request) -> web.StreamResponse:
        role = self.role(request.path)
        if role is None:
            raise web.HTTPNotFound()  # the envelope middleware answers 404 not_found
        if role == "main" and self.config.faults.rtm_main_down:
            return web.Response(status=503, text="the RTM main endpoint is down (fault "
                                "rtm_main_down); use the rescue endpoint")
        response: web.StreamResponse = await self.sio.handle_request(request)
        return response

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
        if not self._granted(name):
            return
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

    def _granted(self, name: str) -> bool:
        """scopes: an event outside the token's grants (read now: they change live) is never
        sent; plugin events need no scope."""
        if not self.config.behaviours.scopes:
            return True
        needed = event_scope(name)
        return needed is None or allows(self.config.grants, *needed)

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
        self._arm_deadline(client)
        self.clients[sid] = client

    def _arm_deadline(self, client: RtmClient) -> None:
        if client.deadline is None:
            loop = asyncio.get_running_loop()
            client.deadline = loop.call_later(self.auth_timeout, self._expire, client.sid)

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
        problem = self._rooms_problem(data.get("rooms"))
        if problem:
            await self._refuse_rooms(client, problem)
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

    def _rooms_problem(self, raw: Any) -> str:
        """strict_rooms: why ``rooms`` is refused ("" if it is not). Omitted (or null) is
        always fine: every subscribed website, including ones bound later."""
        if raw is None or not self.config.behaviours.strict_rooms:
            return ""
        if not isinstance(raw, list) or not all(isinstance(r, str) for r in raw):
            return "rooms should be an array of website ids"
        if not raw:
            return "rooms should name at least one website"
        websites = self.state.websites
        unbound = [r for r in raw if r not in websites or not websites[r].subscribed]
        if unbound:
            return ("cannot filter on websites not subscribed to the plugin: "
                    + ", ".join(unbound[:3]) + (" ..." if len(unbound) > 3 else ""))
        return ""

    async def _refuse_rooms(self, client: RtmClient, problem: str) -> None:
        # The socket hears nothing more until it authenticates again, within the deadline.
        log.info("rtm rooms refused for %s: %s", client.sid, problem)
        client.authenticated = False
        self._arm_deadline(client)
        await self.sio.emit("unauthorized", {"message": problem}, to=client.sid)

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
            problem = self._rooms_problem(data.get("rooms"))
            if problem:
                await self._refuse_rooms(client, problem)
                return
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
