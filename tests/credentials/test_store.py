"""CredentialStore over the suite's in-memory keyring and over misbehaving backends."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import keyring
import keyring.backend
import keyring.backends.fail
import keyring.errors
import pytest

from crisp_console.credentials import (
    SERVICE,
    CredentialError,
    CredentialStore,
    KeyringTimeout,
    KeyringUnavailable,
    SessionOnlyStore,
)
from tests.conftest import MemoryKeyring

KEY = "8f3c1e0b9d2a4c6e8f3c1e0b9d2a4c6e8f3c1e0b9d2a4c6e8f3c1e0b9d2a4c6e"
ID = "6f3e6cbb-2d7c-4a25-9b52-0c2f1a3d4e5f"


class RaisingKeyring(keyring.backend.KeyringBackend):
    """Raises ``exc`` from every operation (the message may quote the key, as a careless
    backend might)."""

    priority = 1

    def __init__(self, exc: BaseException) -> None:
        super().__init__()
        self.exc = exc

    def get_password(self, service: str, username: str) -> str | None:
        raise self.exc

    def set_password(self, service: str, username: str, password: str) -> None:
        raise self.exc

    def delete_password(self, service: str, username: str) -> None:
        raise self.exc


class GatedKeyring(MemoryKeyring):
    """Blocks every call until ``gate`` is set, like a backend waiting on an unlock prompt;
    ``returned`` is set once a blocked call has come back."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.returned = threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        self.gate.wait(10)
        self.returned.set()
        return super().get_password(service, username)

    def set_password(self, service: str, username: str, password: str) -> None:
        self.gate.wait(10)
        self.returned.set()
        super().set_password(service, username, password)


class CountingKeyring(MemoryKeyring):
    """Records how many calls overlap and in which order sets complete."""

    def __init__(self) -> None:
        super().__init__()
        self.inflight = 0
        self.max_inflight = 0
        self.order: list[str] = []
        self._guard = threading.Lock()

    def set_password(self, service: str, username: str, password: str) -> None:
        with self._guard:
            self.inflight += 1
            self.max_inflight = max(self.max_inflight, self.inflight)
        time.sleep(0.02)
        super().set_password(service, username, password)
        with self._guard:
            self.inflight -= 1
            self.order.append(password)


@pytest.mark.asyncio
async def test_set_get_delete_round_trip(memory_keyring: MemoryKeyring) -> None:
    store = CredentialStore()
    assert await store.get(ID) is None
    await store.set(ID, KEY)
    assert memory_keyring.get_password(SERVICE, ID) == KEY  # service + username = identifier
    assert await store.get(ID) == KEY
    await store.set(ID, KEY[::-1])
    assert await store.get(ID) == KEY[::-1]
    await store.delete(ID)
    assert await store.get(ID) is None
    await store.delete(ID)  # signing out twice is not an error
    assert store.backend_name() == "conftest MemoryKeyring"
    assert store.persistent


@pytest.mark.asyncio
async def test_empty_identifier_or_key_is_refused() -> None:
    store = CredentialStore()
    with pytest.raises(ValueError, match="identifier"):
        await store.set(" ", KEY)
    with pytest.raises(ValueError, match="key"):
        await store.set(ID, "")


