"""The lazy media loader: trusted URLs load by themselves, others wait for the operator;
failures and oversized images end as "failed" without decoding a pixel too many."""

from __future__ import annotations

import asyncio
import struct
import zlib
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize
from PySide6.QtGui import QColor, QImage, QImageWriter

from crisp_console.client.tasks import TaskOwner
from crisp_console.present.content import media_hint
from crisp_console.ui.media import (
    BLOCKED,
    FAILED,
    IDLE,
    LOADED,
    LOADING,
    MAX_PIXELS,
    DecodeError,
    MediaLoader,
    decode,
)

pytestmark = pytest.mark.usefixtures("qapp")

TRUSTED = "https://storage.crisp.chat/u/photo.png"
OTHER = "https://tracker.example/pixel.png"
LATER = "https://storage.crisp.chat/u/later.png"  # trusted: loads by itself


def png_bytes(width: int = 80, height: int = 40, colour: str = "#3d8bff") -> bytes:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor(colour))
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    assert QImageWriter(buffer, QByteArray(b"png")).write(image)
    return bytes(buffer.data().data())


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width``x``height`` pixels; its pixel data is one row."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" + b"\x00" * 3 * min(width, 64))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", pixels)
            + chunk(b"IEND", b""))


class Fetcher:
    """An in-memory fetch coroutine: bytes per URL, or an exception; records calls."""

    def __init__(self, answers: dict[str, bytes | Exception]) -> None:
        self.answers = answers
        self.calls: list[str] = []

    async def __call__(self, url: str) -> bytes:
        self.calls.append(url)
        await asyncio.sleep(0)
        answer = self.answers[url]
        if isinstance(answer, Exception):
            raise answer
        return answer


def trusted_host(url: str) -> bool:
    return url.startswith("https://storage.crisp.chat/")


async def settle(loader: MediaLoader, url: str) -> str:
    """Wait until ``url`` is no longer loading (the decode runs in a worker thread)."""
    for _ in range(500):
        if loader.state(url) != LOADING:
            return loader.state(url)
        await asyncio.sleep(0.005)
    raise AssertionError(f"{url} still loading")


def recorder(signal: Any) -> list[str]:
    seen: list[str] = []
    signal.connect(seen.append)
    return seen


@pytest.mark.asyncio
async def test_trusted_url_loads_by_itself_scaled_to_the_media_box() -> None:
    fetch = Fetcher({TRUSTED: png_bytes(1600, 900)})
    loader = MediaLoader(fetch, tasks=TaskOwner(), trusted=trusted_host, max_size=QSize(440, 248))
    loaded = recorder(loader.loaded)
    assert loader.state(TRUSTED) == IDLE and loader.image(TRUSTED) is None
    loader.request(TRUSTED)
    assert loader.state(TRUSTED) == LOADING
    loader.request(TRUSTED)  # a second request while loading fetches nothing more
    assert await settle(loader, TRUSTED) == LOADED
    assert fetch.calls == [TRUSTED] and loaded == [TRUSTED]
    image = loader.image(TRUSTED)
    assert image is not None
    assert image.width() <= 440 and image.height() <= 248
    assert abs(image.width() / image.height() - 16 / 9) < 0.02  # aspect kept
    assert image.pixelColor(5, 5) == QColor("#3d8bff")
    loader.request(TRUSTED)
    assert fetch.calls == [TRUSTED]  # cached


@pytest.mark.asyncio
async def test_untrusted_url_is_blocked_until_the_operator_asks() -> None:
    fetch = Fetcher({OTHER: png_bytes(), LATER: png_bytes()})
    loader = MediaLoader(fetch, tasks=TaskOwner(), trusted=trusted_host)
    states = recorder(loader.state_changed)
    loader.request(OTHER)
    assert loader.state(OTHER) == BLOCKED and fetch.calls == []
    assert states == [OTHER]
    loader.request(OTHER)  # asking again on its own still loads nothing...
    loader.request(LATER)
    assert await settle(loader, LATER) == LOADED
    assert fetch.calls == [LATER]  # ...or its fetch would have come before this later one
    assert loader.state(OTHER) == BLOCKED
    loader.request(OTHER, user_asked=True)
    assert await settle(loader, OTHER) == LOADED
    assert fetch.calls == [LATER, OTHER]
    image = loader.image(OTHER)
    assert image is not None and image.size() == QSize(80, 40)  # small images stay as they are


