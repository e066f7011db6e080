"""The sign-in dialog: token identifier, key, optional label, and (Advanced) the API host.

The console signs in with plugin tokens only, and the dialog says why and where to get one
(client/signin.py: Crisp's plugin routes refuse website tokens); a website token is named as
such when it is tried.

Sign in runs the injected ``check`` (``client.signin.check_sign_in``) as a task of ``tasks``
(``run_sign_in`` owns one for the dialog's life, and awaits it when the dialog closes); the
inputs are disabled meanwhile, and Cancel (or Esc) stops the check and gives the form back, a
second Cancel closes. A failure is said in words, and the focus goes to the input to fix. A
working token's key is saved with ``store.set``; when no keyring can keep it, the reason is
shown with "Keep for this session only" (the key then lives in memory only,
``SignedIn.persisted`` is False). The key is never written anywhere else.

Open it with ``run_sign_in`` (open() + await ``finished``, never exec()).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Coroutine
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QGuiApplication
from PySide6.QtWidgets import (
    QBoxLayout,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from crisp_console.client.signin import (
    PLUGIN_ROUTES,
    WHERE_PLUGIN,
    SignedIn,
    SignInCheck,
    SignInFailure,
    SignInResult,
    check_sign_in,
    host_text,
)
from crisp_console.client.tasks import TaskOwner
from crisp_console.credentials import CredentialError, SecretStore
from crisp_console.storage.accounts import DEFAULT_HOST, PLUGIN_TIER, Account
from crisp_console.ui.fonts import RelativeFonts
from crisp_console.ui.native_background import NativeBackground
from crisp_console.ui.widgets.fields import line_edit
from crisp_console.ui.widgets.layouts import column
from crisp_console.ui.widgets.notice_box import NoticeBox, text_label

log = logging.getLogger("crisp_console.ui")

INTRO = f"Sign in with a plugin token, not a website token: {PLUGIN_ROUTES}. {WHERE_PLUGIN}"
HINT = ("A development token works only on your plugin's trusted website and has a low daily"
        " quota. A production token is issued once the plugin is published on the Marketplace.")


class SignInDialog(QDialog):
    """Read ``signed_in`` after ``finished``: a SignedIn, or None when cancelled."""

    def __init__(self, parent: QWidget | None = None, *, tasks: TaskOwner, store: SecretStore,
                 check: SignInCheck = check_sign_in, prefill: Account | None = None,
                 notice: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("Sign in to Crisp")
        self.setMinimumWidth(520)
        self._tasks = tasks
        self._store = store
        self._check = check
        self._task: asyncio.Task[Any] | None = None
        self._verified: tuple[Account, str, str] | None = None  # account, key, plugin_id
        self._signed_in: SignedIn | None = None
        self.result_shown: SignInResult | None = None  # the last check's result

        self.notice_box = NoticeBox(QStyle.StandardPixmap.SP_MessageBoxInformation, "Notice")
        self.notice_box.say(notice)
        self.notice = self.notice_box.message
        self.intro = text_label(INTRO)
        self.intro.setAccessibleName("Which token")

        self.identifier = line_edit(None, "Token identifier",
                                    "e.g. 7c3ef21c-1e04-41ce-8c06-5605c346f73e")
        self.key = line_edit(None, "Key", password=True)
        self.show_key = QCheckBox("Sh&ow")
        self.show_key.setAccessibleName("Show the key")
        self.label = line_edit(None, "Label", "Optional, e.g. Support team")
        self.advanced = QToolButton()
        self.advanced.setText("&Advanced")
        self.advanced.setCheckable(True)
        self.advanced.setArrowType(Qt.ArrowType.RightArrow)
        self.advanced.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.advanced.setAutoRaise(True)
        self.advanced.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.advanced.setAccessibleName("Advanced: API host")
        self.host = line_edit(None, "API host", text=DEFAULT_HOST)
        self.host_hint = text_label(
            "A sandbox or proxy: its root address, e.g. http://127.0.0.1:8080. Plain http://"
            " is only accepted for this computer.")

        self.form = QFormLayout()
        self._row("Token &identifier", self.identifier)
        key_row = QHBoxLayout()
        key_row.addWidget(self.key, 1)
        key_row.addWidget(self.show_key)
        self._row("&Key", self.key, key_row)
        self._row("&Label", self.label)
        self.form.addRow("", self.advanced)
        self.host_column = QVBoxLayout()
        self.host_column.addWidget(self.host)
        self.host_column.addWidget(self.host_hint)
        self._row("API &host", self.host, self.host_column)
        self.hint = text_label(HINT)
        self.hint.setAccessibleName("About development and production tokens")
        self._fonts = RelativeFonts(self)
        self._fonts.set(self.hint, 0.9)
        self._fonts.set(self.host_hint, 0.9)

        self.problem = NoticeBox(QStyle.StandardPixmap.SP_MessageBoxWarning, "Sign-in problem")
        self.heading, self.message = self.problem.heading, self.problem.message
        self.detail, self.progress = self.problem.detail, self.problem.progress
        self.keep_session = QPushButton("Keep for this s&ession only")
        self.keep_session.setAutoDefault(False)  # Enter stays with the dialog's default button
        self.problem.add_action(self.keep_session)

        self.buttons = QDialogButtonBox()
        self.sign_in_button = self.buttons.addButton("&Sign in",
                                                     QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.sign_in_button.clicked.connect(self.sign_in)
        self.cancel_button.clicked.connect(self.reject)
        self.keep_session.clicked.connect(self._keep_for_session)
        self.show_key.toggled.connect(self._show_key)
        self.advanced.toggled.connect(self.show_advanced)

        column(self, self.notice_box, self.intro, self.form, self.hint, self.problem, 1,
               self.buttons, margins=None)
        order = [self.identifier, self.key, self.show_key, self.label, self.advanced,
                 self.host, self.message, self.keep_session, self.sign_in_button,
                 self.cancel_button]
        for first, second in itertools.pairwise(order):
            QWidget.setTabOrder(first, second)
        self._prefill(prefill)
        self._say(None)

    # ---- public ------------------------------------------------------------------------------

    @property
    def signed_in(self) -> SignedIn | None:
        return self._signed_in

    @property
    def checking(self) -> bool:
        return self._task is not None and not self._task.done()

    def show_advanced(self, shown: bool) -> None:
        self.advanced.setChecked(shown)
        self.advanced.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
        self.form.setRowVisible(self.host_column, shown)

    def sign_in(self) -> None:
        """Check what the form says (or, after a keyring failure, try saving again)."""
        if self.checking:
            return
        if self._verified is not None:
            self._start(self._save())
            return
        identifier, key = self.identifier.text().strip(), self.key.text().strip()
        for value, edit, what in ((identifier, self.identifier, "the token identifier"),
                                  (key, self.key, "the key")):
            if not value:
                self._say(None, f"Enter {what}.", heading="Missing")
                edit.setFocus()
                return
        host = host_text(self.host.text())
        self._busy(f"Checking the token with {host}…")
        self._start(self._run_check(host, identifier, key, self.label.text().strip()))

    # ---- the check and the save ----------------------------------------------------------------

    def _start(self, work: Coroutine[Any, Any, None]) -> None:
        task = self._tasks.spawn(self._guarded(work), "sign-in")
        if task is None:  # closing: the dialog goes too
            return
        task.add_done_callback(self._ended)
        self._task = task

    async def _guarded(self, work: Coroutine[Any, Any, None]) -> None:
        # A bug must not leave the dialog "Checking" (nor reach the task owner as a failure).
        try:
            await work
        except Exception as exc:
            log.error("sign-in failed unexpectedly", exc_info=exc)
            if asyncio.current_task() is self._task:
                # The type only: an unknown exception's text might quote anything, the key too.
                self._interrupted("Unexpected error", "The sign-in failed unexpectedly "
                                  f"({type(exc).__name__}); see the log.")

    def _ended(self, task: asyncio.Task[Any]) -> None:
        # Here rather than in the coroutine: a task cancelled before its first step never
        # runs its own except clauses.
        if task is self._task and task.cancelled():
            self._interrupted("Stopped", "The check was stopped.")

    def _interrupted(self, heading: str, text: str) -> None:
        if self._verified is not None:  # the token was accepted: only the save is to redo
            self._keyring_failed(text)
            return
        self._idle()
        self._say(None, f"{text} Sign in to try again, Cancel to close.", heading=heading)
        self.sign_in_button.setFocus()

    async def _run_check(self, host: str, identifier: str, key: str, label: str) -> None:
        result = await self._check(host, identifier, key)
        self.result_shown = result
        if not result.ok:
            self._idle()
            self._failed(result)
            return
        try:
            account = Account(identifier, PLUGIN_TIER, result.host or host, label)
        except ValueError as exc:
            self._idle()
            self._say(None, f"This account cannot be saved: {exc}.", heading="Cannot save")
            return
        self._verified = (account, key, result.plugin_id)
        await self._save()

    async def _save(self) -> None:
        assert self._verified is not None
        account, key, plugin_id = self._verified
        self._busy(f"Signed in to plugin {plugin_id}. Saving the key in the system keyring…")
        try:
            await self._store.set(account.identifier, key)
        except CredentialError as exc:
            self._keyring_failed(exc.reason)
            return
        self._finish(persisted=self._store.persistent)

    def _finish(self, *, persisted: bool) -> None:
        assert self._verified is not None
        account, key, plugin_id = self._verified
        self._signed_in = SignedIn(account, key, persisted, plugin_id)
        self._task = None  # done: closing must not cancel the task that is closing it
        self.accept()

    def _keep_for_session(self) -> None:
        if self._verified is not None and not self.checking:
            self._finish(persisted=False)

    def _keyring_failed(self, reason: str) -> None:
        self.sign_in_button.setEnabled(True)
        self.sign_in_button.setText("&Retry saving")
        self._say(None, f"{reason} You can keep the key for this session only: it stays in"
                  " memory until you quit, and you will enter it again next time.",
                  heading="The key cannot be saved")
        self.keep_session.show()
        self.keep_session.setDefault(True)
        self.keep_session.setFocus()

    def _failed(self, result: SignInResult) -> None:
        assert result.failure is not None
        self._say(result.failure, result.message, detail=result.detail)
        target: QWidget = {"key": self.key, "host": self.host}.get(result.failure.field,
                                                                 self.sign_in_button)
        if target is self.host:
            self.show_advanced(True)
        if isinstance(target, QLineEdit):
            target.selectAll()
        target.setFocus()

    # ---- states ------------------------------------------------------------------------------

    def _inputs(self) -> tuple[QWidget, ...]:
        return (self.identifier, self.key, self.show_key, self.label, self.advanced, self.host)

    def _busy(self, text: str) -> None:
        for widget in self._inputs():
            widget.setEnabled(False)
        self.sign_in_button.setEnabled(False)
        self._say(None, text, busy=True)
        self.cancel_button.setFocus()  # the focused input was disabled: keep Esc/Tab working

    def _idle(self) -> None:
        for widget in self._inputs():
            widget.setEnabled(True)
        self.sign_in_button.setEnabled(True)

    def _say(self, failure: SignInFailure | None, text: str = "", *, heading: str = "",
             detail: str = "", busy: bool = False) -> None:
        """Show ``text`` in the problem box (empty: hide it); a failure titles it."""
        self.keep_session.hide()
        self.sign_in_button.setDefault(True)
        self.problem.say(text, heading=failure.value if failure is not None else heading,
                         detail=detail, icon=not busy, busy=busy)

    def _show_key(self, shown: bool) -> None:
        self.key.setEchoMode(QLineEdit.EchoMode.Normal if shown
                             else QLineEdit.EchoMode.Password)

    def _row(self, text: str, buddy: QWidget, layout: QBoxLayout | None = None) -> None:
        label = QLabel(text)
        label.setBuddy(buddy)
        if layout is None:
            self.form.addRow(label, buddy)
        else:
            self.form.addRow(label, layout)

    def _prefill(self, account: Account | None) -> None:
        custom = account is not None and account.host != DEFAULT_HOST
        # A website-tier account (an older accounts file) needs another token pair altogether:
        # its identifier would only be in the way.
        known = account is not None and account.tier == PLUGIN_TIER
        if account is not None:
            if known:
                self.identifier.setText(account.identifier)
            self.host.setText(account.host)
            self.label.setText(account.label)
        self.show_advanced(custom)
        (self.key if known else self.identifier).setFocus()

    def _cancel_task(self) -> bool:
        if self._task is None or self._task.done():
            return False
        self._task.cancel()
        return True

    # ---- Qt overrides ------------------------------------------------------------------------

    def reject(self) -> None:
        # During a check, Cancel (and Esc) stops it and gives the form back.
        if self._cancel_task():
            return
        super().reject()

    def done(self, code: int) -> None:
        self._cancel_task()
        self._task = None
        super().done(code)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._cancel_task()  # the window's close button closes, even during a check
        self._task = None
        super().closeEvent(event)


async def run_sign_in(parent: QWidget | None, *, store: SecretStore,
                      check: SignInCheck = check_sign_in, prefill: Account | None = None,
                      notice: str = "") -> SignedIn | None:
    """Open the sign-in dialog and wait until it closes: what it signed in, or None.

    While it is open, closing it does not quit the application even when it is the only
    window (first run, or after sign-out): what follows a None is the caller's decision.
    """
    tasks = TaskOwner()  # the dialog's check and save; awaited once it is closed
    dialog = SignInDialog(parent, tasks=tasks, store=store, check=check, prefill=prefill,
                          notice=notice)
    finished: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    def closed(code: int) -> None:
        if not finished.done():
            finished.set_result(code)

    quits = QGuiApplication.quitOnLastWindowClosed()
    QGuiApplication.setQuitOnLastWindowClosed(False)
    dialog.finished.connect(closed)
    NativeBackground(dialog)  # the first window of a first run: themed, never black
    dialog.open()
    try:
        await finished
    finally:
        if not finished.done():  # our caller was cancelled: close the dialog with it
            dialog.done(QDialog.DialogCode.Rejected.value)
        QGuiApplication.setQuitOnLastWindowClosed(quits)
        signed_in = dialog.signed_in
        dialog.deleteLater()
        await tasks.aclose()
    return signed_in
