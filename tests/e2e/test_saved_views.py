"""Saved views against the sandbox: a segment and a custom filter, each a server query paged
like the quick filters, shown as a tab and chosen from Ctrl+9."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import qasync
from PySide6.QtCore import QModelIndex, Qt

from crisp_console.core.views import SavedKind, SavedView
from crisp_console.sandbox.config import Sizes
from crisp_console.sandbox.server import Sandbox
from crisp_console.ui.console import Console
from tests.client.conftest import until
from tests.e2e.conftest import focused, press, running_console

SCENARIO = {"sizes": Sizes()}


async def read_all(console: Console) -> set[str]:
    pane = console.panes.list_pane
    while pane.model.canFetchMore(QModelIndex()):
        pane.model.fetchMore(QModelIndex())
        await until(lambda: not pane.paging.footer_state()[0], what="a page")
    pane.flush()
    return set(pane.model.session_ids())


def segment_members(sandbox: Sandbox, segment: str) -> set[str]:
    state = sandbox.state
    return {c.session_id for wid in state.subscribed_website_ids()
            for c in state.website_conversations(wid)
            if c.messages and segment in (c.meta.get("segments") or [])}


def most_used_segment(sandbox: Sandbox) -> str:
    counts: dict[str, int] = {}
    state = sandbox.state
    for wid in state.subscribed_website_ids():
        for c in state.website_conversations(wid):
            for s in c.meta.get("segments") or []:
                counts[s] = counts.get(s, 0) + 1
    return max(counts, key=lambda s: counts[s])


def test_a_segment_view_lists_the_segment_across_pages(qloop: qasync.QEventLoop,
                                                       tmp_path: Path) -> None:
    async def main() -> None:
        async with running_console(tmp_path, sandbox_config=SCENARIO) as (console, sandbox):
            segment = most_used_segment(sandbox)
            expected = segment_members(sandbox, segment)
            view = SavedView("Seg", SavedKind.SEGMENT, segment)
            console.saved_views.add(view)
            pane = console.panes.list_pane
            assert [v.name for v in pane.filter_bar.saved_views()] == ["Seg"]
            pane.show_saved(view)
            assert pane.query() == view.list_query()
            assert await read_all(console) == expected
            await until(lambda: pane.filter_bar.button_for(view).text()
                        == f"Seg {len(expected)}", what="the exact count")
            # Back to a quick filter with the keys; the view stays a tab.
            press(focused(), Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
            assert pane.saved() is None
    qloop.run_until_complete(asyncio.wait_for(main(), 90))


def test_a_custom_filter_view_shows_what_crisp_answers(qloop: qasync.QEventLoop,
                                                       tmp_path: Path) -> None:
    async def main() -> None:
        async with running_console(tmp_path, sandbox_config=SCENARIO) as (console, sandbox):
            segment = most_used_segment(sandbox)
            criteria = [{"criterion": "segments", "operator": "eq", "query": [segment],
                         "model": "session"},
                        {"criterion": "state", "operator": "neq", "query": ["resolved"],
                         "model": "session"}]
            view = SavedView("Open seg", SavedKind.FILTER, json.dumps(criteria), "and")
            console.saved_views.add(view)
            pane = console.panes.list_pane
            pane.show_saved(view)
            shown = await read_all(console)
            state = sandbox.state
            expected = {sid for sid in segment_members(sandbox, segment)
                        if state.conversations[sid].state != "resolved"}
            assert shown == expected
            assert expected
    qloop.run_until_complete(asyncio.wait_for(main(), 90))
