"""What the screenshot scripts share: a themed QApplication on a qasync loop running one
``shoot(out, theme)`` coroutine, and the small waits and saves they use."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import qasync
from PySide6.QtWidgets import QApplication

from crisp_console.ui.theme import Scheme, Theme

Shoot = Callable[[Path, Theme], Awaitable[list[Path]]]


def run_shots(shoot: Shoot, argv: list[str]) -> int:
    """``argv[0]``: the folder the pictures go to (artifacts/screenshots by default); prints
    each saved path."""
    out = Path(argv[0] if argv else "artifacts/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("crisp-console")
    theme = Theme(app, forced=Scheme.LIGHT)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        saved = loop.run_until_complete(shoot(out, theme))
    for path in saved:
        print(path, flush=True)
    return 0
