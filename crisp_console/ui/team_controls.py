"""The team controls of one console, built and wired in one place: the availability switch
and Crisp's availability of "me" in the status bar, "Signed in as …" there and at the top
of the Console menu, the palette's availability commands, and the notifier's gate (Away).

ui/console.py calls ``install_team_controls`` once the panes exist, ``ready()`` once start-up
has listed the websites and the operators, and ``detach()`` before the client closes.
Unassign is ConversationActions' (the assignment's own path).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction, QActionGroup

from crisp_console.client import ConsoleClient
from crisp_console.present.labels import operator_name
from crisp_console.present.team_words import MODES, crisp_text, crisp_tip, mode_changed
from crisp_console.ui.account_info import AccountName, SignedInInfo
from crisp_console.ui.availability import (
    ConsoleAvailability,
    CrispAvailabilityWatch,
    SettingsMemory,
)
from crisp_console.ui.commands import CommandRegistry
from crisp_console.ui.notifier import Notifier
from crisp_console.ui.widgets.availability_switch import AvailabilitySwitch
from crisp_console.ui.widgets.main_window import CONSOLE_MENU, MainWindow
from crisp_console.ui.widgets.signed_in import SignedInLabel


@dataclass
class TeamControls:
    availability: ConsoleAvailability
    crisp: CrispAvailabilityWatch
    switch: AvailabilitySwitch
    signed_in: SignedInInfo
    signed_in_label: SignedInLabel

    def show_crisp(self) -> None:
        """Crisp's availability of "me" on the switch's label."""
        crisp = self.crisp
        op = crisp.operator()
        availability = crisp.availability()
        self.switch.set_crisp(crisp_text(availability),
                              crisp_tip(operator_name(op) if op is not None else "",
                                        availability, since_ms=crisp.since_ms,
                                        problem=crisp.problem, now=datetime.now(UTC)))

    def ready(self) -> None:
        """Start-up listed the websites and the operators: who "me" is is known now."""
        self.signed_in.refresh()
        self.show_crisp()

    def detach(self) -> None:
        self.crisp.detach()
        self.signed_in.detach()


def install_team_controls(client: ConsoleClient, window: MainWindow, notifier: Notifier,
                          registry: CommandRegistry, actions: Mapping[str, QAction], *,
                          account: AccountName | None,
                          settings: QSettings | None,
                          message: Callable[[str, int], None]) -> TeamControls:
    """``actions``: the registry's QActions (the Console menu's availability lines get a
    check mark); ``account``: the signed-in account's name (None: "a plugin token", and the
    availability is not remembered); ``message(text, ms)``: the status bar."""
    store = client.store
    memory = (SettingsMemory(settings, account.key)
              if settings is not None and account is not None else None)
    availability = ConsoleAvailability(store, lambda: client.me, memory, parent=window)
    crisp = CrispAvailabilityWatch(store, client.identity, client.availability, parent=window)
    switch = AvailabilitySwitch()
    label = SignedInLabel()
    bar = window.statusBar()
    bar.insertPermanentWidget(0, label)  # before the connection state
    bar.insertPermanentWidget(1, switch)
    signed_in = SignedInInfo(store, client.identity, lambda: client.websites.plugin_id,
                             account.label if account is not None else "", label,
                             window.menus.get(CONSOLE_MENU))
    controls = TeamControls(availability, crisp, switch, signed_in, label)
    switch.set_mode(availability.mode)
    switch.mode_chosen.connect(availability.set_mode)
    availability.changed.connect(switch.set_mode)
    availability.changed.connect(lambda mode: message(mode_changed(mode), 6000))
    crisp.changed.connect(controls.show_crisp)
    for cid, run in availability.handlers().items():
        registry.set_handler(cid, run)
    check_marks(availability, actions, window)
    notifier.set_gate(availability.should_notify)
    controls.show_crisp()
    return controls


def check_marks(availability: ConsoleAvailability, actions: Mapping[str, QAction],
                window: MainWindow) -> None:
    """The menu's "Availability: …" lines as one exclusive choice, the current one checked."""
    group = QActionGroup(window)
    by_mode = {mode: action for mode in MODES
               if (action := actions.get(f"availability.{mode}")) is not None}
    for action in by_mode.values():
        action.setCheckable(True)
        group.addAction(action)

    def check(mode: str) -> None:
        action = by_mode.get(mode)
        if action is not None:
            action.setChecked(True)

    availability.changed.connect(check)
    check(availability.mode)
