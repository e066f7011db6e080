"""The remembered keyring backend (credentials/pin.py) under CredentialStore: a found secret
comes from it without keyring's discovery; anything else falls back to keyring's choice."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import ClassVar

import keyring
import keyring.backend
import keyring.backends.chainer
import keyring.backends.fail
import keyring.backends.null
import pytest

from crisp_console.credentials import SERVICE, CredentialStore, KeyringUnavailable
from crisp_console.credentials.pin import BackendPin

KEY = "4b1d" * 16
pytestmark = pytest.mark.asyncio
NAME = "6f3e6cbb-2d7c-4a25-9b52-0c2f1a3d4e5f#database"


class DesktopKeyring(keyring.backend.KeyringBackend):
    """The OS keyring as a new process sees it: each instance reads the same secrets."""

    priority = 1
    secrets: ClassVar[dict[tuple[str, str], str]] = {}
    reads: ClassVar[list[str]] = []

    def get_password(self, service: str, username: str) -> str | None:
        type(self).reads.append(username)
        return type(self).secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        type(self).secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        type(self).secrets.pop((service, username), None)


class OtherKeyring(DesktopKeyring):
    """A second backend with secrets of its own."""

    secrets: ClassVar[dict[tuple[str, str], str]] = {}
    reads: ClassVar[list[str]] = []


class BrokenKeyring(DesktopKeyring):
    """Loads, then fails every call (a Secret Service that went away mid-session, or an
    unlock prompt the operator dismissed)."""

    calls: ClassVar[list[str]] = []

    def get_password(self, service: str, username: str) -> str | None:
        type(self).calls.append(username)
        raise RuntimeError("org.freedesktop.DBus.Error.ServiceUnknown")

    def set_password(self, service: str, username: str, password: str) -> None:
        type(self).calls.append(username)
        raise RuntimeError("org.freedesktop.DBus.Error.ServiceUnknown")


class GoneKeyring(DesktopKeyring):
    """Not viable: keyring asks its priority before making one, and it raises."""

    @keyring.backend.properties.classproperty
    def priority(cls) -> int:
        raise RuntimeError("no Secret Service on this bus")


class Chain(keyring.backends.chainer.ChainerBackend):
    """keyring's choice when several backends work: a chain that reads each in turn."""

    backends: ClassVar[list[keyring.backend.KeyringBackend]] = [
        OtherKeyring(), DesktopKeyring()]


