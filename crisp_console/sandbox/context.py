"""What route handlers reach through ``request.app[CONTEXT]``: the live services of one server."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiohttp import web

from crisp_console.sandbox.profile import Behaviours
from crisp_console.sandbox.scopes import Grants
from crisp_console.sandbox.state import SandboxState

if TYPE_CHECKING:
    from crisp_console.sandbox.bucket import BucketStore
    from crisp_console.sandbox.faults import Faults
    from crisp_console.sandbox.reminders import ReminderScheduler
    from crisp_console.sandbox.rtm import RtmServer
    from crisp_console.sandbox.server import Sandbox
    from crisp_console.sandbox.simulator import Simulator


@dataclass
class SandboxContext:
    sandbox: Sandbox
    state: SandboxState
    rtm: RtmServer
    faults: Faults
    simulator: Simulator
    bucket: BucketStore
    reminders: ReminderScheduler
    behaviours: Behaviours

    @property
    def grants(self) -> Grants:
        """The token's live scopes (``SandboxConfig.grants``, changed in place by the admin
        route, so a reference taken once stays current)."""
        return self.sandbox.config.grants

    @property
    def base_url(self) -> str:
        """``http://HOST:PORT``, no trailing slash."""
        return self.sandbox.base_url


CONTEXT: web.AppKey[SandboxContext] = web.AppKey("context", SandboxContext)
