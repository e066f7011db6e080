"""The remind picker's free-form durations."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from crisp_console.ui.conversation_actions import parse_when

NOW = datetime(2026, 12, 6, 15, 0)


@pytest.mark.parametrize(("text", "delta"), [("30m", timedelta(minutes=30)),
                                             ("2 h", timedelta(hours=2)),
                                             ("1d", timedelta(days=1))])
def test_durations(text: str, delta: timedelta) -> None:
    assert parse_when(text, NOW) == NOW + delta


@pytest.mark.parametrize("text", ["0m", "soon", "9999999d", "99999999999d",
                                  "999999999999999999999h"])
def test_nonsense_and_overflow_are_not_understood(text: str) -> None:
    assert parse_when(text, NOW) is None
