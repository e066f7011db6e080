"""read_first_screen queues the read of the cached list's top before it returns, so that the
database's thread runs it while the window is built; show_cached_first then awaits it."""

from __future__ import annotations

import asyncio
from typing import cast

import pytest

from crisp_console.client import ConsoleClient
from crisp_console.ui.first_frame import FIRST_SCREEN_ROWS, read_first_screen


class ReadingClient:
    """restore_first_screen's first step is where the real one queues its database read."""

    def __init__(self) -> None:
        self.queued: list[int] = []
        self.answer = asyncio.Event()

    async def restore_first_screen(self, rows: int) -> None:
        self.queued.append(rows)
        await self.answer.wait()


@pytest.mark.asyncio
async def test_the_read_is_queued_when_it_returns_and_answers_later() -> None:
    client = ReadingClient()
    task = await read_first_screen(cast(ConsoleClient, client))
    assert client.queued == [FIRST_SCREEN_ROWS]
    assert not task.done()  # the window is built meanwhile
    client.answer.set()
    assert await task is None
