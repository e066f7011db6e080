"""Garbage collection on the GUI thread only.

Python collects cyclic garbage in whichever thread happens to allocate when a generation's
threshold is crossed. The console has threads that allocate a lot (the database writer
decodes rows for the search index, the search reader builds hits), so a collection could
run there and destroy a Qt object left in a reference cycle: Qt objects must be destroyed
in their own thread ("Timers cannot be stopped from another thread", or a crash). So the
automatic collector is switched off and the same thresholds are checked on a timer of the
GUI thread, as pyqtgraph's GarbageCollector does: a generation is collected when its count
passes its threshold, the youngest ones most often, never more than one per tick.

The oldest generation is the whole heap: with a few thousand conversations loaded, one full
collection took 90-100 ms (scripts/bench_events.py, 5,000 conversations), a stall of the
loop that live events and typing wait behind. So what survives a full collection is frozen
(``gc.freeze``: long-lived by then, the store's rows, the modules, the widgets) and later
ones walk only what came since; ``freeze()`` does the same once start-up has loaded the
inbox. Cyclic garbage among frozen objects waits for a sweep: every ``SWEEP_EVERY``th full
collection unfreezes everything first, so nothing is kept for good.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 100  # a tick collects what 0.1 s allocated: one short pause, not a long one
SWEEP_EVERY = 30  # full collections between two that walk the frozen objects too


class MainThreadGC(QObject):
    """``start()`` turns the automatic collector off and collects from the GUI thread;
    ``stop()`` gives the collector back (also when this object is deleted)."""

    def __init__(self, interval_ms: int = INTERVAL_MS, parent: QObject | None = None, *,
                 sweep_every: int = SWEEP_EVERY) -> None:
        super().__init__(parent)
        self._sweep_every = max(1, sweep_every)
        self.full = 0  # full collections so far
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)
        self._was_enabled = False
        self.destroyed.connect(lambda: gc.enable() if self._was_enabled else None)

    @staticmethod
    def freeze() -> None:
        """Start-up is over: what exists now lives on; no collection need walk it again."""
        gc.freeze()

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
                if generation == 2:
                    self._collect_all()
                else:
                    gc.collect(generation)
                return generation
        return None

    def _collect_all(self) -> None:
        self.full += 1
        if self.full % self._sweep_every == 0:
            gc.unfreeze()  # the sweep: frozen garbage too
        gc.collect(2)
        gc.freeze()  # the survivors are long-lived: the next full collections skip them