@pytest.mark.asyncio
async def test_fail_backend_is_unavailable_and_session_only_takes_over(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    keyring.set_keyring(keyring.backends.fail.Keyring())
    store: CredentialStore | SessionOnlyStore = CredentialStore()
    with pytest.raises(KeyringUnavailable, match="No system keyring is available") as info:
        await store.check()
    assert "cannot be remembered" in info.value.reason
    with pytest.raises(KeyringUnavailable):
        await store.set(ID, KEY)
    with pytest.raises(KeyringUnavailable):
        await store.get(ID)
    assert store.backend_name() == "fail Keyring"

    # The operator chose "keep for this session only".
    store = SessionOnlyStore()
    await store.check()
    await store.set(ID, KEY)
    assert await store.get(ID) == KEY
    assert not store.persistent
    assert KEY not in repr(store)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []  # nothing reached the disk
    await store.delete(ID)
    assert await store.get(ID) is None


@pytest.mark.parametrize(("exc", "kind", "words"), [
    (keyring.errors.InitError("Failed to create the collection: Prompt dismissed.."),
     KeyringUnavailable, "could not be opened: Failed to create the collection"),
    (keyring.errors.KeyringLocked("Failed to unlock the collection!"),
     KeyringUnavailable, "is locked"),
    (keyring.errors.PasswordSetError(f"cannot store {KEY}"),
     KeyringUnavailable, "refused to save the key: cannot store ***"),
    (keyring.errors.KeyringError(f"odd {KEY}"), KeyringUnavailable, "failed to save"),
    (OSError(f"org.freedesktop.DBus.Error.NoReply {KEY}"), KeyringUnavailable,
     "failed to save the key: org.freedesktop.DBus.Error.NoReply ***"),
])
@pytest.mark.asyncio
async def test_backend_errors_become_sentences_without_the_key(
        exc: BaseException, kind: type[CredentialError], words: str,
        caplog: pytest.LogCaptureFixture) -> None:
    store = CredentialStore(backend=RaisingKeyring(exc))
    with pytest.raises(kind) as info:
        await store.set(ID, KEY)
    assert type(info.value) is kind
    assert words in info.value.reason
    assert KEY not in info.value.reason and KEY not in str(info.value)
    assert info.value.__cause__ is None  # the backend's exception (and its text) is dropped
    assert caplog.records and all(KEY not in r.getMessage() for r in caplog.records)


@pytest.mark.asyncio
async def test_delete_refused_while_the_key_is_still_there() -> None:
    class StubbornKeyring(MemoryKeyring):
        def delete_password(self, service: str, username: str) -> None:
            raise keyring.errors.PasswordDeleteError("permission denied")

    backend = StubbornKeyring()
    store = CredentialStore(backend=backend)
    await store.delete(ID)  # absent: fine
    await store.set(ID, KEY)
    with pytest.raises(CredentialError, match="refused to delete the key") as info:
        await store.delete(ID)
    assert not isinstance(info.value, KeyringUnavailable)


@pytest.mark.asyncio
async def test_timeout_then_busy_then_recovers() -> None:
    backend = GatedKeyring()
    store = CredentialStore(backend=backend, timeout=0.05)
    with pytest.raises(KeyringTimeout, match=r"did not answer within 0\.05 s"):
        await store.get(ID)
    assert not backend.returned.is_set()  # it gave up on the backend, not waited for it
    # The first call is still stuck in the backend: fail fast rather than pile up threads.
    with pytest.raises(KeyringTimeout, match="has not answered an earlier request"):
        await store.set(ID, KEY)
    assert MemoryKeyring.get_password(backend, SERVICE, ID) is None  # never reached it
    backend.gate.set()
    for _ in range(100):
        try:
            await store.set(ID, KEY)
            break
        except KeyringTimeout:
            await asyncio.sleep(0.01)
    assert await store.get(ID) == KEY


@pytest.mark.asyncio
async def test_concurrent_calls_are_serialised_in_order() -> None:
    backend = CountingKeyring()
    store = CredentialStore(backend=backend)
    keys = [f"key-{n}" for n in range(6)]
    await asyncio.gather(*(store.set(ID, k) for k in keys))
    assert backend.max_inflight == 1
    assert backend.order == keys  # the lock is fair: the last set wins
    assert await store.get(ID) == keys[-1]


@pytest.mark.asyncio
async def test_custom_executor_is_used() -> None:
    from concurrent.futures import ThreadPoolExecutor

    names: list[str] = []

    class NamingKeyring(MemoryKeyring):
        def get_password(self, service: str, username: str) -> str | None:
            names.append(threading.current_thread().name)
            return super().get_password(service, username)

    with ThreadPoolExecutor(1, thread_name_prefix="kr-test") as pool:
        store = CredentialStore(backend=NamingKeyring(), executor=pool)
        assert await store.get(ID) is None
    assert names and names[0].startswith("kr-test")


def test_a_stuck_keyring_does_not_stop_the_process_from_exiting(tmp_path: Path) -> None:
    child = tmp_path / "stuck.py"
    child.write_text(textwrap.dedent("""
        import asyncio, threading
        import keyring.backend
        from crisp_console.credentials import CredentialStore, KeyringTimeout

        class Stuck(keyring.backend.KeyringBackend):
            priority = 1
            def get_password(self, service, username):
                threading.Event().wait()  # an unlock prompt nobody answers
            set_password = delete_password = get_password

        async def main():
            try:
                await CredentialStore(backend=Stuck(), timeout=0.05).get("x")
            except KeyringTimeout:
                print("timed out")

        asyncio.run(main())
    """))
    done = subprocess.run([sys.executable, str(child)], capture_output=True, text=True,
                          timeout=20, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "timed out"
