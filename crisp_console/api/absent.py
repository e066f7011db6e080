"""Optional modules that are not installed, remembered as such before httpx is used.

httpcore asks for sniffio on every lock, event and semaphore it sets up (``import sniffio``
inside ``current_async_library``), several times per request, and uses asyncio when the
import fails. Since anyio 4.11 sniffio is no longer installed with it, and Python does not
remember a failed import: each one searched every ``sys.path`` entry again, about 60 us on
the event loop each time here (encode/httpcore#1103, not merged). ``None`` in
``sys.modules`` is Python's own mark for "not importable": the same import then fails at
once, the same way, and httpcore takes the same asyncio path. An installed module is left
alone.
"""

from __future__ import annotations

import importlib.util
import sys

OPTIONAL = ("sniffio",)


def remember_absent(names: tuple[str, ...] = OPTIONAL) -> None:
    for name in names:
        if name not in sys.modules and importlib.util.find_spec(name) is None:
            sys.modules[name] = None  # type: ignore[assignment]  # "not importable"
