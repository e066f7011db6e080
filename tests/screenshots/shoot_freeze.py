"""Screenshots of the issue's freeze: ``python -m tests.screenshots.shoot_freeze DIR``, inside
``xvfb-run`` with ``QT_QPA_PLATFORM=xcb``.

The console (the app's default settings) runs against a sandbox in a process of its own,
which is stopped with SIGSTOP: ``freeze-not-responding.png`` (the status bar and the banner,
about 8 s in), ``freeze-tooltip.png`` (the state's tooltip, a screen grab: a tooltip is a
window of its own); then SIGCONT: ``freeze-recovered.png``.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from PySide6.QtCore import QEvent, QPoint
from PySide6.QtGui import QGuiApplication, QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip, QWidget

from crisp_console.client import ClientConfig, ConsoleClient
from crisp_console.client.local_ports import Reachable
from crisp_console.types import Credentials
from crisp_console.ui.console import Console
from crisp_console.ui.theme import Theme
from crisp_console.ui.widgets.status_bar import NOT_RESPONDING
from tests.realtime.frozen import sandbox_process
from tests.screenshots.harness import run_shots


async def until(pred: object, seconds: float, what: str) -> None:
    assert callable(pred)
    for _ in range(int(seconds / 0.05)):
        if pred():
            return
        await asyncio.sleep(0.05)
    raise SystemExit(f"timed out waiting for {what}")


def save(widget: QWidget, path: Path) -> Path:
    if not widget.grab().save(str(path)):
        raise SystemExit(f"could not save {path}")
    return path


async def shoot(out: Path, theme: Theme) -> list[Path]:
    saved: list[Path] = []
    async with sandbox_process() as sandbox:
        info = sandbox.info
        client = ConsoleClient(sandbox.rest, Credentials(info["identifier"], info["key"]),
                               config=ClientConfig(backfill=False))
        console = Console(client, drafts_path=None, settings=None,
                          reachability=Reachable(client))
        try:
            window = console.window
            window.resize(1440, 860)
            window.show()
            await console.start()
            bar = console.panes.status_bar
            await until(lambda: bar.state_label.text() == "● Connected", 10, "Connected")
            console.controller.jump_to(next(iter(client.store.conversations)))
            await asyncio.sleep(1.0)
            sandbox.freeze()
            await until(lambda: bar.state_label.text() == NOT_RESPONDING, 15, "Not responding")
            await asyncio.sleep(1.2)  # "for 8 s" in the tooltip
            bar.refresh()
            saved.append(save(window, out / "freeze-not-responding.png"))
            label = bar.state_label
            pos = QPoint(label.width() // 2, label.height() // 2)
            QApplication.sendEvent(label, QHelpEvent(QEvent.Type.ToolTip, pos,
                                                     label.mapToGlobal(pos)))
            await asyncio.sleep(0.8)
            if "No answer from Crisp" not in QToolTip.text():
                raise SystemExit(f"no tooltip on the state: {QToolTip.text()!r}")
            tips = [w for w in QApplication.topLevelWidgets()
                    if w.objectName() == "qtooltip_label" and w.isVisible()]
            if not tips:
                raise SystemExit("the state's tooltip is not on screen")
            area = window.frameGeometry().united(tips[0].frameGeometry())
            top = max(area.y(), area.bottom() - 220)  # the status bar and the tooltip
            shot = QGuiApplication.primaryScreen().grabWindow(
                0, area.x(), top, area.width(), area.bottom() - top + 1)
            path = out / "freeze-tooltip.png"
            if not shot.save(str(path)):
                raise SystemExit(f"could not save {path}")
            saved.append(path)
            QToolTip.hideText()
            sandbox.thaw()
            await until(lambda: bar.state_label.text() == "● Connected", 15, "Connected again")
            await until(lambda: not console.panes.offline_banner.isVisible(), 15, "no banner")
            await asyncio.sleep(0.5)
            saved.append(save(window, out / "freeze-recovered.png"))
        finally:
            await console.aclose()
    return saved


if __name__ == "__main__":
    raise SystemExit(run_shots(shoot, sys.argv[1:]))
