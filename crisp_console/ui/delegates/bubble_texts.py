"""What the thread's delegate builds from a message's content, cached: its Body
(``content.body_of``) and, for text, the SafeDocument laid out at a wrap width.

Apart from bubble.py, which measures, paints and hit-tests the rows: these are the costly
parts a row is made of, each kept by the message's ``revision`` so that an edit (or a merged
echo) builds them again and nothing else does. Loaded with the thread, after the first frame.
"""

from __future__ import annotations

from collections.abc import Hashable

from PySide6.QtGui import QColor

from crisp_console.core import Message
from crisp_console.present.content import Body, body_of
from crisp_console.ui.delegates import bubble_layout as bl
from crisp_console.ui.delegates.cache import Lru
from crisp_console.ui.delegates.richtext import SafeDocument


def revision(msg: Message) -> Hashable:
    """What a row's height depends on besides width and grouping: its content revision."""
    content = msg.content
    return (msg.type, msg.from_, content if isinstance(content, str) else repr(content),
            msg.status, msg.edited, msg.error)


class BubbleTexts:
    """Bodies by message and revision; laid-out documents by revision, wrap width, font and
    link colour (``document_cache_size`` of them, four times as many bodies)."""

    def __init__(self, document_cache_size: int) -> None:
        self._docs: Lru[Hashable, bl.DocEntry] = Lru(document_cache_size)
        self._bodies: Lru[Hashable, Body] = Lru(document_cache_size * 4)

    def clear_documents(self) -> None:
        """Forget the laid-out documents (the bodies do not depend on width, font or
        palette)."""
        self._docs.clear()

    def body(self, msg: Message) -> Body:
        key = (msg.fingerprint, revision(msg))
        body = self._bodies.get(key)
        if body is None:
            body = body_of(msg.type, msg.content)
            self._bodies.put(key, body)
        return body

    def document(self, msg: Message, body: Body, wrap: int, m: bl.Metrics,
                 link: QColor) -> bl.DocEntry | None:
        if not body.html:
            return None
        key = (msg.fingerprint, revision(msg), wrap, m.key, link.rgba())
        entry = self._docs.get(key)
        if entry is None:
            doc = SafeDocument()
            doc.setDefaultFont(m.font)
            doc.setDefaultStyleSheet(f"a {{ color: {link.name()}; }}")
            doc.setHtml(body.html)
            doc.setTextWidth(wrap)
            width = min(wrap, int(doc.idealWidth()) + 1)
            doc.setTextWidth(width)  # so right-to-left text aligns inside the bubble
            entry = bl.DocEntry(doc, width, int(doc.size().height() + 0.999))
            self._docs.put(key, entry)
        return entry
