"""The qasync loop fixture for tests that run the console's async code on Qt's event loop.

Import it where needed (``from tests.qloop import qloop``); it is not in tests/conftest.py
so that pure-Python tests never import Qt."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
import qasync
from PySide6.QtWidgets import QApplication


@pytest.fixture
def qloop(qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    """A qasync loop per test, run with run_until_complete (stack-check.md §4, pattern A).
    Tasks still pending at the end are cancelled and awaited, so none leaks into the next."""
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    yield loop
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    loop.run_until_complete(loop.shutdown_asyncgens())
    loop.close()
    asyncio.set_event_loop(None)
