"""Which account the console runs as: the active saved account and its key from the keyring,
or the sign-in dialog when there is none, the key is missing or unreadable, or the server
refused it; and the Account menu (switch, add, sign out) once a console runs.

The book (accounts.json) holds identifier, tier, host and label; the key is only in the
keyring, or in memory for an account the operator chose to "keep for this session only".
Only plugin-tier accounts run: one saved with a website token by an earlier version brings
the sign-in dialog, saying why a plugin token is needed.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from crisp_console.client.signin import SignedIn, tier_problem
from crisp_console.credentials import CredentialError, SecretStore, SessionOnlyStore, sign_out
from crisp_console.log import secret_filter
from crisp_console.storage.accounts import PLUGIN_TIER, Account, AccountBook
from crisp_console.types import Credentials
from crisp_console.ui.commands import CommandRegistry
from crisp_console.ui.ports import Pick

log = logging.getLogger(__name__)

# run_sign_in with the parent bound: (store=, prefill=, notice=) -> SignedIn | None
SignIn = Callable[..., Awaitable[SignedIn | None]]


class Next(enum.Enum):
    """What a console that ended asks for next."""

    QUIT = "quit"
    SWITCH = "switch"  # to ``Ending.identifier``
    ADD = "add"  # sign in with another account
    SIGN_OUT = "sign_out"  # forget this account's key, then sign in again
    REFUSED = "refused"  # the server refused the key: sign in again, with ``notice``


@dataclass(frozen=True)
class Ending:
    next: Next
    identifier: str = ""
    notice: str = ""


@dataclass(frozen=True)
class Session:
    account: Account
    credentials: Credentials


# Sign-out's erasing of the account's local data (its database and the database's key):
# app.py's, which knows where the databases live and how it named the account's host.
Erase = Callable[[Account, SecretStore], Awaitable[None]]


class Accounts:
    def __init__(self, book: AccountBook, store: SecretStore, sign_in: SignIn, *,
                 erase: Erase | None = None) -> None:
        """``erase``: what signing out deletes besides the key (None: nothing)."""
        self.book = book
        self.store = store
        self.session_keys = SessionOnlyStore()  # "keep for this session only"
        self._sign_in = sign_in
        self._erase = erase

    async def start(self, notice: str = "") -> Session | None:
        """The active account with its key, else the sign-in dialog (None: cancelled)."""
        account = self.book.active
        if account is not None and not notice:
            key, notice = await self._usable_key(account)
            if key is not None:
                return self._session(account, key)
        return await self.sign_in(prefill=account, notice=notice)

    async def sign_in(self, *, prefill: Account | None = None,
                      notice: str = "") -> Session | None:
        log.info("showing the sign-in dialog")
        signed = await self._sign_in(store=self.store, prefill=prefill, notice=notice)
        if signed is None:
            return None
        if not signed.persisted:
            await self.session_keys.set(signed.account.identifier, signed.key)
        self.book.add(signed.account, activate=True)
        self._save()
        return self._session(signed.account, signed.key)

    async def switch(self, identifier: str) -> Session | None:
        account = self.book.get(identifier)
        if account is None:
            return await self.start()
        self.book.set_active(identifier)
        self._save()
        key, notice = await self._usable_key(account)
        if key is not None:
            return self._session(account, key)
        return await self.sign_in(prefill=account, notice=notice)

    async def sign_out(self, identifier: str) -> str:
        """Delete the key (keyring and memory) and the account's local data (its console
        closed its database already: unsent items in it are discarded, as the question
        said); the account stays listed, inactive. Switching accounts erases nothing: the
        outbox goes when that account is used again. Returns a problem in words, or ""."""
        account = self.book.get(identifier)
        problem = ""
        if self._erase is not None and account is not None:
            try:
                await self._erase(account, self.store)
            except CredentialError as exc:
                problem = f"The local database's key could not be removed: {exc.reason}. "
            except OSError as exc:
                problem = f"The data saved on this computer could not be deleted: {exc}. "
        await self.session_keys.delete(identifier)
        try:
            await sign_out(self.store, self.book, identifier)
        except CredentialError as exc:
            return (f"Signed out, but the key could not be removed from the keyring: "
                    f"{exc.reason}. {problem}").strip()
        except OSError as exc:
            return f"Signed out, but the accounts file could not be saved: {exc}. {problem}" \
                .strip()
        return f"Signed out, but: {problem}".strip() if problem else ""

    async def handle(self, ending: Ending, current: Account) -> Session | None:
        """The next session after a console ended (None: quit)."""
        if ending.next is Next.SWITCH:
            return await self.switch(ending.identifier)
        if ending.next is Next.ADD:
            added = await self.sign_in()
            return added if added is not None else await self.switch(current.identifier)
        if ending.next is Next.SIGN_OUT:
            problem = await self.sign_out(current.identifier)
            return await self.sign_in(notice=problem or f"Signed out of "
                                      f"{current.display_name}.")
        if ending.next is Next.REFUSED:
            return await self.sign_in(prefill=current, notice=ending.notice)
        return None

    # ---- internals -----------------------------------------------------------------------

    async def _usable_key(self, account: Account) -> tuple[str | None, str]:
        """The key, or None and why (in words) when the account cannot run: a tier other
        than plugin, or a key that could not be had."""
        problem = tier_problem(account.tier, account.display_name)
        if problem:
            log.warning("%s is a %s-tier account: signing in again", account.identifier,
                        account.tier)
            return None, problem
        return await self._key(account)

    async def _key(self, account: Account) -> tuple[str | None, str]:
        """The key, or None and why (in words) when it could not be had."""
        key = await self.session_keys.get(account.identifier)
        if key is not None:
            return key, ""
        try:
            key = await self.store.get(account.identifier)
        except CredentialError as exc:
            log.warning("could not read the key of %s: %s", account.identifier, exc.reason)
            return None, f"The saved key could not be read: {exc.reason}"
        if key is None:
            return None, f"No key is saved for {account.display_name}: sign in again."
        return key, ""

    def _session(self, account: Account, key: str) -> Session:
        secret_filter().add_credentials(account.identifier, key)
        return Session(account, Credentials(account.identifier, key, account.tier))

    def _save(self) -> None:
        try:
            self.book.save()
        except OSError as exc:  # the session still works; only the list is not remembered
            log.warning("could not save the accounts: %s", exc)


ADD_KEY = "\x00add"  # the palette key of "Add an account…" (no identifier can be it)
COMMANDS = ("account.switch", "account.add", "account.sign_out")


def wire_account_commands(registry: CommandRegistry, accounts: Accounts | None,
                          current: Account | None, end: Callable[[Ending], None], *,
                          pick: Pick, message: Callable[[str], None],
                          unsent: Callable[[], int] = lambda: 0) -> None:
    """The Account menu of a running console; ``end`` closes it and says what comes next.
    ``pick``: the console's palette; ``message(text)``: its status bar; ``unsent()``: how
    many replies and actions are not sent yet (signing out discards them)."""
    if accounts is None or current is None:
        for cid in COMMANDS:
            registry.set_handler(cid, lambda: message(
                "This console runs with --demo or with environment credentials: saved "
                "accounts are used only by a normal start"))
        return

    async def switch() -> None:
        # The palette's module loads with the palette, after the first frame.
        from crisp_console.present.palette_sources import PaletteItem

        items = [PaletteItem("choice", a.identifier, a.display_name,
                             "signed in" if a.identifier == current.identifier
                             else "" if a.tier == PLUGIN_TIER
                             else f"a {a.tier} token: sign in with a plugin token")
                 for a in accounts.book.accounts]
        items.append(PaletteItem("choice", ADD_KEY, "Add an account…"))
        item = await pick("Switch to the account…", items, placeholder="Account")
        if item is None or item.key == current.identifier:
            return
        end(Ending(Next.ADD) if item.key == ADD_KEY else Ending(Next.SWITCH, item.key))

    async def confirm_sign_out() -> None:
        from crisp_console.present.palette_sources import PaletteItem

        # Signing out deletes the key: asked first, as Block is (nothing fires by accident).
        item = await pick(sign_out_question(current.display_name, unsent()),
                          [PaletteItem("choice", "yes", "Sign out"),
                           PaletteItem("choice", "no", "Stay signed in")])
        if item is not None and item.key == "yes":
            end(Ending(Next.SIGN_OUT, current.identifier))

    registry.set_handler("account.switch", switch)
    registry.set_handler("account.add", lambda: end(Ending(Next.ADD)))
    registry.set_handler("account.sign_out", confirm_sign_out)


def sign_out_question(name: str, unsent: int) -> str:
    """What signing out removes, and what it loses: the unsent items, counted."""
    lost = ""
    if unsent:
        lost = (f" {unsent} {'reply or action' if unsent == 1 else 'replies or actions'} not "
                f"sent yet will be discarded.")
    return (f"Sign out of {name}? The key is removed from the keyring and the data saved on "
            f"this computer is deleted.{lost}")
