"""Screenshots of an honest console on a bad day (shoot.py runs it under Xvfb):

- ``people-denied.png``: a token without the people and page scopes (nor reading messages):
  the thread and the people panel show Crisp's refusal, section by section, in place;
- ``status-catching-up.png``: the feed dropped and every REST request fails: the status bar
  says "catching up" and why the last try failed (the window's bottom strip, at 2x);
- ``status-quota.png``: then the daily quota is spent: "daily API quota spent, resets at
  HH:MM" in local time (the same strip).

Each waits for the client's health to say so before the picture is taken.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import httpx
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QWidget

from crisp_console.client import ConsoleClient, Health
from crisp_console.sandbox.config import SandboxConfig, Sizes
from crisp_console.sandbox.scopes import all_grants, revoke
from crisp_console.sandbox.server import Sandbox
from crisp_console.types import Credentials
from crisp_console.ui.console import Console
from tests.client.conftest import FAST

REVOKED = ("website:conversation:messages:read", "website:conversation:pages",
           "website:conversation:events", "website:people:profiles", "website:people:data",
           "website:people:events", "website:people:conversations")
STRIP = 120  # pixels of the window's bottom kept in the status pictures


async def wait_for(pred: Callable[[], object], what: str, seconds: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not pred():
        if loop.time() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def save(image_of: QWidget, path: Path, rect: QRect | None = None, scale: int = 1) -> Path:
    pixmap = image_of.grab(rect) if rect is not None else image_of.grab()
    if scale != 1:
        pixmap = pixmap.scaled(pixmap.width() * scale, pixmap.height() * scale,
                               Qt.AspectRatioMode.KeepAspectRatio,
                               Qt.TransformationMode.SmoothTransformation)
    if not pixmap.save(str(path)):
        raise SystemExit(f"could not save {path}")
    return path


def print_status(console: Console) -> None:
    """What the status bar says, for test_screenshots.py to read from stdout."""
    bar = console.panes.status_bar
    print("status bar:", bar.state_label.text(), "|", bar.sync_label.text(), "|",
          bar.quota_label.text(), flush=True)


async def shoot_health(out: Path) -> list[Path]:
    sandbox = Sandbox(SandboxConfig(seed=3, sizes=Sizes(), simulator_rate=0.0,
                                    grants=revoke(all_grants(), REVOKED)))
    await sandbox.start()
    info = sandbox.info()
    client = ConsoleClient(info["rest"], Credentials(info["identifier"], info["key"]),
                           config=FAST)
    console = Console(client, drafts_path=None, settings=None)
    saved: list[Path] = []
    try:
        window = console.window
        window.resize(1440, 860)
        window.show()
        await console.start()
        await wait_for(lambda: not client.health.catching_up, "the start-up catch-up")
        sid = next(s for s in client.store.conversations
                   if sandbox.state.conversations[s].people_id
                   and client.store.conversations[s].state != "resolved")
        console.controller.jump_to(sid)
        people = console.panes.people
        await wait_for(lambda: people.denied["profile"].isVisible(), "the refused sections")
        await asyncio.sleep(0.5)
        saved.append(save(window, out / "people-denied.png"))
        strip = QRect(0, window.height() - STRIP, window.width(), STRIP)
        async with httpx.AsyncClient(base_url=f"{sandbox.base_url}/_sandbox/",
                                     headers={"X-Sandbox-Token": sandbox.admin_token},
                                     timeout=10.0) as admin:
            await admin.patch("faults", json={"error_rate": 1.0})
            assert sandbox.rtm is not None
            await sandbox.rtm.drop_all()  # a catch-up is owed; every try meets a 5xx

            def failing(h: Health) -> bool:
                return h.catching_up and bool(h.catchup_problem)

            await wait_for(lambda: failing(client.health), "a failed catch-up")
            await asyncio.sleep(0.5)
            saved.append(save(window, out / "status-catching-up.png", strip, 2))
            print_status(console)
            await admin.patch("faults", json={"error_rate": 0.0, "daily_quota": 1})
            await wait_for(lambda: client.health.quota_resets_at is not None, "the quota")
            await asyncio.sleep(0.5)
            saved.append(save(window, out / "status-quota.png", strip, 2))
            print_status(console)
    finally:
        await console.aclose()
        await sandbox.stop()
    return saved
