"""Desktop notifications against a REAL notification daemon with no tray: dunst on Xvfb, on a
private session bus (tests/desktop_session.py), the console against the sandbox.

What dunst received is read from dunst (its -print log, what it displays, its history), and
its own "invoke the default action" (as ``dunstctl action``) is the operator's click.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
import qasync
from PySide6.QtWidgets import QWidget

from crisp_console.present.notify_support import SERVICE
from crisp_console.sandbox.server import Sandbox
from crisp_console.ui.console import Console
from tests.desktop_session import Bus, Desktop, eventually, private_desktop
from tests.e2e.conftest import running_console, until
from tests.e2e.test_keyboard_flow import visitor_says

pytestmark = pytest.mark.slow


def run(qloop: qasync.QEventLoop, coro: object) -> None:
    qloop.run_until_complete(asyncio.wait_for(coro, 60))  # type: ignore[arg-type]


async def away(console: Console) -> QWidget:
    """The operator switched to another application's window."""
    other = QWidget()
    other.show()
    other.activateWindow()
    await until(lambda: not console.window.isActiveWindow(), what="the window to go")
    return other


def unread_conversation(console: Console, sandbox: Sandbox) -> tuple[str, str]:
    """An unresolved conversation with a visitor's name: (session_id, name)."""
    store = console.client.store
    sid = next(s for s in store.conversation_ids()
               if store.conversations[s].state == "unresolved" and store.conversations[s].nickname
               and not store.conversations[s].is_blocked)
    return sid, store.conversations[sid].nickname


def no_display(bus: Bus) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return await bus.displayed() == 0
    return check


def from_us(desktop: Desktop) -> list[dict[str, str]]:
    return [r for r in desktop.received() if r.get("appname") == "crisp-console"]


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # offscreen: the click raises
def test_a_visitor_message_reaches_dunst_updates_in_place_and_a_click_opens_it(
        qloop: qasync.QEventLoop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async def main() -> None:
        with private_desktop(tmp_path, monkeypatch.setenv) as desktop:
            bus = await Bus.connect(desktop.address)
            try:
                await eventually(bus.has_owner, "dunst to own its name on the bus")
                async with running_console(tmp_path / "console") as (console, sandbox):
                    await scenario(console, sandbox, desktop, bus)
            finally:
                await bus.aclose()

    (tmp_path / "console").mkdir()
    run(qloop, main())


async def scenario(console: Console, sandbox: Sandbox, desktop: Desktop, bus: Bus) -> None:
    notifier = console.panes.notifier
    await until(lambda: notifier.desktop().service is not None, what="the service probed")
    support = notifier.desktop()
    assert support.service is not None
    assert support.service.label().startswith("dunst 1.9") or "dunst" in support.service.label()
    assert support.service.label().endswith("via the notification service")
    assert notifier.channel() == SERVICE  # no tray here (offscreen): the service it is
    # The 10 s between updates of one conversation, shortened; still longer than the sandbox
    # takes to deliver a burst (the exact count is test_notifier_routes.py's, on a clock).
    notifier.interval_s = 2.0
    sid, name = unread_conversation(console, sandbox)
    other = await away(console)

    visitor_says(sandbox, sid, "Is anyone there? <b>bold</b> & more")
    await until(lambda: from_us(desktop), what="dunst to receive the notification")
    first = from_us(desktop)[0]
    assert first["summary"].startswith(name)
    # Text: markup look-alikes, and dunst reads markup, so the ampersand went escaped.
    assert first["body"] == "Is anyone there? \u2039b\u203abold\u2039/b\u203a &amp; more"
    assert '"default"' in first["actions_raw"]  # a click reaches the console
    assert first["category"] == "im.received"
    assert first["desktop_entry"] == "crisp-console"
    assert first["icon"].endswith("crisp-console.svg")  # our own file, nothing remote
    assert await bus.displayed() == 1

    # Eleven more within moments: one notification, updated, never eleven.
    for n in range(11):
        visitor_says(sandbox, sid, f"message {n}")
    await until(lambda: from_us(desktop)[-1]["body"] == "message 10", timeout=20,
                what="the notification to show the latest message")
    records = from_us(desktop)
    assert len(records) <= 5, [r["body"] for r in records]  # the first, then held updates
    assert {r["id"] for r in records} == {first["id"]}  # replaced in place: the same id
    assert await bus.displayed() == 1
    assert "new messages" in records[-1]["summary"]

    # The operator clicks it: the window comes up on that conversation, which is read,
    # and the notification is withdrawn.
    other.close()
    await bus.click(0)
    await until(lambda: console.controller.session_id == sid, what="the click to open it")
    await until(console.window.isActiveWindow, what="the window raised")
    await until(lambda: sandbox.state.conversations[sid].unread_operator == 0,
                what="the conversation read")
    await eventually(no_display(bus), "the notification withdrawn")
    history = [h for h in await bus.history() if h.get("appname") == "crisp-console"]
    assert len(history) == 1, history  # the whole exchange was one notification
    assert history[0]["body"] == "message 10"


def test_the_daemon_going_away_falls_back_and_is_said_once(
        qloop: qasync.QEventLoop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    async def main() -> None:
        with private_desktop(tmp_path, monkeypatch.setenv) as desktop:
            bus = await Bus.connect(desktop.address)
            try:
                await eventually(bus.has_owner, "dunst to own its name on the bus")
                async with running_console(tmp_path / "console") as (console, sandbox):
                    notifier = console.panes.notifier
                    await until(lambda: notifier.desktop().service is not None,
                                what="the service probed")
                    notifier.interval_s = 0.0
                    sid, _name = unread_conversation(console, sandbox)
                    other = await away(console)
                    visitor_says(sandbox, sid, "first")
                    await until(lambda: from_us(desktop), what="dunst to show it")
                    desktop.stop_dunst()  # the daemon crashed, or the session lost it
                    await eventually(bus.no_owner, "dunst gone from the bus")
                    with caplog.at_level(logging.INFO, logger="crisp_console"):
                        visitor_says(sandbox, sid, "second")
                        await until(lambda: notifier.desktop().service is None
                                    and not notifier.desktop().checking,
                                    what="the failure noticed")
                        visitor_says(sandbox, sid, "third")
                        await until(lambda: notifier.sent[-1][1] == "third",
                                    what="the third message notified")
                    other.close()
                    support = notifier.desktop()
                    assert support.service_problem == "The notification service stopped answering"
                    assert notifier.channel() != SERVICE  # the fallback: none here (no tray)
                    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING
                                and r.name.startswith("crisp_console")]
                    assert len(warnings) == 1, [r.getMessage() for r in warnings]
                    assert "stopped answering" in warnings[0].getMessage()
                    assert console.window.isVisible()  # nothing crashed, the console goes on
            finally:
                await bus.aclose()

    (tmp_path / "console").mkdir()
    run(qloop, main())
