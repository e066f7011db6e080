"""The account's local database, as a console opens and a sign-out erases it.

The key comes from the keyring (credentials/dbkey.py); the file lives in the account's own
folder (storage/database.py: a hash of host and identifier, so the path says nothing of the
token). Opening may migrate or set aside a damaged file, so it runs off the event loop.
Once open, the rows cached before the search index existed are indexed in the background
(storage/search_backfill.py), a task of the LocalDatabase's own, cancelled and awaited by
``close_local`` before the database closes.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from pathlib import Path

from crisp_console.client.tasks import TaskOwner
from crisp_console.credentials import SecretStore
from crisp_console.credentials.dbkey import database_key, forget_database_key
from crisp_console.storage.database import (
    Database,
    account_dir,
    delete_database,
    open_database,
)
from crisp_console.storage.search import LocalSearch
from crisp_console.storage.search_backfill import Backfill

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LocalDatabase:
    """An open database, its local search (a read connection of its own), what the
    operator must be told about it, and its background work (the search index's backfill,
    started by ``started``)."""

    database: Database
    notices: tuple[str, ...]
    search: LocalSearch
    tasks: TaskOwner = field(default_factory=TaskOwner)

    def started(self) -> LocalDatabase:
        """Start indexing what the index owes (nothing, mostly: then the task ends at once);
        the search says ``indexing`` meanwhile."""
        backfill = Backfill(self.database)
        self.search.backfill = backfill
        self.tasks.spawn(backfill.run(), "search-backfill")
        return self


async def open_local(root: Path | None, host: str, identifier: str,
                     secrets: SecretStore | None) -> LocalDatabase:
    """The account's database under ``root`` (None, or no ``secrets``: in memory, e.g. the
    demo, whose sandbox is new each run). Never raises: a folder that cannot be used keeps
    the data in memory, and the notices say so."""
    if root is None or secrets is None:
        db = open_database(None, None)
        return LocalDatabase(db, (), LocalSearch.open(db, None)).started()
    key = await database_key(secrets, identifier)
    directory = account_dir(root, host, identifier)
    try:
        db = await asyncio.to_thread(open_database, directory, key)
    except OSError as exc:
        log.warning("local database folder unusable: %s", exc)
        db = open_database(None, None)
        return LocalDatabase(db, (f"The local database folder {directory} cannot be used "
                                  f"({exc.strerror or exc}); this session keeps its data in "
                                  "memory only.",), LocalSearch.open(db, None)).started()
    search = await asyncio.to_thread(LocalSearch.open, db, key)
    return LocalDatabase(db, db.notices, search).started()


async def close_local(local: LocalDatabase) -> None:
    """Stop the background work (cancelled and awaited: a backfill chunk already queued
    commits with its cursor), close the search's connection, then the database (the writer
    drains what is queued first), without blocking the loop."""
    await local.tasks.aclose()
    await local.search.aclose()
    await asyncio.to_thread(local.database.close)


async def erase_local(root: Path, host: str, identifier: str, secrets: SecretStore) -> None:
    """Sign-out: the account's database (closed already) and its key. Raises OSError or
    CredentialError, in words, for the caller to report."""
    await asyncio.to_thread(delete_database, account_dir(root, host, identifier))
    await forget_database_key(secrets, identifier)
