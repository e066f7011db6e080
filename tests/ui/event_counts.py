"""Counting the events of one type that widgets receive (paints, layout requests, style
changes): what a test can observe of work Qt did or did not do."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject


class EventCount(QObject):
    """How many ``kind`` events the ``watched`` objects received since it was made."""

    def __init__(self, kind: QEvent.Type, *watched: QObject) -> None:
        super().__init__()
        self.kind = kind
        self.count = 0
        for obj in watched:
            obj.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == self.kind:
            self.count += 1
        return False
