"""Text from the wire, shown by Qt as text and never as markup.

Visitor names and messages, contacts, operator and website names, team settings and server
messages are hostile by default. Qt guesses by itself whether some strings are rich text: a
tooltip (``setToolTip``, ``ToolTipRole``, QToolTip), a QLabel or a QMessageBox left in
``AutoText`` is parsed as HTML when ``Qt.mightBeRichText`` finds a tag near its start, and
then ``<img src=file:…>`` is loaded (on Windows a ``file://host/share`` path even opens an SMB
connection). The rules in ui/, which tests/ui/test_plain_text.py checks site by site:

- a QLabel that can show such text is ``Qt.TextFormat.PlainText``;
- a tooltip that can show it is ``tooltip_html(text)``: escaped and wrapped in a tag of ours,
  so Qt always reads it as rich text that holds nothing but text;
- a button's text goes through ``no_mnemonic()``: an ``&`` stays visible and binds no Alt+key;
- a one-line label goes through ``one_line()``: explicit bidi controls are dropped, so
  "\u202eevil" cannot repaint the app's own text next to it as "live".

QPainter.drawText, the item views' default painting, window titles, QLineEdit, the status
bar's messages and QAction texts interpret no markup, so they need nothing but ``one_line``.
Message bubbles are rich text on purpose: present/richtext.py escapes them, and
ui/delegates/richtext.py lays them out in a document that loads no resource.
"""

from __future__ import annotations

import html
from typing import Any

# Explicit embeddings, overrides and isolates (LRE RLE PDF LRO RLO, LRI RLI FSI PDI).
BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
TOOLTIP_LIMIT = 2000


def one_line(text: Any, limit: int = 300) -> str:
    """``text`` for a one-line label: a string (else ""), at most ``limit`` characters of it,
    whitespace runs (newlines included) made one space, bidi controls removed."""
    if not isinstance(text, str):
        return ""
    return " ".join(text[:limit].translate(BIDI_CONTROLS).split())


def tooltip_html(text: Any, limit: int = TOOLTIP_LIMIT) -> str:
    """``text`` (a string, else nothing) as a tooltip that can only be plain text: escaped,
    bidi controls removed, line breaks kept, cut at ``limit`` characters with "…"; "" for no
    text (no tooltip)."""
    if not isinstance(text, str) or not text:
        return ""
    cut = text[:limit] + ("…" if len(text) > limit else "")
    body = html.escape(cut.translate(BIDI_CONTROLS), quote=False)
    return f"<p style='white-space:pre-wrap'>{body}</p>"


def no_mnemonic(text: str) -> str:
    """``text`` for a button or chip: each ``&`` doubled, so Qt shows it instead of taking
    it as the mark of an Alt+key shortcut."""
    return text.replace("&", "&&")
