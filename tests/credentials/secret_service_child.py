"""Run by test_secret_service.py inside a private D-Bus session with an unlocked
gnome-keyring: drives CredentialStore against the real Secret Service and prints JSON."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

import keyring
import keyring.backends.fail
from jeepney.bus_messages import message_bus  # type: ignore[import-untyped]
from jeepney.io.blocking import Proxy, open_dbus_connection  # type: ignore[import-untyped]
from keyring.backends import SecretService

from crisp_console.credentials import CredentialStore
from crisp_console.credentials.pin import BackendPin

IDENTIFIER = "6f3e6cbb-secret-service-test"
KEY = "c0ffee-real-secret-service-key-0123456789"
STARTED = "KEYRING-STARTED"
NO_DAEMON = 97  # the only exit status (with 127 from dbus-run-session) the parent skips on


def wait_for_daemon(seconds: float = 5.0) -> bool:
    """True once gnome-keyring owns the Secret Service name on this session bus (its exit
    status says little: it exits 0 even on an unknown option)."""
    deadline = time.monotonic() + seconds
    with open_dbus_connection(bus="SESSION") as connection:
        bus = Proxy(message_bus, connection)
        while time.monotonic() < deadline:
            if bus.NameHasOwner("org.freedesktop.secrets")[0] == 1:
                return True
            time.sleep(0.05)
    return False


async def main() -> dict[str, object]:
    store = CredentialStore(backend=SecretService.Keyring(), timeout=10.0)
    result: dict[str, object] = {"backend": store.backend_name()}
    await store.check()
    result["before"] = await store.get(IDENTIFIER)
    started = time.perf_counter()
    await store.set(IDENTIFIER, KEY)
    result["set_ms"] = round((time.perf_counter() - started) * 1000, 1)
    started = time.perf_counter()
    result["after_set"] = await store.get(IDENTIFIER)
    result["get_ms"] = round((time.perf_counter() - started) * 1000, 1)
    result["matches"] = result.pop("after_set") == KEY  # the key itself is not printed
    await store.set(IDENTIFIER, KEY[::-1])
    result["overwritten"] = await store.get(IDENTIFIER) == KEY[::-1]
    started = time.perf_counter()
    await store.delete(IDENTIFIER)
    result["delete_ms"] = round((time.perf_counter() - started) * 1000, 1)
    result["after_delete"] = await store.get(IDENTIFIER)
    await store.delete(IDENTIFIER)  # idempotent against the real backend too
    result["second_delete"] = "ok"
    result.update(await pinned(Path(sys.argv[1])))
    return result


async def pinned(pin_file: Path) -> dict[str, object]:
    """keyring's own discovery (no backend named) finds the Secret Service; the backend is
    remembered, and a new store (a next start) reads through it alone."""
    first = CredentialStore(pin=BackendPin(pin_file), timeout=10.0)
    await first.set(IDENTIFIER, KEY)
    out: dict[str, object] = {"pinned": pin_file.read_text().strip()}
    keyring.set_keyring(keyring.backends.fail.Keyring())  # a next start must not need it
    again = CredentialStore(pin=BackendPin(pin_file), timeout=10.0)
    out["pinned_matches"] = await again.get(IDENTIFIER) == KEY
    await again.delete(IDENTIFIER)
    out["pinned_after_delete"] = await CredentialStore(
        backend=SecretService.Keyring()).get(IDENTIFIER)
    return out


if __name__ == "__main__":
    if not wait_for_daemon():
        print("gnome-keyring-daemon did not claim org.freedesktop.secrets within 5 s",
              file=sys.stderr)
        sys.exit(NO_DAEMON)
    print(STARTED, flush=True)
    print(json.dumps(asyncio.run(main())))
