"""Client fingerprints: unique, strictly increasing, random start, below 2**53."""

from __future__ import annotations

import asyncio
import random
import threading

import pytest

from crisp_console.client.fingerprints import SAFE_LIMIT, FingerprintSource

NOW_MS = 1_790_000_000_000  # 2026


def test_four_thousand_concurrent_draws_are_unique_and_in_range() -> None:
    source = FingerprintSource()  # the real clock: many draws share a millisecond
    drawn: list[int] = []
    start = threading.Barrier(8)

    def worker() -> None:
        start.wait()
        mine = [source.next() for _ in range(500)]
        drawn.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(drawn) == 4000
    assert len(set(drawn)) == 4000
    assert all(0 < value < SAFE_LIMIT for value in drawn)


@pytest.mark.asyncio
async def test_concurrent_tasks_draw_unique_values() -> None:
    source = FingerprintSource(clock=lambda: NOW_MS)  # a frozen clock: one slot for all

    async def draw() -> int:
        await asyncio.sleep(0)
        return source.next()

    drawn = await asyncio.gather(*(draw() for _ in range(4000)))
    assert len(set(drawn)) == 4000
    assert max(drawn) < SAFE_LIMIT


def test_monotonic_under_a_clock_that_goes_backwards() -> None:
    times = iter([NOW_MS, NOW_MS + 5, NOW_MS - 60_000, NOW_MS - 60_000, NOW_MS + 1, NOW_MS + 9])
    source = FingerprintSource(clock=lambda: next(times), rng=random.Random(3))
    values = [source.next() for _ in range(6)]
    assert values == sorted(values) and len(set(values)) == 6
    assert values[2] == values[1] + 1  # the clock stepped back: the sequence did not


def test_random_start_inside_the_millisecond_slot() -> None:
    starts = {FingerprintSource(clock=lambda: NOW_MS, rng=random.Random(seed)).next()
              for seed in range(20)}
    assert all(NOW_MS * 1000 <= value < NOW_MS * 1000 + 1000 for value in starts)
    assert len(starts) > 10  # consoles starting in the same millisecond start apart


def test_a_clock_beyond_the_safe_range_still_gives_safe_values() -> None:
    far = [SAFE_LIMIT // 1000 - 1, SAFE_LIMIT // 1000 - 1, 10 ** 15, -5]
    clock = iter(far)
    source = FingerprintSource(clock=lambda: next(clock), rng=random.Random(1))
    values = [source.next() for _ in far]
    assert all(0 < value < SAFE_LIMIT for value in values)
    assert len(set(values)) == len(values)
