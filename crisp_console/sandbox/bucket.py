"""PLACEHOLDER: being written."""

from aiohttp import web


class BucketStore:
    def register(self, app: web.Application) -> None:
        pass
