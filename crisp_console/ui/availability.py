"""The console's availability (Online / Away) and Crisp's availability of "me", for the status
bar's switch and the palette.

Crisp's plugin API can read an operator's availability but not set it (client/availability.py
says why), so the switch sets the console's own availability, and says so:

- ``ConsoleAvailability`` owns the choice, remembered per account (``AvailabilityMemory``).
  Away mutes this console's notifications (sound, pop-up, attention hint) except for
  conversations assigned to "me" or mentioning "me": ``should_notify(session_id)`` is the
  one predicate the notifier asks (``Notifier.set_gate``). Online notifies as before.
- ``CrispAvailabilityWatch`` follows what Crisp says of "me": the store's operator (read on
  each connect, then kept by ``website:update_operators_availability``) and, from the client,
  since when and why it could not be read.

"Invisible" is not offered: no Crisp source names such a state for operators (their
availability is online, away or offline), and the console could not set it anyway.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, QSettings, Signal

from crisp_console.core import OPERATORS, Change, Operator, Store
from crisp_console.present.team_words import AWAY, MODES, ONLINE

log = logging.getLogger(__name__)


class AvailabilityMemory(Protocol):
    """Where the console's availability is kept between runs (one account's)."""

    def load(self) -> str | None: ...

    def save(self, mode: str) -> None: ...


class SettingsMemory:
    """``AvailabilityMemory`` in the window's settings (window.ini), one key per account:
    ``account`` names it (host and token identifier; hashed, so the key is a plain word)."""

    def __init__(self, settings: QSettings, account: str) -> None:
        self._settings = settings
        digest = hashlib.sha256(account.encode("utf-8", "replace")).hexdigest()[:16]
        self._key = f"availability/{digest}"

    def load(self) -> str | None:
        value = self._settings.value(self._key)
        return value if isinstance(value, str) else None

    def save(self, mode: str) -> None:
        self._settings.setValue(self._key, mode)
        self._settings.sync()


class ConsoleAvailability(QObject):
    """Signals: changed(mode): "online" or "away", after a switch.

    ``me()`` names the operator the console acts as (None while unknown: then nothing is
    "mine" and Away mutes everything)."""

    changed = Signal(str)

    def __init__(self, store: Store, me: Callable[[], str | None],
                 memory: AvailabilityMemory | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store, self._me, self._memory = store, me, memory
        saved = memory.load() if memory is not None else None
        self._mode = saved if saved in MODES else ONLINE

    @property
    def mode(self) -> str:
        return self._mode

    @property
    def away(self) -> bool:
        return self._mode == AWAY

    def set_mode(self, mode: str) -> None:
        """Switch (remembered for the next start); an unknown mode is a bug."""
        if mode not in MODES:
            raise ValueError(f"unknown availability {mode!r}")
        if mode == self._mode:
            return
        self._mode = mode
        if self._memory is not None:
            self._memory.save(mode)
        log.info("console availability: %s", mode)
        self.changed.emit(mode)

    def should_notify(self, session_id: str) -> bool:
        """Whether a notification about this conversation may sound, pop up or ask for
        attention: always when Online; when Away, only for one assigned to "me" or
        mentioning "me"."""
        if self._mode != AWAY:
            return True
        me = self._me()
        conv = self._store.conversations.get(session_id)
        return me is not None and conv is not None and (conv.assigned == me
                                                        or me in conv.mentions)

    def handlers(self) -> dict[str, Callable[[], object]]:
        """The registry's handlers, by command id (default_commands.py)."""
        return {"availability.online": lambda: self.set_mode(ONLINE),
                "availability.away": lambda: self.set_mode(AWAY)}


class MeSource(Protocol):
    """The client's Identity: who "me" is."""

    @property
    def me(self) -> str | None: ...

    @property
    def configured(self) -> bool:
        """False when "me" is a guess (the first operator listed)."""
        ...

    def operator(self) -> Operator | None: ...


class CrispSource(Protocol):
    """The client's MyAvailability: since when, why not read, and change notices."""

    @property
    def since_ms(self) -> int | None: ...

    @property
    def problem(self) -> str: ...

    def observe(self, observer: Callable[[], None]) -> Callable[[], None]: ...


class CrispAvailabilityWatch(QObject):
    """Signals: changed(): Crisp's availability of "me", its "since" or its problem changed
    (or "me" did)."""

    changed = Signal()

    def __init__(self, store: Store, identity: MeSource, source: CrispSource,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._identity, self._source = identity, source
        self._offs = [store.subscribe(self._on_change), source.observe(self.changed.emit)]

    def operator(self) -> Operator | None:
        return self._identity.operator()

    def availability(self) -> str | None:
        op = self._identity.operator()
        return op.availability if op is not None else None

    @property
    def since_ms(self) -> int | None:
        return self._source.since_ms

    @property
    def problem(self) -> str:
        return self._source.problem

    def detach(self) -> None:
        for off in self._offs:
            off()
        self._offs = []

    def _on_change(self, change: Change) -> None:
        me = self._identity.me
        if change.collection == OPERATORS and (me is None or change.concerns(me)):
            self.changed.emit()
