"""One sandbox server: the aiohttp app with the socket.io server attached, on one port.

``Sandbox`` owns the state across restarts: ``restart()`` tears the HTTP and RTM servers down
(clients see refused connections), waits, and serves the same world again on the same port.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from typing import Any

from aiohttp import web

from crisp_console.sandbox import (
    admin,
    reminders,
    routes_conversations,
    routes_messages,
    routes_people,
    routes_plugin,
    routes_website,
    snapshot,
)
from crisp_console.sandbox.admin_guard import (
    AdminGuard,
    check_admin_token,
    is_loopback_host,
    new_admin_token,
)
from crisp_console.sandbox.bucket import BucketStore
from crisp_console.sandbox.config import SandboxConfig
from crisp_console.sandbox.context import CONTEXT, SandboxContext
from crisp_console.sandbox.dataset import build_state
from crisp_console.sandbox.faults import Faults
from crisp_console.sandbox.reminders import ReminderScheduler
from crisp_console.sandbox.request_log import RequestLog
from crisp_console.sandbox.route_scopes import access_middleware, add_resources
from crisp_console.sandbox.rtm import RESCUE_PATH, RtmServer, legacy_path
from crisp_console.sandbox.simulator import Simulator
from crisp_console.sandbox.state import SandboxState
from crisp_console.sandbox.statedir import StateDir
from crisp_console.sandbox.web import STATE, envelope_middleware

log = logging.getLogger("crisp_console.sandbox")


class Sandbox:
    def __init__(self, config: SandboxConfig | None = None,
                 state: SandboxState | None = None) -> None:
        self.config = config or SandboxConfig()
        if not (is_loopback_host(self.config.host) or self.config.allow_remote):
            raise ValueError(f"host {self.config.host} is not loopback: the admin API and the "
                             "token key would face the network (allow_remote to do it anyway)")
        given = self.config.admin_token
        self.admin_token = check_admin_token(given) if given else new_admin_token()
        self.admin_guard = AdminGuard(self.config, self.admin_token)
        state_file = self.config.state_file
        self.state_dir = StateDir(self.config.state_dir
                                  or (state_file.parent if state_file else None))
        if state is None:
            path = self.config.state_file
            state = snapshot.load(path) if path and path.exists() else build_state(self.config)
        self.state = state
        self.faults = Faults(self.config.faults)
        self.requests = RequestLog()  # every /v1/ request received, across restarts
        self.bucket = BucketStore()
        self.simulator = Simulator(state, rate=self.config.simulator_rate)
        self.reminders = ReminderScheduler(state)
        self.rtm: RtmServer | None = None
        self._runner: web.AppRunner | None = None
        self._port = self.config.port
        self._restarting: asyncio.Task[None] | None = None

    # ---- addresses ------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._port

    @property
    def base_url(self) -> str:
        host = self.config.host
        shown = f"[{host}]" if ":" in host else host
        if host in ("0.0.0.0", "::"):  # noqa: S104 - only naming the wildcard, not binding it
            shown = "127.0.0.1"
        return f"http://{shown}:{self._port}"

    @property
    def rest_url(self) -> str:
        return f"{self.base_url}/v1/"

    @property
    def rtm_url(self) -> str:
        """The main RTM endpoint (``socket.app``): the root path under rtm_root, read live."""
        if self.config.behaviours.rtm_root:
            return f"{self.base_url}/"
        return f"{self.base_url}{legacy_path(self.config.rtm_path)}"

    @property
    def rescue_url(self) -> str:
        """``rescue.socket.app``: its own path under rtm_root, else the main URL again."""
        if self.config.behaviours.rtm_root:
            return f"{self.base_url}{RESCUE_PATH}"
        return self.rtm_url

    def info(self) -> dict[str, Any]:
        """What the CLI prints: enough for any client to connect."""
        token = self.state.token
        return {
            "rest": self.rest_url,
            "rtm": self.rtm_url,
            "identifier": token.identifier,
            "key": token.key,
            "tier": token.tier,
            "plugin_id": token.plugin_id,
            "websites": self.state.subscribed_website_ids(),
            "admin": f"{self.base_url}/_sandbox/",
            "admin_token": self.admin_token,  # send as X-Sandbox-Token
            "profile": self.config.behaviours.profile,
        }

    # ---- lifecycle ------------------------------------------------------------------------

    def _build_app(self) -> web.Application:
        # Outermost first: the request log, auth and the envelope, then faults, then tier
        # and scopes.
        app = web.Application(middlewares=[self.requests.middleware, envelope_middleware,
                                           self.faults.middleware, access_middleware],
                              client_max_size=64 * 1024 * 1024)
        rtm = RtmServer(self.state, self.config)
        rtm.attach(app)
        self.rtm = rtm
        self.state.emit = rtm.broadcast
        app[STATE] = self.state
        app[CONTEXT] = SandboxContext(self, self.state, rtm, self.faults, self.simulator,
                                      self.bucket, self.reminders, self.config.behaviours)
        for module in (routes_conversations, routes_messages, routes_people, routes_website,
                       routes_plugin, reminders):
            add_resources(app, module.RESOURCES)
        admin.register(app)
        self.bucket.register(app)
        return app

    async def start(self) -> None:
        app = self._build_app()
        # access_log=None: a busy simulator or benchmark would otherwise flood the log.
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await runner.setup()
        sock = _listen(self.config.host, self._port)
        self._port = sock.getsockname()[1]
        await web.SockSite(runner, sock).start()
        self._runner = runner
        assert self.rtm is not None
        self.rtm.start()
        self.simulator.start()
        self.reminders.start()
        log.info("sandbox serving %s", self.base_url)

    async def stop(self) -> None:
        await self.simulator.stop()
        await self.reminders.stop()
        await self._stop_servers()
        if self._restarting is not None and not self._restarting.done():
            self._restarting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._restarting
        self.state_dir.cleanup()

    async def _stop_servers(self) -> None:
        if self.rtm is not None:
            await self.rtm.stop()
        self.state.emit = lambda name, payload: None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def restart(self, down_seconds: float = 0.5) -> None:
        """Stop serving, wait, and serve the same state again on the same port."""
        await self.simulator.stop()
        await self.reminders.stop()
        await self._stop_servers()
        await asyncio.sleep(down_seconds)
        await self.start()

    def schedule_restart(self, down_seconds: float) -> None:
        """Restart after the current request has been answered (admin route)."""

        async def later() -> None:
            await asyncio.sleep(0.05)
            await self.restart(down_seconds)

        self._restarting = asyncio.get_running_loop().create_task(later(), name="restart")

    def save_snapshot(self, path: Any = None) -> str:
        target = path or self.config.state_file
        if target is None:
            raise ValueError("no snapshot path: give one, or start with --state-file")
        snapshot.dump(self.state, target)
        return str(target)


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: a pre-bound socket without it made every keep-alive request
    # wait ~44 ms here (Nagle + delayed ACK; stack-check.md).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.setblocking(False)
    return sock
