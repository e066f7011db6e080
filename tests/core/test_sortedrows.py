"""The blocked sorted list against a plain sorted list: same rows, ranks and moves."""

from __future__ import annotations

import random

import pytest

from crisp_console.core import Change, ChangeKind
from crisp_console.core.sortedrows import SortedRows


@pytest.mark.parametrize(("block", "seed"), [(2, 1), (3, 2), (8, 3), (1000, 4)])
def test_matches_a_plain_sorted_list(block: int, seed: int) -> None:
    rng = random.Random(seed)
    changes: list[Change] = []
    rows = SortedRows(changes.append, "conversations", block)
    plain: dict[str, tuple[int, str]] = {}
    counter = 0

    def expect() -> None:
        ordered = sorted((k, i) for i, k in plain.items())
        ids = [i for _, i in ordered]
        assert rows.all_ids() == ids and len(rows) == len(ids)
        for row, item in enumerate(ids):
            assert rows.row_of(item) == row and rows.id_at(row) == item
        assert rows.row_of("absent") == -1

    for _ in range(600):
        op = rng.random()
        if op < 0.35 or not plain:
            batch = []
            for _ in range(rng.randint(1, 6)):
                counter += 1
                item = f"id{counter:05d}"
                key = (rng.randint(0, 300), item)
                batch.append((key, item))
                plain[item] = key
            rows.insert_many(batch, lambda ids: None)
        elif op < 0.8:
            item = rng.choice(sorted(plain))
            new_key = (rng.randint(0, 300), item)
            before = rows.all_ids()
            changes.clear()
            row = rows.rekey(item, new_key)
            plain[item] = new_key
            moves = [c for c in changes if c.kind is ChangeKind.MOVING]
            if moves:  # replay Qt's rule on the old list
                dest = moves[0].dest
                before.insert(dest, item)
                del before[moves[0].first + 1 if dest < moves[0].first else moves[0].first]
            assert before == rows.all_ids() and rows.row_of(item) == row
        else:
            gone = rng.sample(sorted(plain), min(len(plain), rng.randint(1, 5)))
            removed: list[str] = []
            rows.remove_many(gone, removed.extend)
            assert sorted(removed) == sorted(gone)
            for item in gone:
                del plain[item]
        expect()
    with pytest.raises(IndexError):
        rows.id_at(len(plain))
    rows.replace([])
    assert rows.all_ids() == [] and len(rows) == 0


def test_a_shrunken_block_folds_into_its_neighbour_and_splits_again() -> None:
    rows = SortedRows(lambda change: None, "conversations", block=8)
    rows.replace([((n, f"i{n:03d}"), f"i{n:03d}") for n in range(0, 160, 10)])  # blocks 8 + 8
    rows.insert_many([((n, f"i{n:03d}"), f"i{n:03d}") for n in range(81, 89)], lambda ids: None)
    expected = sorted([*range(0, 160, 10), *range(81, 89)])
    assert [int(i[1:]) for i in rows.all_ids()] == expected  # second block: 16, at the limit
    gone: list[str] = []
    rows.remove_many([f"i{n:03d}" for n in range(0, 70, 10)], gone.extend)  # first block: 1 left
    left = [n for n in expected if n >= 70]
    assert [int(i[1:]) for i in rows.all_ids()] == left and len(gone) == 7
    for row, n in enumerate(left):
        assert rows.id_at(row) == f"i{n:03d}" and rows.row_of(f"i{n:03d}") == row


def test_first_insert_into_an_empty_structure() -> None:
    rows = SortedRows(lambda change: None, "conversations", block=8)
    rows._insert((1, "a"), "a")  # noqa: SLF001 - no public call reaches it
    rows._insert((0, "b"), "b")  # noqa: SLF001
    assert rows.all_ids() == ["b", "a"] and rows.id_at(1) == "a" and rows.row_of("a") == 1
