"""The RTM socket handles plain events in its read loop (transport.py): a burst read in one
go reaches the sink in order without a task per event; what is not a plain event keeps
python-socketio's own path; and the library hooks this rests on are still there."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import aiohttp
import engineio
import pytest
import socketio

from crisp_console.realtime import transport
from crisp_console.sandbox.server import Sandbox
from tests.realtime.conftest import GatewayFactory, settle, subscribed

pytestmark = pytest.mark.asyncio
BURST = 300


@contextmanager
def message_tasks() -> Iterator[list[str]]:
    """The names of the coroutines of tasks the loop creates that handle one engine.io
    message (python-socketio's ``_handle_eio_message``, or engine.io's wrapper of it), or
    read one frame (the read loop's ``wait_for(ws.receive())``)."""
    loop = asyncio.get_running_loop()
    made: list[str] = []
    before = loop.get_task_factory()

    def factory(lp: asyncio.AbstractEventLoop, coro: Any, **kw: Any) -> asyncio.Future[Any]:
        name = getattr(coro, "__qualname__", "")
        if "_handle_eio_message" in name or "async_handler" in name or name.endswith(
                "WebSocket.receive"):
            made.append(name)
        return asyncio.Task(coro, loop=lp, **kw)

    loop.set_task_factory(factory)
    try:
        yield made
    finally:
        loop.set_task_factory(before)


async def test_a_burst_reaches_the_sink_in_order_without_a_task_per_event(
        sandbox: Sandbox, make_gateway: GatewayFactory) -> None:
    website = subscribed(sandbox)[0]
    gw, rec = make_gateway(events=["website:update_visitors_count"])
    await gw.connect(sandbox.rtm_url, [website])
    assert sandbox.rtm is not None
    [sid] = sandbox.rtm.clients
    with message_tasks() as made:
        # Queued at once: the server's writer sends them back to back, the client reads
        # many in one go (as a starved console reads its backlog).
        await asyncio.gather(*(sandbox.rtm.sio.emit(
            "website:update_visitors_count", {"website_id": website, "visitors_count": count},
            to=sid) for count in range(BURST)))
        await rec.until(lambda: len(rec.events) >= BURST)
        await settle(sandbox)
    assert [p["visitors_count"] for _, p in rec.events] == list(range(BURST))
    handled = [n for n in made if "eio_message" in n or "async_handler" in n]
    assert len(handled) <= 1  # the barrier's call (an ack): the library's own path
    # Frames already read behind an event are taken there, not one wait_for task each.
    reads = [n for n in made if n.endswith("receive")]
    assert len(reads) < BURST // 2  # 2 here; one per frame (301) before


async def test_what_is_not_a_plain_event_keeps_the_librarys_path_and_the_order(
        sandbox: Sandbox, make_gateway: GatewayFactory) -> None:
    website = subscribed(sandbox)[0]
    gw, rec = make_gateway(events=["website:update_visitors_count"])
    await gw.connect(sandbox.rtm_url, [website])
    assert sandbox.rtm is not None
    [sid] = sandbox.rtm.clients
    answered: list[Any] = []
    with message_tasks() as made:
        for count in range(20):
            # An event that asks an ack (an id in the packet) among plain ones, as a peer may.
            await sandbox.rtm.sio.emit("website:update_visitors_count",
                                       {"website_id": website, "visitors_count": count}, to=sid,
                                       callback=(lambda *a: answered.append(a))
                                       if count % 5 == 0 else None)
        await rec.until(lambda: len(rec.events) >= 20)
        await settle(sandbox)
    assert [p["visitors_count"] for _, p in rec.events] == list(range(20))
    assert len(made) >= 4  # each acknowledged one in a task of its own
    assert len(answered) == 4  # and acknowledged, as before


async def test_the_library_hooks_inline_events_rest_on() -> None:
    """If python-engineio/socketio change these private hooks, transport.py must follow."""
    receive = inspect.getsource(engineio.AsyncClient._receive_packet)  # noqa: SLF001
    assert "self._trigger_event('message', pkt.data, run_async=True)" in receive
    trigger = inspect.getsource(engineio.AsyncClient._trigger_event)  # noqa: SLF001
    assert "run_async = kwargs.pop('run_async', False)" in trigger
    assert "return task" in trigger  # the message task is returned: we track it
    sio = transport.RtmSocket(on_malformed=lambda exc: None)
    assert isinstance(sio.eio, transport._RootPathEngineIO)  # noqa: SLF001
    assert sio.eio.handlers["message"] == sio._handle_eio_message  # noqa: SLF001
    assert sio._binary_packet is None  # noqa: SLF001
    assert sio.packet_class(encoded_packet='2["a",{"b":1}]').packet_type \
        == socketio.packet.EVENT
    assert sio.packet_class(encoded_packet='2["a",{"b":1}]').id is None
    assert sio.eio.inline is not None
    assert sio.eio.inline('2["a",{}]') and not sio.eio.inline('21["a",{}]')
    assert not sio.eio.inline('2/chat,["a",{}]') and not sio.eio.inline('3["a"]')
    assert not sio.eio.inline(b'2["a"]')
    # aiohttp's websocket keeps frames read off the socket in its reader's deque of
    # (message, size): next_text() peeks at it.
    from aiohttp._websocket.reader import WebSocketDataQueue  # the one in use (C or Python)
    from aiohttp.base_protocol import BaseProtocol

    assert "self._reader = reader" in inspect.getsource(aiohttp.ClientWebSocketResponse)
    queue = WebSocketDataQueue(BaseProtocol(asyncio.get_running_loop()), 2**16,
                               loop=asyncio.get_running_loop())
    queue.feed_data(aiohttp.WSMessage(aiohttp.WSMsgType.TEXT, '2["a",{}]', None), 9)
    assert queue._buffer[0][0].data == '2["a",{}]'  # noqa: SLF001
