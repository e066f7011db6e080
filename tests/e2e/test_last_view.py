"""A console starts where the operator left it: the website scope, the filter and the open
conversation come back from the view memory once the first sync is in; then the operator's
own moves are kept."""

from __future__ import annotations

import asyncio
from pathlib import Path

import qasync

from crisp_console.present.filters import Filter
from crisp_console.sandbox.server import Sandbox
from crisp_console.ui.console import Console
from tests.e2e.conftest import running_console
from tests.ui.test_last_view import FakeMemory


def test_the_last_view_comes_back_at_start(qloop: qasync.QEventLoop, tmp_path: Path) -> None:
    memory = FakeMemory()

    async def remember(_console: Console, sandbox: Sandbox) -> None:
        conv = max(sandbox.state.conversations.values(), key=lambda c: c.updated_at)
        memory.view = {"website": conv.website_id, "filter": "all",
                       "conversation": conv.session_id}

    async def main() -> None:
        async with running_console(tmp_path, remember, parts={"view_memory": memory}) \
                as (console, _sandbox):
            lp = console.panes.list_pane
            assert lp.website_id() == memory.view["website"] and lp.filter() is Filter.ALL
            sid = memory.view["conversation"]
            assert console.controller.session_id == sid
            assert console.panes.thread.session_id() == sid
            assert lp.current_session_id() == sid
            lp.set_website(None)
            assert memory.view == {"website": "", "filter": "all", "conversation": sid}

    qloop.run_until_complete(asyncio.wait_for(main(), 60))
