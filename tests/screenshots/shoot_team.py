"""Screenshots of the team controls under a real X server:
``xvfb-run -a -s "-screen 0 1600x1000x24" python -m tests.screenshots.shoot_team DIR``
(QT_QPA_PLATFORM=xcb).

A sandbox in-process (simulator off), a console signed in as "Ada's shop". Saved:
``team-status-online.png`` and ``team-status-away.png`` (the status bar: "Signed in as",
the availability switch, Crisp's availability of me, the connection), ``team-console-menu.png``
(Alt+C: the Console menu's first lines), ``team-switch-menu.png`` (the switch's menu) and
``team-assign-picker.png`` (Ctrl+Shift+A on an assigned conversation: "Unassign (nobody)").
Menus and the palette are windows of their own: those are grabs of the screen.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu, QWidget

from crisp_console.client import ConsoleClient
from crisp_console.sandbox.config import SandboxConfig, Sizes
from crisp_console.sandbox.server import Sandbox
from crisp_console.types import Credentials
from crisp_console.ui.account_info import AccountName
from crisp_console.ui.console import Console
from crisp_console.ui.theme import Theme
from tests.screenshots.harness import run_shots

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


async def settle(seconds: float = 0.4) -> None:
    await asyncio.sleep(seconds)  # the qasync loop is Qt's: sleeping paints


def save_widget(widget: QWidget, path: Path) -> Path:
    if not widget.grab().save(str(path)):
        raise SystemExit(f"could not save {path}")
    return path


def save_screen(rect: QRect, path: Path) -> Path:
    screen = QGuiApplication.primaryScreen()
    shot = screen.grabWindow(0, rect.x(), rect.y(), rect.width(), rect.height())
    if not shot.save(str(path)):
        raise SystemExit(f"could not save {path}")
    return path


async def until(pred: object, what: str) -> None:
    for _ in range(200):
        if callable(pred) and pred():
            return
        await settle(0.05)
    raise SystemExit(f"timed out waiting for {what}")


async def shoot(out: Path, theme: Theme) -> list[Path]:
    sandbox = Sandbox(SandboxConfig(seed=3, sizes=Sizes(), simulator_rate=0.0))
    await sandbox.start()
    info = sandbox.info()
    console = Console(ConsoleClient(info["rest"], Credentials(info["identifier"], info["key"])),
                      drafts_path=None, settings=None,
                      account=AccountName("Ada's shop", "shots"))
    saved: list[Path] = []
    try:
        window = console.window
        window.resize(1440, 860)
        window.show()
        window.activateWindow()
        await console.start()
        client, team = console.client, console.team
        await until(lambda: client.availability.since_ms is not None, "Crisp's availability")
        await settle(0.6)
        bar = window.statusBar()
        saved.append(save_widget(bar, out / "team-status-online.png"))

        # Away here, away in Crisp too (set in "Crisp's app": the sandbox).
        team.availability.set_mode("away")
        me = sandbox.state.operator(client.me or "")
        assert me is not None
        sandbox.state.set_operator_availability(client.websites.ids()[0], me, "away")
        await until(lambda: team.switch.crisp_label.text() == "Crisp: away", "the event")
        bar.clearMessage()
        await settle(0.4)
        saved.append(save_widget(bar, out / "team-status-away.png"))
        print(f"status bar: {team.signed_in_label.text()} | {team.switch.mode_text()} | "
              f"{team.switch.crisp_label.text()}", flush=True)

        # Alt+C: the Console menu, its first lines saying who.
        QTest.keyClick(window, Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)
        await until(lambda: isinstance(QApplication.activePopupWidget(), QMenu), "the menu")
        await settle(0.4)
        menu = QApplication.activePopupWidget()
        assert menu is not None
        area = window.frameGeometry().united(menu.frameGeometry())
        saved.append(save_screen(QRect(area.x(), area.y(), 900, 420),
                                 out / "team-console-menu.png"))
        QTest.keyClick(menu, Qt.Key.Key_Escape)
        await until(lambda: QApplication.activePopupWidget() is None, "the menu to close")

        # The switch's own menu.
        button = team.switch.button
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)  # popup(), no nested loop
        await until(lambda: isinstance(QApplication.activePopupWidget(), QMenu), "its menu")
        await settle(0.4)
        popup = QApplication.activePopupWidget()
        assert popup is not None
        rect = popup.frameGeometry().united(bar.geometry().translated(
            window.mapToGlobal(bar.pos()) - bar.pos()))
        saved.append(save_screen(rect.adjusted(-10, -10, 10, 10),
                                 out / "team-switch-menu.png"))
        QTest.keyClick(popup, Qt.Key.Key_Escape)
        await until(lambda: QApplication.activePopupWidget() is None, "its menu to close")

        # Ctrl+Shift+A on an assigned conversation: Unassign (nobody) is offered.
        store = client.store
        sid = next(s for s in store.conversation_ids()
                   if store.conversations[s].assigned and store.conversations[s].nickname)
        console.controller.jump_to(sid)
        await settle(0.6)
        window.activateWindow()
        await settle(0.2)
        console.panes.composer.editor.setFocus()
        QTest.keyClick(console.panes.composer.editor, Qt.Key.Key_A, CTRL_SHIFT)
        palette = console.panes.palette
        await until(palette.isVisible, "the assign picker")
        palette.flush()
        await settle(0.5)
        if not any(r.item.title == "Unassign (nobody)" for r in palette.results()):
            raise SystemExit("the picker offers no Unassign")
        saved.append(save_screen(window.frameGeometry(), out / "team-assign-picker.png"))
        QTest.keyClick(palette.line_edit, Qt.Key.Key_Escape)
    finally:
        await console.aclose()
        await sandbox.stop()
    return saved


if __name__ == "__main__":
    raise SystemExit(run_shots(shoot, sys.argv[1:]))
