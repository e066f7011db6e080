"""Hostile text and the probes that show whether Qt took it as markup.

``RecordingDocument`` records every resource a QTextDocument asks for; ``render`` lays a
document out and paints it (what loads images). ``assert_inert_tooltip`` reads a tooltip the
way QToolTip does (rich text when ``Qt.mightBeRichText`` says so) and checks that it shows the
visitor's text as text and asks for nothing.
"""

from __future__ import annotations

from typing import Any

from PySide6 import QtGui
from PySide6.QtCore import QUrl
from PySide6.QtGui import QImage, QPainter, QTextDocument

from crisp_console.present.plain import one_line

PASSWD = "<img src=file:///etc/passwd>"
# Markup an operator must see as typed: tags, a link, an image from disk and from the web,
# entities, and a right-to-left override that would reverse what follows it.
HOSTILE = (
    PASSWD,
    "<b>x</b>",
    '<a href="https://evil.example/phish">Your invoice</a>',
    "<img src=https://evil.example/pixel.png> Bob",
    "\u202eevil\u202c <i>name</i>",
    "&lt;b&gt;entity&amp;",
    "<table background=file:///etc/hostname><tr><td>t</td></tr></table>",
)


def might_be_rich_text(text: str) -> bool:
    """Qt's own guess (Qt::mightBeRichText), which tooltips and AutoText labels follow."""
    return bool(QtGui.Qt.mightBeRichText(text))


class RecordingDocument(QTextDocument):
    """Records every resource the document asks for (the probe of the no-load tests)."""

    def __init__(self) -> None:
        super().__init__()
        self.requested: list[str] = []

    def loadResource(self, type: int, name: QUrl | str) -> Any:
        self.requested.append(name.toString() if isinstance(name, QUrl) else str(name))
        return super().loadResource(type, name)


def render(doc: QTextDocument) -> None:
    """Lay the document out and paint it: everything that could trigger a resource load."""
    doc.setTextWidth(300)
    doc.size()
    image = QImage(320, 400, QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QPainter(image)
    doc.drawContents(painter)
    painter.end()


def as_qt_shows(text: str) -> RecordingDocument:
    """``text`` read as a tooltip or an AutoText label reads it, laid out and painted."""
    doc = RecordingDocument()
    if might_be_rich_text(text):
        doc.setHtml(text)
    else:
        doc.setPlainText(text)
    render(doc)
    return doc


def shown_words(doc: QTextDocument) -> str:
    """What a document shows, on one line (paragraphs and line separators made spaces)."""
    return " ".join(doc.toPlainText().split())


def assert_inert_tooltip(tip: str, raw: str) -> None:
    """``tip`` shows ``raw`` (bidi controls dropped) as text, and loads nothing."""
    assert tip, f"no tooltip for {raw!r}"
    doc = as_qt_shows(tip)
    assert doc.requested == [], (tip, doc.requested)
    assert one_line(raw, len(raw)) in shown_words(doc), (tip, shown_words(doc))
    assert "\u202e" not in tip
