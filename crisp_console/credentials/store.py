"""The token key in the OS keyring (service ``crisp-console``, username = the identifier).

Keyring backends block: Secret Service talks D-Bus and may wait on an unlock prompt, the macOS
Keychain may show a dialog. Every call therefore runs on a worker thread, under a timeout, one
at a time (an asyncio.Lock), and every backend failure becomes a typed error with a sentence
the sign-in dialog can show. When no backend works, ``SessionOnlyStore`` keeps the key in
memory for this run only; nothing here ever writes the key to a file.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Callable
from typing import Protocol, TypeVar

import keyring
import keyring.backend
import keyring.errors

from crisp_console.credentials.pin import BackendPin, delete_from
from crisp_console.errors import CrispError

log = logging.getLogger(__name__)

SERVICE = "crisp-console"
_PROBE_USER = "crisp-console-probe"  # looked up (never written) by check()

T = TypeVar("T")


class CredentialError(CrispError):
    """A keyring operation failed; ``reason`` is a sentence for the operator."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class KeyringUnavailable(CredentialError):
    """No usable keyring (none installed, cannot open, locked, refuses to store): offer
    "keep for this session only"."""


class KeyringTimeout(KeyringUnavailable):
    """The backend did not answer in time (typically waiting on an unlock prompt)."""


class SecretStore(Protocol):
    """What the sign-in flow needs from either store."""

    @property
    def persistent(self) -> bool: ...

    def backend_name(self) -> str: ...

    async def check(self) -> None: ...

    async def get(self, identifier: str) -> str | None: ...

    async def set(self, identifier: str, key: str) -> None: ...

    async def delete(self, identifier: str) -> None: ...


class _DaemonThreadExecutor(concurrent.futures.Executor):
    """One daemon thread per call. A ThreadPoolExecutor's threads are joined at interpreter
    exit, so a keyring call stuck on a prompt would stop the console from quitting."""

    def submit(self, fn: Callable[..., T], /, *args: object,
               **kwargs: object) -> concurrent.futures.Future[T]:
        future: concurrent.futures.Future[T] = concurrent.futures.Future()

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                future.set_result(fn(*args, **kwargs))
            except BaseException as exc:  # noqa: BLE001 - re-raised in the awaiting coroutine
                future.set_exception(exc)

        threading.Thread(target=run, name="keyring-call", daemon=True).start()
        return future


def _check_identifier(identifier: str) -> None:
    if not identifier or not identifier.strip():
        raise ValueError("the token identifier is empty")


