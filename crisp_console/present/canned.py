"""A canned response: the ``!shortcut`` reply the composer offers (console-ux.md (b)).

A value only; ui/canned.py reads the bundled file of them, and the client's team settings
hold each website's own.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CannedResponse:
    """One reply the operator inserts with ``!shortcut``.

    Attributes:
        shortcut: what follows ``!`` (lowercase letters, digits, ``_`` and ``-``).
        title: what the popup shows beside the shortcut.
        text: the reply inserted in the composer (plain text).
        locale: the language it is written in ("en", "fr"), when it is not the default.
    """

    shortcut: str
    title: str
    text: str
    locale: str | None = None
