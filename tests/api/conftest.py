"""CrispApi against a real sandbox on loopback (fixtures of tests/sandbox reused)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest_asyncio

from crisp_console.api import CrispApi
from crisp_console.sandbox.server import Sandbox
from crisp_console.types import Credentials
from tests.api.helpers import FAST
from tests.sandbox.conftest import admin, api, rtm, sandbox  # noqa: F401 - fixtures reused

ApiFactory = Callable[..., CrispApi]


def credentials(sb: Sandbox, key: str | None = None) -> Credentials:
    info = sb.info()
    return Credentials(info["identifier"], key if key is not None else info["key"])


@pytest_asyncio.fixture
async def make_api(sandbox: Sandbox) -> AsyncIterator[ApiFactory]:  # noqa: F811
    """Builds CrispApi clients on the sandbox (FAST retries unless told); closes them all."""
    made: list[CrispApi] = []

    def make(**overrides: Any) -> CrispApi:
        key = overrides.pop("key", None)
        kwargs: dict[str, Any] = {"retry": FAST, **overrides}
        client = CrispApi(sandbox.info()["rest"], credentials(sandbox, key), **kwargs)
        made.append(client)
        return client

    yield make
    for client in made:
        await client.aclose()


@pytest_asyncio.fixture
async def crisp(make_api: ApiFactory) -> CrispApi:
    """A CrispApi on the sandbox with small retry delays, closed at teardown."""
    return make_api()
