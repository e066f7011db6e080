"""End-to-end: the whole console (window, panes, controller, client) against a real sandbox on
loopback, on a qasync loop, driven by key events only."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import qasync
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from crisp_console.client import ClientConfig
from crisp_console.present.canned import CannedResponse
from crisp_console.sandbox.server import Sandbox
from crisp_console.settings import Preferences
from crisp_console.ui.console import Console
from tests.client.conftest import FAST, make_client, until
from tests.sandbox.conftest import admin_headers, make_config

CANNED = [CannedResponse("hello", "Greeting", "Hello! How can I help you today?")]

# Runs after the sandbox and the console exist, before the console starts: revoke scopes,
# replace a client route method, spend the quota.
Prepare = Callable[["Console", Sandbox], Awaitable[None]]


@asynccontextmanager
async def admin_of(sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the sandbox's admin routes (``/_sandbox/``), with its admin token."""
    async with httpx.AsyncClient(base_url=f"{sandbox.base_url}/_sandbox/",
                                 headers=admin_headers(sandbox), timeout=10.0) as client:
        yield client


def revoking(*scopes: str) -> Prepare:
    """A ``prepare`` that revokes ``scopes`` (``scope`` or ``scope:read|write``)."""
    async def prepare(_console: Console, sandbox: Sandbox) -> None:
        async with admin_of(sandbox) as admin:
            answer = await admin.patch("scopes", json={"revoke": list(scopes)})
            assert answer.status_code == 200, answer.text
    return prepare


@asynccontextmanager
async def running_console(tmp_path: Path, prepare: Prepare | None = None,
                          parts: Mapping[str, Any] | None = None,
                          sandbox_config: Mapping[str, Any] | None = None,
                          client_config: ClientConfig = FAST,
                          client_parts: Mapping[str, Any] | None = None,
                          **prefs: Any) -> AsyncIterator[tuple[Console, Sandbox]]:
    """``parts``: more of Console's keyword arguments (unsent, saved, reachability…);
    ``sandbox_config``: make_config's overrides (sizes…); ``client_parts``: more of
    ConsoleClient's keyword arguments (database, cache, index…)."""
    sandbox = Sandbox(make_config(**(sandbox_config or {})))
    await sandbox.start()
    try:
        console = Console(make_client(sandbox, config=client_config, **(client_parts or {})),
                          prefs=Preferences(**prefs),
                          drafts_path=tmp_path / "drafts.json", settings=None, canned=CANNED,
                          **(parts or {}))
        try:
            window = console.window
            window.show()
            window.activateWindow()
            if prepare is not None:
                await prepare(console, sandbox)
            await console.start()
            await until(window.isActiveWindow, what="the window to be active")
            yield console, sandbox
        finally:
            await console.aclose()
    finally:
        await sandbox.stop()


Scenario = Callable[[Console, Sandbox], Coroutine[Any, Any, None]]


def e2e(prepare: Prepare | None = None, **prefs: Any) -> Callable[[Scenario], Callable[..., None]]:
    """Run ``async def test(console, sandbox)`` inside running_console on the qasync loop;
    ``prepare(console, sandbox)`` first, before the console starts."""
    def wrap(scenario: Scenario) -> Callable[..., None]:
        def test(qloop: qasync.QEventLoop, tmp_path: Path) -> None:
            async def main() -> None:
                async with running_console(tmp_path, prepare, **prefs) as (console, sandbox):
                    await scenario(console, sandbox)
            qloop.run_until_complete(asyncio.wait_for(main(), 60))
        test.__name__ = scenario.__name__
        test.__doc__ = scenario.__doc__
        return test
    return wrap


def press(widget: QWidget | None, key: Qt.Key,
          modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """A key press and release on the focused widget, as the keyboard would deliver it."""
    assert widget is not None, "nothing has the focus"
    QTest.keyClick(widget, key, modifiers)


def focused() -> QWidget | None:
    return QApplication.focusWidget()
