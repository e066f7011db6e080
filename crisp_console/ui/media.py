"""Lazy loading of the images and animations shown in thread bubbles.

Remote media is never fetched by painting: the thread pane asks for the media of the rows it
shows (``request``), and only URLs the operator's setup trusts (Crisp's storage hosts, the
connected host) load on their own; any other image waits for the operator to click it or press
Enter on it (``user_asked=True``), since loading a visitor-supplied URL tells its owner that
the conversation was opened, and from where.

The bytes come from ``fetch``, built on ConsoleClient by the window's owner (https only, except
loopback; capped in size; no credentials sent), each load a task of the ui's TaskOwner.
Decoding runs in a worker thread through ``QImageReader``, which reads the header first: images
over ``MAX_PIXELS`` are refused before a pixel is decoded, and the rest are decoded straight
down to the bubble's media box (in the screen's device pixels), so a cached image costs at most
``max_size`` pixels. The cache keeps ``max_items`` images (least recently used go; they load
again when shown).

``Thumbnails`` decodes the composer tray's previews of local files with the same guards: a
small image at once, a large one (more than ``SYNC_PIXELS`` pixels or ``SYNC_BYTES`` bytes)
in a worker thread of its own, so a 40-megapixel photo never freezes the window.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QSize, Qt, Signal
from PySide6.QtGui import QGuiApplication, QImage, QImageReader

from crisp_console.client.tasks import TaskOwner
from crisp_console.ui.delegates.bubble_layout import MEDIA_WIDTH

log = logging.getLogger("crisp_console.ui")

Fetch = Callable[[str], Awaitable[bytes]]

MAX_PIXELS = 40_000_000  # decoded size refused above this (a "decompression bomb")
ALLOCATION_LIMIT_MB = 192  # QImageReader's own guard, below its 256 MB default
MAX_SCALE = 2.0  # device pixels per logical pixel kept at most (200 images: <= 87 MB)

IDLE, LOADING, LOADED, FAILED, BLOCKED = "idle", "loading", "loaded", "failed", "blocked"


class DecodeError(ValueError):
    """The bytes are not an image we show (unreadable, empty, or too large)."""


def box_size(scale: float = 1.0) -> QSize:
    """The bubble's 16:9 media box in device pixels at ``scale`` (the screen's pixel ratio)."""
    width = round(MEDIA_WIDTH * min(max(scale, 1.0), MAX_SCALE))
    return QSize(width, width * 9 // 16)


def screen_scale() -> float:
    """The highest device pixel ratio among the screens (1.0 without a GUI application)."""
    if QGuiApplication.instance() is None:
        return 1.0
    return max((s.devicePixelRatio() for s in QGuiApplication.screens()), default=1.0)


def _reader(data: bytes) -> tuple[QImageReader, QBuffer]:
    """A reader over ``data`` (keep the buffer alive as long as the reader)."""
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    if not buffer.open(QIODevice.OpenModeFlag.ReadOnly):
        raise DecodeError("cannot read the bytes")
    reader = QImageReader(buffer)
    reader.setAllocationLimit(ALLOCATION_LIMIT_MB)
    reader.setAutoTransform(True)  # honour EXIF orientation (phone photos)
    return reader, buffer


def announced_pixels(data: bytes) -> int:
    """The pixel count ``data``'s header announces (0: not an image we read)."""
    try:
        reader, _buffer = _reader(data)
    except DecodeError:
        return 0
    size = reader.size() if reader.canRead() else QSize()
    return max(size.width(), 0) * max(size.height(), 0) if size.isValid() else 0


