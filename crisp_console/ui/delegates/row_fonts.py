"""The fonts of a list row (conversation.py's and search_hit.py's delegates): the view's font,
its bold, italic, small and tiny variants and their metrics, derived once per view font."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontMetrics

from crisp_console.ui.delegates import painting as pt


class RowFonts:
    """The fonts and metrics of a row, derived once per view font; ``serial`` tells one set
    from the next (a row painted with other fonts is not reused)."""

    __slots__ = ("bold", "bold_fm", "fm", "font", "italic", "italic_fm", "serial", "small",
                 "small_bold", "small_bold_fm", "small_fm", "tiny")
    _made = 0

    def __init__(self, font: QFont) -> None:
        RowFonts._made += 1
        self.serial = RowFonts._made
        self.font = QFont(font)
        self.fm = QFontMetrics(font)
        self.bold = pt.scaled_font(font, 1.0, bold=True)
        self.bold_fm = QFontMetrics(self.bold)
        self.italic = pt.scaled_font(font, 1.0, italic=True)
        self.italic_fm = QFontMetrics(self.italic)
        self.small = pt.scaled_font(font, 0.85)
        self.small_fm = QFontMetrics(self.small)
        self.small_bold = pt.scaled_font(font, 0.85, bold=True)
        self.small_bold_fm = QFontMetrics(self.small_bold)
        self.tiny = pt.scaled_font(font, 0.7)
