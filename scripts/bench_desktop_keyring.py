"""A desktop's keyring for the start-up benchmark: gnome-keyring, unlocked, on a private D-Bus
session bus that lives as long as the ``with`` block (never the user's own bus or keyring).

Children given ``env()`` find their keyring backend as on a user's desktop: keyring loads
every installed backend and asks each whether it works (the Secret Service over D-Bus among
them), unless the console remembered the one that held its secrets (credentials/pin.py).
scripts/setup.sh installs dbus, gnome-keyring and libsecret-tools for the tests.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path
from types import TracebackType

SECRETS = "org.freedesktop.secrets"


def missing() -> list[str]:
    return [tool for tool in ("dbus-daemon", "gnome-keyring-daemon") if shutil.which(tool) is None]


class DesktopKeyring:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.address = ""
        self._pid = 0

    def __enter__(self) -> DesktopKeyring:
        runtime = self.home / "run"
        runtime.mkdir(parents=True, mode=0o700)
        base = {k: v for k, v in os.environ.items()
                if k not in ("DBUS_SESSION_BUS_ADDRESS", "PYTHON_KEYRING_BACKEND")}
        base.update(HOME=str(self.home), XDG_RUNTIME_DIR=str(runtime),
                    XDG_DATA_HOME=str(self.home / "data"),
                    XDG_CONFIG_HOME=str(self.home / "config"))
        bus = subprocess.run(["dbus-daemon", "--session", "--fork", "--print-address=1",
                              "--print-pid=1"], env=base, capture_output=True, text=True,
                             timeout=30, check=True)
        address, pid = bus.stdout.split()[:2]
        self.address, self._pid = address, int(pid)
        # --unlock reads the login keyring's password from stdin: no prompt, no display.
        subprocess.run(["gnome-keyring-daemon", "--unlock", "--components=secrets"],
                       input="pw", env={**base, "DBUS_SESSION_BUS_ADDRESS": address},
                       capture_output=True, text=True, timeout=30, check=True)
        self._wait_for_secrets()
        return self

    def env(self, env: dict[str, str]) -> dict[str, str]:
        """``env`` on this bus, with no keyring backend named."""
        out = {k: v for k, v in env.items() if k != "PYTHON_KEYRING_BACKEND"}
        out["DBUS_SESSION_BUS_ADDRESS"] = self.address
        return out

    def _wait_for_secrets(self, seconds: float = 10.0) -> None:
        from jeepney.bus_messages import message_bus  # type: ignore[import-untyped]
        from jeepney.io.blocking import (  # type: ignore[import-untyped]
            Proxy,
            open_dbus_connection,
        )

        deadline = time.monotonic() + seconds
        with open_dbus_connection(bus=self.address) as connection:
            bus = Proxy(message_bus, connection)
            while time.monotonic() < deadline:
                if bus.NameHasOwner(SECRETS)[0] == 1:
                    return
                time.sleep(0.05)
        raise RuntimeError(f"gnome-keyring did not claim {SECRETS} within {seconds:g} s")

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        # gnome-keyring leaves with its bus.
        if self._pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGTERM)
