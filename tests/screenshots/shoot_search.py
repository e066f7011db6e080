"""Screenshots of searching messages: ``python -m tests.screenshots.shoot_search DIR``.

A sandbox in-process (simulator off), the whole console, Ctrl+Shift+F and "VAT". The local
full-text index is another branch's: here a small stand-in (``SeenIndex``) answers for the
conversations the console has loaded, from the sandbox's messages, with the index's own
snippet marks, so that the pictures show every kind of row: a message found here (its
matches highlighted), one found here and by Crisp, and conversations only Crisp found. One
visitor wrote markup and a right-to-left override around "VAT": it must show as text.

Saves ``search-light.png`` and ``search-dark.png`` (the window, the second result open),
``search-column.png`` (the left column alone, twice as large, to read the rows) and
``search-palette.png`` (Ctrl+K on "VAT", its last row "Search messages for “VAT”").
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest

from crisp_console.client import ConsoleClient
from crisp_console.client.local import close_local, open_local
from crisp_console.credentials import SessionOnlyStore
from crisp_console.sandbox.config import SandboxConfig, Sizes
from crisp_console.sandbox.server import Sandbox
from crisp_console.types import Credentials
from crisp_console.ui.console import Console
from crisp_console.ui.theme import Scheme, Theme
from tests.screenshots.harness import run_shots

HOSTILE = "<b>VAT</b> invoice <img src=file:///etc/passwd> \u202eevil\u202c please"


async def settle(seconds: float = 0.4) -> None:
    await asyncio.sleep(seconds)  # the qasync loop is Qt's: sleeping paints


async def shoot(out: Path, theme: Theme) -> list[Path]:
    sandbox = Sandbox(SandboxConfig(seed=3, sizes=Sizes(), simulator_rate=0.0))
    await sandbox.start()
    info = sandbox.info()
    local = await open_local(None, info["rest"], info["identifier"], SessionOnlyStore())
    client = ConsoleClient(info["rest"], Credentials(info["identifier"], info["key"]),
                           database=local.database, cache=local.database, index=local.search)
    console = Console(client, drafts_path=None, settings=None, database=local.database)
    saved: list[Path] = []
    try:
        window = console.window
        window.resize(1440, 860)
        window.show()
        await console.start()
        store = client.store
        loaded = [sid for sid in store.conversation_ids()[:40]]
        victim = sandbox.state.conversations[loaded[3]]
        sandbox.state.add_message(victim, type="text", from_="user", origin="chat",
                                  content=HOSTILE, user=victim.visitor)
        for sid in loaded:  # read, and so saved and indexed
            await client.loader.open_conversation(sid)
        assert client.persister is not None
        await client.persister.flush()
        window.activateWindow()  # window shortcuts need the active window
        for _ in range(100):
            await settle(0.05)
            if window.isActiveWindow():
                break
        else:
            raise SystemExit("the window never became active")
        QTest.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier
                       | Qt.KeyboardModifier.ShiftModifier)
        pane = console.panes.search
        if not console.panes.left.showing_search():
            raise SystemExit("Ctrl+Shift+F did not show the search")
        QTest.keyClicks(pane.box, "VAT")
        for _ in range(200):
            await settle(0.05)
            if "Crisp found" in pane.status_text():
                break
        else:
            raise SystemExit(f"Crisp's answer never came: {pane.status_text()!r}")
        QTest.keyClick(pane.box, Qt.Key.Key_Down)
        QTest.keyClick(pane.box, Qt.Key.Key_Return)
        await settle(1.0)
        print("search:", pane.status_text(), "| rows:", len(pane.rows()), flush=True)
        if not console.panes.left.showing_search():
            raise SystemExit("the search pane went away when a result opened")
        for scheme, name in ((Scheme.LIGHT, "light"), (Scheme.DARK, "dark")):
            theme.apply(scheme)
            await settle(0.6)
            saved.append(save(window.grab().toImage(), out / f"search-{name}.png"))
        theme.apply(Scheme.LIGHT)
        await settle(0.4)
        column = console.panes.left
        image = column.grab().toImage()
        saved.append(save(image.scaled(image.width() * 2, image.height() * 2,
                                       Qt.AspectRatioMode.KeepAspectRatio,
                                       Qt.TransformationMode.SmoothTransformation),
                          out / "search-column.png"))
        palette = console.panes.palette
        palette.open_switcher("VAT")
        palette.flush()
        QTest.keyClick(palette.line_edit, Qt.Key.Key_Up)  # the last row: search messages
        await settle(0.4)
        saved.append(save(palette.grab().toImage(), out / "search-palette.png"))
        palette.reject()
    finally:
        await console.aclose()
        await close_local(local)
        await sandbox.stop()
    return saved


def save(image: QImage, path: Path) -> Path:
    if not image.save(str(path)):
        raise SystemExit(f"could not save {path}")
    return path


def main(argv: list[str]) -> int:
    return run_shots(shoot, argv)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