def dotted(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


@pytest.fixture(autouse=True)
def desktop(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No explicit choice (the suite names one in the environment), keyring's config root
    in the test's own directory, and empty keyrings."""
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    for cls in (DesktopKeyring, OtherKeyring):
        cls.secrets.clear()
        cls.reads.clear()
    BrokenKeyring.calls.clear()


def start(tmp_path: Path, choice: keyring.backend.KeyringBackend) -> CredentialStore:
    """A new run: keyring's own choice is ``choice``, the pin file is the test's."""
    keyring.set_keyring(choice)
    return CredentialStore(pin=BackendPin(tmp_path / "keyring-backend"))


async def test_the_backend_that_held_the_key_is_asked_first_next_time(tmp_path: Path) -> None:
    DesktopKeyring.secrets[(SERVICE, NAME)] = KEY
    assert await start(tmp_path, DesktopKeyring()).get(NAME) == KEY
    assert (tmp_path / "keyring-backend").read_text().strip() == dotted(DesktopKeyring)
    # Next run, keyring's choice would be another backend: the pinned one answers alone.
    OtherKeyring.reads.clear()
    store = start(tmp_path, OtherKeyring())
    assert await store.get(NAME) == KEY
    assert OtherKeyring.reads == []
    assert store.backend_name() == DesktopKeyring.name


async def test_a_key_the_pinned_backend_lacks_is_asked_of_keyrings_choice(
        tmp_path: Path) -> None:
    (tmp_path / "keyring-backend").write_text(dotted(DesktopKeyring))
    OtherKeyring.secrets[(SERVICE, NAME)] = KEY
    assert await start(tmp_path, OtherKeyring()).get(NAME) == KEY  # never "not there"
    assert DesktopKeyring.reads == [NAME]
    assert (tmp_path / "keyring-backend").read_text().strip() == dotted(OtherKeyring)


async def test_nothing_anywhere_is_none_and_nothing_is_remembered(tmp_path: Path) -> None:
    assert await start(tmp_path, keyring.backends.null.Keyring()).get(NAME) is None
    assert not (tmp_path / "keyring-backend").exists()


@pytest.mark.parametrize("broken", [BrokenKeyring, GoneKeyring])
async def test_a_pinned_backend_that_fails_falls_back(tmp_path: Path, broken: type,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "keyring-backend").write_text(dotted(broken))
    OtherKeyring.secrets[(SERVICE, NAME)] = KEY
    caplog.set_level(logging.INFO, "crisp_console.credentials.pin")
    store = start(tmp_path, OtherKeyring())
    assert await store.get(NAME) == KEY
    assert (tmp_path / "keyring-backend").read_text().strip() == dotted(OtherKeyring)
    assert "RuntimeError" in caplog.text
    assert await store.get(NAME) == KEY  # the replacement is used from then on


@pytest.mark.parametrize("content", [b"os.system('rm -rf ~')\n", b"\xff\xfe\x00", b"",
                                     b"nomodule\n", b"keyring.backends.NoSuch.Keyring\n"])
async def test_a_garbled_or_stale_pin_file_is_replaced(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "keyring-backend").write_bytes(content)
    DesktopKeyring.secrets[(SERVICE, NAME)] = KEY
    assert await start(tmp_path, DesktopKeyring()).get(NAME) == KEY
    assert (tmp_path / "keyring-backend").read_text().strip() == dotted(DesktopKeyring)


async def test_a_chain_pins_the_member_that_holds_the_key(tmp_path: Path) -> None:
    DesktopKeyring.secrets[(SERVICE, NAME)] = KEY
    assert await start(tmp_path, Chain()).get(NAME) == KEY
    assert (tmp_path / "keyring-backend").read_text().strip() == dotted(DesktopKeyring)


async def test_an_explicit_choice_wins_and_is_not_overwritten(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "keyring-backend").write_text(dotted(DesktopKeyring))
    DesktopKeyring.secrets[(SERVICE, NAME)] = "from the pinned backend"
    OtherKeyring.secrets[(SERVICE, NAME)] = KEY
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", dotted(OtherKeyring))
    assert await start(tmp_path, OtherKeyring()).get(NAME) == KEY
    assert DesktopKeyring.reads == []
    assert (tmp_path / "keyring-backend").read_text() == dotted(DesktopKeyring)
    # keyring's own config file is an explicit choice too.
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND")
    config = tmp_path / "xdg" / "python_keyring" / "keyringrc.cfg"
    config.parent.mkdir(parents=True)
    config.write_text(f"[backend]\ndefault-keyring={dotted(OtherKeyring)}\n")
    assert await start(tmp_path, OtherKeyring()).get(NAME) == KEY
    assert DesktopKeyring.reads == []


async def test_a_key_written_is_the_key_read_back_and_deletes_reach_both(
        tmp_path: Path) -> None:
    (tmp_path / "keyring-backend").write_text(dotted(DesktopKeyring))
    OtherKeyring.secrets[(SERVICE, NAME)] = "an old key, in keyring's choice"
    store = start(tmp_path, OtherKeyring())
    await store.set(NAME, KEY)  # where reads look first: an old copy elsewhere never wins
    assert DesktopKeyring.secrets == {(SERVICE, NAME): KEY}
    assert await store.get(NAME) == KEY
    assert await start(tmp_path, OtherKeyring()).get(NAME) == KEY  # and at the next start
    await store.delete(NAME)  # sign-out: no copy is left that a fallback read would find
    assert DesktopKeyring.secrets == {}
    assert OtherKeyring.secrets == {}
    assert await store.get(NAME) is None
    await store.delete(NAME)  # idempotent


async def test_the_first_write_is_remembered(tmp_path: Path) -> None:
    await start(tmp_path, DesktopKeyring()).set(NAME, KEY)
    assert (tmp_path / "keyring-backend").read_text().strip() == dotted(DesktopKeyring)
    # A backend that keeps nothing is never remembered.
    (tmp_path / "keyring-backend").unlink()
    await start(tmp_path, keyring.backends.null.Keyring()).set(NAME, KEY)
    assert not (tmp_path / "keyring-backend").exists()


async def test_a_pinned_backend_that_refuses_a_write_gives_way(tmp_path: Path) -> None:
    (tmp_path / "keyring-backend").write_text(dotted(BrokenKeyring))
    store = start(tmp_path, OtherKeyring())
    await store.set(NAME, KEY)
    assert OtherKeyring.secrets == {(SERVICE, NAME): KEY}
    assert (tmp_path / "keyring-backend").read_text().strip() == dotted(OtherKeyring)
    assert await store.get(NAME) == KEY


async def test_an_unwritable_pin_is_logged_and_the_key_still_read(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    DesktopKeyring.secrets[(SERVICE, NAME)] = KEY
    store = CredentialStore(pin=BackendPin(blocker / "keyring-backend"))
    keyring.set_keyring(DesktopKeyring())
    assert await store.get(NAME) == KEY
    assert "could not remember the keyring backend" in caplog.text
    assert await store.get(NAME) == KEY  # this run goes on with the backend it found


async def test_the_check_asks_the_remembered_backend_alone(tmp_path: Path) -> None:
    """Sign-in's check asks where the key would be written: no discovery, and keyring's
    failing choice does not stand for it."""
    (tmp_path / "keyring-backend").write_text(dotted(DesktopKeyring))
    await start(tmp_path, keyring.backends.fail.Keyring()).check()
    assert DesktopKeyring.reads == ["crisp-console-probe"]
    (tmp_path / "keyring-backend").unlink()
    with pytest.raises(KeyringUnavailable):
        await start(tmp_path, keyring.backends.fail.Keyring()).check()


async def test_when_keyrings_choice_is_the_pinned_backend_its_answer_stands(
        tmp_path: Path) -> None:
    """Not asked twice: "not there" is one read, and a failure (a dismissed unlock prompt)
    is reported once, not shown again through keyring's choice."""
    (tmp_path / "keyring-backend").write_text(dotted(DesktopKeyring))
    assert await start(tmp_path, DesktopKeyring()).get(NAME) is None
    assert DesktopKeyring.reads == [NAME]
    (tmp_path / "keyring-backend").write_text(dotted(BrokenKeyring))
    store = start(tmp_path, BrokenKeyring())
    with pytest.raises(KeyringUnavailable):
        await store.get(NAME)
    assert BrokenKeyring.calls == [NAME]
    with pytest.raises(KeyringUnavailable):
        await store.set(NAME, KEY)
    assert BrokenKeyring.calls == [NAME, NAME]
    assert (tmp_path / "keyring-backend").read_text() == dotted(BrokenKeyring)  # kept
