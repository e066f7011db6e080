"""Core tests are pure: a Store, a Qt-rules mirror of it, payload factories. No server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from crisp_console.core import Store
from crisp_console.core.ordering import KEY_FUNCTIONS
from tests.core.mirror import QtMirror


def assert_consistent(store: Store) -> None:
    """The store's own invariants: keys recomputed from the objects are sorted and unique,
    and ``row_of`` agrees with ``conversation_at`` for every row."""
    key = KEY_FUNCTIONS[store.ordering]
    ids = store.conversation_ids()
    assert sorted(ids) == sorted(store.conversations)
    keys = [key(store.conversations[sid]) for sid in ids]
    assert keys == sorted(keys)
    for row, sid in enumerate(ids):
        assert store.row_of(sid) == row
        assert store.conversation_at(row).session_id == sid
    for sid in store.conversations:
        msgs = store.messages(sid)
        assert [m.sort_key() for m in msgs] == sorted(m.sort_key() for m in msgs)
        assert len({m.fingerprint for m in msgs}) == len(msgs)


@pytest.fixture(params=[1000, 8], ids=["block1000", "block8"])
def store(request: pytest.FixtureRequest) -> Store:
    """Every store test runs twice: one block of rows, and many small ones (splits, merges)."""
    return Store(block_size=request.param)


@pytest.fixture
def mirror(store: Store) -> Iterator[QtMirror]:
    m = QtMirror(store)
    yield m
    m.check()
    assert_consistent(store)
