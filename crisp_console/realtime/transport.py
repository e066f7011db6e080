"""One RTM socket: python-socketio's client, narrowed where Crisp and hostile peers need it.

Three changes, each as small as the library allows:
- the root path: python-engineio wraps the socket path in slashes, so ``/`` (Crisp's documented
  endpoint, ``wss://app.relay.crisp.chat/``) would be requested as ``//``; we request ``/``;
- undecodable frames: python-socketio decodes each frame in a task of its own, so a frame it
  cannot read ends as "Task exception was never retrieved" with a traceback at ERROR. We catch
  it where it is decoded and hand it to ``on_malformed`` instead;
- every frame is seen: aiohttp answers pings and swallows pongs inside ``receive()``, so
  nobody could tell that the relay answered a ping. ``WatchedWebSocket`` (opened with
  ``autoping=False``, through python-engineio's ``websocket_extra_options``) does that work
  itself and calls ``on_frame`` for every frame: the watchdog's proof of life (liveness.py).

- plain events read inline: python-engineio runs every message in a task of its own (a
  task, its steps and callbacks: under qasync each is a Qt timer), so at 500 events/s the
  loop's overhead was most of the feed's cost, and a starved process read its backlog one
  task per event. A socket.io EVENT of the default namespace without an ack id (``2[...``;
  every RTM event) is handled in the read loop itself, while no earlier message's task is
  pending (so the order holds); everything else (connect, acks, binary packets, namespaced
  or acknowledged events) keeps the library's path. The handlers are synchronous
  (handlers.py), so nothing inline awaits. The plain events already read off the socket
  behind it (a starved console reads its backlog in large chunks) are taken there too
  (``WatchedWebSocket.next_text``): the read loop's ``wait_for`` costs a task and a timer per
  frame. The private hooks this rests on (``_receive_packet``, ``_trigger_event(...,
  run_async=)``, ``_binary_packet``, aiohttp's reader ``_buffer``) are pinned by
  tests/realtime/test_inline_events.py.

``probe(url)`` is the reconnect's question to a relay it cannot use yet: one plain GET of the
engine.io path, without an Upgrade.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import engineio
import socketio

from crisp_console.realtime.urls import Answer, probe_url, split_url

__all__ = ["CLOSE_WAIT", "RETRYABLE", "Answer", "WatchedWebSocket", "close_socket",
           "open_socket", "probe", "probe_url", "split_url", "watched"]

log = logging.getLogger("crisp_console.realtime")

# Failures of one connection attempt that a retry may cure.
RETRYABLE = (socketio.exceptions.SocketIOError, aiohttp.ClientError, OSError, TimeoutError)
# How long closing a socket waits for the relay's close frame (python-engineio's default is
# 5 s): a silent relay never sends it, and the next attempt should not wait for it.
CLOSE_WAIT = 2.0

MalformedHandler = Callable[[Exception], None]
_FRAMES = (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.PING,
           aiohttp.WSMsgType.PONG)


class WatchedWebSocket(aiohttp.ClientWebSocketResponse):
    """aiohttp's client websocket that answers pings and takes pongs itself (it is opened
    with ``autoping=False``), so that every frame from the relay reaches ``on_frame``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.on_frame: Callable[[], None] | None = None

    def next_text(self) -> str | None:
        """The next TEXT frame's data when it is already read off the socket (``receive()``
        would return it at once), else None. A peek: the frame stays where it is."""
        buffer = getattr(getattr(self, "_reader", None), "_buffer", None)  # aiohttp's queue
        if not buffer or self.closed:
            return None
        msg = buffer[0][0]
        return msg.data if msg.type is aiohttp.WSMsgType.TEXT and isinstance(msg.data, str) \
            else None

    async def receive(self, timeout: float | None = None) -> aiohttp.WSMessage:  # noqa: ASYNC109 - aiohttp's signature
        while True:
            msg = await super().receive(timeout)
            if msg.type in _FRAMES and self.on_frame is not None:
                self.on_frame()
            if msg.type is aiohttp.WSMsgType.PING:
                with contextlib.suppress(aiohttp.ClientError, OSError):  # closing: no matter
                    await self.pong(msg.data)  # what autoping would have done
            elif msg.type is not aiohttp.WSMsgType.PONG:
                return msg


# A socket.io EVENT (packet type 2) of the default namespace, without an ack id: the
# JSON array follows the type at once (socket.io protocol v5 encoding).
_PLAIN_EVENT = "2["


