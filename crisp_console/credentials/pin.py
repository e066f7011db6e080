"""The keyring backend that holds the console's secrets, remembered between runs.

keyring picks its backend by loading every installed one (entry points, through
importlib_metadata) and asking each whether it works: on a desktop with a Secret Service that
took 80-130 ms of every start here, before the database key could be read and the cached
inbox shown. The backend that holds the secrets is remembered by its class name (never a
secret) in a file beside the preferences, and the next start loads that one alone.

The remembered backend is where the secrets are: reads, writes and deletes go to it, so a
key written is the key read back. A secret it does not have (or a failure) is still looked
for through keyring's own choice, which is then remembered in its place: a pin never hides a
key (a database key reported missing would set the encrypted cache aside). A delete reaches
both, so no copy is left that such a read would find. An explicit choice
(PYTHON_KEYRING_BACKEND, keyringrc.cfg) always wins: nothing is remembered over it.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Callable
from pathlib import Path

import keyring.backend
import keyring.backends.chainer
import keyring.backends.null
import keyring.core
import keyring.errors
from keyring.util import platform_

from crisp_console.storage.atomic import write_atomic

log = logging.getLogger(__name__)

FILE_NAME = "keyring-backend"
# A dotted class path as keyring's own config file names one (module.Class).
_NAME = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)+")

Backend = keyring.backend.KeyringBackend
Default = Callable[[], Backend]  # keyring's choice (or the store's given backend)


def explicit_choice() -> bool:
    """The user named a backend (keyring's environment variable or config file): keyring
    loads that one alone, cheaply, and nothing is remembered over it."""
    if os.environ.get("PYTHON_KEYRING_BACKEND"):
        return True
    try:
        return (platform_.config_root() / "keyringrc.cfg").is_file()
    except (OSError, RuntimeError):  # no home to hold a config root: nothing was chosen
        return False


def class_name(backend: Backend) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


class BackendPin:
    """The remembered backend in ``path`` (one line: its class path), and the rules above.
    Called on the keyring's worker thread (CredentialStore: one call at a time); ``default``
    is keyring's choice, asked for only when needed (finding it is what costs)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._loaded: Backend | None = None
        self._tried = False
        self._lock = threading.Lock()

    def backend(self) -> Backend | None:
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
                self._drop()
            return self._loaded

    def read(self, service: str, username: str, default: Default) -> tuple[str | None, Backend]:
        """The secret and the backend that answered: the remembered one when it has it, else
        keyring's choice (remembered when it has it; its errors are the caller's). When
        keyring's choice is the remembered backend itself, its answer stands: asking again
        would tell nothing new, and a refused unlock prompt would be shown twice."""
        pinned = self.backend()
        failure: Exception | None = None
        if pinned is not None:
            try:
                found = pinned.get_password(service, username)
            except Exception as exc:  # noqa: BLE001 - keyring's choice is asked instead
                log.info("the remembered keyring backend failed to read (%s); asking "
                         "keyring's own choice", type(exc).__name__)
                failure, found = exc, None
            if found is not None:
                return found, pinned
        backend = default()
        if pinned is not None and type(backend) is type(pinned):
            if failure is not None:
                raise failure
            return None, pinned
        found = backend.get_password(service, username)
        if found is not None:
            self.remember(backend, service, username)
        return found, backend

    def write(self, service: str, username: str, secret: str, default: Default) -> Backend:
        """Into the remembered backend (where reads look first); if it fails, into keyring's
        choice, which is then remembered, unless that is the same backend (its failure
        stands). Returns the backend written to."""
        pinned = self.backend()
        failure: Exception | None = None
        if pinned is not None:
            try:
                pinned.set_password(service, username, secret)
                return pinned
            except Exception as exc:  # noqa: BLE001 - keyring's choice takes the write
                log.info("the remembered keyring backend failed to save (%s)",
                         type(exc).__name__)
                failure = exc
        backend = default()
        if pinned is not None:
            if type(backend) is type(pinned) and failure is not None:
                raise failure
            with self._lock:
                self._loaded = None
            self._drop()
        backend.set_password(service, username, secret)
        self.remember(backend, service, username)
        return backend

    def delete(self, service: str, username: str, default: Default) -> None:
        """From the remembered backend and keyring's choice (a read looks in both); a secret
        that is not there is not an error. Once the remembered backend has let go of it,
        a keyring's choice that cannot be asked (none works) holds no copy to find."""
        pinned = self.backend()
        if pinned is not None:
            delete_from(pinned, service, username)
        try:
            backend = default()
            if pinned is None or type(backend) is not type(pinned):
                delete_from(backend, service, username)
        except Exception as exc:
            if pinned is None:
                raise
            log.info("keyring's own choice could not delete too (%s)", type(exc).__name__)

    def remember(self, backend: Backend, service: str, username: str) -> None:
        """``backend`` (keyring's choice) holds ``username``'s secret now: remember the one
        that holds it (for a chain of backends, its first member that has it). The null
        backend, which accepts writes and keeps nothing, never is."""
        if explicit_choice():
            return
        holder: Backend | None = backend
        if isinstance(backend, keyring.backends.chainer.ChainerBackend):
            holder = next((b for b in backend.backends if _holds(b, service, username)), None)
        if holder is None or isinstance(holder, keyring.backends.null.Keyring):
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

    def _drop(self) -> None:
        try:
            self.path.unlink(missing_ok=True)
        except OSError as exc:
            log.warning("could not remove %s: %s", self.path, exc)


def delete_from(backend: Backend, service: str, username: str) -> None:
    try:
        backend.delete_password(service, username)
    except keyring.errors.PasswordDeleteError:
        # Backends say "not found" with the same exception as a real refusal.
        if backend.get_password(service, username) is not None:
            raise


def _holds(backend: Backend, service: str, username: str) -> bool:
    try:
        return backend.get_password(service, username) is not None
    except Exception:  # noqa: BLE001 - a member that fails holds nothing we can use
        return False
