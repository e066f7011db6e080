"""Whether Crisp's REST API can be reached, as the requests found it.

A request whose connection could not be made (refused, no route, DNS, connect timeout) says
"unreachable"; any answer from Crisp, whatever its status, says "reachable". A cut after the
request left, a 5xx or a spent quota say nothing here: Crisp is there, it answered or may
have (the health's other fields speak for those). The client's health reads it (``offline``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from crisp_console.observers import Observed

log = logging.getLogger("crisp_console.api")

ReachObserver = Callable[[bool], None]


class Reach(Observed[[bool]]):
    """Observed: ``callback(offline)`` when it changes."""

    def __init__(self) -> None:
        super().__init__(log, "reach observer")
        self._offline = False

    @property
    def offline(self) -> bool:
        """The last Crisp request could not connect, and none has been answered since."""
        return self._offline

    def answered(self) -> None:
        self._set(False)

    def unreachable(self) -> None:
        self._set(True)

    def _set(self, offline: bool) -> None:
        if offline != self._offline:
            self._offline = offline
            log.info("Crisp %s", "cannot be reached" if offline else "answers again")
            self._observers.notify(offline)