class CredentialStore:
    """Async access to the OS keyring. ``backend`` defaults to keyring's choice, resolved on
    the worker thread at each call (so tests' ``keyring.set_keyring`` applies)."""

    persistent = True

    def __init__(self, *, service: str = SERVICE, timeout: float = 5.0,
                 executor: concurrent.futures.Executor | None = None,
                 backend: keyring.backend.KeyringBackend | None = None,
                 pin: BackendPin | None = None) -> None:
        self._service = service
        self._timeout = timeout
        self._executor = executor if executor is not None else _DaemonThreadExecutor()
        self._backend = backend
        # The backend that held the secrets last run (pin.py): asked first, which spares a
        # start keyring's discovery of every backend. Not with a given backend.
        self._pin = pin if backend is None else None
        self._lock = asyncio.Lock()
        self._pending: threading.Event | None = None  # set when a timed-out call finally ends
        self._name: str | None = None

    def backend_name(self) -> str:
        """Display name of the backend, e.g. "SecretService Keyring". Resolving keyring's
        default may touch D-Bus once; after any awaited call the name is cached."""
        if self._name is None:
            pinned = self._pin.backend() if self._pin is not None else None
            self._name = (pinned if pinned is not None else self._resolve()).name
        return self._name

    async def check(self) -> None:
        """Raise KeyringUnavailable unless the backend answers a lookup: the remembered one
        when it loads (where the key would be written), else keyring's choice."""

        def probe() -> None:
            pinned = self._pin.backend() if self._pin is not None else None
            backend = pinned if pinned is not None else self._default()
            self._name = backend.name
            backend.get_password(self._service, _PROBE_USER)

        await self._call(probe, "check")

    async def get(self, identifier: str) -> str | None:
        _check_identifier(identifier)
        return await self._call(lambda: self._read(identifier), "read")

    async def set(self, identifier: str, key: str) -> None:
        _check_identifier(identifier)
        if not key:
            raise ValueError("the token key is empty")

        def write() -> None:
            if self._pin is None:
                self._default().set_password(self._service, identifier, key)
            else:
                self._name = self._pin.write(self._service, identifier, key,
                                             self._default).name

        await self._call(write, "save", secret=key)

    async def delete(self, identifier: str) -> None:
        """Remove the key; a key that is not there is not an error (sign-out is idempotent)."""
        _check_identifier(identifier)

        def delete() -> None:
            if self._pin is None:
                delete_from(self._default(), self._service, identifier)
            else:
                self._pin.delete(self._service, identifier, self._default)

        await self._call(delete, "delete")

    def _resolve(self) -> keyring.backend.KeyringBackend:
        return self._backend if self._backend is not None else keyring.get_keyring()

    def _default(self) -> keyring.backend.KeyringBackend:
        """The backend given, or keyring's choice (found on the first call: every installed
        backend is loaded and asked). On the worker thread."""
        backend = self._resolve()
        self._name = backend.name
        return backend

    def _read(self, identifier: str) -> str | None:
        """On the worker thread: through the remembered backend when there is one."""
        if self._pin is None:
            return self._default().get_password(self._service, identifier)
        found, backend = self._pin.read(self._service, identifier, self._default)
        self._name = backend.name
        return found

    async def _call(self, op: Callable[[], T], action: str, secret: str = "") -> T:
        async with self._lock:
            if self._pending is not None and not self._pending.is_set():
                raise KeyringTimeout("The system keyring has not answered an earlier request"
                                     " yet (it may be waiting for you to unlock it).")
            finished = threading.Event()

            def work() -> T:
                try:
                    return op()
                finally:
                    finished.set()

            loop = asyncio.get_running_loop()
            try:
                return await asyncio.wait_for(loop.run_in_executor(self._executor, work),
                                              self._timeout)
            except TimeoutError:
                self._pending = finished
                log.warning("keyring %s timed out after %.1f s", action, self._timeout)
                raise KeyringTimeout(
                    f"The system keyring did not answer within {self._timeout:g} s (it may be"
                    " waiting for you to unlock it).") from None
            except keyring.errors.KeyringError as exc:
                raise _mapped(exc, action, secret) from None
            except (OSError, RuntimeError, ValueError) as exc:
                # D-Bus and Keychain libraries raise their own types (jeepney, secretstorage).
                detail = _detail(exc, secret)
                log.warning("keyring %s failed: %s: %s", action, type(exc).__name__, detail)
                raise KeyringUnavailable(
                    f"The system keyring failed to {action} the key: {detail}") from None


def _detail(exc: BaseException, secret: str) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.replace(secret, "***") if secret else text


def _mapped(exc: keyring.errors.KeyringError, action: str, secret: str) -> CredentialError:
    detail = _detail(exc, secret)
    log.warning("keyring %s failed: %s: %s", action, type(exc).__name__, detail)
    if isinstance(exc, keyring.errors.NoKeyringError):
        return KeyringUnavailable(
            "No system keyring is available (no Secret Service such as GNOME Keyring or KWallet,"
            " no Keychain, no Credential Locker), so the key cannot be remembered.")
    if isinstance(exc, keyring.errors.KeyringLocked):
        return KeyringUnavailable(
            "The system keyring is locked and could not be unlocked (no unlock prompt could be"
            " shown).")
    if isinstance(exc, keyring.errors.InitError):
        return KeyringUnavailable(f"The system keyring could not be opened: {detail}")
    if isinstance(exc, keyring.errors.PasswordSetError):
        return KeyringUnavailable(f"The system keyring refused to save the key: {detail}")
    if isinstance(exc, keyring.errors.PasswordDeleteError):
        return CredentialError(f"The system keyring refused to delete the key: {detail}")
    return KeyringUnavailable(f"The system keyring failed to {action} the key: {detail}")


class SessionOnlyStore:
    """"Keep for this session only": the key lives in this object and dies with the process."""

    persistent = False

    def __init__(self) -> None:
        self._keys: dict[str, str] = {}

    def backend_name(self) -> str:
        return "this session only"

    async def check(self) -> None:
        return None

    async def get(self, identifier: str) -> str | None:
        _check_identifier(identifier)
        return self._keys.get(identifier)

    async def set(self, identifier: str, key: str) -> None:
        _check_identifier(identifier)
        if not key:
            raise ValueError("the token key is empty")
        self._keys[identifier] = key

    async def delete(self, identifier: str) -> None:
        _check_identifier(identifier)
        self._keys.pop(identifier, None)

    def __repr__(self) -> str:  # never the keys themselves
        return f"SessionOnlyStore({len(self._keys)} key(s))"
