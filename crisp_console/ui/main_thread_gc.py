"""Garbage collection on the GUI thread only.

Python collects cyclic garbage in whichever thread happens to allocate when a generation's
threshold is crossed. The console has threads that allocate a lot (the database writer
decodes rows for the search index, the search reader builds hits), so a collection could
run there and destroy a Qt object left in a reference cycle: Qt objects must be destroyed
in their own thread ("Timers cannot be stopped from another thread", or a crash). So the
automatic collector is switched off and the same thresholds are checked on a timer of the
GUI thread, as pyqtgraph's GarbageCollector does: a generation is collected when its count
passes its threshold, the youngest ones most often, never more than one per tick.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500


class MainThreadGC(QObject):
    """``start()`` turns the automatic collector off and collects from the GUI thread;
    ``stop()`` gives the collector back (also when this object is deleted)."""

    def __init__(self, interval_ms: int = INTERVAL_MS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)
        self._was_enabled = False
        self.destroyed.connect(lambda: gc.enable() if self._was_enabled else None)

    def start(self) -> None:
        if not self._timer.isActive():
            self._was_enabled = gc.isenabled()
            gc.disable()
            self._timer.start()

    def stop(self) -> None:
        if self._timer.isActive():
            self._timer.stop()
            if self._was_enabled:
                gc.enable()

    def check(self) -> int | None:
        """Collect the oldest generation whose count passed its threshold; which one (None:
        none did)."""
        thresholds = gc.get_threshold()
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > thresholds[generation]:
                gc.collect(generation)
                return generation
        return None