class _RootPathEngineIO(engineio.AsyncClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.inline: Callable[[Any], bool] | None = None  # which messages may skip the task
        self._tasks: set[asyncio.Task[Any]] = set()  # message tasks not finished yet
        self.inlined = 0  # messages handled in the read loop
        self.tasked = 0  # messages handled in a task of their own
        self.drained = 0  # of the inlined, those taken from the socket's buffer here

    def _inlines(self, pkt: Any) -> bool:
        return (pkt.packet_type == engineio.packet.MESSAGE and not self._tasks
                and self.inline is not None and self.inline(pkt.data))

    async def _receive_packet(self, pkt: Any) -> None:
        if not self._inlines(pkt):
            await super()._receive_packet(pkt)
            return
        self.inlined += 1
        await self._trigger_event("message", pkt.data, run_async=False)
        # The plain events already read behind it, handled here too: the read loop's
        # wait_for would cost a task and a timer each. The rest (pings, acks, a frame
        # that does not decode, a close) is left to the read loop, as it comes.
        ws = getattr(self, "ws", None)
        while isinstance(ws, WatchedWebSocket) and self.state == "connected":
            data = ws.next_text()
            if data is None:
                return
            try:
                pkt = engineio.packet.Packet(encoded_packet=data)
            except Exception:  # noqa: BLE001 - the read loop's own handling applies
                return
            if not self._inlines(pkt):
                return
            msg = await ws.receive()  # that very frame, at once (it is read already)
            if msg.data is not data:  # closing after all: the read loop sees it next
                return
            self.inlined += 1
            self.drained += 1
            await self._trigger_event("message", pkt.data, run_async=False)

    async def _trigger_event(self, event: str, *args: Any, **kwargs: Any) -> Any:
        ret = await super()._trigger_event(event, *args, **kwargs)
        if event == "message" and isinstance(ret, asyncio.Task) and not ret.done():
            self.tasked += 1
            self._tasks.add(ret)  # a later event waits its turn behind it
            ret.add_done_callback(self._tasks.discard)
        return ret

    def _get_engineio_url(self, url: str, engineio_path: str, transport: str) -> str:
        built: str = super()._get_engineio_url(url, engineio_path, transport)
        parts = urlsplit(built)
        if parts.path == "//":  # the root path, wrapped in slashes by the library
            return urlunsplit(parts._replace(path="/"))
        return built


class RtmSocket(socketio.AsyncClient):
    """``socketio.AsyncClient`` that requests a root path as ``/`` and reports bad frames."""

    def __init__(self, *, on_malformed: MalformedHandler, **kwargs: Any) -> None:
        self._on_malformed = on_malformed
        super().__init__(**kwargs)
        if isinstance(self.eio, _RootPathEngineIO):
            self.eio.inline = self._plain_event

    def _plain_event(self, data: Any) -> bool:
        """An event the read loop may handle itself: no binary packet is being assembled
        (its attachments are the next messages), and it is a plain EVENT (``_PLAIN_EVENT``)."""
        return (self._binary_packet is None and isinstance(data, str)
                and data.startswith(_PLAIN_EVENT))

    def _engineio_client_class(self) -> type[engineio.AsyncClient]:
        return _RootPathEngineIO

    async def _handle_eio_message(self, data: Any) -> None:
        try:
            await super()._handle_eio_message(data)
        except Exception as exc:  # noqa: BLE001 - whatever a peer's frame breaks, report it
            self._on_malformed(exc)


def open_socket(connect_timeout: float,
                on_malformed: MalformedHandler) -> tuple[RtmSocket, aiohttp.ClientSession]:
    """A fresh socket with its own session, which ``close_socket`` closes.

    Our own session: engine.io leaves its own one open when a connect is refused (an
    unclosed-session ResourceWarning), and aiohttp's default 300 s timeout would otherwise
    bound the WebSocket handshake. The library's reconnection is off: the gateway owns it.
    """
    session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None,
                                                                  connect=connect_timeout),
                                    ws_response_class=WatchedWebSocket)
    options = {"autoping": False, "timeout": aiohttp.ClientWSTimeout(ws_close=CLOSE_WAIT)}
    sio = RtmSocket(on_malformed=on_malformed, reconnection=False, handle_sigint=False,
                    logger=False, engineio_logger=False, http_session=session,
                    websocket_extra_options=options)
    return sio, session


def watched(sio: socketio.AsyncClient) -> WatchedWebSocket | None:
    """The connected socket's websocket (python-engineio's ``eio.ws``), when it is ours."""
    ws = getattr(sio.eio, "ws", None)
    return ws if isinstance(ws, WatchedWebSocket) else None


async def close_socket(sio: socketio.AsyncClient, session: aiohttp.ClientSession) -> None:
    """Close one attempt's socket fully (also when cancelled midway), then its session."""
    try:
        with contextlib.suppress(*RETRYABLE):
            await sio.shutdown()
            # shutdown() skips a socket whose namespace never connected (Engine.IO is up but
            # the connect was cancelled or timed out); disconnect() closes that one too.
            await sio.disconnect()
            await sio.eio.wait()  # the read loop has ended: no engine.io task outlives us
    finally:
        await session.close()


async def probe(url: str, wait: float) -> Answer:
    """Ask the relay at ``url`` (an RTM URL) one cheap question: GET its engine.io handshake
    without an Upgrade, within ``wait`` seconds. Any status is an answer (engine.io says 400,
    and opens no session); no credentials go, and no REST quota is spent."""
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=wait)) as http, \
                http.get(probe_url(url), allow_redirects=False) as response:
            log.debug("RTM probe answered %d", response.status)
            return Answer.ANSWERED
    except TimeoutError:  # aiohttp's own timeouts are TimeoutErrors too
        return Answer.SILENT
    except (aiohttp.ClientError, OSError, ValueError) as exc:
        log.debug("RTM probe: %s", type(exc).__name__)
        return Answer.REFUSED
