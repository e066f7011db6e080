"""The live feed reaches the views through the store's live events (no view reads a wire
dict): pages a visitor browses reach the people panel, and every event marks the status bar
synced."""

from __future__ import annotations

from crisp_console.sandbox.server import Sandbox
from crisp_console.ui.console import Console
from tests.e2e.conftest import e2e, until
from tests.e2e.test_keyboard_flow import open_next


@e2e()
async def test_pages_browsed_live_reach_the_people_panel(console: Console,
                                                         sandbox: Sandbox) -> None:
    marks: list[int] = []
    bar = console.panes.status_bar
    mark = bar.mark_synced
    bar.mark_synced = lambda: (marks.append(1), mark())[-1]  # type: ignore[method-assign]
    sid = await open_next(console)
    conv = sandbox.state.conversations[sid]
    pages = console.panes.people.pages
    sandbox.state.sync_pages(conv, [{"page_title": "Live pricing",
                                     "page_url": "https://acme.example/live-pricing",
                                     "page_referrer": "", "timestamp": sandbox.state.clock()}])
    await until(lambda: any("Live pricing" in pages.item(r).text()
                            for r in range(pages.count())), what="the page in the panel")
    assert marks  # that event (at least) marked the console synced
