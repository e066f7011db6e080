"""The Account menu of a running console, from the keyboard: signing out asks first, and
switching lists the saved accounts plus "Add an account…"."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from crisp_console.credentials import SessionOnlyStore
from crisp_console.sandbox.server import Sandbox
from crisp_console.storage.accounts import Account, AccountBook
from crisp_console.ui.accounts_flow import ADD_KEY, Accounts, Ending, Next, wire_account_commands
from crisp_console.ui.console import Console
from tests.e2e.conftest import e2e, focused, press, until
from tests.e2e.test_actions import picker_open

CTRL = Qt.KeyboardModifier.ControlModifier
ADA = Account("ada-identifier", label="Ada's shop")
BOB = Account("bob-identifier", label="Bob's bikes")


async def no_dialog(**_kw: object) -> None:
    raise AssertionError("no sign-in dialog expected")


def wired(console: Console) -> list[Ending]:
    # The commands only read the book; nothing here writes it.
    book = AccountBook(Path("/nonexistent/accounts.json"), (ADA, BOB), active=ADA.identifier)
    endings: list[Ending] = []
    wire_account_commands(console.registry, Accounts(book, SessionOnlyStore(), no_dialog),
                          ADA, endings.append, pick=console.panes.palette.pick,
                          message=console.feedback.message)
    return endings


async def run_from_palette(console: Console, title: str) -> None:
    await until(lambda: focused() is not None, what="the window to have the focus")
    press(focused(), Qt.Key.Key_K, CTRL)
    await picker_open(console)
    QTest.keyClicks(focused(), title.rstrip("…"))  # QTest cannot type "…"
    console.panes.palette.flush()
    item = console.panes.palette.current_item()
    assert item is not None and item.title == title
    press(focused(), Qt.Key.Key_Return)


@e2e()
async def test_sign_out_asks_then_ends_the_console(console: Console, sandbox: Sandbox) -> None:
    endings = wired(console)
    await run_from_palette(console, "Sign out")
    await until(lambda: console.panes.palette.isVisible()
                and console.panes.palette.current_item() is not None, what="the question")
    palette = console.panes.palette
    assert "Sign out of Ada's shop?" in palette.title_label.text()
    press(focused(), Qt.Key.Key_Escape)  # changing one's mind ends nothing
    await until(lambda: not palette.isVisible(), what="the question to close")
    assert endings == []
    await run_from_palette(console, "Sign out")
    await until(lambda: palette.isVisible() and palette.current_item() is not None,
                what="the question again")
    press(focused(), Qt.Key.Key_Return)  # "Sign out" is the first answer
    await until(lambda: endings != [], what="the console to end")
    assert endings == [Ending(Next.SIGN_OUT, ADA.identifier)]


@e2e()
async def test_switch_lists_the_accounts_and_adding(console: Console, sandbox: Sandbox) -> None:
    endings = wired(console)
    await run_from_palette(console, "Switch account…")
    palette = console.panes.palette
    await until(lambda: palette.isVisible() and len(palette.results()) == 3,
                what="the accounts")
    assert [r.item.key for r in palette.results()] == [ADA.identifier, BOB.identifier, ADD_KEY]
    assert palette.results()[0].item.detail == "signed in"
    press(focused(), Qt.Key.Key_Down)
    press(focused(), Qt.Key.Key_Return)
    await until(lambda: endings != [], what="the switch")
    assert endings == [Ending(Next.SWITCH, BOB.identifier)]
