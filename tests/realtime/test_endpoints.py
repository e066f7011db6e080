"""Endpoints: which RTM URL the next attempt uses (main, or the rescue)."""

from __future__ import annotations

import pytest

from crisp_console.realtime import ReconnectPolicy
from crisp_console.realtime.endpoints import Endpoints


def test_endpoints_rotate_after_failures_and_stay_after_a_success() -> None:
    main, rescue = "http://h/", "http://h/rescue/"
    ends = Endpoints([main, rescue], rescue_after=2)
    used = []
    for ok in (False, False, False, False, False, True, False, True):
        used.append(ends.url)
        if ok:
            ends.succeeded()
        else:
            ends.failed()
    assert used == [main, main, rescue, rescue, main, main, main, main]
    assert Endpoints(["http://h/x/", "http://h/x/", ""], 1).urls == ("http://h/x/",)
    assert Endpoints("ws://h/", 1).current == ("ws://h", "/")
    with pytest.raises(ValueError, match="not an RTM URL"):
        Endpoints(["http://h/", "ftp://h/"], 1)
    with pytest.raises(ValueError, match="no RTM URL"):
        Endpoints([], 1)


def test_rescue_after_is_at_least_one() -> None:
    with pytest.raises(ValueError, match="rescue_after"):
        ReconnectPolicy(rescue_after=0)
    assert ReconnectPolicy().rescue_after == 3
