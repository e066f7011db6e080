"""Failures in the window's words: the client's wording, except a spent quota, whose reset is
said in the operator's own time (tests/present/test_failure_words.py); and the controller's
central report of a failed action."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from crisp_console.client import CommandNotAllowedError, StartupError
from crisp_console.errors import (
    NotAllowedError,
    ProtocolError,
    QuotaExceededError,
    ServerError,
)
from crisp_console.ui.failure_words import describe

RESETS = datetime(2026, 11, 22, 0, 0, tzinfo=UTC)
PARIS = timezone(timedelta(hours=1))


def quota(local: bool = False) -> QuotaExceededError:
    return QuotaExceededError(429, "rate_limited", resets_at=RESETS, local=local)


@pytest.mark.parametrize("local", [False, True])
def test_a_spent_quota_says_when_it_resets(local: bool) -> None:
    assert describe(quota(local), PARIS) == "daily API quota spent, resets at 01:00"
    started = StartupError("list the operators", quota(local))
    assert describe(started, PARIS) == ("Could not list the operators: daily API quota "
                                        "spent, resets at 01:00.")


def test_a_refused_command_names_its_action() -> None:
    refused = CommandNotAllowedError("assign conversations",
                                     NotAllowedError(403, "not_allowed", ""))
    assert describe(refused).startswith("This plugin token is not allowed to assign "
                                        "conversations (Crisp answered 403 not_allowed)")


def test_other_failures_in_the_clients_words() -> None:
    refused = describe(NotAllowedError(403, "not_allowed", ""))
    assert refused == "this token is not allowed to do that (Crisp answered 403 not_allowed)"
    unreadable = describe(ProtocolError("expected an object, got a string",
                                        where="PATCH website/W/conversation/S/state"))
    assert unreadable.startswith("Crisp answered something this console cannot read")
    assert "PATCH website/W/conversation/S/state" in unreadable
    assert "server error" in describe(ServerError(503, "unavailable"))
    assert describe(StartupError("check the token", ServerError(503, "down"))).startswith(
        "Could not check the token: Crisp answered with a server error")
    # Never nothing: a conversation gone from the store, and a bug (its text may be anything).
    assert describe(KeyError("session_1")) == "it is no longer in the console"
    assert describe(AttributeError("'NoneType' object has no attribute 'x' <b>")) == (
        "an unexpected error (AttributeError; the log has the details)")
