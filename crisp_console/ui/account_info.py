"""Who the console is signed in as: the top of the Console menu (disabled lines: the account,
the plugin, the operator it acts as, the websites) and the status bar's "Signed in as …".

The account's name is what the operator named it at sign-in (the accounts book's label;
``--demo`` and environment tokens name themselves): Crisp's plugin API gives the plugin's id
(Get Connect Account) but no name. The plugin id is the client's once start-up has read it;
the operator is Identity's "me"; the websites are the store's subscribed ones, so a website
added or removed while the console runs changes the lines at once (store notifications).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from crisp_console.core import OPERATORS, WEBSITES, Change, Store
from crisp_console.present.labels import operator_name, website_name
from crisp_console.present.team_words import (
    SignedIn,
    signed_in_lines,
    signed_in_text,
    signed_in_tip,
)
from crisp_console.ui.availability import MeSource
from crisp_console.ui.widgets.signed_in import SignedInLabel


@dataclass(frozen=True)
class AccountName:
    """The account as the operator knows it: ``label`` (shown) and ``key`` (host and token
    identifier: where its per-account choices are kept)."""

    label: str
    key: str


class SignedInInfo:
    def __init__(self, store: Store, identity: MeSource, plugin_id: Callable[[], str],
                 label: str, status: SignedInLabel, menu: QMenu | None) -> None:
        """``plugin_id()``: the client's, "" until start-up read it; ``menu``: the Console
        menu (its first lines are added here)."""
        self._store, self._identity, self._plugin_id = store, identity, plugin_id
        self._label, self._status = label, status
        self._facts: SignedIn | None = None
        self.lines: list[QAction] = []
        if menu is not None:
            self._add_lines(menu, len(signed_in_lines(SignedIn(label))))
        self._off: Callable[[], None] | None = store.subscribe(self._on_change)
        self.refresh()

    def _add_lines(self, menu: QMenu, count: int) -> None:
        """``count`` disabled lines (information, not commands) and a separator, on top."""
        existing = menu.actions()
        for _ in range(count):
            action = QAction(menu)
            action.setEnabled(False)
            self.lines.append(action)
        menu.setToolTipsVisible(True)
        if not existing:
            menu.addActions(self.lines)
            menu.addSeparator()
            return
        menu.insertActions(existing[0], self.lines)
        menu.insertSeparator(existing[0])

    def facts(self) -> SignedIn:
        store = self._store
        op = self._identity.operator()
        websites = tuple(sorted((website_name(site) for site in store.websites.values()
                                 if site.subscribed), key=str.casefold))
        return SignedIn(self._label, self._plugin_id(),
                        operator_name(op) if op is not None else "",
                        guessed=op is not None and not self._identity.configured,
                        websites=websites)

    def refresh(self) -> None:
        facts = self.facts()
        if facts == self._facts:
            return
        self._facts = facts
        tip = signed_in_tip(facts)
        self._status.set_facts(signed_in_text(facts), tip)
        for action, line in zip(self.lines, signed_in_lines(facts), strict=True):
            action.setText(line.replace("&", "&&"))
            action.setToolTip(tip)

    def detach(self) -> None:
        if self._off is not None:
            self._off()
            self._off = None

    def _on_change(self, change: Change) -> None:
        if change.collection in (WEBSITES, OPERATORS):
            self.refresh()
