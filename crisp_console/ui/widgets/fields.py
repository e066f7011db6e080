"""One-line inputs of the forms, set up in one call."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit, QWidget


def line_edit(parent: QWidget | None, name: str, placeholder: str = "", *, text: str = "",
              password: bool = False) -> QLineEdit:
    """An input called ``name`` by screen readers, showing ``placeholder`` while empty;
    ``password`` hides what is typed."""
    edit = QLineEdit(text, parent)
    edit.setAccessibleName(name)
    if placeholder:
        edit.setPlaceholderText(placeholder)
    if password:
        edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit
