"""The whole inbox (issue 14's scenario): on a sandbox of 300 conversations, every one is
reachable from All by scrolling, the counts say "+" until a view is read to its end, and
a conversation that mentions me is in Mentions at start."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import qasync
from PySide6.QtCore import QModelIndex, Qt

from crisp_console.core.views import Filter
from crisp_console.sandbox.config import Sizes
from crisp_console.ui.console import Console
from tests.client.conftest import FAST, until
from tests.e2e.conftest import focused, press, running_console

SCENARIO = {"sizes": Sizes()}  # 3 websites (one not subscribed), 300 conversations


def tab_text(console: Console, kind: Filter) -> str:
    return console.panes.list_pane.filter_bar.button(kind).text()


async def scroll_to_end(console: Console) -> int:
    """Scroll the list down until nothing more loads; the pages it took."""
    pane = console.panes.list_pane
    model, view, pages = pane.model, pane.view, 0
    while model.canFetchMore(QModelIndex()):
        rows = model.rowCount()
        view.scrollToBottom()
        press(view, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier
              | Qt.KeyboardModifier.AltModifier)
        press(view, Qt.Key.Key_Down)  # past the end: the next page
        await until(lambda rows=rows: model.rowCount() > rows  # type: ignore[misc]
                    or not model.canFetchMore(QModelIndex()), timeout=10.0,
                    what="the next page")
        pages += 1
    return pages


def test_every_conversation_is_reachable_from_all_by_scrolling(
        qloop: qasync.QEventLoop, tmp_path: Path) -> None:
    async def main() -> None:
        async with running_console(tmp_path, sandbox_config=SCENARIO) as (console, sandbox):
            pane = console.panes.list_pane
            pane.set_filter(Filter.ALL)
            pane.flush()
            assert tab_text(console, Filter.ALL).endswith("+")
            assert "at least" in pane.filter_bar.button(Filter.ALL).toolTip()
            await scroll_to_end(console)
            pane.flush()
            state = sandbox.state
            expected = {c.session_id for wid in state.subscribed_website_ids()
                        for c in state.website_conversations(wid) if c.messages}
            assert len(expected) > 250
            assert set(pane.model.session_ids()) == expected
            await until(lambda: tab_text(console, Filter.ALL) == f"All {len(expected)}",
                        what="an exact count")
            assert not pane.footer.isVisible()
    qloop.run_until_complete(asyncio.wait_for(main(), 90))


def test_a_mention_of_me_is_in_mentions_at_start(qloop: qasync.QEventLoop,
                                                 tmp_path: Path) -> None:
    config = dataclasses.replace(FAST, backfill=True, backfill_interval=0.0, backfill_delay=0.0)

    async def main() -> None:
        async with running_console(tmp_path, sandbox_config=SCENARIO,
                                   client_config=config) as (console, sandbox):
            me = console.client.identity.me
            pane = console.panes.list_pane
            state = sandbox.state
            mentioned = {c.session_id for wid in state.subscribed_website_ids()
                         for c in state.website_conversations(wid)
                         if c.messages and me in c.mentions}
            assert mentioned
            press(focused(), Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
            assert pane.filter() is Filter.MENTIONS

            def shown() -> set[str]:
                pane.flush()
                return set(pane.model.session_ids())
            await until(lambda: shown() == mentioned, timeout=15.0, what="every mention")
            await until(lambda: not tab_text(console, Filter.MENTIONS).endswith("+"),
                        timeout=15.0, what="Mentions read to its end")
            assert tab_text(console, Filter.MENTIONS) == f"Mentions {len(mentioned)}"
    qloop.run_until_complete(asyncio.wait_for(main(), 90))


def test_views_follow_live_changes_in_and_out(qloop: qasync.QEventLoop,
                                              tmp_path: Path) -> None:
    """A new mention enters Mentions; a resolve leaves Unresolved and a reopen comes back,
    each with its count, with no request of the list's."""
    async def main() -> None:
        async with running_console(tmp_path, sandbox_config=SCENARIO) as (console, sandbox):
            me = console.client.identity.me
            assert me is not None
            pane = console.panes.list_pane
            state = sandbox.state

            def rows() -> set[str]:
                pane.flush()
                return set(pane.model.session_ids())

            pane.set_filter(Filter.MENTIONS)
            await until(lambda: not pane.paging.footer_state()[0], what="mentions listed")
            outside = next(c for c in state.conversations.values()
                           if c.messages and me not in c.mentions
                           and c.website_id in state.subscribed_website_ids())
            before = pane.counts.count(Filter.MENTIONS)
            state.add_message(outside, type="note", from_="operator", origin="chat",
                              content="@you can you confirm?", user={"user_id": "someone"},
                              mentions=[me])
            await until(lambda: outside.session_id in rows(), what="the mention entering")
            assert pane.counts.count(Filter.MENTIONS) == before + 1

            pane.set_filter(Filter.UNRESOLVED)
            while pane.model.canFetchMore(QModelIndex()) or pane.paging.footer_state()[0]:
                pane.model.fetchMore(QModelIndex())  # read to its end: the count holds still
                await until(lambda: not pane.paging.footer_state()[0], what="a page")
            shown = rows()
            target = next(sid for sid in shown if state.conversations[sid].state != "resolved")
            count = pane.counts.count(Filter.UNRESOLVED)
            state.set_state(state.conversations[target], "resolved")
            await until(lambda: target not in rows(), what="the resolve leaving")
            assert pane.counts.count(Filter.UNRESOLVED) == count - 1
            state.set_state(state.conversations[target], "unresolved")
            await until(lambda: target in rows(), what="the reopen coming back")
            assert pane.counts.count(Filter.UNRESOLVED) == count
    qloop.run_until_complete(asyncio.wait_for(main(), 90))
