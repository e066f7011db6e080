"""PLACEHOLDER: being written."""

from aiohttp import web


def register(app: web.Application) -> None:
    pass
