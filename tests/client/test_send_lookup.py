"""Read before retry: matching a reply in history, and when a read proves it absent."""

from __future__ import annotations

from typing import Any

import pytest

from crisp_console.client.send_lookup import LookupIncomplete, Sought, find_sent, same_content

FP = 1_796_000_000_000_123
SINCE = 1_796_000_000_000


def msg(fingerprint: int, content: Any, ts: int, type: str = "text") -> dict[str, Any]:
    return {"fingerprint": fingerprint, "content": content, "timestamp": ts, "type": type}


class History:
    """Get Messages over ``messages`` (sorted by time): the newest ``batch`` before the
    cursor. ``split``: cut batches at exactly ``batch`` messages, even inside a run of equal
    timestamps (the sandbox never does; Crisp might). ``ignore_cursor``: always the newest."""

    def __init__(self, messages: list[dict[str, Any]], *, batch: int = 40, split: bool = False,
                 ignore_cursor: bool = False) -> None:
        self.messages = sorted(messages, key=lambda m: m["timestamp"])
        self.batch, self.split, self.ignore_cursor = batch, split, ignore_cursor
        self.calls: list[int | None] = []

    async def __call__(self, before: int | None) -> list[dict[str, Any]]:
        self.calls.append(before)
        older = [m for m in self.messages if before is None or self.ignore_cursor
                 or m["timestamp"] < before]
        if self.split or len(older) <= self.batch:
            return older[-self.batch:]
        start = len(older) - self.batch  # grow down so a run of equal times stays whole
        while start > 0 and older[start - 1]["timestamp"] == older[start]["timestamp"]:
            start -= 1
        return older[start:]


def sought(content: Any = "Thanks, it is fixed", type: str = "text") -> Sought:
    return Sought(FP, type, content, SINCE)


@pytest.mark.asyncio
async def test_found_in_the_newest_batch() -> None:
    history = History([msg(1, "hi", SINCE - 10), msg(FP, "Thanks, it is fixed", SINCE + 5)])
    assert await find_sent(history, sought(), skew_ms=1000, max_pages=5)
    assert history.calls == [None]


@pytest.mark.asyncio
async def test_absent_once_a_batch_reaches_below_the_floor() -> None:
    old = [msg(i, f"old {i}", SINCE - 60_000 + i) for i in range(100)]
    history = History([*old, msg(2, "newer", SINCE + 1)])
    assert not await find_sent(history, sought(), skew_ms=30_000, max_pages=5)
    assert history.calls == [None]


@pytest.mark.asyncio
async def test_absent_at_the_start_of_the_conversation() -> None:
    history = History([msg(2, "newer", SINCE + 1)])
    assert not await find_sent(history, sought(), skew_ms=30_000, max_pages=5)


@pytest.mark.asyncio
async def test_a_run_of_equal_timestamps_cut_between_two_batches_is_read_whole() -> None:
    # Ten messages in one millisecond, ours first; the newest batch takes only five of them.
    run = [msg(FP, "Thanks, it is fixed", SINCE + 7)]
    run += [msg(1000 + i, f"burst {i}", SINCE + 7) for i in range(9)]
    newer = [msg(2000 + i, f"later {i}", SINCE + 8 + i) for i in range(35)]
    old = [msg(3000 + i, f"old {i}", SINCE - 99_000 + i) for i in range(50)]
    history = History(old + run + newer, split=True)
    assert await find_sent(history, sought(), skew_ms=30_000, max_pages=10)
    assert history.calls == [None, SINCE + 8]


@pytest.mark.asyncio
async def test_more_messages_in_one_millisecond_than_a_batch_prove_nothing() -> None:
    run = [msg(1000 + i, f"burst {i}", SINCE + 7) for i in range(100)]
    history = History([*run, msg(5, "old", SINCE - 99000)], split=True)
    with pytest.raises(LookupIncomplete):
        await find_sent(history, sought(), skew_ms=30_000, max_pages=10)
    whole = History([*run[:3], msg(6, "newer", SINCE + 9)])  # a short run: all of it came
    assert not await find_sent(whole, sought(), skew_ms=30_000, max_pages=10)


@pytest.mark.asyncio
async def test_a_colliding_fingerprint_with_other_content_or_type_is_not_ours() -> None:
    history = History([msg(FP, "someone else's reply", SINCE + 1),
                       msg(FP, "Thanks, it is fixed", SINCE + 2, type="note"),
                       msg(3, "old", SINCE - 99_000)])
    assert not await find_sent(history, sought(), skew_ms=30_000, max_pages=5)


@pytest.mark.asyncio
async def test_a_server_ignoring_the_cursor_cannot_loop_the_read() -> None:
    history = History([msg(i, f"line {i}", SINCE + i) for i in range(80)], ignore_cursor=True)
    with pytest.raises(LookupIncomplete):
        await find_sent(history, sought(), skew_ms=0, max_pages=50)
    assert len(history.calls) == 2


@pytest.mark.asyncio
async def test_too_many_batches_prove_nothing() -> None:
    history = History([msg(i, f"line {i}", SINCE + i) for i in range(200)])
    with pytest.raises(LookupIncomplete):
        await find_sent(history, sought(), skew_ms=0, max_pages=2)


@pytest.mark.asyncio
async def test_wrong_shapes_in_history_are_skipped() -> None:
    junk: list[Any] = ["text", None, {"fingerprint": "1", "timestamp": "x"},
                      {"fingerprint": True, "type": "text", "timestamp": SINCE + 2},
                      {"fingerprint": FP, "timestamp": float("nan"), "type": "text",
                       "content": "Thanks, it is fixed"}]
    history = History([])
    history.messages = [*junk, msg(FP, "Thanks, it is fixed", SINCE + 3)]
    assert await find_sent(history, sought(), skew_ms=1000, max_pages=3)


def test_same_content_tolerates_what_a_server_may_normalise_and_nothing_else() -> None:
    assert same_content("Thanks\r\nBye ", "Thanks\nBye")
    assert same_content("cafe\u0301", "caf\u00e9")  # NFD and NFC
    assert not same_content("Thanks", "thanks")
    assert not same_content("Thanks", None)
    file = {"name": "a.pdf", "type": "application/pdf", "url": "https://x/a.pdf"}
    assert same_content(file, {**file, "size": 12})  # a key the server adds
    assert not same_content(file, {**file, "name": "b.pdf"})
    assert not same_content(file, {"name": "a.pdf"})
    assert same_content([1, "a"], [1, "a"]) and not same_content([1], [1, 2])
    assert not same_content(True, 1) and not same_content(1, True)
