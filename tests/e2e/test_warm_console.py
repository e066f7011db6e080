"""The whole console over the account's real database file (open_local, as app.py opens it),
against the sandbox on loopback: a second console paints the first one's inbox with Crisp
unreachable, says so, and reconciles when it is back; a reply queued while offline survives
Quit now and goes out exactly once from the next console."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt

from crisp_console.client.local import LocalDatabase, close_local, open_local
from crisp_console.client.local_ports import (
    DatabaseViewMemory,
    LocalStorage,
    OutboxUnsent,
    Reachable,
)
from crisp_console.client.waiting import QueuedError
from crisp_console.credentials import CredentialStore
from crisp_console.sandbox.server import Sandbox
from crisp_console.settings import Preferences
from crisp_console.storage.database import StorageMode
from crisp_console.storage.outbox import Outbox
from crisp_console.ui.console import Console
from tests.client.conftest import make_client, until
from tests.conftest import MemoryKeyring
from tests.e2e.conftest import CANNED, focused, press
from tests.sandbox.conftest import make_config

CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier
SHOTS = Path("/work/wt/i13-wire-shots")
REPLY = "Thanks, I will look into it right away"


def used(sb: Sandbox) -> int:
    """Requests the sandbox has served to the token so far."""
    return int(sb.faults.quota(sb.state.token.identifier)["used"])


async def open_account(sb: Sandbox, root: Path) -> LocalDatabase:
    info = sb.info()
    local = await open_local(root, info["rest"], info["identifier"], CredentialStore())
    assert local.database.mode is StorageMode.ENCRYPTED
    return local


@asynccontextmanager
async def console_on(sb: Sandbox, local: LocalDatabase,
                     tmp_path: Path) -> AsyncIterator[Console]:
    """A console wired as app.py wires it, on ``local``; not started."""
    db = local.database
    client = make_client(sb, database=db, cache=db)
    console = Console(client, prefs=Preferences(), drafts_path=tmp_path / "drafts.json",
                      settings=None, canned=CANNED, database=db, unsent=OutboxUnsent(client),
                      saved=client.saved_data, reachability=Reachable(client),
                      local_data=LocalStorage(client, db, local.notices),
                      view_memory=DatabaseViewMemory(client))
    try:
        console.window.show()
        console.window.activateWindow()
        yield console
    finally:
        await console.aclose()


async def first_console(sb: Sandbox, root: Path, tmp_path: Path) -> set[str]:
    """A cold start on an empty database, one conversation opened, a clean quit; the
    conversations its list showed."""
    local = await open_account(sb, root)
    try:
        async with console_on(sb, local, tmp_path) as console:
            await console.start()
            client = console.client
            await until(lambda: client.catchup.completed >= 1, what="the start-up catch-up")
            model = console.panes.list_pane.model
            sid = model.session_id_at(1)
            console.controller.open(sid)
            await until(lambda: client.store.timeline_loaded(sid), what="its messages")
            return {model.session_id_at(i) for i in range(model.rowCount())}
    finally:
        await close_local(local)


def test_a_warm_console_paints_the_saved_inbox_offline_then_reconciles(
        qloop: qasync.QEventLoop, tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    async def main() -> None:
        sb = Sandbox(make_config())
        await sb.start()
        try:
            root = tmp_path / "accounts"
            shown = await first_console(sb, root, tmp_path)
            await sb.stop()  # no request can reach it now
            served = used(sb)
            local = await open_account(sb, root)
            try:
                async with console_on(sb, local, tmp_path) as console:
                    await console.start()  # a warm start does not fail for want of Crisp
                    panes = console.panes
                    model = panes.list_pane.model
                    assert {model.session_id_at(i) for i in range(model.rowCount())} == shown
                    await until(panes.offline_banner.is_offline, what="the offline banner")
                    assert panes.status_bar.saved_from() is not None
                    assert "saved data" in panes.status_bar.sync_text()
                    sid = console.controller.session_id  # the last view: open, cached
                    assert sid is not None and console.client.store.messages(sid)
                    await until(lambda: panes.thread.view.model().rowCount() > 0,
                                what="its saved messages")
                    SHOTS.mkdir(parents=True, exist_ok=True)
                    console.window.grab().save(str(SHOTS / "warm-offline.png"))

                    await sb.start()  # back, on the same port
                    await until(lambda: console.client.saved_data.reconciled(), timeout=20,
                                what="the reconcile")
                    await until(lambda: not panes.offline_banner.is_offline(),
                                what="the banner to go")
                    assert panes.status_bar.saved_from() is None
                    assert used(sb) > served
            finally:
                await close_local(local)
        finally:
            await sb.stop()

    qloop.run_until_complete(asyncio.wait_for(main(), 90))


# Asking brings the window to the front (raise_()); the offscreen platform cannot, and says so.
@pytest.mark.qt_log_ignore("This plugin does not support raise")
def test_quit_now_keeps_a_queued_reply_and_the_next_console_sends_it_once(
        qloop: qasync.QEventLoop, tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    async def main() -> None:
        sb = Sandbox(make_config())
        await sb.start()
        try:
            root = tmp_path / "accounts"
            local = await open_account(sb, root)
            try:
                async with console_on(sb, local, tmp_path) as console:
                    await console.start()
                    client = console.client
                    await until(lambda: client.catchup.completed >= 1, what="the catch-up")
                    sid = console.panes.list_pane.model.session_id_at(2)
                    await sb.stop()
                    with pytest.raises(QueuedError):
                        await client.replies.send_text(sid, REPLY)
                    assert client.outbox.unsent_count() == 1
                    name = client.store.conversations[sid].nickname
                    assert OutboxUnsent(client).describe() == [(sid, f"Reply to {name}: "
                                                                     "'Thanks, I…'")]
                    quits: list[bool] = []
                    guard = console.quit_guard
                    guard.confirmed.connect(lambda: quits.append(True))
                    await until(lambda: focused() is not None, what="the focus")
                    press(focused(), Qt.Key.Key_Q, CTRL)
                    await until(lambda: guard.asking() and guard.dialog is not None
                                and guard.dialog.isActiveWindow(), what="the question")
                    assert guard.dialog is not None
                    assert guard.dialog.heading.text() == "1 reply or action is not sent yet."
                    press(focused(), Qt.Key.Key_N, ALT)  # Quit now
                    await until(lambda: bool(quits), what="Quit now")
            finally:
                await close_local(local)

            local = await open_account(sb, root)
            try:
                kept = await Outbox(local.database).unsent()
                assert [(i.kind, i.session_id, i.body["content"]) for i in kept] == \
                    [("text", sid, REPLY)]
                await sb.start()
                async with console_on(sb, local, tmp_path) as console:
                    await console.start()
                    client = console.client
                    await until(lambda: client.outbox.unsent_count() == 0, timeout=20,
                                what="the reply to go")
                    on_server = [m for m in sb.state.conversations[sid].messages
                                 if m.content == REPLY]
                    assert len(on_server) == 1
                assert await Outbox(local.database).unsent() == []
            finally:
                await close_local(local)
        finally:
            await sb.stop()

    qloop.run_until_complete(asyncio.wait_for(main(), 90))
