"""The composer's drafts: a conversation's text and mode kept in the DraftStore on every
change, written to disk at most every ``save_ms`` and at once on ``flush()`` (switching
conversations, closing, quitting)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from crisp_console.storage.drafts import Draft, DraftStore
from crisp_console.ui.timers import single_shot


class DraftKeeper(QObject):
    """Signals:
        changed: the set of conversations with a draft changed.
    """

    changed = Signal()

    def __init__(self, drafts: DraftStore, save_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._drafts = drafts
        self._save_timer = single_shot(self, save_ms, drafts.save)

    def get(self, session_id: str | None) -> Draft | None:
        return self._drafts.get(session_id) if session_id is not None else None

    def put(self, session_id: str, text: str, mode: str) -> None:
        had = self._drafts.get(session_id) is not None
        self._drafts.put(session_id, text, mode)
        if (self._drafts.get(session_id) is not None) != had:
            self.changed.emit()
        if self._drafts.dirty:
            self._save_timer.start()

    def flush(self) -> None:
        self._save_timer.stop()
        self._drafts.save()
