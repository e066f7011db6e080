"""Fonts relative to a widget's own: a caption at 90 % of the base size, a bold heading, a
bigger title, which follow the base when the font size changes at run time.

A widget given a font of its own (``setFont``) stops inheriting its parent's size, so a label
made at 90 % of the size at start-up would stay at that size after Preferences → Font size.
``RelativeFonts(owner)`` keeps such fonts derived from ``owner``'s font: it re-derives them,
and runs the owner's other size-dependent updates (fixed heights, avatars), whenever the
owner's font changes. The owner's font itself follows the application's (theme.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QWidget

from crisp_console.ui.delegates.painting import scaled_font

# Qt's style sheet remembers each widget's font the first time it styles the widget, and puts
# it back whenever the sheet is set again (theme.py sets it again on every scheme or size
# change); setFont() updates that memory only for a widget with a sheet of its own. This is
# the property it is kept in (the same name in Qt 5 and 6).
SHEET_FONT = "_q_styleSheetWidgetFont"


def set_font(widget: QWidget, font: QFont) -> None:
    """``widget.setFont(font)``, kept when the style sheet is set again."""
    widget.setFont(font)
    if widget.property(SHEET_FONT) is not None:
        widget.setProperty(SHEET_FONT, font)


class Scale(NamedTuple):
    factor: float
    bold: bool
    italic: bool


class RelativeFonts(QObject):
    def __init__(self, owner: QWidget) -> None:
        super().__init__(owner)
        self._owner = owner
        self._fonts: dict[int, tuple[QWidget, Scale]] = {}
        self._hooks: list[Callable[[QFont], None]] = []
        owner.installEventFilter(self)

    def set(self, widget: QWidget, factor: float = 1.0, *, bold: bool = False,
            italic: bool = False) -> None:
        """Give ``widget`` the owner's font times ``factor``, now and after every change."""
        key = id(widget)
        if key not in self._fonts:
            widget.destroyed.connect(lambda _obj=None, key=key: self._fonts.pop(key, None))
        scale = Scale(factor, bold, italic)
        self._fonts[key] = (widget, scale)
        set_font(widget, self.font(factor, bold=bold, italic=italic))

    def font(self, factor: float = 1.0, *, bold: bool = False, italic: bool = False) -> QFont:
        """The owner's font times ``factor`` (for painting)."""
        return scaled_font(self._owner.font(), factor, bold=bold, italic=italic)

    def on_change(self, hook: Callable[[QFont], None]) -> None:
        """Call ``hook(owner's new font)`` after each change (fonts already re-derived)."""
        self._hooks.append(hook)

    def refresh(self) -> None:
        base = self._owner.font()
        for widget, scale in list(self._fonts.values()):
            set_font(widget, scaled_font(base, scale.factor, bold=scale.bold,
                                         italic=scale.italic))
        for hook in self._hooks:
            hook(base)

    # ---- Qt overrides ------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._owner and event.type() == QEvent.Type.FontChange:
            self.refresh()
        return False
