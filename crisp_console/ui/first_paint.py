"""Waiting for a window's first paint.

Qt maps an X window with no background (XCB_BACK_PIXMAP_NONE): from the map until the
first paint reaches the server, a compositing desktop shows that area black, and a
window manager's frame shows whatever was behind it. Start-up therefore lets the event loop
paint the window right after ``show()``, before it does any more work on the main thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import os

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget

FIRST_PAINT_TIMEOUT_S = 1.0  # an unexposed window (minimised, another desktop) never paints


def since_process_start() -> float:
    """Seconds since this process started (the kernel's clock ticks: ±10 ms), for the log's
    start-up line; NaN where /proc is not there."""
    try:
        with open("/proc/self/stat", encoding="ascii") as stat, \
                open("/proc/uptime", encoding="ascii") as uptime:
            started = int(stat.read().rsplit(")", 1)[1].split()[19])
            now = float(uptime.read().split()[0])
        return max(0.0, now - started / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return float("nan")


class _PaintWatch(QObject):
    def __init__(self, window: QWidget, done: asyncio.Future[None]) -> None:
        super().__init__(window)
        self._done = done

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self._done.done():
            # Resolved after this paint returns: the backing store is flushed by then.
            self._done.get_loop().call_soon(self._settle)
        return False

    def _settle(self) -> None:
        if not self._done.done():
            self._done.set_result(None)


async def show_painted(window: QWidget, wait_s: float = FIRST_PAINT_TIMEOUT_S) -> None:
    """``window.show()``, then return once it has painted (or after ``wait_s``)."""
    done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    watch = _PaintWatch(window, done)
    window.installEventFilter(watch)
    try:
        window.show()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done, wait_s)
    finally:
        window.removeEventFilter(watch)
        watch.deleteLater()
