"""What the thread delegate needs to show lazily loaded media and to act on a row, without
importing the loader itself (``ui.media.MediaLoader`` satisfies ``MediaSource``)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtGui import QImage

from crisp_console.ui.delegates.content import Body
from crisp_console.ui.delegates.richtext import allowed_link

# Only our own markup is searched (content.py and richtext.py write every <a href>), so a
# pattern is enough; the result is checked with allowed_link again anyway.
_HREF = re.compile(r'<a href="([^"]*)">')

_HINTS = {
    "loading": ("Loading…", False),
    "blocked": ("Click or press Enter to load {kind}", True),
    "failed": ("{Kind} unavailable", False),
}


class MediaSource(Protocol):
    """What the delegate reads of the media loader."""

    def image(self, url: str) -> QImage | None: ...
    def state(self, url: str) -> str: ...
    def request(self, url: str, *, user_asked: bool = False) -> None: ...


@dataclass(frozen=True, slots=True)
class LoadMedia:
    """A click or Enter target: ask the loader for this image, which is not shown yet."""

    url: str


def media_hint(state: str, kind: str) -> tuple[str, bool]:
    """The placeholder's second line for a loader ``state``, and whether it names an action
    (painted in the link colour)."""
    text, actionable = _HINTS.get(state, ("", False))
    noun = "animation" if kind == "animation" else "image"
    return text.format(kind=noun, Kind=noun.capitalize()), actionable


def first_link(body: Body) -> str | None:
    """The first URL a bubble would open: its media's, else the first link of its text."""
    if body.target and allowed_link(body.target):
        return body.target
    for found in _HREF.finditer(body.html):
        url = html.unescape(found.group(1))
        if allowed_link(url):
            return url
    return None
