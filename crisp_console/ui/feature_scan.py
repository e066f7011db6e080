"""PySide6's ``__feature__`` scan, made cheap: called before the console is imported.

Once PySide6 is loaded, every later import runs shiboken's ``feature_imported`` hook, which
asks whether the new module mentions "PySide6" (so that ``from __feature__ import
snake_case`` can apply to it) by ``inspect.getsource``: the whole file read, decoded, split
into lines and kept in ``linecache`` for the life of the process. The console imports about
900 modules after PySide6, so that was a measurable share of its start-up (and memory) for
a feature it does not use.

``install()`` swaps the test for one with the same answer (the source file's bytes contain
"PySide6"; a module without a source file does not), read once and not kept. Anything
unexpected leaves PySide6's own test in place.
"""

from __future__ import annotations

import logging
import sys
from types import ModuleType

import PySide6.QtCore  # noqa: F401 - loads shiboken's support modules, the hook among them

log = logging.getLogger(__name__)

FEATURE_MODULE = "shibokensupport.feature"
MARK = b"PySide6"
SCAN = "_mod_uses_pyside"  # the hook's test, a module global it looks up on each call


def mentions_pyside(module: ModuleType) -> bool:
    """Whether ``module``'s source file contains "PySide6" (False without a source file),
    the answer ``inspect.getsource(module)`` gave PySide6's test."""
    spec = getattr(module, "__spec__", None)
    origin = getattr(spec, "origin", None) or getattr(module, "__file__", None)
    if not isinstance(origin, str) or not origin.endswith(".py"):
        return False
    try:
        with open(origin, "rb") as source:
            return MARK in source.read()
    except OSError:  # no source (a frozen bundle's archive), or unreadable: as getsource
        return False


def install() -> bool:
    """Use ``mentions_pyside`` for the scan; whether it is now in place."""
    feature = sys.modules.get(FEATURE_MODULE)
    if feature is None or not callable(getattr(feature, SCAN, None)):
        log.debug("PySide6's feature scan is not where expected; left as it is")
        return False
    setattr(feature, SCAN, mentions_pyside)
    return True
