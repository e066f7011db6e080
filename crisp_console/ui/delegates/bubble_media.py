"""What the thread delegate needs to show lazily loaded media and to act on a row, without
importing the loader itself (``ui.media.MediaLoader`` satisfies ``MediaSource``). The
placeholder's words and a bubble's first link are present/content.py's."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from PySide6.QtGui import QImage


class MediaSource(Protocol):
    """What the delegate reads of the media loader."""

    def image(self, url: str) -> QImage | None: ...
    def state(self, url: str) -> str: ...
    def request(self, url: str, *, user_asked: bool = False) -> None: ...


@dataclass(frozen=True, slots=True)
class LoadMedia:
    """A click or Enter target: ask the loader for this image, which is not shown yet."""

    url: str
