"""A database in each of its modes with the LocalSearch the console builds over it (search
tests)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from crisp_console.storage.database import Database, open_database
from crisp_console.storage.engine import STDLIB
from crisp_console.storage.search import LocalSearch
from tests.storage.dbutil import KEY, cipher, requires_sqlcipher


@dataclass
class Searchable:
    db: Database
    search: LocalSearch
    key: str | None
    mode: str


def open_mode(mode: str, folder: Path) -> tuple[Database, str | None]:
    if mode == "memory":
        return open_database(None, None), None
    if mode == "plain":
        return open_database(folder, None, engine=STDLIB), None
    return open_database(folder, KEY, engine=cipher()), KEY


@pytest.fixture(params=["memory", "plain", pytest.param("encrypted", marks=requires_sqlcipher)])
def searchable(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Searchable]:
    db, key = open_mode(request.param, tmp_path)
    search = LocalSearch.open(db, key)
    yield Searchable(db, search, key, request.param)
    search.close()
    db.close()
