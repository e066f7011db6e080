"""The one role delegates read: the row's core object (napari's ``ItemRole``).

A delegate asks for this role only and reads the object's fields, instead of querying one
role per field (style-anchors.md §5.2): the models return a ``core.Conversation`` for the
conversation list and a ``core.Message`` for the timeline.
"""

from __future__ import annotations

from PySide6.QtCore import Qt

ITEM_ROLE = Qt.ItemDataRole.UserRole + 1
