"""Searching messages in the whole console against the sandbox, keyboard only: Ctrl+Shift+F,
"VAT" lists every conversation Crisp finds (many never loaded), Enter opens one while the
results stay, Esc goes back to the list and Ctrl+Shift+F brings the same results back; the
Ctrl+K palette's "Search messages for …" row opens the search on its text.

The local index is not on this branch (client.search.index is None): the rows here are
Crisp's, which is what "server search finds one never loaded" asks."""

from __future__ import annotations

import asyncio
from pathlib import Path

import qasync
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from crisp_console.client.local import close_local, open_local
from crisp_console.credentials import SessionOnlyStore
from crisp_console.present.search_rows import CRISP
from crisp_console.sandbox.config import Sizes
from crisp_console.sandbox.server import Sandbox
from crisp_console.ui.console import Console
from tests.client.conftest import until
from tests.client.test_search import mentions_vat
from tests.e2e.conftest import focused, press, running_console

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
SCENARIO = {"sizes": Sizes()}  # 3 websites (one not subscribed), 300 conversations


def vat_conversations(sandbox: Sandbox) -> set[str]:
    state = sandbox.state
    return {c.session_id for wid in state.subscribed_website_ids()
            for c in state.website_conversations(wid) if c.messages and mentions_vat(c)}


async def search_for(console: Console, text: str) -> None:
    pane = console.panes.search
    press(focused(), Qt.Key.Key_F, CTRL | SHIFT)
    assert console.panes.left.showing_search() and focused() is pane.box
    QTest.keyClicks(pane.box, text)
    await until(lambda: pane.status_text().startswith("Crisp found"), timeout=10.0,
                what="Crisp's answer")


