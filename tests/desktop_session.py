"""A private desktop for the notification tests: a session bus of our own (dbus-daemon with
no service files, so nothing is started behind our back), and, when asked, an X server
(Xvfb) with the dunst notification daemon on it.

The bus's address goes into this process's environment only through pytest's monkeypatch
(``setenv``), so it is restored after the test; the developer's session bus is never touched (and
tests/conftest.py points everything else at no bus at all). What dunst received is read from
dunst itself: its ``-print`` log (every notification as it arrived: id, summary, body,
actions, category) and its own D-Bus interface (what is displayed, its history, invoking
a notification's default action, as ``dunstctl`` does).

scripts/setup.sh installs dbus, xvfb and dunst; without them the tests skip, saying so.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from dbus_fast import Message, MessageType
from dbus_fast.aio import MessageBus

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={dir}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""
# Notifications stay up until closed (the test decides when), drawn large enough to read in
# a screenshot; the rest is dunst's default look.
DUNSTRC = """[global]
    font = DejaVu Sans 11
    width = 420
    offset = 16x16
    origin = top-right
    frame_width = 2
    padding = 10
    horizontal_padding = 12
    icon_position = left
    max_icon_size = 48
    show_indicators = no
[urgency_normal]
    timeout = 0
[urgency_low]
    timeout = 0
"""
NOTIFICATIONS = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
DUNST = "org.dunstproject.cmd0"


def need(*tools: str) -> None:
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"desktop notification test: {', '.join(missing)} not installed "
                    "(scripts/setup.sh installs dbus, xvfb and dunst)")


@dataclass
class Desktop:
    address: str
    display: str = ""
    log: Path | None = None  # dunst -print
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    dunst: subprocess.Popen[bytes] | None = None

    def received(self) -> list[dict[str, str]]:
        """Every notification dunst received, in order, as dunst printed it."""
        if self.log is None or not self.log.exists():
            return []
        records = []
        for block in self.log.read_text(errors="replace").split("\n}")[:-1]:
            record: dict[str, str] = {}
            for match in re.finditer(r"^\t(\w+): (.*)$", block, re.MULTILINE):
                record.setdefault(match[1], match[2].strip().strip("'"))
            record["actions_raw"] = block.split("actions: {", 1)[-1]
            records.append(record)
        return records

    def stop_dunst(self) -> None:
        if self.dunst is not None and self.dunst.poll() is None:
            self.dunst.terminate()
            self.dunst.wait(10)


@contextmanager
def private_desktop(tmp_path: Path, setenv: Callable[[str, str], None], *,
                    dunst: bool = True, screen: str = "1280x800x24") -> Iterator[Desktop]:
    """A private session bus (and Xvfb + dunst when ``dunst``); ``setenv`` points this
    process at the bus (a test's ``monkeypatch.setenv``, restored after it)."""
    need("dbus-daemon", *(("Xvfb", "dunst") if dunst else ()))
    bus_dir = tmp_path / "bus"
    bus_dir.mkdir()
    config = tmp_path / "bus.conf"
    config.write_text(BUS_CONFIG.format(dir=bus_dir))
    processes: list[subprocess.Popen[bytes]] = []
    try:
        bus = subprocess.Popen(["dbus-daemon", f"--config-file={config}", "--nofork",
                                "--print-address=1"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        processes.append(bus)
        assert bus.stdout is not None
        address = bus.stdout.readline().decode().strip()  # printed once it listens
        if not address:
            pytest.skip("desktop notification test: dbus-daemon did not start")
        desktop = Desktop(address, processes=processes)
        setenv("DBUS_SESSION_BUS_ADDRESS", address)
        if dunst:
            xvfb = subprocess.Popen(["Xvfb", "-displayfd", "1", "-screen", "0", screen,
                                     "-nolisten", "tcp"],
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            processes.append(xvfb)
            assert xvfb.stdout is not None
            number = xvfb.stdout.readline().decode().strip()  # written once it is ready
            if not number:
                pytest.skip("desktop notification test: Xvfb did not start")
            desktop.display = f":{number}"
            (tmp_path / "config" / "dunst").mkdir(parents=True)
            (tmp_path / "config" / "dunst" / "dunstrc").write_text(DUNSTRC)
            desktop.log = tmp_path / "dunst.log"
            env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "DISPLAY": desktop.display,
                   "DBUS_SESSION_BUS_ADDRESS": address, "LANG": "C.UTF-8",
                   "XDG_CONFIG_HOME": str(tmp_path / "config")}
            with desktop.log.open("wb") as log:
                desktop.dunst = subprocess.Popen(["dunst", "-print"], env=env, stdout=log,
                                                 stderr=subprocess.DEVNULL)
            processes.append(desktop.dunst)
        yield desktop
    finally:
        for process in reversed(processes):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            for stream in (process.stdout, process.stderr):
                if stream is not None:
                    stream.close()


async def eventually(check: Callable[[], Awaitable[bool]], what: str,
                     timeout: float = 10.0) -> None:
    """Ask ``check`` (a question to a daemon over the bus) until it says yes: the daemon's
    state changes on its own time, there is no event to wait on but its answer."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await check():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


class Bus:
    """The test's own connection to the private bus: to ask dunst what it shows."""

    def __init__(self, bus: MessageBus) -> None:
        self.bus = bus

    @classmethod
    async def connect(cls, address: str) -> Bus:
        return cls(await MessageBus(bus_address=address).connect())

    async def call(self, destination: str, path: str, interface: str, member: str,
                   signature: str = "", body: list[Any] | None = None) -> list[Any]:
        reply = await self.bus.call(Message(destination=destination, path=path,
                                            interface=interface, member=member,
                                            signature=signature, body=body or []))
        assert reply is not None
        if reply.message_type == MessageType.ERROR:
            raise AssertionError(f"{member}: {reply.error_name} {reply.body}")
        return list(reply.body)

    async def has_owner(self, name: str = NOTIFICATIONS) -> bool:
        (owned,) = await self.call("org.freedesktop.DBus", "/org/freedesktop/DBus",
                                   "org.freedesktop.DBus", "NameHasOwner", "s", [name])
        return bool(owned)

    async def no_owner(self, name: str = NOTIFICATIONS) -> bool:
        return not await self.has_owner(name)

    async def dunst(self, prop: str) -> Any:
        (value,) = await self.call(NOTIFICATIONS, PATH, "org.freedesktop.DBus.Properties",
                                   "Get", "ss", [DUNST, prop])
        return value.value

    async def displayed(self) -> int:
        return int(await self.dunst("displayedLength"))

    async def history(self) -> list[dict[str, Any]]:
        (entries,) = await self.call(NOTIFICATIONS, PATH, DUNST, "NotificationListHistory")
        return [{key: variant.value for key, variant in entry.items()} for entry in entries]

    async def click(self, position: int = 0) -> None:
        """The default action of the displayed notification at ``position`` (as
        ``dunstctl action``): for a notification with one action, dunst invokes it."""
        await self.call(NOTIFICATIONS, PATH, DUNST, "NotificationAction", "u", [position])

    async def close_all(self) -> None:
        await self.call(NOTIFICATIONS, PATH, DUNST, "NotificationCloseAll")

    async def aclose(self) -> None:
        self.bus.disconnect()
        await self.bus.wait_for_disconnect()
