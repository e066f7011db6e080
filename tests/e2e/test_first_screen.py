"""The first frame from the account's real database (open_local, as app.py opens it): the
top of the list is read first and painted, the whole cache replaces it after, and the tabs
count only the whole cache; a filter that the top does not fill reads the whole cache first.
Against the sandbox on loopback (the first console fills the database)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import qasync

from crisp_console.client.local import close_local
from crisp_console.client.local_ports import DatabaseViewMemory
from crisp_console.client.tasks import TaskOwner
from crisp_console.present.filters import Filter
from crisp_console.sandbox.server import Sandbox
from crisp_console.ui import first_frame
from crisp_console.ui.default_commands import build_registry
from crisp_console.ui.first_frame import (
    build_first_frame,
    fills_the_screen,
    show_cached_first,
    show_cached_rest,
)
from tests.client.conftest import make_client
from tests.conftest import MemoryKeyring
from tests.e2e.test_warm_console import first_console, open_account
from tests.sandbox.conftest import make_config


def ids(frame: first_frame.FirstFrame) -> list[str]:
    model = frame.list_pane.model
    return [model.session_id_at(i) for i in range(model.rowCount())]


def all_tab(frame: first_frame.FirstFrame) -> str:
    return frame.list_pane.filter_bar.button(Filter.ALL).text()


async def warm_frame(sb: Sandbox, tmp_path: Path, rows: int,
                     monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """A second start's first frame (before the paint), then with the rest of the cache."""
    root = tmp_path / "accounts"
    await first_console(sb, root, tmp_path)
    monkeypatch.setattr(first_frame, "FIRST_SCREEN_ROWS", rows)
    local = await open_account(sb, root)
    client = make_client(sb, database=local.database, cache=local.database)
    frame = build_first_frame(client, build_registry(single_key=False, tasks=TaskOwner()),
                              settings=None, saved=client.saved_data)
    try:
        frame.window.show()
        await show_cached_first(frame, client, DatabaseViewMemory(client).get)
        out = {"first": ids(frame), "stored": len(client.store.conversations),
               "tab": all_tab(frame), "fills": fills_the_screen(frame.list_pane),
               "saved_from": frame.status_bar.saved_from()}
        await show_cached_rest(frame, client)
        frame.list_pane.flush()
        out.update(after=ids(frame), tab_after=all_tab(frame),
                   total=len(client.store.conversations),
                   counted=frame.list_pane.counts.count(Filter.ALL))
        return out
    finally:
        frame.list_pane.detach()
        frame.window.hide()  # not close(): the last window closed would end the loop
        frame.window.deleteLater()
        await client.aclose()
        await close_local(local)


def run(qloop: qasync.QEventLoop, tmp_path: Path, rows: int,
        monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    async def main() -> dict[str, Any]:
        sb = Sandbox(make_config())
        await sb.start()
        try:
            return await warm_frame(sb, tmp_path, rows, monkeypatch)
        finally:
            await sb.stop()

    return qloop.run_until_complete(asyncio.wait_for(main(), 90))


# The offscreen platform does not pass size hints on to a window manager, and says so.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def test_the_top_of_the_list_first_then_the_whole_cache(
        qloop: qasync.QEventLoop, tmp_path: Path, memory_keyring: MemoryKeyring,
        monkeypatch: pytest.MonkeyPatch) -> None:
    out = run(qloop, tmp_path, 30, monkeypatch)
    assert out["stored"] == 30 < out["total"]  # only the top was read before the paint
    assert out["fills"] and out["first"]
    assert out["first"] == out["after"][:len(out["first"])]  # the whole list's top, as is
    assert out["tab"] == "All …"  # no count of a part of the inbox
    assert out["saved_from"] is not None  # "showing saved data from …" from the first frame
    assert out["tab_after"] == f"All {out['counted']}" and out["counted"] > 30


def test_a_filter_the_top_does_not_fill_reads_the_whole_cache_first(
        qloop: qasync.QEventLoop, tmp_path: Path, memory_keyring: MemoryKeyring,
        monkeypatch: pytest.MonkeyPatch) -> None:
    out = run(qloop, tmp_path, 2, monkeypatch)  # two rows never fill a screen
    assert out["stored"] == out["total"] > 2
    assert out["first"] == out["after"]
    assert out["tab"] == out["tab_after"] == f"All {out['counted']}"
