"""Desktop notifications through the platform's notification service, with desktop-notifier:
the freedesktop service on the session bus (Linux: GNOME Shell, KDE Plasma, xfce4-notifyd,
dunst, mako…), the Notification Center on macOS, toasts on Windows.

One notification per key (a conversation): ``show`` with a key already shown replaces that
notification (macOS and Windows replace by identifier; on D-Bus desktop_notify_dbus.py passes
the server's id), ``withdraw`` closes it. Clicking one emits ``clicked(key)``.

Nothing here blocks the window. Operations run on the event loop one at a time, in a task
that exists only while there is work, and the latest operation per key wins, so a slow server
never sees a flood. The service is probed first (what it is, whether it plays sounds); while
that runs, notifications wait for it. When there is none, or it fails later (the daemon went
away, a D-Bus error, no answer within 5 s), ``available`` turns False, the failure is logged
once, ``undelivered`` hands the notification back (the Notifier then uses the tray), and the
service is probed again at a notification a minute later.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import platform
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from crisp_console.present.notify_support import CHECKING, ServiceInfo
from crisp_console.present.plain import one_line

if TYPE_CHECKING:  # desktop-notifier (and its D-Bus stack) loads with the first probe
    from desktop_notifier.backends.base import DesktopNotifierBackend
    from desktop_notifier.common import Sound

log = logging.getLogger(__name__)

APP_NAME = "crisp-console"
TIMEOUT_S = 5.0  # a probe, a notification or a close that takes longer counts as a failure
REPROBE_S = 60.0  # how soon after a failure a notification looks for the service again
LINUX = platform.system() == "Linux"  # desktop-notifier's own test for its D-Bus backend

Spawn = Callable[[Coroutine[Any, Any, None], str], object]  # TaskOwner.spawn(coro, name)
MakeBackend = Callable[[Path | None], "DesktopNotifierBackend"]


class Unavailable(Exception):
    """The platform has no notification service the console can use; the words say why."""


def default_backend(icon: Path | None) -> DesktopNotifierBackend:
    from desktop_notifier.common import Icon

    # Our SVG on the freedesktop service; macOS takes the bundle's icon and Windows' toasts
    # the one registered with the app's id (they read no SVG).
    app_icon = Icon(path=icon) if icon is not None and LINUX else None
    if LINUX:
        from crisp_console.ui.desktop_notify_dbus import ReplacingDBusNotifier
        return ReplacingDBusNotifier(APP_NAME, app_icon)
    from desktop_notifier.main import get_backend_class
    return get_backend_class()(APP_NAME, app_icon)


async def describe(backend: DesktopNotifierBackend) -> ServiceInfo:
    """What the service is and can do; Unavailable (or the transport's error) when none."""
    from desktop_notifier.common import Capability

    capabilities = await backend.get_capabilities()
    sound = Capability.SOUND in capabilities
    click = Capability.ON_CLICKED in capabilities
    server_information = getattr(backend, "server_information", None)
    if server_information is not None:  # the freedesktop service
        name, _vendor, version, _spec = await server_information()
        return ServiceInfo(one_line(name, 40) or "a notification server",
                           one_line(version, 40), sound=sound, click=click)
    if not capabilities:  # desktop-notifier's dummy: an unsupported platform or setup
        raise Unavailable("macOS shows notifications only from the app bundle"
                          if platform.system() == "Darwin"
                          else "No notification service on this system")
    if not await backend.request_authorisation():
        raise Unavailable("Notifications are turned off for the console in the system "
                          "settings")
    name = ("the macOS Notification Center" if platform.system() == "Darwin"
            else "Windows notifications")
    return ServiceInfo(name, on_bus=False, sound=sound, click=click)


def problem_words(exc: BaseException) -> str:
    """Why the service cannot be used, in a line."""
    if isinstance(exc, Unavailable):
        return str(exc)
    if isinstance(exc, TimeoutError):
        return f"The notification service did not answer within {TIMEOUT_S:.0f} s"
    if LINUX:
        from crisp_console.ui.desktop_notify_dbus import bus_problem_words
        words = bus_problem_words(exc)
        if words:
            return words
    return one_line(f"The notification service failed: {exc}", 160)


class ServiceNotifications(QObject):
    """Signals:
        changed: ``info``, ``problem`` or ``checking`` changed (a probe ended, a failure).
        clicked(key): the operator clicked the notification of ``key``.
        undelivered(key, title, body): the service could not show it; show it another way.
    """

    changed = Signal()
    clicked = Signal(str)
    undelivered = Signal(str, str, str)

    def __init__(self, spawn: Spawn, *, icon: Path | None = None, sound: Path | None = None,
                 make_backend: MakeBackend = default_backend,
                 clock: Callable[[], float] = time.monotonic,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._spawn, self._icon, self._make_backend, self._clock = spawn, icon, make_backend, clock
        # The sound the service plays: our file on the freedesktop service (its "sound-file"
        # hint), the platform's notification sound elsewhere.
        self._sound_file = sound
        self._sound: Sound | None = None  # made with the first notification
        self.info: ServiceInfo | None = None
        self.problem = CHECKING
        self.checking = False  # a probe runs
        self._backend: DesktopNotifierBackend | None = None
        self._probed = asyncio.Event()
        self._probe_failed_at: float | None = None
        self._pending: dict[str, tuple[str, str, bool] | None] = {}  # key -> show, None: close
        self._shown: set[str] = set()
        self._working = False
        self._worker_done: asyncio.Event | None = None
        self._closed = False

    @property
    def available(self) -> bool:
        """A service answered and has not failed since (or the probe still runs)."""
        return self.info is not None or self.checking

    # ---- probing ----------------------------------------------------------------------------

    def probe(self) -> None:
        """Look for the service again (start-up, Preferences opening, a minute after a
        failure); the answer comes with ``changed``."""
        if self.checking or self._closed:
            return
        self.checking = True
        self._probed.clear()
        if self._spawn(self._probe(), "probe the notification service") is None:
            self.checking = False  # closing: the tasks take no more work
            self._probed.set()
        self.changed.emit()

    async def _probe(self) -> None:
        # A service in use is asked again (it keeps the ids of what it shows); else a new
        # connection looks for one.
        backend = self._backend
        try:
            if backend is None:
                backend = self._make_backend(self._icon)
            info = await asyncio.wait_for(describe(backend), TIMEOUT_S)
        except asyncio.CancelledError:
            if backend is not self._backend:
                await _close_backend(backend)  # its connection must not outlive the console
            raise
        except Exception as exc:  # noqa: BLE001 - whatever fails, there is no service to use
            self._backend = None
            self._shown.clear()
            await _close_backend(backend)
            problem = problem_words(exc)
            if problem != self.problem:  # a re-probe a minute later says nothing new
                log.info("desktop notifications: no service (%s)", problem)
            self._set(None, problem)
        else:
            if self._closed:  # the console closed meanwhile: nobody left to notify
                await _close_backend(backend)
                return
            backend.on_clicked = self._on_clicked
            self._backend = backend
            self._set(info, "")
            log.info("desktop notifications: %s", info.label())
        finally:
            self.checking = False
            self._probed.set()
            self.changed.emit()

    def _set(self, info: ServiceInfo | None, problem: str) -> None:
        self.info, self.problem = info, problem
        self._probe_failed_at = None if info is not None else self._clock()

    # ---- notifications ----------------------------------------------------------------------

    def show(self, key: str, title: str, body: str, *, sound: bool = False) -> bool:
        """Show (or replace) the notification of ``key``; False when the service is known
        to be unavailable (the caller shows it another way)."""
        if self._closed:
            return False
        if not self.available:
            failed = self._probe_failed_at
            if failed is None or self._clock() - failed >= REPROBE_S:
                self.probe()  # maybe back (a daemon restarted): from the next notification on
            return False
        self._pending.pop(key, None)
        self._pending[key] = (title, body, sound)  # the latest per key, queued last
        self._work()
        return True

    def withdraw(self, key: str) -> None:
        """Close the notification of ``key`` (read, resolved, opened), if one is shown."""
        if self._closed:
            return
        if key in self._shown or self._pending.get(key) is not None:
            self._pending.pop(key, None)
            self._pending[key] = None
            self._work()

    def shown(self) -> frozenset[str]:
        """The keys whose notification the service shows (sent, not withdrawn)."""
        return frozenset(self._shown)

    async def aclose(self) -> None:
        """Withdraw what is still shown (a click would reach nobody after quitting) and
        close the connection."""
        if self._closed:
            return
        self._closed = True
        self._pending.clear()
        if self._worker_done is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._worker_done.wait(), TIMEOUT_S)
        backend, self._backend = self._backend, None
        if backend is not None and self._shown:
            with contextlib.suppress(Exception):  # quitting: nothing more to do about it
                await asyncio.wait_for(backend.clear_all(), TIMEOUT_S)
        self._shown.clear()
        await _close_backend(backend)

    # ---- internals --------------------------------------------------------------------------

    def _work(self) -> None:
        if self._working:
            return
        self._working = True
        done = self._worker_done = asyncio.Event()
        if self._spawn(self._drain(done), "desktop notifications") is None:
            self._working = False  # closing: the tasks take no more work
            done.set()

    async def _drain(self, done: asyncio.Event) -> None:
        try:
            if self.checking:
                await self._probed.wait()
            while self._pending:
                key = next(iter(self._pending))
                operation = self._pending.pop(key)
                if operation is None:
                    await self._close(key)
                else:
                    await self._send(key, *operation)
        finally:
            self._working = False
            done.set()

    async def _send(self, key: str, title: str, body: str, sound: bool) -> None:
        backend = self._backend
        if backend is None:
            self.undelivered.emit(key, title, body)
            return
        from desktop_notifier.common import DEFAULT_SOUND, Notification, Sound

        if self._sound is None:
            self._sound = (Sound(path=self._sound_file)
                           if LINUX and self._sound_file is not None else DEFAULT_SOUND)
        dispatched: list[bool] = []
        notification = Notification(title, body, identifier=key,
                                    sound=self._sound if sound else None,
                                    on_dispatched=lambda: dispatched.append(True))
        try:
            # desktop-notifier logs a failure and returns; on_dispatched says it went out.
            await asyncio.wait_for(backend.send(notification), TIMEOUT_S)
        except TimeoutError as exc:
            self._failed(problem_words(exc))
        else:
            if dispatched:
                self._shown.add(key)
                return
            self._failed("The notification service stopped answering")
        self.undelivered.emit(key, title, body)

    async def _close(self, key: str) -> None:
        self._shown.discard(key)
        backend = self._backend
        if backend is None:
            return
        try:
            await asyncio.wait_for(backend.clear(key), TIMEOUT_S)
        except Exception as exc:  # noqa: BLE001 - a close that fails leaves one notification up
            log.info("desktop notifications: could not withdraw one: %s", problem_words(exc))

    def _failed(self, problem: str) -> None:
        """The service failed while in use: said once, then the fallback until a re-probe
        finds it again."""
        if self.info is not None:
            log.warning("desktop notifications: %s; using the fallback", problem)
        self._set(None, problem)
        # Queued notifications go the other way now; closes have nothing left to close.
        backend, self._backend = self._backend, None
        self._shown.clear()
        self._spawn(_close_backend(backend), "close the notification service")
        self.changed.emit()

    def _on_clicked(self, identifier: str) -> None:
        self.clicked.emit(identifier)


async def _close_backend(backend: DesktopNotifierBackend | None) -> None:
    aclose = getattr(backend, "aclose", None)
    if aclose is not None:
        with contextlib.suppress(Exception):  # it failed already; closing is best effort
            await asyncio.wait_for(aclose(), TIMEOUT_S)
