"""Screenshots of a desktop notification drawn by a real daemon, and of Preferences →
Notifications saying what works there: ``python -m tests.screenshots.shoot_notify DIR``.

Starts its own desktop (tests/desktop_session.py): a private session bus, Xvfb and dunst, no
tray. The console runs on that X screen (xcb) against a sandbox in-process; the operator is
in another window when a visitor writes twice, so dunst shows one notification, updated.
The whole screen is grabbed through Qt (the root window: dunst's popup is another client's),
as ``notification.png``; then ``notification-prefs.png``, the Notifications tab once the
probe has answered.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

OUT = Path(sys.argv[1] if len(sys.argv) > 1 else "artifacts/screenshots")


async def settle(seconds: float = 0.4) -> None:
    await asyncio.sleep(seconds)  # the qasync loop is Qt's: sleeping paints


async def shoot(out: Path) -> list[Path]:
    from PySide6.QtWidgets import QApplication, QLabel

    from crisp_console.client import ConsoleClient
    from crisp_console.sandbox.config import SandboxConfig, Sizes
    from crisp_console.sandbox.server import Sandbox
    from crisp_console.types import Credentials
    from crisp_console.ui.console import Console
    from crisp_console.ui.widgets.preferences_dialog import PreferencesDialog

    sandbox = Sandbox(SandboxConfig(seed=3, sizes=Sizes(), simulator_rate=0.0))
    await sandbox.start()
    info = sandbox.info()
    console = Console(ConsoleClient(info["rest"], Credentials(info["identifier"], info["key"])),
                      drafts_path=None, settings=None)
    saved: list[Path] = []
    try:
        window = console.window
        window.resize(1100, 760)
        window.move(20, 20)
        window.show()
        await console.start()
        notifier = console.panes.notifier
        for _ in range(100):
            if not notifier.desktop().checking:
                break
            await settle(0.05)
        elsewhere = QLabel("Another application's window")
        elsewhere.resize(360, 120)
        elsewhere.move(1180, 820)
        elsewhere.show()
        elsewhere.activateWindow()
        await settle(0.6)
        store = console.client.store
        sid = next(s for s in store.conversation_ids()
                   if store.conversations[s].state == "unresolved"
                   and store.conversations[s].nickname)
        conv = sandbox.state.conversations[sid]
        notifier.interval_s = 0.5
        for text in ("Hi! Is anyone there? My order #4412 has not arrived.",
                     "It was due on Monday <b>and</b> I need it for a gift & card."):
            sandbox.state.add_message(conv, type="text", from_="user", origin="chat",
                                      content=text, user=conv.visitor)
            await settle(1.0)
        await settle(1.0)
        screen = QApplication.primaryScreen()
        path = out / "notification.png"
        if not screen.grabWindow(0).save(str(path)):
            raise SystemExit(f"could not save {path}")
        saved.append(path)
        print(f"notifier sent: {notifier.sent}")
        print(f"desktop: {notifier.desktop()}")
        dialog = PreferencesDialog(console.prefs, console.registry, desktop=notifier)
        dialog.tabs.setCurrentWidget(dialog.notifications)
        dialog.show()
        await settle(0.8)
        path = out / "notification-prefs.png"
        if not dialog.grab().save(str(path)):
            raise SystemExit(f"could not save {path}")
        saved.append(path)
        dialog.close()
        elsewhere.close()
    finally:
        await console.aclose()
        await sandbox.stop()
    return saved


def main() -> int:
    import qasync

    from tests.desktop_session import private_desktop

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, \
            private_desktop(Path(tmp), os.environ.__setitem__, screen="1600x1000x24") as desk:
        os.environ.update(DISPLAY=desk.display, QT_QPA_PLATFORM="xcb")
        from PySide6.QtWidgets import QApplication
        app = QApplication([])
        app.setApplicationName("crisp-console")
        app.setDesktopFileName("crisp-console")
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        with loop:
            for path in loop.run_until_complete(shoot(OUT)):
                print(path)
        print("dunst received:", [(r.get("id"), r.get("summary"), r.get("body"))
                                  for r in desk.received()])
    return 0


if __name__ == "__main__":
    sys.exit(main())
