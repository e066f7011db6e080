"""The list pane's pure logic: count labels, empty-state texts, "needs attention", and the gap
arithmetic checked against a list that holds the gap as an element."""

from __future__ import annotations

import random
from typing import Any

import pytest

from crisp_console.core import Conversation
from crisp_console.present.filters import Filter
from crisp_console.present.list_logic import (
    EMPTY_TEXTS,
    compact_count,
    count_text,
    count_words,
    empty_text,
    gap_after_insert,
    gap_after_move,
    gap_after_remove,
    needs_attention,
)

GAP = "<gap>"


@pytest.mark.parametrize(("n", "label"), [
    (-3, "0"), (0, "0"), (7, "7"), (999, "999"), (1000, "1k"), (1099, "1k"), (1100, "1.1k"),
    (1999, "1.9k"), (9999, "9.9k"), (10_000, "10k"), (12_345, "12k"), (999_999, "999k"),
    (1_000_000, "1M"), (1_250_000, "1.2M"), (25_000_000, "25M"),
])
def test_compact_counts_round_down(n: int, label: str) -> None:
    assert compact_count(n) == label


def test_empty_texts() -> None:
    assert set(EMPTY_TEXTS) == set(Filter)
    assert empty_text(Filter.UNRESOLVED, "") == "No unresolved conversations"
    assert empty_text(Filter.UNRESOLVED, "   ") == "No unresolved conversations"
    assert (empty_text(Filter.MINE, "  refund\n button ")
            == "No conversation matches “refund button”")
    long = empty_text(Filter.ALL, "x" * 500)
    assert long.endswith("…”") and len(long) < 80


def test_needs_attention() -> None:
    def conv(**kw: Any) -> Conversation:
        return Conversation("s", "w", **kw)

    assert needs_attention(conv(state="pending"))
    assert needs_attention(conv(state="unresolved", unread_operator=2))
    assert needs_attention(conv(state="unresolved", waiting_since=5))
    assert not needs_attention(conv(state="unresolved"))
    assert not needs_attention(conv(state="resolved"))


def _insert(items: list[str], row: int, new: list[str]) -> None:
    """Insert at model row ``row`` (rows exclude the gap); at the gap itself, above it."""
    at = items.index(GAP)
    full = row if row <= at else row + 1
    items[full:full] = new


def _rows(items: list[str]) -> list[str]:
    return [x for x in items if x != GAP]


def test_gap_follows_every_row_operation() -> None:
    rng = random.Random(4)
    for _ in range(300):
        rows = [f"r{i}" for i in range(rng.randrange(0, 12))]
        gap = rng.randrange(0, len(rows) + 1)
        items = [*rows[:gap], GAP, *rows[gap:]]
        serial = 0
        for _ in range(20):
            count = len(_rows(items))
            op = rng.random()
            if op < 0.35 or count == 0:
                first = rng.randrange(0, count + 1)
                n = rng.randrange(1, 4)
                serial += 1
                _insert(items, first, [f"n{serial}.{k}" for k in range(n)])
                gap = gap_after_insert(gap, first, first + n - 1)
            elif op < 0.65:
                first = rng.randrange(0, count)
                last = rng.randrange(first, min(count, first + 3))
                doomed = set(_rows(items)[first:last + 1])
                items = [x for x in items if x not in doomed]
                gap = gap_after_remove(gap, first, last)
            else:
                first = rng.randrange(0, count)
                last = rng.randrange(first, min(count, first + 2))
                dest = rng.choice([d for d in range(count + 1) if not first <= d <= last + 1]
                                  or [first])
                if dest == first:
                    continue  # no valid move in a list this short
                moving = _rows(items)[first:last + 1]
                items = [x for x in items if x not in moving]
                at = dest - len(moving) if dest > last else dest
                _insert(items, at, moving)
                gap = gap_after_move(gap, first, last, dest)
            assert gap == items.index(GAP), items


def test_gap_examples() -> None:
    # The row below the gap jumps to the top: the gap moves down by one, so the row that
    # now follows it is the one that followed that row.
    assert gap_after_move(5, 5, 5, 0) == 6
    # A row above it sinks below it: the gap moves up.
    assert gap_after_move(5, 1, 1, 9) == 4
    # Rows removed across the gap: it lands where the range was.
    assert gap_after_remove(5, 3, 8) == 3
    assert gap_after_insert(0, 0, 2) == 3 and gap_after_insert(3, 4, 4) == 3


def test_counts_say_plus_until_exact_and_name_the_time() -> None:
    assert count_text(50, exact=False) == "50+"
    assert count_text(1234, exact=True) == "1.2k"
    assert count_words("All", 1, exact=True) == "All, 1 conversation"
    assert count_words("All", 50, exact=False, as_of="14:02") == (
        "All, at least 50 conversations as of 14:02; more are on Crisp "
        "(scroll the list to load them)")
    assert empty_text(Filter.ALL, "", "VIP") == "No conversation in “VIP”"
