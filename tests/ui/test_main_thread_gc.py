"""The app's garbage collection runs on the GUI thread only (ui/main_thread_gc.py)."""

from __future__ import annotations

import gc
from typing import Any

from crisp_console.ui.main_thread_gc import MainThreadGC


class Cycle:
    def __init__(self, freed: list[int] | None = None) -> None:
        self.me, self.freed = self, freed

    def __del__(self) -> None:
        if self.freed is not None:
            self.freed.append(1)


def test_only_the_timer_collects_once_a_threshold_is_passed(qapp: Any) -> None:
    collector = MainThreadGC(interval_ms=10)
    was, old = gc.isenabled(), gc.get_threshold()
    try:
        gc.set_threshold(50, 10, 10)
        gc.collect()
        collector.start()
        assert not gc.isenabled()
        assert collector.check() is None  # nothing past a threshold yet
        freed: list[int] = []
        Cycle(freed)  # garbage only a collection frees
        for _ in range(500):
            Cycle()  # far past generation 0's threshold: the automatic collector would run
        assert freed == []  # it did not: the collector is the timer's, on this thread
        assert collector.check() == 0
        assert freed == [1]
    finally:
        collector.stop()
        gc.set_threshold(*old)
    assert gc.isenabled() == was


def test_full_collections_freeze_their_survivors_and_a_sweep_frees_frozen_garbage(
        qapp: Any) -> None:
    collector = MainThreadGC(interval_ms=10, sweep_every=2)
    was, old = gc.isenabled(), gc.get_threshold()
    try:
        gc.set_threshold(50, 1, 1)
        collector.start()
        freed: list[int] = []
        kept = Cycle(freed)  # alive at the first full collection: frozen with the rest
        while collector.check() != 2:
            Cycle()
        assert collector.full == 1 and gc.get_freeze_count() > 0
        del kept  # garbage now, but frozen: a plain full collection leaves it
        assert freed == []
        while collector.check() != 2:
            Cycle()
        assert collector.full == 2 and freed == [1]  # the sweep walked the frozen ones too
        assert gc.get_freeze_count() > 0  # and froze the survivors again
    finally:
        collector.stop()
        gc.unfreeze()
        gc.set_threshold(*old)
    assert gc.isenabled() == was


def test_freeze_keeps_what_exists_out_of_later_collections(qapp: Any) -> None:
    try:
        gc.unfreeze()
        MainThreadGC.freeze()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