def decode(data: bytes, max_size: QSize, max_pixels: int = MAX_PIXELS) -> QImage:
    """``data`` decoded (first frame of an animation), scaled down to fit ``max_size``.

    Thread-safe (QImage, not QPixmap). Raises DecodeError instead of decoding an image whose
    header announces more than ``max_pixels`` pixels.
    """
    reader, _buffer = _reader(data)
    if not reader.canRead():
        raise DecodeError("not an image format we read")
    size = reader.size()
    if not size.isValid() or size.isEmpty():
        raise DecodeError("image size unknown")
    if size.width() * size.height() > max_pixels:
        raise DecodeError(f"image too large ({size.width()}x{size.height()})")
    if size.width() > max_size.width() or size.height() > max_size.height():
        reader.setScaledSize(size.scaled(max_size, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    if image.isNull():
        raise DecodeError(reader.errorString() or "decoding failed")
    # The format QPainter draws fastest, converted here rather than on every paint.
    return image.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)


class MediaLoader(QObject):
    """Fetches, decodes and caches bubble media; tells the view when a state changes.

    Signals:
        loaded(str): the URL's image is now available from ``image()``.
        state_changed(str): the URL's ``state()`` changed (any transition, loaded included).
    """

    loaded = Signal(str)
    state_changed = Signal(str)

    def __init__(self, fetch: Fetch | None, *, tasks: TaskOwner, trusted: Callable[[str], bool],
                 max_items: int = 200, max_size: QSize | None = None,
                 max_pixels: int = MAX_PIXELS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fetch = fetch
        self._tasks = tasks
        self._trusted = trusted
        self._max_items = max(1, max_items)
        # Decoded down to the media box, in the device pixels of the sharpest screen.
        self._max_size = QSize(max_size) if max_size is not None else box_size(screen_scale())
        self._max_pixels = max_pixels
        self._images: OrderedDict[str, QImage] = OrderedDict()
        # Loading, failed and blocked URLs; bounded too, since a long session sees many.
        self._states: OrderedDict[str, str] = OrderedDict()
        self._loading: dict[str, asyncio.Task[Any]] = {}  # by URL, to cancel them

    @property
    def enabled(self) -> bool:
        """Whether anything can be loaded at all (no fetcher: placeholders only)."""
        return self._fetch is not None

    def image(self, url: str) -> QImage | None:
        image = self._images.get(url)
        if image is not None:
            self._images.move_to_end(url)
        return image

    def state(self, url: str) -> str:
        if url in self._images:
            return LOADED
        return self._states.get(url, IDLE)

    def set_trusted(self, trusted: Callable[[str], bool]) -> None:
        """Change which URLs load without the operator asking (the images preference)."""
        self._trusted = trusted

    def request(self, url: str, *, user_asked: bool = False) -> None:
        """Load ``url`` if it may load: trusted, or the operator asked for it. Otherwise mark
        it blocked. A failed URL is tried again only when the operator asks."""
        if self._fetch is None or not url:
            return
        state = self.state(url)
        if state in (LOADED, LOADING) or (state == FAILED and not user_asked):
            return
        if not user_asked and not self._trusted(url):
            self._set_state(url, BLOCKED)
            return
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            log.debug("no event loop: media not loaded: %.200s", url)
            return
        task = self._tasks.spawn(self._load(url, self._fetch), f"media {url[:80]}")
        if task is not None:  # None: the console is closing
            self._loading[url] = task
            self._set_state(url, LOADING)

    def cancel(self) -> None:
        """Stop every load in flight (on shutdown); their URLs go back to idle."""
        for url, task in list(self._loading.items()):
            task.cancel()
            self._states.pop(url, None)
        self._loading.clear()

    def clear(self) -> None:
        """Forget every image and state (e.g. after signing out)."""
        self.cancel()
        self._images.clear()
        self._states.clear()

    async def _load(self, url: str, fetch: Fetch) -> None:
        try:
            data = await fetch(url)
            image = await asyncio.to_thread(decode, data, self._max_size, self._max_pixels)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - any fetch or decode failure: "unavailable"
            log.info("image not loaded (%s): %.200s", exc, url)
            self._loading.pop(url, None)
            self._set_state(url, FAILED)
            return
        self._loading.pop(url, None)
        self._states.pop(url, None)
        self._images[url] = image
        while len(self._images) > self._max_items:
            self._images.popitem(last=False)
        self.state_changed.emit(url)
        self.loaded.emit(url)

    def _set_state(self, url: str, state: str) -> None:
        self._states[url] = state
        self._states.move_to_end(url)
        if len(self._states) > self._max_items * 4:
            # The oldest failed or blocked URL goes; loads in flight are never forgotten.
            old = next((u for u, s in self._states.items() if s != LOADING), None)
            if old is not None:
                del self._states[old]
        self.state_changed.emit(url)


SYNC_PIXELS = 1_000_000  # decoded on the GUI thread at most (a few ms)
SYNC_BYTES = 2 * 1024 * 1024


class Thumbnails(QObject):
    """Previews of local images, decoded down to ``box`` (device pixels).

    Signals:
        ready(int, object): the key's preview, a QImage, or None when the bytes are no image
            we show (broken, hostile, too large): the caller shows a file card instead.
    """

    ready = Signal(int, object)

    def __init__(self, box: QSize, *, max_pixels: int = MAX_PIXELS,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._box = QSize(box)
        self._max_pixels = max_pixels
        # The worker pool, made on the first large image; shut down with this object (the
        # slot holds the list, not self, so it still runs while self is being destroyed).
        self._pool: list[concurrent.futures.ThreadPoolExecutor] = []
        pool = self._pool
        self.destroyed.connect(lambda *_: _shut_down(pool))

    def start(self, key: int, data: bytes) -> bool:
        """Decode ``data``'s preview; True when ``ready`` was already emitted (small
        images), False when a worker thread emits it later."""
        pixels = announced_pixels(data)
        if pixels == 0 or pixels > self._max_pixels:
            self.ready.emit(key, None)
            return True
        if pixels <= SYNC_PIXELS and len(data) <= SYNC_BYTES:
            self.ready.emit(key, self._decode(data))
            return True
        if not self._pool:
            self._pool.append(concurrent.futures.ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="thumbnails"))
        self._pool[0].submit(self._in_worker, key, data)
        return False

    def _decode(self, data: bytes) -> QImage | None:
        try:
            return decode(data, self._box, self._max_pixels)
        except DecodeError as exc:
            log.info("no preview: %s", exc)
            return None

    def _in_worker(self, key: int, data: bytes) -> None:
        image = self._decode(data)
        # Queued to the GUI thread, where this object lives; deleted meanwhile (the window
        # closed): nobody is waiting.
        with contextlib.suppress(RuntimeError):
            self.ready.emit(key, image)


def _shut_down(pool: list[concurrent.futures.ThreadPoolExecutor]) -> None:
    while pool:
        pool.pop().shutdown(wait=False, cancel_futures=True)
