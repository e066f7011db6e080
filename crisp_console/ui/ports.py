"""What several parts of ui/ ask of another object, named once. A protocol only one class
uses is written beside that class (conversation_actions.py, reply_actions.py, …)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from crisp_console.client import Health

if TYPE_CHECKING:  # the palette's module loads with the palette, after the first frame
    from crisp_console.present.palette_sources import PaletteItem


class HealthSource(Protocol):
    """The client's health (client/health.py), and a way to hear it change."""

    @property
    def health(self) -> Health: ...

    def add_health_observer(self, observer: Callable[[Health], None]) -> Callable[[], None]:
        """``observer(health)`` on every change; returns the unsubscribe."""
        ...


class Pick(Protocol):
    """The command palette's ``pick``: the operator chooses one of ``items`` (None: dismissed)."""

    async def __call__(self, title: str, items: Sequence[PaletteItem], *,
                       placeholder: str = "", allow_free_text: bool = False,
                       notice: str = "") -> PaletteItem | None: ...
