"""Closing a console: every task of the ui (here an async command still waiting) belongs to its
one task owner, which is cancelled and awaited before the client closes."""

from __future__ import annotations

import asyncio
from pathlib import Path

import qasync

from crisp_console.ui.console import Console
from tests.client.conftest import until
from tests.e2e.conftest import running_console


def test_closing_cancels_and_awaits_the_ui_tasks_before_the_client_closes(
        qloop: qasync.QEventLoop, tmp_path: Path) -> None:
    seen: list[str] = []

    async def main() -> Console:
        async with running_console(tmp_path) as (console, _sandbox):
            client_closed = console.client.aclose

            async def closing_client() -> None:
                seen.append("client closes")
                await client_closed()

            console.client.aclose = closing_client  # type: ignore[method-assign]

            async def waiting() -> None:
                seen.append("command waits")
                try:
                    await asyncio.Event().wait()  # a command that has not finished
                except asyncio.CancelledError:
                    seen.append("command cancelled")
                    raise

            console.registry.set_handler("team.canned", waiting)
            assert console.registry.run("team.canned")
            # it runs, and waits (other ui tasks, e.g. the badge's bus connection, may run too)
            await until(lambda: seen == ["command waits"], what="the command to wait")
            assert len(console.tasks) >= 1
        return console

    console = qloop.run_until_complete(asyncio.wait_for(main(), 60))
    assert seen == ["command waits", "command cancelled", "client closes"]
    assert len(console.tasks) == 0

    async def after() -> None:
        assert console.registry.run("team.canned")  # a closed console's command
        assert len(console.tasks) == 0  # never starts
        await asyncio.sleep(0)

    qloop.run_until_complete(after())
    assert seen == ["command waits", "command cancelled", "client closes"]