def test_ctrl_shift_f_vat_lists_crisps_conversations_and_enter_opens_one(
        qloop: qasync.QEventLoop, tmp_path: Path) -> None:
    async def main() -> None:
        async with running_console(tmp_path, sandbox_config=SCENARIO) as (console, sandbox):
            expected = vat_conversations(sandbox)
            loaded_before = set(console.client.store.conversations)
            assert expected - loaded_before  # some were never loaded
            pane = console.panes.search
            await search_for(console, "VAT")
            rows = pane.rows()
            assert {r.session_id for r in rows} == expected
            assert all(r.sources == (CRISP,) for r in rows)
            assert pane.status_text() == f"Crisp found {len(expected)}"
            first = pane.current_row()
            assert first is not None and first == rows[0]
            press(pane.box, Qt.Key.Key_Down)
            chosen = pane.current_row()
            assert chosen is not None and chosen == rows[1]
            press(pane.box, Qt.Key.Key_Return)
            await until(lambda: console.controller.session_id == chosen.session_id,
                        what="Enter to open the result")
            assert console.panes.thread.session_id() == chosen.session_id
            # Crisp named only the conversation: it opens at its newest message with "VAT".
            finder = console.panes.thread.finder
            await until(lambda: finder.flashing is not None, what="the message revealed")
            store = console.client.store
            revealed = store.message(chosen.session_id, finder.flashing or 0)
            assert revealed is not None and "vat" in str(revealed.content).casefold()
            # Opened to reply to it (issue 15); Ctrl+Shift+F goes back into the box.
            assert console.panes.left.showing_search()
            assert focused() is console.panes.composer.editor
            press(focused(), Qt.Key.Key_F, CTRL | SHIFT)
            assert focused() is pane.box
            # F6 goes around the panes from the search, and back to it.
            press(pane.box, Qt.Key.Key_Tab)
            assert focused() is pane.view
            press(pane.view, Qt.Key.Key_F6)
            assert focused() is console.panes.thread.view
            press(focused(), Qt.Key.Key_F6, SHIFT)
            assert focused() is pane.box
            press(pane.box, Qt.Key.Key_F6)  # from the thread, Ctrl+Shift+F: into the box
            press(focused(), Qt.Key.Key_F, CTRL | SHIFT)
            assert console.panes.left.showing_search() and focused() is pane.box
            # Esc: the list, the conversation still open; Ctrl+Shift+F: the same results.
            press(pane.box, Qt.Key.Key_Escape)
            assert not console.panes.left.showing_search()
            assert focused() is console.panes.list_pane.view
            assert console.controller.session_id == chosen.session_id
            requests = console.client.api.requests_by_purpose()["search"]
            press(focused(), Qt.Key.Key_F, CTRL | SHIFT)
            assert console.panes.left.showing_search() and pane.box.text() == "VAT"
            assert pane.rows() == rows and pane.current_row() == chosen
            assert console.client.api.requests_by_purpose()["search"] == requests
            # Alt+Down steps through the results and opens them.
            press(focused(), Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
            await until(lambda: console.controller.session_id == rows[2].session_id,
                        what="Alt+Down to open the next result")
    qloop.run_until_complete(asyncio.wait_for(main(), 90))


def test_the_palette_offers_to_search_messages_for_its_text(
        qloop: qasync.QEventLoop, tmp_path: Path) -> None:
    async def main() -> None:
        async with running_console(tmp_path, sandbox_config=SCENARIO) as (console, sandbox):
            palette = console.panes.palette
            press(focused(), Qt.Key.Key_K, CTRL)
            await until(palette.line_edit.hasFocus, what="the palette")
            QTest.keyClicks(palette.line_edit, "VAT")
            palette.flush()
            last = palette.results()[-1].item
            assert (last.kind, last.key, last.title) == ("search", "VAT",
                                                         "Search messages for “VAT”")
            press(palette.line_edit, Qt.Key.Key_Up)  # from the first row to the last
            assert palette.current_item() == last
            press(palette.line_edit, Qt.Key.Key_Return)
            pane = console.panes.search
            await until(lambda: pane.status_text().startswith("Crisp found"), timeout=10.0,
                        what="Crisp's answer")
            assert console.panes.left.showing_search() and pane.box.text() == "VAT"
            assert {r.session_id for r in pane.rows()} == vat_conversations(sandbox)
    qloop.run_until_complete(asyncio.wait_for(main(), 90))


def test_a_saved_message_is_found_here_and_opens_scrolled_to_it(
        qloop: qasync.QEventLoop, tmp_path: Path) -> None:
    """The local index (in the account's database, in memory here): a message read weeks
    ago, 90 messages up its thread, is found here, and Enter opens its conversation scrolled
    to it, flashed (loading its context from Crisp: tests/client/test_reveal.py)."""
    async def main() -> None:
        local = await open_local(None, "http://127.0.0.1", "e2e", SessionOnlyStore())
        parts = {"database": local.database, "cache": local.database, "index": local.search}
        try:
            async with running_console(tmp_path, client_parts=parts) as (console, sandbox):
                state, client = sandbox.state, console.client
                conv = state.conversations[next(iter(client.store.conversations))]
                old = state.add_message(conv, type="text", from_="user", origin="chat",
                                        content="The Quokkafjord parcel is lost",
                                        user=conv.visitor,
                                        timestamp=state.clock() - 21 * 86_400_000)
                for n in range(90):  # later chatter: the old message is far up the thread
                    state.add_message(conv, type="text", from_="user", origin="chat",
                                      content=f"any news? {n}", user=conv.visitor)
                await client.loader.open_conversation(conv.session_id)
                while not client.store.at_history_start(conv.session_id):
                    await client.loader.load_older(conv.session_id)
                assert client.persister is not None
                await client.persister.flush()  # saved, and indexed in the same write

                pane = console.panes.search
                press(focused(), Qt.Key.Key_F, CTRL | SHIFT)
                QTest.keyClicks(pane.box, "quokkafjord")
                await until(lambda: pane.status_text().startswith("1 found here"),
                            timeout=10.0, what="the local hit")
                row = pane.current_row()
                assert row is not None and row.fingerprint == old.fingerprint
                press(pane.box, Qt.Key.Key_Return)
                finder = console.panes.thread.finder
                await until(lambda: finder.flashing == old.fingerprint, timeout=10.0,
                            what="the message revealed")
                view = console.panes.thread.view
                row = console.panes.thread.model.row_of(old.fingerprint)
                rect = view.visualRect(console.panes.thread.model.index(row, 0))
                assert view.viewport().rect().intersects(rect)  # scrolled to it
        finally:
            await close_local(local)
    qloop.run_until_complete(asyncio.wait_for(main(), 90))
