"""What the delegate tests share: fixed palettes and the smallest model of core objects."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QStyle

from crisp_console.ui.models import ITEM_ROLE

R = QPalette.ColorRole
LIGHT = {R.Window: "#f4f5f7", R.Base: "#ffffff", R.Text: "#1c1e21", R.WindowText: "#1c1e21",
         R.Highlight: "#1972f5", R.HighlightedText: "#ffffff", R.Link: "#0b5cd6"}
DARK = {R.Window: "#1e2024", R.Base: "#16181b", R.Text: "#e6e8eb", R.WindowText: "#e6e8eb",
        R.Highlight: "#3d8bff", R.HighlightedText: "#ffffff", R.Link: "#7fb2ff"}
ROOT = QModelIndex()


def palette(colours: dict[QPalette.ColorRole, str]) -> QPalette:
    pal = QPalette()
    for role, colour in colours.items():
        pal.setColor(role, QColor(colour))
    return pal


# How the view draws, changed: every kept row or bubble must be painted afresh.
DRAWING_CHANGES = ("width", "font", "palette", "selected")


def drawing_change(change: str, narrower: int) -> tuple[dict[str, Any], QPalette | None]:
    """A cache test's paint arguments for one of DRAWING_CHANGES (``narrower``: the new
    width), and the new palette for "palette" (else None)."""
    if change == "width":
        return {"width": narrower}, None
    if change == "font":
        font = QFont(QApplication.font())
        font.setPointSizeF(font.pointSizeF() + 2)
        return {"font": font}, None
    if change == "palette":
        return {}, palette(DARK)
    if change == "selected":
        return {"state": QStyle.StateFlag.State_Selected}, None
    raise ValueError(change)


class ObjectModel(QAbstractListModel):
    """The smallest model of core objects: ITEM_ROLE only (as the real models provide)."""

    def __init__(self, items: list[Any]) -> None:
        super().__init__()
        self.items = items

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = ROOT) -> int:
        return 0 if parent.isValid() else len(self.items)

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == ITEM_ROLE and index.isValid():
            return self.items[index.row()]
        return None
