"""End-to-end: the whole console (window, panes, controller, client) against a real sandbox on
loopback, on a qasync loop, driven by key events only."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import qasync
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from crisp_console.sandbox.server import Sandbox
from crisp_console.settings import Preferences
from crisp_console.ui.canned import CannedResponse
from crisp_console.ui.console import Console
from tests.client.conftest import make_client, until
from tests.sandbox.conftest import make_config

CANNED = [CannedResponse("hello", "Greeting", "Hello! How can I help you today?")]




@asynccontextmanager
async def running_console(tmp_path: Path, **prefs: Any) -> AsyncIterator[tuple[Console, Sandbox]]:
    sandbox = Sandbox(make_config())
    await sandbox.start()
    try:
        console = Console(make_client(sandbox), prefs=Preferences(**prefs),
                          drafts_path=tmp_path / "drafts.json", settings=None, canned=CANNED)
        try:
            window = console.window
            window.show()
            window.activateWindow()
            await console.start()
            await until(window.isActiveWindow, what="the window to be active")
            yield console, sandbox
        finally:
            await console.aclose()
    finally:
        await sandbox.stop()


Scenario = Callable[[Console, Sandbox], Coroutine[Any, Any, None]]


def e2e(**prefs: Any) -> Callable[[Scenario], Callable[..., None]]:
    """Run ``async def test(console, sandbox)`` inside running_console on the qasync loop."""
    def wrap(scenario: Scenario) -> Callable[..., None]:
        def test(qloop: qasync.QEventLoop, tmp_path: Path) -> None:
            async def main() -> None:
                async with running_console(tmp_path, **prefs) as (console, sandbox):
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
