"""Feedback: a command's failure in the status bar, in words, run as a task of the ui's one
task owner (never an exception into Qt); a bug's traceback goes to the log."""

from __future__ import annotations

import asyncio
import logging

import pytest

from crisp_console.client.tasks import TaskOwner
from crisp_console.errors import NotAllowedError
from crisp_console.ui.feedback import Feedback
from tests.ui.conftest import tasks_done


class Bar:
    def __init__(self) -> None:
        self.shown: list[tuple[str, int]] = []

    def show(self, text: str, timeout_ms: int) -> None:
        self.shown.append((text, timeout_ms))


def test_a_refusal_is_said_and_a_bug_is_logged_with_its_traceback(
        caplog: pytest.LogCaptureFixture) -> None:
    bar = Bar()
    feedback = Feedback(bar.show, TaskOwner())

    async def refused() -> None:
        raise NotAllowedError(403, "not_allowed", "")

    async def bug() -> None:
        raise AttributeError("'NoneType' object has no attribute 'x'")

    async def main() -> None:
        await feedback.guard(refused(), "Not assigned")
        await feedback.guard(bug(), "Not resolved")

    with caplog.at_level(logging.INFO, logger="crisp_console.ui.feedback"):
        asyncio.run(main())
    assert bar.shown == [
        ("Not assigned: this token is not allowed to do that (Crisp answered 403 not_allowed)",
         15_000),
        ("Not resolved: an unexpected error (AttributeError; the log has the details)", 15_000)]
    [info, error] = caplog.records
    assert info.levelno == logging.INFO and info.exc_info is None
    assert error.levelno == logging.ERROR and error.exc_info is not None


def test_run_is_an_owned_task_and_never_starts_once_the_owner_closed() -> None:
    bar = Bar()
    tasks = TaskOwner()
    feedback = Feedback(bar.show, tasks)
    started: list[str] = []

    async def command(name: str) -> None:
        started.append(name)
        raise OSError("offline")

    async def main() -> None:
        feedback.run(command("first"), "Not sent")
        assert len(tasks) == 1
        await tasks_done(tasks)
        await tasks.aclose()
        feedback.run(command("second"), "Not sent")  # closed: closed, not left unawaited

    asyncio.run(main())
    assert started == ["first"]
    assert bar.shown == [("Not sent: offline", 15_000)]
