"""One RTM socket: python-socketio's client, narrowed where Crisp and hostile peers need it.

Two changes, each as small as the library allows:
- the root path: python-engineio wraps the socket path in slashes, so ``/`` (Crisp's documented
  endpoint, ``wss://app.relay.crisp.chat/``) would be requested as ``//``; we request ``/``;
- undecodable frames: python-socketio decodes each frame in a task of its own, so a frame it
  cannot read ends as "Task exception was never retrieved" with a traceback at ERROR. We catch
  it where it is decoded and hand it to ``on_malformed`` instead.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import engineio
import socketio

# Failures of one connection attempt that a retry may cure.
RETRYABLE = (socketio.exceptions.SocketIOError, aiohttp.ClientError, OSError, TimeoutError)

MalformedHandler = Callable[[Exception], None]


class _RootPathEngineIO(engineio.AsyncClient):
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
                                                                  connect=connect_timeout))
    sio = RtmSocket(on_malformed=on_malformed, reconnection=False, handle_sigint=False,
                    logger=False, engineio_logger=False, http_session=session)
    return sio, session


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


def split_url(url: str) -> tuple[str, str]:
    """``http://host:port/rtm/`` -> (``http://host:port``, ``/rtm/``): origin and socket path."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https", "ws", "wss") or not parts.netloc:
        raise ValueError(f"not an RTM URL: {url!r}")
    origin = f"{parts.scheme}://{parts.netloc}" + (f"?{parts.query}" if parts.query else "")
    return origin, parts.path or "/"
