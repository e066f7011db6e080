"""Screenshots of the console under a real X server: ``python -m tests.screenshots.shoot DIR``.

Run by test_screenshots.py inside ``xvfb-run`` with ``QT_QPA_PLATFORM=xcb``. It starts a
sandbox in-process (simulator off, so every picture is the same), opens a conversation with
every message type, makes the visitor type, and saves the main window in the light and the
dark palette as ``main-light.png`` and ``main-dark.png``. Then, in the light palette, the
sign-in dialog as it names a website token (a second sandbox whose token is website-tier),
with Advanced open (``signin.png``),
the preferences dialog (``preferences.png``), and the Ctrl+K palette listing a visitor who
named themselves ``<img src=file:…>`` (a picture on disk), with the row's tooltip showing
that name as text (``palette.png``, a grab of the screen: a tooltip is a window of its own).
Then shoot_health.py's pictures of refused sections, a catch-up that keeps failing and a
spent quota; last, shoot_search.py's of searching messages (Ctrl+Shift+F, "VAT").
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

import qasync
from PySide6.QtCore import QEvent
from PySide6.QtGui import QColor, QGuiApplication, QHelpEvent, QImage
from PySide6.QtWidgets import QApplication, QToolTip, QWidget

from crisp_console.client import ConsoleClient
from crisp_console.client.signin import SignInFailure
from crisp_console.client.tasks import TaskOwner
from crisp_console.credentials import SessionOnlyStore
from crisp_console.sandbox.config import SandboxConfig, Sizes
from crisp_console.sandbox.server import Sandbox
from crisp_console.storage.accounts import Account
from crisp_console.types import Credentials
from crisp_console.ui.console import Console
from crisp_console.ui.theme import Scheme, Theme
from crisp_console.ui.widgets.preferences_dialog import PreferencesDialog
from crisp_console.ui.widgets.sign_in_dialog import SignInDialog
from tests.screenshots.shoot_health import shoot_health
from tests.screenshots.shoot_search import shoot as shoot_search


async def settle(seconds: float = 0.4) -> None:
    # Never QApplication.processEvents() here: inside a running task it lets qasync step other
    # tasks re-entrantly ("Cannot enter into task … while another task is being executed").
    # The qasync loop is Qt's event loop, so sleeping already paints and delivers events.
    await asyncio.sleep(seconds)


async def shoot(out: Path, theme: Theme) -> list[Path]:
    sandbox = Sandbox(SandboxConfig(seed=3, sizes=Sizes(), simulator_rate=0.0))
    await sandbox.start()
    info = sandbox.info()
    console = Console(ConsoleClient(info["rest"], Credentials(info["identifier"], info["key"])),
                      drafts_path=None, settings=None)
    saved: list[Path] = []
    try:
        window = console.window
        window.resize(1440, 860)
        window.show()
        await console.start()
        store = console.client.store
        # The conversation with the most kinds of message makes the richest picture.
        listed = [sandbox.state.conversations[sid] for sid in store.conversations
                  if store.conversations[sid].state != "resolved"]
        richest = max(listed, key=lambda c: (len({m.type for m in c.messages}),
                                             -len(c.messages)))
        console.controller.jump_to(richest.session_id)
        await settle(1.0)
        conv = sandbox.state.conversations[richest.session_id]
        sandbox.state.compose(conv, kind="start", from_="user",
                              excerpt="Thanks! One more thing about my invoi")
        console.panes.composer.set_text("Let me check that for you")
        await settle(0.5)
        assert store.conversations
        for scheme, name in ((Scheme.LIGHT, "light"), (Scheme.DARK, "dark")):
            theme.apply(scheme)
            await settle(0.6)
            path = out / f"main-{name}.png"
            if not window.grab().save(str(path)):
                raise SystemExit(f"could not save {path}")
            saved.append(path)
        theme.apply(Scheme.LIGHT)
        saved.append(await shoot_sign_in(out))
        saved.append(await shoot_preferences(out, console))
        saved.append(await shoot_palette(out, console, sandbox))
    finally:
        await console.aclose()
        await sandbox.stop()
    return saved


def save(widget: QWidget, path: Path) -> Path:
    if not widget.grab().save(str(path)):
        raise SystemExit(f"could not save {path}")
    return path


async def shoot_sign_in(out: Path) -> Path:
    """The real check against a sandbox whose token is a website token: the dialog says why
    the console needs a plugin token, and names the token it was given."""
    sandbox = Sandbox(SandboxConfig(seed=4, sizes=Sizes.tiny(), tier="website"))
    await sandbox.start()
    info = sandbox.info()
    prefill = Account(info["identifier"], "plugin", sandbox.base_url, "Sandbox")
    dialog = SignInDialog(tasks=TaskOwner(), store=SessionOnlyStore(), prefill=prefill)
    try:
        dialog.show()
        dialog.key.setText(info["key"])
        dialog.sign_in()
        for _ in range(100):
            await settle(0.05)
            if not dialog.checking:
                break
        shown = dialog.result_shown
        if shown is None or shown.failure is not SignInFailure.WEBSITE_TIER:
            raise SystemExit(f"the sign-in check did not name the website token: {shown}")
        dialog.adjustSize()
        await settle(0.3)
        return save(dialog, out / "signin.png")
    finally:
        dialog.close()
        dialog.deleteLater()
        await sandbox.stop()


async def shoot_preferences(out: Path, console: Console) -> Path:
    dialog = PreferencesDialog(console.prefs, console.registry)
    try:
        dialog.show()
        await settle(0.3)
        return save(dialog, out / "preferences.png")
    finally:
        dialog.close()
        dialog.deleteLater()


async def shoot_palette(out: Path, console: Console, sandbox: Sandbox) -> Path:
    """A visitor renames themselves ``<img src=file:…>`` pointing at a red 240x120 picture;
    Ctrl+K lists them, the mouse rests on the row. The tooltip must read as text."""
    picture = Path(tempfile.mkdtemp(prefix="crisp-shot-")) / "red.png"
    image = QImage(240, 120, QImage.Format.Format_RGB32)
    image.fill(QColor("red"))
    image.save(str(picture))
    name = f"<img src={picture.as_uri()}><b>Eve Mallory</b>"
    store = console.client.store
    conv = sandbox.state.conversations[next(iter(store.conversations))]
    sandbox.state.update_meta(conv, {"nickname": name})
    for _ in range(100):
        await settle(0.05)
        if store.conversations[conv.session_id].nickname == name:
            break
    palette = console.panes.palette
    palette.open_switcher("mallory")
    palette.flush()
    await settle(0.3)
    view = palette.view
    pos = view.visualRect(palette.model.index(0, 0)).center()
    QApplication.sendEvent(view.viewport(), QHelpEvent(QEvent.Type.ToolTip, pos,
                                                       view.viewport().mapToGlobal(pos)))
    await settle(0.8)
    if "Mallory" not in QToolTip.text():
        raise SystemExit(f"the palette showed no tooltip for the visitor: {QToolTip.text()!r}")
    tips = [w for w in QApplication.topLevelWidgets()
            if w.objectName() == "qtooltip_label" and w.isVisible()]
    if not tips or tips[0].height() >= image.height():
        raise SystemExit("the palette's tooltip loaded the visitor's <img src=file:…>")
    window = console.window.frameGeometry()
    screen = QGuiApplication.primaryScreen()
    shot = screen.grabWindow(0, window.x(), window.y(), window.width(), window.height())
    path = out / "palette.png"
    QToolTip.hideText()
    palette.hide()
    if not shot.save(str(path)):
        raise SystemExit(f"could not save {path}")
    return path


def main(argv: list[str]) -> int:
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
        saved += loop.run_until_complete(shoot_health(out))
        saved += loop.run_until_complete(shoot_search(out, theme))
    for path in saved:
        print(path, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
