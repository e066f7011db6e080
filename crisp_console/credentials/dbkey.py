"""The local database's key: 256 random bits in the OS keyring, beside the token, under
``<identifier>#database``; made on first use, forgotten at sign-out.

Without a persistent keyring there is no key (None): a key that died with the process would
leave an encrypted file nobody can open, so the database lives in memory instead
(storage/database.py, MEMORY mode) and Preferences says why. The key goes to the log filter
as soon as it is known, and never to a file or the database.
"""

from __future__ import annotations

import logging
import secrets

from crisp_console.credentials.store import CredentialError, SecretStore
from crisp_console.log import secret_filter

log = logging.getLogger(__name__)

SUFFIX = "#database"
KEY_BYTES = 32  # SQLCipher's raw key: 64 hex digits


def key_name(identifier: str) -> str:
    if not identifier or not identifier.strip():
        raise ValueError("the token identifier is empty")
    return f"{identifier}{SUFFIX}"


def _well_formed(key: str) -> bool:
    return len(key) == 2 * KEY_BYTES and all(c in "0123456789abcdefABCDEF" for c in key)


async def database_key(store: SecretStore, identifier: str) -> str | None:
    """The account's database key, made and kept on first use. None when the store is not
    persistent or the keyring fails (the reason is logged; the caller keeps data in memory).
    """
    if not store.persistent:
        return None
    name = key_name(identifier)
    try:
        key = await store.get(name)
        if key is not None and not _well_formed(key):
            # Not one we made: it cannot open the file, so a new one takes its place (the
            # old file is then set aside as unreadable, its outbox salvaged if it can be).
            log.warning("the database key in the keyring is malformed; making a new one")
            secret_filter().add(key)
            key = None
        if key is None:
            key = secrets.token_hex(KEY_BYTES)
            secret_filter().add(key)
            await store.set(name, key)
            # Some backends accept a write they do not keep; a key that is not there at the
            # next start would lock the file, so it is read back before any file uses it.
            if await store.get(name) != key:
                log.warning("the keyring did not keep the database key; keeping data in "
                            "memory this session")
                return None
    except CredentialError as exc:
        log.warning("no database key from the keyring (%s); keeping data in memory this "
                    "session", exc.reason)
        return None
    secret_filter().add(key)
    return key


async def forget_database_key(store: SecretStore, identifier: str) -> None:
    """Delete the key (sign-out, "Clear local data"); a key that is not there is not an
    error. Raises CredentialError if the keyring refuses, for the UI to report."""
    await store.delete(key_name(identifier))