@pytest.mark.asyncio
async def test_failed_fetch_is_unavailable_and_retried_only_when_asked() -> None:
    fetch = Fetcher({TRUSTED: OSError("404 not found")})
    loader = MediaLoader(fetch, tasks=TaskOwner(), trusted=trusted_host)
    loaded = recorder(loader.loaded)
    loader.request(TRUSTED)
    assert await settle(loader, TRUSTED) == FAILED
    loader.request(TRUSTED)
    fetch.answers[LATER] = png_bytes()
    loader.request(LATER)
    assert await settle(loader, LATER) == LOADED
    # Not retried by itself: its fetch would have come before this later one.
    assert fetch.calls == [TRUSTED, LATER] and loader.state(TRUSTED) == FAILED
    fetch.answers[TRUSTED] = png_bytes()
    loader.request(TRUSTED, user_asked=True)
    assert await settle(loader, TRUSTED) == LOADED
    assert fetch.calls == [TRUSTED, LATER, TRUSTED] and loaded == [LATER, TRUSTED]


@pytest.mark.asyncio
@pytest.mark.parametrize("data", [
    png_header_only(8000, 6000),  # 48 Mpx: refused from the header alone
    b"<svg onload=alert(1)>",
    b"",
    png_bytes()[:40],  # cut short after the header
])
async def test_unusable_bytes_fail(data: bytes) -> None:
    fetch = Fetcher({TRUSTED: data})
    loader = MediaLoader(fetch, tasks=TaskOwner(), trusted=trusted_host)
    loader.request(TRUSTED)
    assert await settle(loader, TRUSTED) == FAILED
    assert loader.image(TRUSTED) is None


def test_decode_refuses_by_header_before_decoding() -> None:
    with pytest.raises(DecodeError, match="too large"):
        decode(png_header_only(10_000, 10_000), QSize(440, 248))
    with pytest.raises(DecodeError, match="too large"):
        decode(png_header_only(8000, 6000), QSize(440, 248))  # 48 Mpx > MAX_PIXELS
    assert 8000 * 6000 > MAX_PIXELS > 6000 * 6000
    # A lower limit refuses a real image as well.
    with pytest.raises(DecodeError, match="too large"):
        decode(png_bytes(200, 200), QSize(440, 248), max_pixels=100 * 100)
    assert decode(png_bytes(200, 200), QSize(100, 100)).size() == QSize(100, 100)


@pytest.mark.asyncio
async def test_cache_keeps_max_items_images() -> None:
    urls = [f"https://storage.crisp.chat/{i}.png" for i in range(3)]
    fetch = Fetcher({url: png_bytes() for url in urls})
    loader = MediaLoader(fetch, tasks=TaskOwner(), trusted=trusted_host, max_items=2)
    for url in urls:
        loader.request(url)
        assert await settle(loader, url) == LOADED
    assert loader.state(urls[0]) == IDLE and loader.image(urls[0]) is None
    assert all(loader.state(url) == LOADED for url in urls[1:])
    loader.request(urls[0])  # shown again: loads again
    assert await settle(loader, urls[0]) == LOADED
    assert fetch.calls.count(urls[0]) == 2


@pytest.mark.asyncio
async def test_without_a_fetcher_nothing_loads() -> None:
    loader = MediaLoader(None, tasks=TaskOwner(), trusted=lambda _url: True)
    loader.request(TRUSTED, user_asked=True)
    assert loader.state(TRUSTED) == IDLE and not loader.enabled


def test_request_without_an_event_loop_leaves_the_url_idle() -> None:
    fetch = Fetcher({TRUSTED: png_bytes()})
    loader = MediaLoader(fetch, tasks=TaskOwner(), trusted=trusted_host)
    loader.request(TRUSTED)
    assert loader.state(TRUSTED) == IDLE and fetch.calls == []


@pytest.mark.asyncio
async def test_cancel_stops_loads_in_flight() -> None:
    gate = asyncio.Event()
    ended: list[str] = []

    async def slow(url: str) -> bytes:
        try:
            await gate.wait()
        except asyncio.CancelledError:
            ended.append("cancelled")
            raise
        ended.append("fetched")
        return png_bytes()

    fetch: Callable[[str], Any] = slow
    loader = MediaLoader(fetch, tasks=TaskOwner(), trusted=trusted_host)
    loader.request(TRUSTED)
    assert loader.state(TRUSTED) == LOADING
    await asyncio.sleep(0)  # the load is in its fetch
    loader.cancel()
    gate.set()  # a load left running would now fetch
    for _ in range(100):
        if ended:
            break
        await asyncio.sleep(0)
    assert ended == ["cancelled"]
    assert loader.state(TRUSTED) == IDLE and loader.image(TRUSTED) is None


def test_placeholder_hints_say_what_a_click_does() -> None:
    assert media_hint(BLOCKED, "file") == ("Click or press Enter to load image", True)
    assert media_hint(BLOCKED, "animation") == ("Click or press Enter to load animation", True)
    assert media_hint(FAILED, "file") == ("Image unavailable", False)
    assert media_hint(LOADING, "file") == ("Loading…", False)
    assert media_hint(IDLE, "file") == ("", False)
