"""Credentials: the key in the OS keyring (store.py), and sign-out, which touches both it and
the saved accounts (storage/accounts.py, the file beside the preferences)."""

from __future__ import annotations

from crisp_console.credentials.store import (
    SERVICE,
    CredentialError,
    CredentialStore,
    KeyringTimeout,
    KeyringUnavailable,
    SecretStore,
    SessionOnlyStore,
)
from crisp_console.storage.accounts import AccountBook

__all__ = [
    "SERVICE", "CredentialError", "CredentialStore", "KeyringTimeout", "KeyringUnavailable",
    "SecretStore", "SessionOnlyStore", "sign_out",
]


async def sign_out(store: SecretStore, book: AccountBook, identifier: str, *,
                   forget: bool = False) -> None:
    """Delete the key and deactivate the account (``forget``: also remove it from the book).

    The book is saved first, so the console will not try that account again even if the
    keyring then fails; that failure is raised (CredentialError) for the UI to report.
    """
    if forget:
        book.remove(identifier)
    elif book.active is not None and book.active.identifier == identifier:
        book.set_active(None)
    book.save()
    await store.delete(identifier)
