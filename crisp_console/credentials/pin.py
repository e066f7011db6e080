"""The keyring backend that holds the console's secrets, remembered between runs.

keyring picks its backend by loading every installed one (entry points, through
importlib_metadata) and asking each whether it works: on a desktop with a Secret Service that
took 80-130 ms of every start here, before the database key could be read and the cached
inbox shown. The backend that answered is remembered by its class name (never a secret) in
a file beside the preferences, and the next start loads that one alone.

A remembered backend only makes a found secret quicker. "Not there", or any failure, falls
back to keyring's own choice, which then replaces the name: so a pin never hides a key (a
database key reported missing would set the encrypted cache aside), never decides where a
key is written, and an explicit choice (PYTHON_KEYRING_BACKEND, keyringrc.cfg) always wins.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from pathlib import Path

import keyring.backend
import keyring.backends.chainer
import keyring.core
from keyring.util import platform_

from crisp_console.storage.atomic import write_atomic

log = logging.getLogger(__name__)

FILE_NAME = "keyring-backend"
# A dotted class path as keyring's own config file names one (module.Class).
_NAME = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)+")


def explicit_choice() -> bool:
    """The user named a backend (keyring's environment variable or config file): keyring
    loads that one alone, cheaply, and nothing is remembered over it."""
    if os.environ.get("PYTHON_KEYRING_BACKEND"):
        return True
    try:
        return (platform_.config_root() / "keyringrc.cfg").is_file()
    except (OSError, RuntimeError):  # no home to hold a config root: nothing was chosen
        return False


def class_name(backend: keyring.backend.KeyringBackend) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


class BackendPin:
    """The remembered backend in ``path`` (one line: its class path). Used on the keyring's
    worker thread only (CredentialStore calls one at a time); the loaded backend is kept."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._loaded: keyring.backend.KeyringBackend | None = None
        self._tried = False
        self._lock = threading.Lock()

    def backend(self) -> keyring.backend.KeyringBackend | None:
        """The remembered backend, loaded once; None when there is none, the user chose one,
        or it cannot be loaded (its module gone, its service not running: logged, and the
        name forgotten)."""
        with self._lock:
            if self._tried:
                return self._loaded
            self._tried = True
            if explicit_choice():
                return None
            name = self._read()
            if name is None:
                return None
            try:
                self._loaded = keyring.core.load_keyring(name)
            except Exception as exc:  # noqa: BLE001 - any backend's own failure to load
                log.info("the remembered keyring backend %s did not load (%s); keyring "
                         "chooses again", name, type(exc).__name__)
                self._forget()
            return self._loaded

    def get(self, service: str, username: str) -> str | None:
        """The secret from the remembered backend; None when not pinned, not there, or the
        backend failed (logged: the caller asks keyring's own choice)."""
        backend = self.backend()
        if backend is None:
            return None
        try:
            return backend.get_password(service, username)
        except Exception as exc:  # noqa: BLE001 - the caller falls back to keyring's choice
            log.info("the remembered keyring backend failed to read (%s); asking keyring's "
                     "own choice", type(exc).__name__)
            return None

    def remember(self, backend: keyring.backend.KeyringBackend, service: str,
                 username: str) -> None:
        """``backend`` (keyring's choice) has just returned ``username``'s secret: remember
        the one that holds it (for a chain of backends, its first member that has it). Only
        a found secret is remembered: a backend that accepts writes and keeps nothing (the
        null one) never is."""
        if explicit_choice():
            return
        holder: keyring.backend.KeyringBackend | None = backend
        if isinstance(backend, keyring.backends.chainer.ChainerBackend):
            holder = next((b for b in backend.backends
                           if _holds(b, service, username)), None)
        if holder is None:
            return
        name = class_name(holder)
        with self._lock:
            self._loaded, self._tried = holder, True
            if self._read(quiet=True) == name:
                return
            try:
                write_atomic(self.path, (name + "\n").encode())
            except OSError as exc:
                log.warning("could not remember the keyring backend in %s: %s", self.path, exc)

    def _read(self, quiet: bool = False) -> str | None:
        try:
            name = self.path.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            if not quiet:
                log.warning("could not read %s (%s); keyring chooses again", self.path, exc)
            return None
        if _NAME.fullmatch(name) is None:
            if not quiet:
                log.warning("%s does not name a keyring backend; keyring chooses again",
                            self.path)
            return None
        return name

    def _forget(self) -> None:
        try:
            self.path.unlink(missing_ok=True)
        except OSError as exc:
            log.warning("could not remove %s: %s", self.path, exc)


def _holds(backend: keyring.backend.KeyringBackend, service: str, username: str) -> bool:
    try:
        return backend.get_password(service, username) is not None
    except Exception:  # noqa: BLE001 - a member that fails holds nothing we can use
        return False
