"""The single-shot QTimer every widget here uses (debounces, idle saves, retries), and the
shape a widget may take instead when a test drives its time (``MakeTimer``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, QTimer


class Timer(Protocol):
    """What a widget does with a single-shot timer it was given: start it (again), stop it,
    ask whether it runs."""

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def isActive(self) -> bool: ...  # QTimer's name


MakeTimer = Callable[[QObject, int, Callable[[], None]], Timer]


def single_shot(parent: QObject, interval_ms: int, slot: Callable[[], None]) -> QTimer:
    """A single-shot QTimer owned by ``parent`` that calls ``slot`` ``interval_ms`` after each
    ``start()``; ``start(ms)`` picks another interval for once."""
    timer = QTimer(parent)
    timer.setSingleShot(True)
    timer.setInterval(interval_ms)
    timer.timeout.connect(slot)
    return timer
