"""Suite-wide setup: offscreen Qt, an in-memory keyring, no stray warnings."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# No test reaches the developer's session bus: the console's desktop notifications, its
# launcher badge and Qt's own D-Bus calls would land on the real desktop. A test of the
# desktop starts a private bus and points at it (tests/desktop_session.py).
os.environ["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=/nonexistent/crisp-console-tests-bus"

import keyring
import keyring.backend
import keyring.errors
import pytest

# The qasync loop fixture (pytest-qt has already imported Qt by the time this loads).
pytest_plugins = ["tests.qloop"]


class MemoryKeyring(keyring.backend.KeyringBackend):
    """Deterministic, file-less keyring for tests (stack-check.md section 5)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self._secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self._secrets[(service, username)]
        except KeyError:
            raise keyring.errors.PasswordDeleteError("not found") from None


@pytest.fixture(autouse=True)
def memory_keyring() -> MemoryKeyring:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    return backend


QT_FIXTURES = frozenset(("qapp", "qtbot", "qloop", "qtmodeltester", "live_tester"))


@pytest.fixture(autouse=True)
def qt_garbage_on_the_main_thread(request: pytest.FixtureRequest) -> Iterator[None]:
    """After a test that made Qt objects, collect its cyclic garbage here, on the GUI thread:
    left for later, a collection could run in a database or reader thread of another test
    and destroy Qt objects there (the app collects on its GUI thread: ui/main_thread_gc.py)."""
    yield
    if QT_FIXTURES.intersection(request.fixturenames):
        gc.collect()
        # What survives is kept out of later collections (gc.freeze): each test's collection
        # then looks at that test's objects only, not at the whole heap again.
        gc.freeze()
