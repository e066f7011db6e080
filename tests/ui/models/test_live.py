"""The models fed by a real ConsoleClient against the sandbox, with its simulator running.

The test loop is plain asyncio; Qt's events (the coalescing timers) are processed while the
test waits, as qasync would in the app.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QAbstractItemModel, QCoreApplication

from crisp_console.client import ConsoleClient
from crisp_console.core import MessageStatus, Store
from crisp_console.present.filters import Filter
from crisp_console.sandbox.server import Sandbox
from crisp_console.types import Credentials
from crisp_console.ui.models import (
    ITEM_ROLE,
    ConversationFilterProxy,
    ConversationListModel,
    FilterCounts,
    MessageRole,
    TimelineModel,
)
from tests.client.conftest import FAST
from tests.present.seeded import recount
from tests.sandbox.conftest import sandbox  # noqa: F401 - the fixture
from tests.ui.conftest import SignalLog

pytestmark = pytest.mark.asyncio
Attach = Callable[[QAbstractItemModel], Any]


async def pump(app: QCoreApplication, seconds: float = 0.0,
               until: Callable[[], bool] | None = None, what: str = "") -> None:
    """Run the loop and Qt's events for ``seconds``, or until ``until()`` (10 s at most)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + (seconds if until is None else 10.0)
    while until is None or not until():
        app.processEvents()
        if loop.time() > deadline:
            if until is None:
                return
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.005)


def ids_of(model: QAbstractItemModel) -> list[Any]:
    return [model.index(r, 0).data(ITEM_ROLE) for r in range(model.rowCount())]


async def test_models_follow_a_live_client(sandbox: Sandbox, qapp: Any,  # noqa: F811
                                           qtmodeltester: Any, live_tester: Attach) -> None:
    store = Store()
    info = sandbox.info()
    client = ConsoleClient(info["rest"], Credentials(info["identifier"], info["key"]),
                           config=FAST, store=store)
    merged = ConversationListModel(store)
    exact = ConversationListModel(store, coalesce=False)
    unresolved = ConversationFilterProxy(merged)
    unresolved.set_filter(Filter.UNRESOLVED)
    timeline = TimelineModel(store)
    counts = FilterCounts(store)
    models: list[QAbstractItemModel] = [merged, exact, unresolved, timeline]
    logs = {id(m): SignalLog(m) for m in models}
    for model in models:
        qtmodeltester.check(model)
        live_tester(model)
    await client.start()
    try:
        await pump(qapp, until=lambda: not merged.pending, what="the first flush")
        assert merged.session_ids() == exact.session_ids() == store.conversation_ids()
        assert store.conversation_count() > 10

        # A conversation with history: its first page is one insert range.
        sid = next(s for s in store.conversation_ids()
                   if len(sandbox.state.conversations[s].messages) > 3
                   and store.conversations[s].state != "resolved")
        timeline.bind(sid)
        await client.loader.open_conversation(sid)
        await pump(qapp, until=lambda: not timeline.pending, what="the history page")
        count = store.message_count(sid)
        assert logs[id(timeline)].of("rowsInserted") == [(0, count - 1)]

        # The simulator's visitors, and a visitor message on the bottom row.
        sandbox.simulator.set_rate(40)
        bottom = store.conversation_ids()[-1]
        conv = sandbox.state.conversations[bottom]
        sandbox.state.add_message(conv, type="text", from_="user", origin="chat",
                                  content="moving up", user=conv.visitor)
        await pump(qapp, until=lambda: store.conversations[bottom].last_message == "moving up",
                   what="the visitor message")
        await pump(qapp, 1.0)
        assert merged.row_of(bottom) == store.row_of(bottom) < store.conversation_count() - 1
        assert logs[id(merged)].of("rowsMoved")

        # A reply shows PENDING, then SENT (the sandbox answers 150 ms late).
        sandbox.faults.update({"latency_ms": 150})
        sending = asyncio.create_task(client.replies.send_text(sid, "hello from the console"))

        def reply_status() -> Any:
            row = next((r for r in range(timeline.rowCount())
                        if timeline.message_at(r).content == "hello from the console"), None)
            return None if row is None else timeline.index(row).data(MessageRole.STATUS)

        await pump(qapp, until=lambda: reply_status() is MessageStatus.PENDING,
                   what="the pending reply")
        await sending
        await pump(qapp, until=lambda: reply_status() is MessageStatus.SENT, what="SENT")
        sandbox.faults.update({"latency_ms": 0})

        # Resolving takes the row out of Unresolved.
        assert sid in [c.session_id for c in ids_of(unresolved)]
        await client.commands.resolve(sid)
        await pump(qapp, until=lambda: not merged.pending, what="the resolve")
        assert sid not in [c.session_id for c in ids_of(unresolved)]

        sandbox.simulator.set_rate(0)
        await pump(qapp, 0.5)
        for model in (merged, timeline):
            model.flush()
        assert merged.session_ids() == exact.session_ids() == store.conversation_ids()
        assert [c.session_id for c in ids_of(unresolved)] == [
            s for s in store.conversation_ids() if store.conversations[s].state != "resolved"]
        assert [m.fingerprint for m in timeline.messages()] == [
            m.fingerprint for m in store.messages(sid)]
        assert counts.counts() == recount(store, None)
        for model in models:
            qtmodeltester.check(model)
        seen = logs[id(exact)].counts()
        assert seen["rowsInserted"] and seen["rowsMoved"] and seen["dataChanged"]
        assert len(logs[id(merged)]) < len(logs[id(exact)])
    finally:
        sandbox.simulator.set_rate(0)
        await client.aclose()
