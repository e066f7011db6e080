"""The thread's bubbles kept as pixmaps, as the conversation list keeps its rows.

A message to the open conversation lays the thread out again and Qt repaints its whole
viewport: every bubble in view drew its rich text, rounded frame, header and footer again,
2.5-5 ms in all (scripts/bench_events.py, the open conversation getting messages), so the
frames that brought one were the longest of the live feed. A bubble whose paint would be the
same is now one blit. The key (bubble.py ``_shot_key``) holds everything a paint reads: the
content revision, the footer's parts (time, ticks, state), the header's name, the grouping,
the day label, the size, the font, the palette, the selection and the device pixel ratio.

Not kept: bubbles with an image (it loads later) or a highlight (a find's marks, a flash),
and bubbles taller than ``MAX_HEIGHT``; at most ``BUDGET_BYTES`` of pixmaps, least recently
used first out. The pixmap starts from the viewport's ground (Base), so a blit is the very
pixels of a paint.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtWidgets import QStyle, QStyleOptionViewItem

from crisp_console.core import Message

MAX_HEIGHT = 600  # logical px: taller bubbles (long messages) are painted each time
BUDGET_BYTES = 24 * 1024 * 1024


def shot_key(option: QStyleOptionViewItem, msg: Message, revision: Hashable,
             footer: list[tuple[str, str]], placed: tuple[Any, ...],
             dpr: float) -> tuple[Any, ...]:
    """Everything a bubble's paint reads, as one comparable tuple: the content ``revision``,
    the time and the header's name, the ``footer``'s parts, where it is ``placed`` (the
    grouping, the banner, the day label, the font) and how it is drawn."""
    return (revision, msg.timestamp, msg.nickname, msg.automated, tuple(footer), placed,
            option.rect.width(), option.rect.height(), option.palette.cacheKey(),
            bool(option.state & QStyle.StateFlag.State_Selected), dpr)


class BubbleShots:
    """Pixmaps by message fingerprint, each with the key it was painted for."""

    def __init__(self, budget_bytes: int = BUDGET_BYTES) -> None:
        self._budget = budget_bytes
        self._entries: OrderedDict[int, tuple[Hashable, QPixmap, int]] = OrderedDict()
        self._bytes = 0
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, fingerprint: object) -> bool:
        return fingerprint in self._entries

    @property
    def bytes(self) -> int:
        return self._bytes

    def shot(self, fingerprint: int, key: Hashable, rect: QRect, dpr: float, ground: QColor,
             paint: Callable[[QPainter], None]) -> QPixmap:
        """The pixmap of ``rect`` for ``key``: the kept one, or ``paint`` (on a painter
        whose coordinates are the view's) on ``ground``, then kept."""
        kept = self._entries.get(fingerprint)
        if kept is not None and kept[0] == key:
            self.hits += 1
            self._entries.move_to_end(fingerprint)
            return kept[1]
        self.misses += 1
        width, height = max(1, round(rect.width() * dpr)), max(1, round(rect.height() * dpr))
        pixmap = QPixmap(width, height)
        pixmap.setDevicePixelRatio(dpr)
        pixmap.fill(ground)
        painter = QPainter(pixmap)
        try:
            painter.translate(-rect.left(), -rect.top())
            paint(painter)
        finally:
            painter.end()
        self._put(fingerprint, key, pixmap, width * height * 4)
        return pixmap

    def _put(self, fingerprint: int, key: Hashable, pixmap: QPixmap, cost: int) -> None:
        self.drop(fingerprint)
        self._entries[fingerprint] = (key, pixmap, cost)
        self._bytes += cost
        while self._bytes > self._budget and len(self._entries) > 1:
            _fp, (_key, _pixmap, old) = self._entries.popitem(last=False)
            self._bytes -= old

    def drop(self, fingerprint: int) -> None:
        """Forget one message's pixmap (it changed, or the row above it did)."""
        kept = self._entries.pop(fingerprint, None)
        if kept is not None:
            self._bytes -= kept[2]

    def clear(self) -> None:
        self._entries.clear()
        self._bytes = 0
