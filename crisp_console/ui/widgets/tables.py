"""The tables of the dialogs (shortcuts, the keymap, canned responses): read-only rows the
keyboard moves through one whole row at a time; whatever edits a row does it beside the
table, not in a cell."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QAbstractItemView, QTableWidget, QWidget


def row_table(parent: QWidget, headers: Sequence[str], *, name: str = "") -> QTableWidget:
    """An empty table with these column ``headers`` (``name``: its accessible name)."""
    table = QTableWidget(0, len(headers), parent)
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().hide()
    if name:
        table.setAccessibleName(name)
    return table
