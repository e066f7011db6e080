"""Problems a peer can cause, logged once per kind and counted after that.

A hostile or broken RTM peer can send the same bad frame thousands of times a minute; logging
each one (let alone its traceback) would flood the log. The first occurrence of a kind is
logged at WARNING; later ones only raise its counter (and a DEBUG line).

A local stand-in until crisp_console/log.py has its own once-per-kind reporter.
"""

from __future__ import annotations

import collections
import logging
from collections.abc import Mapping

MAX_DETAIL = 160  # characters of a peer-controlled text that reach the log


def brief(exc: BaseException) -> str:
    """``Type: message`` on one line, cut to ``MAX_DETAIL`` characters (the text is the peer's)."""
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return clip(text)


def clip(text: str) -> str:
    flat = text.replace("\r", "\\r").replace("\n", "\\n")
    return flat if len(flat) <= MAX_DETAIL else flat[:MAX_DETAIL] + "…"


class OncePerKind:
    """``report(kind, detail)``: WARNING the first time per kind, then counted."""

    def __init__(self, logger: logging.Logger) -> None:
        self._log = logger
        self._counts: collections.Counter[str] = collections.Counter()

    @property
    def counts(self) -> Mapping[str, int]:
        """How often each kind happened (the first, logged one included)."""
        return self._counts

    def report(self, kind: str, detail: str) -> None:
        self._counts[kind] += 1
        count = self._counts[kind]
        if count == 1:
            self._log.warning("%s: %s (further ones are counted, not logged)", kind, detail)
        else:
            self._log.debug("%s (x%d): %s", kind, count, detail)
