"""Screenshots of the console's appearance: ``python -m tests.screenshots.shoot_look DIR``.

Run by test_look_screenshots.py inside ``xvfb-run`` with ``QT_QPA_PLATFORM=xcb``. A sandbox
in-process (simulator off), the whole console at its default size (1280 by 800), a visitor
who writes emoji (so they show in a bubble and in the list's preview) and a reply being typed
with emoji. The font size is changed at run time through the console's preferences, as the
dialog does. Saves:

- ``look-dark-14.png``: dark theme, 14 pt;
- ``look-light-10.png`` and ``look-light-18.png``: light theme, 10 and 18 pt;
- ``look-search-18.png`` and ``look-palette-18.png``: the search pane and Ctrl+K at 18 pt;
- ``look-emoji.png``: the thread, the list and the reply box at 14 pt, light, twice as large;
- ``look-people-narrow.png``: the people panel at 230 px, 14 pt (the local time is whole);
- ``look-font-box.png``: Preferences → Font size open, the steps listed.

Prints one ``emoji: <family> colour=<bool>`` line: the font Qt draws an emoji with, and
whether what it drew has colour; and after each size change whether the thread still shows
its newest message (``thread at the bottom=<bool>``).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QGuiApplication,
    QImage,
    QPainter,
    QRawFont,
    QTextLayout,
)
from PySide6.QtWidgets import QApplication, QWidget

from crisp_console.client import ConsoleClient
from crisp_console.sandbox.config import SandboxConfig, Sizes
from crisp_console.sandbox.server import Sandbox
from crisp_console.settings import with_changes
from crisp_console.types import Credentials
from crisp_console.ui.console import Console
from crisp_console.ui.theme import Theme
from crisp_console.ui.widgets.preferences_dialog import PreferencesDialog
from crisp_console.ui.widgets.scroll_anchor import at_bottom
from tests.screenshots.harness import run_shots

VISITOR_EMOJI = "🎉👍 It works now, thanks! Have a great day 😀"
REPLY_EMOJI = "Glad to hear it 🙂🚀"
EMOJI = "😀"


async def settle(seconds: float = 0.5) -> None:
    await asyncio.sleep(seconds)  # the qasync loop is Qt's event loop: sleeping paints


def save(image: QImage, path: Path) -> Path:
    if not image.save(str(path)):
        raise SystemExit(f"could not save {path}")
    return path


def grab(widget: QWidget, path: Path) -> Path:
    return save(widget.grab().toImage(), path)


def emoji_drawn(font: QFont) -> tuple[str, bool]:
    """The family Qt draws ``EMOJI`` with in ``font``, and whether the result has colour
    (a colour emoji font), not a monochrome glyph or a box."""
    image = QImage(64, 64, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    big = QFont(font)
    big.setPointSize(28)
    painter.setFont(big)
    painter.setPen(QColor("black"))
    painter.drawText(QRect(0, 0, 64, 64), Qt.AlignmentFlag.AlignCenter, EMOJI)
    painter.end()
    colourful = sum(1 for x in range(64) for y in range(64)
                    if image.pixelColor(x, y).hsvSaturationF() > 0.5
                    and image.pixelColor(x, y).valueF() > 0.4)
    layout = QTextLayout(EMOJI, big)
    layout.beginLayout()
    layout.createLine()
    layout.endLayout()
    runs = layout.glyphRuns()
    family = runs[0].rawFont().familyName() if runs else QRawFont().familyName()
    return family, colourful > 50


async def shoot(out: Path, theme: Theme) -> list[Path]:
    sandbox = Sandbox(SandboxConfig(seed=3, sizes=Sizes(), simulator_rate=0.0))
    await sandbox.start()
    info = sandbox.info()
    console = Console(ConsoleClient(info["rest"], Credentials(info["identifier"], info["key"])),
                      drafts_path=None, settings=None, theme=theme)
    saved: list[Path] = []
    try:
        window = console.window
        window.show()  # at its default size
        await console.start()
        store = console.client.store
        listed = [sid for sid in store.conversations
                  if store.conversations[sid].state != "resolved"]
        sid = listed[0]
        conv = sandbox.state.conversations[sid]
        sandbox.state.add_message(conv, type="text", from_="user", origin="chat",
                                  content=VISITOR_EMOJI, user=conv.visitor)
        for _ in range(100):
            await settle(0.05)
            if store.conversations[sid].last_message == VISITOR_EMOJI:
                break
        console.controller.jump_to(sid)
        await settle(1.0)
        console.panes.composer.set_text(REPLY_EMOJI)

        def size(points: int, scheme: str) -> None:
            console.preferences.apply(with_changes(console.prefs, font_size=points,
                                                   theme=scheme), save=False)

        for points, scheme, name in ((14, "dark", "look-dark-14.png"),
                                     (10, "light", "look-light-10.png"),
                                     (18, "light", "look-light-18.png")):
            size(points, scheme)
            await settle(0.8)
            # A size change must leave the thread on the newest message (thread_view.py).
            print(f"{name}: thread at the bottom={at_bottom(console.panes.thread.view)}",
                  flush=True)
            saved.append(grab(window, out / name))
        saved += await shoot_search_and_palette(console, out)
        size(14, "light")
        await settle(0.8)
        family, colour = emoji_drawn(QApplication.font())
        print(f"emoji: {family} colour={colour}", flush=True)
        saved.append(shoot_emoji(console, out / "look-emoji.png"))
        saved.append(await shoot_people_narrow(console, out / "look-people-narrow.png"))
        saved.append(await shoot_font_box(console, out / "look-font-box.png"))
    finally:
        await console.aclose()
        await sandbox.stop()
    return saved


async def shoot_search_and_palette(console: Console, out: Path) -> list[Path]:
    """At 18 pt: the search pane's results (Crisp's, for "access") and the Ctrl+K palette."""
    search = console.panes.search
    console.search.show("access")
    for _ in range(200):
        await settle(0.05)
        if search.rows() and "Crisp" in search.status_text():
            break
    else:
        raise SystemExit(f"no search results: {search.status_text()!r}")
    await settle(0.4)
    shots = [grab(console.window, out / "look-search-18.png")]
    console.search.hide()
    palette = console.panes.palette
    palette.open_switcher("la")
    palette.flush()
    await settle(0.6)
    shots.append(grab(palette, out / "look-palette-18.png"))
    palette.reject()
    await settle(0.3)
    return shots


def shoot_emoji(console: Console, path: Path) -> Path:
    """The list's first rows, the thread's last bubbles and the reply box, one above the
    other, twice as large."""
    window = console.window
    whole = window.grab().toImage()
    p = console.panes
    parts = []
    for widget, most in ((p.list_pane.view, 240), (p.thread.view, 260), (p.composer, 400)):
        area = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
        if widget is p.thread.view:  # its bottom: the newest bubbles
            area.setTop(max(area.top(), area.bottom() - most))
        area.setHeight(min(area.height(), most))
        parts.append(whole.copy(area))
    width = max(part.width() for part in parts)
    gap = 8
    sheet = QImage(width, sum(part.height() for part in parts) + gap * (len(parts) - 1),
                   QImage.Format.Format_ARGB32)
    sheet.fill(QColor("#888888"))
    painter = QPainter(sheet)
    y = 0
    for part in parts:
        painter.drawImage(0, y, part)
        y += part.height() + gap
    painter.end()
    return save(sheet.scaled(sheet.width() * 2, sheet.height() * 2,
                             Qt.AspectRatioMode.KeepAspectRatio,
                             Qt.TransformationMode.SmoothTransformation), path)


async def shoot_people_narrow(console: Console, path: Path) -> Path:
    window = console.window
    sizes = window.splitter.sizes()
    total = sum(sizes)
    window.splitter.setSizes([sizes[0], total - sizes[0] - 230, 230])
    await settle(0.6)
    shot = grab(console.panes.people, path)
    window.splitter.setSizes(sizes)
    await settle(0.3)
    return shot


async def shoot_font_box(console: Console, path: Path) -> Path:
    dialog = PreferencesDialog(console.prefs, console.registry, console.window)
    try:
        dialog.font_size.set_system_size(console.preferences.system_font_size())
        dialog.show()
        await settle(0.4)
        dialog.font_size.setFocus()
        dialog.font_size.showPopup()
        await settle(0.6)
        frame = dialog.frameGeometry().united(dialog.font_size.view().window().frameGeometry())
        screen = QGuiApplication.primaryScreen()
        shot = screen.grabWindow(0, frame.x(), frame.y(), frame.width(), frame.height())
        dialog.font_size.hidePopup()
        if not shot.save(str(path)):
            raise SystemExit(f"could not save {path}")
        return path
    finally:
        dialog.close()
        dialog.deleteLater()


def main(argv: list[str]) -> int:
    return run_shots(shoot, argv)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
