"""The sign-in dialog, driven by the keyboard on a qasync loop, with an injected check and
in-memory or failing secret stores (keyring's own fail backend included). Plugin tokens only:
no tier to choose, a sentence saying why and where to get one, and a website token named."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import keyring.backends.fail
import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from crisp_console.client.signin import (
    WEBSITE_TOKEN_WORDS,
    SignedIn,
    SignInFailure,
    SignInResult,
)
from crisp_console.credentials import CredentialStore, KeyringTimeout, SecretStore, SessionOnlyStore
from crisp_console.storage.accounts import DEFAULT_HOST, Account
from crisp_console.ui.widgets.sign_in_dialog import INTRO, SignInDialog, run_sign_in
from tests.conftest import MemoryKeyring

Key = Qt.Key
ALT = Qt.KeyboardModifier.AltModifier
IDENTIFIER = "7c3ef21c-1e04-41ce-8c06-5605c346f73e"
SECRET = "k3y-0123456789abcdef"
PLUGIN_ID = "plugin-0001"




class FakeCheck:
    """Records each call; answers with ``answer(host, identifier, key)``, or waits for
    ``release`` first when it is given."""

    def __init__(self, answer: Callable[[str, str, str], SignInResult] | None = None,
                 release: asyncio.Event | None = None) -> None:
        self.calls: list[tuple[str, str, str]] = []
        self.cancelled = 0
        self._answer = answer or (lambda host, identifier, key: ok(host))
        self._release = release

    async def __call__(self, host: str, identifier: str, key: str) -> SignInResult:
        self.calls.append((host, identifier, key))
        if self._release is not None:
            try:
                await self._release.wait()
            except asyncio.CancelledError:
                self.cancelled += 1
                raise
        return self._answer(host, identifier, key)


def ok(host: str) -> SignInResult:
    return SignInResult(None, "Signed in.", plugin_id=PLUGIN_ID, host=host)


def failing(failure: SignInFailure, message: str, *,
            detail: str = "AuthError: invalid_session (401)") -> SignInResult:
    return SignInResult(failure, message, detail, host=DEFAULT_HOST)


class TimeoutStore(SessionOnlyStore):
    """A store whose keyring never answers in time."""

    persistent = True

    def __init__(self) -> None:
        super().__init__()
        self.attempts = 0

    async def set(self, identifier: str, key: str) -> None:
        self.attempts += 1
        raise KeyringTimeout("The system keyring did not answer within 5 s (it may be waiting"
                             " for you to unlock it).")


Scenario = Callable[[SignInDialog, "asyncio.Task[SignedIn | None]"], Awaitable[None]]


def run(loop: qasync.QEventLoop, scenario: Scenario, *, store: SecretStore,
        check: FakeCheck, prefill: Account | None = None,
        notice: str = "") -> SignedIn | None:
    """Open the dialog with run_sign_in, let ``scenario`` drive it, return what it gave."""
    async def main() -> SignedIn | None:
        task = asyncio.ensure_future(run_sign_in(None, store=store, check=check,
                                                 prefill=prefill, notice=notice))
        dialog = await until(current_dialog, "the dialog to open")
        dialog.activateWindow()
        await until(dialog.isActiveWindow, "the dialog to be active")
        await scenario(dialog, task)
        return await asyncio.wait_for(task, 5)

    return until_done(loop, main())


def until_done(loop: qasync.QEventLoop, coro: Coroutine[Any, Any, SignedIn | None],
               ) -> SignedIn | None:
    return loop.run_until_complete(asyncio.wait_for(coro, 15))


def current_dialog() -> SignInDialog | None:
    shown = [w for w in QApplication.topLevelWidgets()
             if isinstance(w, SignInDialog) and w.isVisible()]
    return shown[0] if shown else None


async def until(pred: Callable[[], Any], what: str, timeout: float = 3.0) -> Any:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not (value := pred()):
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)
    return value


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the focus"
    return widget


def press(key: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    QTest.keyClick(focused(), key, modifiers)


def type_text(text: str) -> None:
    QTest.keyClicks(focused(), text)


async def settled(dialog: SignInDialog) -> None:
    """Wait for the check (and the save) to end."""
    await until(lambda: not dialog.checking, "the check to end")
    await asyncio.sleep(0)


# ---- signing in -------------------------------------------------------------------------------


def test_keyboard_only_sign_in_saves_the_key_in_the_keyring(
        qtbot: QtBot, qloop: qasync.QEventLoop, memory_keyring: MemoryKeyring) -> None:
    check = FakeCheck()

    async def scenario(dialog: SignInDialog, task: asyncio.Task[SignedIn | None]) -> None:
        assert focused() is dialog.identifier
        assert dialog.intro.text() == INTRO and dialog.intro.isVisible()
        assert "development token" in dialog.hint.text().lower()
        assert "low daily quota" in dialog.hint.text()
        type_text(f"  {IDENTIFIER} ")
        press(Key.Key_Tab)
        assert focused() is dialog.key
        type_text(SECRET)
        assert dialog.key.echoMode() == QLineEdit.EchoMode.Password
        press(Key.Key_Tab)
        assert focused() is dialog.show_key
        press(Key.Key_Space)
        assert dialog.key.echoMode() == QLineEdit.EchoMode.Normal
        press(Key.Key_Space)
        assert dialog.key.echoMode() == QLineEdit.EchoMode.Password
        press(Key.Key_Tab)
        assert focused() is dialog.label
        type_text("Support team")
        press(Key.Key_Return)
        await until(task.done, "the dialog to close")

    signed = run(qloop, scenario, store=CredentialStore(), check=check)
    assert check.calls == [(DEFAULT_HOST, IDENTIFIER, SECRET)]
    assert signed == SignedIn(Account(IDENTIFIER, "plugin", DEFAULT_HOST, "Support team"),
                              SECRET, persisted=True, plugin_id=PLUGIN_ID)
    assert memory_keyring.get_password("crisp-console", IDENTIFIER) == SECRET


def test_tab_order_is_top_to_bottom_and_mnemonics_reach_the_fields(
        qtbot: QtBot, qloop: qasync.QEventLoop) -> None:
    async def scenario(dialog: SignInDialog, task: asyncio.Task[SignedIn | None]) -> None:
        order = [dialog.identifier, dialog.key, dialog.show_key, dialog.label, dialog.advanced,
                 dialog.sign_in_button, dialog.cancel_button, dialog.identifier]
        for expected in order[1:]:
            press(Key.Key_Tab)
            assert focused() is expected, (focused(), expected)
        press(Key.Key_L, ALT)
        assert focused() is dialog.label
        press(Key.Key_K, ALT)
        assert focused() is dialog.key
        assert dialog.host.isHidden()
        press(Key.Key_A, ALT)  # Advanced reveals the host (a mnemonic clicks after 100 ms)
        await until(dialog.host.isVisible, "the host field")
        assert dialog.advanced.isChecked()
        press(Key.Key_H, ALT)
        assert focused() is dialog.host and dialog.host.text() == DEFAULT_HOST
        press(Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)
        assert focused() is dialog.advanced
        press(Key.Key_Escape)

    assert run(qloop, scenario, store=SessionOnlyStore(), check=FakeCheck()) is None


def test_escape_cancels_without_checking(qtbot: QtBot, qloop: qasync.QEventLoop) -> None:
    check = FakeCheck()

    async def scenario(dialog: SignInDialog, task: asyncio.Task[SignedIn | None]) -> None:
        type_text(IDENTIFIER)
        press(Key.Key_Escape)

    assert run(qloop, scenario, store=SessionOnlyStore(), check=check) is None
    assert check.calls == []


def test_empty_fields_are_named_before_any_check(qtbot: QtBot,
                                                 qloop: qasync.QEventLoop) -> None:
    check = FakeCheck()

    async def scenario(dialog: SignInDialog, task: asyncio.Task[SignedIn | None]) -> None:
        press(Key.Key_Return)
        assert dialog.message.text() == "Enter the token identifier."
        assert focused() is dialog.identifier
        type_text(IDENTIFIER)
        press(Key.Key_Return)
        assert dialog.message.text() == "Enter the key." and focused() is dialog.key
        press(Key.Key_Escape)

    assert run(qloop, scenario, store=SessionOnlyStore(), check=check) is None
    assert check.calls == []


def test_prefill_and_notice(qtbot: QtBot, qloop: qasync.QEventLoop) -> None:
    check = FakeCheck()
    account = Account(IDENTIFIER, "plugin", "http://127.0.0.1:8080", "Sandbox")
    notice = "Your saved key could not be read: the system keyring is locked."

    async def scenario(dialog: SignInDialog, task: asyncio.Task[SignedIn | None]) -> None:
        assert dialog.notice.isVisible() and dialog.notice.text() == notice
        assert dialog.advanced.isChecked() and dialog.host.isVisible()
        assert focused() is dialog.key  # the identifier is known: the key is what is missing
        type_text(SECRET)
        press(Key.Key_Return)
        await until(task.done, "the dialog to close")

    signed = run(qloop, scenario, store=SessionOnlyStore(), check=check, prefill=account,
                 notice=notice)
    assert check.calls == [("http://127.0.0.1:8080", IDENTIFIER, SECRET)]
    assert signed is not None and signed.account == account
    assert signed.persisted is False  # a session-only store keeps nothing on disk


# ---- failures ---------------------------------------------------------------------------------


def test_bad_key_is_said_and_the_key_is_focused(qtbot: QtBot,
                                                qloop: qasync.QEventLoop) -> None:
    words = "Crisp did not accept this token identifier and key."
    check = FakeCheck(lambda host, identifier, key: ok(host) if key == SECRET
                      else failing(SignInFailure.BAD_KEY, words))

    async def scenario(dialog: SignInDialog, task: asyncio.Task[SignedIn | None]) -> None:
        type_text(IDENTIFIER)
        press(Key.Key_Tab)
        type_text("a-wrong-key")
        press(Key.Key_Return)
        await settled(dialog)
        assert dialog.isVisible() and dialog.message.isVisible()
        assert dialog.message.text() == words
        assert dialog.heading.text() == SignInFailure.BAD_KEY.value
        assert dialog.message.accessibleName() == "Sign-in problem"
        assert dialog.message.textInteractionFlags() \
            & Qt.TextInteractionFlag.TextSelectableByMouse
        assert "invalid_session" in dialog.detail.text()
        assert focused() is dialog.key and dialog.key.selectedText() == "a-wrong-key"
        assert dialog.identifier.isEnabled() and dialog.sign_in_button.isEnabled()
        type_text(SECRET)  # replaces the selected wrong key
        press(Key.Key_Return)
        await until(task.done, "the dialog to close")

    signed = run(qloop, scenario, store=SessionOnlyStore(), check=check)
    assert [call[2] for call in check.calls] == ["a-wrong-key", SECRET]
    assert signed is not None and signed.key == SECRET


@pytest.mark.parametrize("failure", [SignInFailure.NO_NETWORK, SignInFailure.TLS,
                                     SignInFailure.NOT_CRISP, SignInFailure.TIMEOUT])
def test_a_host_failure_opens_advanced_and_focuses_the_host(
        qtbot: QtBot, qloop: qasync.QEventLoop, failure: SignInFailure) -> None:
    check = FakeCheck(lambda *args: failing(failure, "Nothing answered at api.crisp.chat."))

    async def scenario(dialog: SignInDialog, task: asyncio.Task[SignedIn | None]) -> None:
        assert dialog.host.isHidden()
        type_text(IDENTIFIER)
        press(Key.Key_Tab)
        type_text(SECRET)
        press(Key.Key_Return)
        await settled(dialog)
        assert dialog.heading.text() == failure.value
        assert dialog.host.isVisible() and focused() is dialog.host
        assert dialog.host.selectedText() == DEFAULT_HOST
        press(Key.Key_Escape)

    assert run(qloop, scenario, store=SessionOnlyStore(), check=check) is None


def test_quota_keeps_the_inputs_and_focuses_sign_in(qtbot: QtBot,
                                                    qloop: qasync.QEventLoop) -> None:
    check = FakeCheck(lambda *args: failing(SignInFailure.QUOTA, "It resets at 00:00 UTC."))

    async def scenario(dialog: SignInDialog, task: asyncio.Task[SignedIn | None]) -> None:
        type_text(IDENTIFIER)
        press(Key.Key_Tab)
        type_text(SECRET)
        press(Key.Key_Return)
        await settled(dialog)
        assert "00:00 UTC" in dialog.message.text() and focused() is dialog.sign_in_button
        assert dialog.key.text() == SECRET and dialog.host.isHidden()
        press(Key.Key_Escape)

    assert run(qloop, scenario, store=SessionOnlyStore(), check=check) is None


def test_there_is_no_tier_to_choose_and_the_dialog_says_why(
        qtbot: QtBot, qloop: qasync.QEventLoop) -> None:
    async def scenario(dialog: SignInDialog, task: asyncio.Task[SignedIn | None]) -> None:
        assert not dialog.findChildren(QComboBox)
        shown = [label.text() for label in dialog.findChildren(QLabel) if label.isVisible()]
        assert not any("tier" in text.lower() for text in shown)
        words = dialog.intro.text()
        assert words.startswith("Sign in with a plugin token, not a website token: Crisp's")
        assert "refuse website tokens" in words
        assert "list the subscribed websites" in words and "(RTM) endpoint" in words
        assert "Crisp Marketplace: your plugin → Tokens → Production." in words
        press(Key.Key_Escape)

    assert run(qloop, scenario, store=SessionOnlyStore(), check=FakeCheck()) is None


def test_a_website_token_is_named_and_the_key_focused(qtbot: QtBot,
                                                      qloop: qasync.QEventLoop) -> None:
    check = FakeCheck(lambda host, identifier, key: ok(host) if key == SECRET else failing(
        SignInFailure.WEBSITE_TIER, WEBSITE_TOKEN_WORDS,
        detail="AuthError: invalid_session (401); as a website token: NotAllowedError: "
               "not_allowed (403)"))

    async def scenario(dialog: SignInDialog, task: asyncio.Task[SignedIn | None]) -> None:
        type_text(IDENTIFIER)
        press(Key.Key_Tab)
        type_text("a-website-key")
        press(Key.Key_Return)
        await settled(dialog)
        assert dialog.heading.text() == "A website token"
        assert dialog.message.text() == WEBSITE_TOKEN_WORDS
        assert "not_allowed (403)" in dialog.detail.text()
        assert focused() is dialog.key and dialog.key.selectedText() == "a-website-key"
        assert dialog.sign_in_button.isDefault() and dialog.isVisible()
        type_text(SECRET)  # a plugin token's key this time
        press(Key.Key_Return)
        await until(task.done, "the dialog to close")

    signed = run(qloop, scenario, store=SessionOnlyStore(), check=check)
    assert [call[2] for call in check.calls] == ["a-website-key", SECRET]
    assert signed is not None and signed.account.tier == "plugin"


def test_a_website_account_from_an_old_file_asks_for_a_plugin_token(
        qtbot: QtBot, qloop: qasync.QEventLoop) -> None:
    old = Account("website-identifier", "website", "http://127.0.0.1:8080", "Shop")
    notice = "Shop uses a website token; crisp-console needs a plugin token because …"

    async def scenario(dialog: SignInDialog, task: asyncio.Task[SignedIn | None]) -> None:
        assert dialog.notice.text() == notice
        assert dialog.identifier.text() == "" and focused() is dialog.identifier
        assert dialog.label.text() == "Shop" and dialog.host.text() == "http://127.0.0.1:8080"
        type_text(IDENTIFIER)
        press(Key.Key_Tab)
        type_text(SECRET)
        press(Key.Key_Return)
        await until(task.done, "the dialog to close")

    check = FakeCheck()
    signed = run(qloop, scenario, store=SessionOnlyStore(), check=check, prefill=old,
                 notice=notice)
    assert check.calls == [("http://127.0.0.1:8080", IDENTIFIER, SECRET)]
    assert signed is not None
    assert signed.account == Account(IDENTIFIER, "plugin", "http://127.0.0.1:8080", "Shop")


def test_cancel_during_a_check_stops_it_and_gives_the_form_back(
        qtbot: QtBot, qloop: qasync.QEventLoop) -> None:
    release = asyncio.Event()
    check = FakeCheck(release=release)

    async def scenario(dialog: SignInDialog, task: asyncio.Task[SignedIn | None]) -> None:
        type_text(IDENTIFIER)
        press(Key.Key_Tab)
        type_text(SECRET)
        press(Key.Key_Return)
        await until(lambda: check.calls, "the check to start")
        assert dialog.checking and dialog.message.text().startswith("Checking")
        assert not dialog.key.isEnabled() and not dialog.sign_in_button.isEnabled()
        assert dialog.progress.isVisible()
        press(Key.Key_Escape)
        await until(lambda: check.cancelled, "the check to be cancelled")
        await settled(dialog)
        assert dialog.isVisible() and dialog.key.isEnabled() and not dialog.progress.isVisible()
        assert "stopped" in dialog.message.text()
        press(Key.Key_Escape)

    assert run(qloop, scenario, store=SessionOnlyStore(), check=check) is None


def test_closing_the_window_during_a_check_gives_none(qtbot: QtBot,
                                                      qloop: qasync.QEventLoop) -> None:
    check = FakeCheck(release=asyncio.Event())

    async def scenario(dialog: SignInDialog, task: asyncio.Task[SignedIn | None]) -> None:
        type_text(IDENTIFIER)
        press(Key.Key_Tab)
        type_text(SECRET)
        press(Key.Key_Return)
        await until(lambda: check.calls, "the check to start")
        dialog.close()
        await until(lambda: check.cancelled, "the check to be cancelled")

    assert run(qloop, scenario, store=SessionOnlyStore(), check=check) is None


# ---- the keyring ------------------------------------------------------------------------------


def test_no_keyring_offers_keep_for_this_session_only(qtbot: QtBot,
                                                      qloop: qasync.QEventLoop) -> None:
    store = CredentialStore(backend=keyring.backends.fail.Keyring())

    async def scenario(dialog: SignInDialog, task: asyncio.Task[SignedIn | None]) -> None:
        type_text(IDENTIFIER)
        press(Key.Key_Tab)
        type_text(SECRET)
        press(Key.Key_Return)
        await until(dialog.keep_session.isVisible, "the keyring failure")
        assert "No system keyring is available" in dialog.message.text()
        assert "this session only" in dialog.message.text()
        assert focused() is dialog.keep_session and dialog.keep_session.isDefault()
        assert not dialog.key.isEnabled()  # the token was accepted; only saving failed
        assert SECRET not in dialog.message.text() + dialog.detail.text()
        press(Key.Key_Return)
        await until(task.done, "the dialog to close")

    signed = run(qloop, scenario, store=store, check=FakeCheck())
    assert signed == SignedIn(Account(IDENTIFIER), SECRET, persisted=False,
                              plugin_id=PLUGIN_ID)


def test_a_keyring_timeout_can_be_retried_or_cancelled(qtbot: QtBot,
                                                       qloop: qasync.QEventLoop) -> None:
    check = FakeCheck()
    store = TimeoutStore()

    async def scenario(dialog: SignInDialog, task: asyncio.Task[SignedIn | None]) -> None:
        type_text(IDENTIFIER)
        press(Key.Key_Tab)
        type_text(SECRET)
        press(Key.Key_Return)
        await until(dialog.keep_session.isVisible, "the keyring failure")
        assert "did not answer within 5 s" in dialog.message.text()
        assert dialog.sign_in_button.text() == "&Retry saving"
        qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
        await settled(dialog)
        assert store.attempts == 2 and dialog.keep_session.isVisible()
        press(Key.Key_Escape)

    assert run(qloop, scenario, store=store, check=check) is None
    assert len(check.calls) == 1  # retrying saves again; the token is not checked again


def test_a_check_that_raises_is_reported_not_hung(qtbot: QtBot,
                                                  qloop: qasync.QEventLoop) -> None:
    def broken(*args: str) -> SignInResult:
        raise RuntimeError("bug in the check")

    async def scenario(dialog: SignInDialog, task: asyncio.Task[SignedIn | None]) -> None:
        type_text(IDENTIFIER)
        press(Key.Key_Tab)
        type_text(SECRET)
        press(Key.Key_Return)
        await settled(dialog)
        assert dialog.heading.text() == "Unexpected error" and dialog.key.isEnabled()
        assert "RuntimeError" in dialog.message.text() and dialog.sign_in_button.isEnabled()
        press(Key.Key_Escape)

    assert run(qloop, scenario, store=SessionOnlyStore(), check=FakeCheck(broken)) is None


def test_a_store_bug_while_saving_still_offers_the_session(qtbot: QtBot,
                                                           qloop: qasync.QEventLoop) -> None:
    class BrokenStore(SessionOnlyStore):
        persistent = True

        async def set(self, identifier: str, key: str) -> None:
            raise TypeError(f"backend bug with {key}")

    async def scenario(dialog: SignInDialog, task: asyncio.Task[SignedIn | None]) -> None:
        type_text(IDENTIFIER)
        press(Key.Key_Tab)
        type_text(SECRET)
        press(Key.Key_Return)
        await until(dialog.keep_session.isVisible, "the save failure")
        assert "TypeError" in dialog.message.text() and SECRET not in dialog.message.text()
        qtbot.mouseClick(dialog.keep_session, Qt.MouseButton.LeftButton)

    signed = run(qloop, scenario, store=BrokenStore(), check=FakeCheck())
    assert signed is not None and signed.persisted is False and signed.key == SECRET
