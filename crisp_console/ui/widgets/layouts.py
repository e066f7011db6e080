"""Box layouts in one call: the panes stack their parts in columns and rows, edge to edge
unless told otherwise."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QLayout, QVBoxLayout, QWidget

Part = QWidget | QLayout
Item = Part | tuple[Part, int] | int  # (part, stretch); an int alone: a stretch
Margins = tuple[int, int, int, int]
Box = TypeVar("Box", bound=QBoxLayout)


def column(parent: QWidget | None, *items: Item, margins: Margins | None = (0, 0, 0, 0),
           spacing: int | None = None) -> QVBoxLayout:
    """``items`` top to bottom, on ``parent`` (None: a layout to nest); ``margins`` and
    ``spacing`` None keep the style's."""
    return _fill(QVBoxLayout(parent) if parent is not None else QVBoxLayout(), items,
                 margins, spacing)


def row(parent: QWidget | None, *items: Item, margins: Margins | None = (0, 0, 0, 0),
        spacing: int | None = None) -> QHBoxLayout:
    """``items`` left to right (see ``column``)."""
    return _fill(QHBoxLayout(parent) if parent is not None else QHBoxLayout(), items,
                 margins, spacing)


def _fill(layout: Box, items: tuple[Item, ...], margins: Margins | None,
          spacing: int | None) -> Box:
    if margins is not None:
        layout.setContentsMargins(*margins)
    if spacing is not None:
        layout.setSpacing(spacing)
    for item in items:
        if isinstance(item, int):
            layout.addStretch(item)
            continue
        part, stretch = item if isinstance(item, tuple) else (item, 0)
        if isinstance(part, QLayout):
            layout.addLayout(part, stretch)
        else:
            layout.addWidget(part, stretch)
    return layout
