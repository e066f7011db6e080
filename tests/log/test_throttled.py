"""ThrottledReporter: bad input is logged once per kind with a counter, never as a flood of
tracebacks, never with a secret, never as a megabyte line or a forged one."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest

from crisp_console.log import DETAIL_CHARS, OTHER_KIND, ThrottledReporter, printable
from tests.log.conftest import Token, leaks

LOGGER = "crisp_console.test.hostile"


@pytest.fixture
def records(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    return caplog


def _ours(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == LOGGER]


def test_first_occurrence_then_powers_of_ten(records: pytest.LogCaptureFixture) -> None:
    reporter = ThrottledReporter(LOGGER)
    for i in range(1, 1001):
        assert reporter.report("rtm:message:send", f"bad #{i}") == i
    reporter.report("rest:conversation", "not a list")
    lines = _ours(records)
    assert [r.levelno for r in lines] == [logging.WARNING] * 5
    assert [r.exc_info for r in lines] == [None] * 5
    texts = [r.getMessage() for r in lines]
    assert texts[0].startswith("rtm:message:send: bad #1 ")
    assert [t.split(": ")[1] for t in texts[1:4]] == [
        "10 times so far (latest", "100 times so far (latest", "1000 times so far (latest"]
    assert "bad #1000" in texts[3]
    assert texts[4].startswith("rest:conversation: not a list")
    assert reporter.counts() == {"rtm:message:send": 1000, "rest:conversation": 1}
    assert reporter.total() == 1001


def test_kinds_are_bounded(records: pytest.LogCaptureFixture) -> None:
    reporter = ThrottledReporter(LOGGER, max_kinds=3)
    for i in range(50):
        reporter.report(f"rtm:invented-{i}", "x")
    counts = reporter.counts()
    assert len(counts) == 4 and counts[OTHER_KIND] == 47  # three of their own, then "other"
    texts = [r.getMessage() for r in _ours(records)]
    # Three kinds of their own, "other" once, then its own 10th: not one line per new name.
    assert len(texts) == 5
    assert texts[3].startswith("other: [rtm:invented-3] x")


def test_details_and_kinds_are_cut_and_escaped(records: pytest.LogCaptureFixture) -> None:
    reporter = ThrottledReporter(LOGGER)
    reporter.report("k" * 10_000, "a" * 5_000_000)
    reporter.report("forged", "x\n2024-01-01 00:00:00 ERROR crisp_console: forged\r\u2028\ud800")
    first, forged = (r.getMessage() for r in _ours(records))
    assert len(first) < 400
    assert "\n" not in forged and "\r" not in forged and "\u2028" not in forged
    assert "\\x0a2024-01-01" in forged and "\\ud800" in forged
    forged.encode("utf-8")  # the log file is UTF-8: a lone surrogate would break the line


def test_odd_arguments_never_raise(records: pytest.LogCaptureFixture) -> None:
    reporter = ThrottledReporter(LOGGER)
    assert reporter.report(["not", "a", "str"], {"nor": "this"}) == 1  # type: ignore[arg-type]
    assert reporter.report("k") == 1
    assert len(_ours(records)) == 2


def test_a_bug_logs_its_traceback_once(records: pytest.LogCaptureFixture) -> None:
    reporter = ThrottledReporter(LOGGER)
    for _ in range(10):
        try:
            raise TypeError("unhashable type: 'list'")
        except TypeError as exc:
            reporter.report("bug:rtm:session:set_state", repr(type(exc)), exc_info=exc)
    first, tenth = _ours(records)
    assert first.levelno == logging.ERROR and first.exc_info is not None
    assert tenth.levelno == logging.WARNING and tenth.exc_info is None


@pytest.mark.parametrize("offset", [0, 150, 4096 - 40, 4096, 4096 + 150, 4096 + 256])
def test_no_secret_form_reaches_the_log(log_dir: Path, token: Token, offset: int) -> None:
    """Before the cut, after it, and straddling the few KB that are scrubbed (a hostile
    payload that carries the key must not leak half of it either)."""
    reporter = ThrottledReporter("crisp_console.core")
    for n, form in enumerate(token.forms()):
        for where in (offset, offset + n):
            reporter.report(f"kind-{n}-{where}", "p" * where + form + " tail " + "q" * 9000)
            reporter.report(f"field-{n}-{where}", "p" * where + f'"password": "{form}"')
    reporter.report(f"kind-with-{token.key}", "x")
    assert leaks(log_dir, token) == []
    # A secret's prefix is no better than the secret: none of its first 16 characters.
    text = "".join(path.read_text("utf-8") for path in log_dir.rglob("*") if path.is_file())
    assert token.key[:16] not in text and token.basic[:16] not in text


@pytest.mark.parametrize(("copies", "cut_part"), [(30, 120), (31, 49)])
def test_a_secret_cut_by_the_scrubbed_window_is_dropped(log_dir: Path, token: Token,
                                                        copies: int, cut_part: int) -> None:
    """Masking shortens the text, so the copy of the Basic form that the scrubbed window cuts
    in two (its first ``cut_part`` characters inside) moves toward the start: after 30
    copies it would start below the limit; after 31 the whole text would be shorter than the
    limit, and a wider window is scrubbed instead."""
    unit = len(token.basic) + 1
    padding = DETAIL_CHARS + 4096 - cut_part - unit * copies
    assert padding >= 0 and cut_part < len(token.basic)
    reporter = ThrottledReporter("crisp_console.core")
    reporter.report("copies", "a" * padding + (token.basic + "|") * (copies + 10))
    text = "".join(path.read_text("utf-8") for path in log_dir.rglob("*") if path.is_file())
    assert "***|***|" in text
    assert token.basic[:10] not in text


def test_printable_keeps_short_text() -> None:
    assert printable("plain", 10) == "plain"
    assert printable("0123456789abc", 10) == "0123456789…"


def test_counting_is_thread_safe() -> None:
    reporter = ThrottledReporter(logging.getLogger(LOGGER), max_kinds=4)

    def hammer(n: int) -> None:
        for i in range(2000):
            reporter.report(f"kind-{(n + i) % 6}")

    threads = [threading.Thread(target=hammer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert reporter.total() == 8000 and len(reporter.counts()) == 5
