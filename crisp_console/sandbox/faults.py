"""PLACEHOLDER: being written."""

from aiohttp import web

from crisp_console.sandbox.config import FaultConfig
from crisp_console.sandbox.web import Handler


class Faults:
    def __init__(self, config: FaultConfig) -> None:
        self.config = config

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        return await handler(request)
