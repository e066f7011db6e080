"""The crash handler: three doors, a redacted report, the callback, and never a crash itself."""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import logging
import os
import stat
import sys
import threading
from pathlib import Path

import pytest

from crisp_console import __version__, crash
from crisp_console.crash import CrashHandler, install_excepthook
from tests.log.conftest import Token, leaks

NOW = dt.datetime(2025, 3, 4, 5, 6, 7, tzinfo=dt.UTC)


def _exc_info(exc: BaseException) -> crash.ExcInfo:
    try:
        raise exc
    except BaseException as caught:  # noqa: BLE001 - the point is to capture it
        return type(caught), caught, caught.__traceback__


def _log_text(log_dir: Path) -> str:
    return (log_dir / "crisp-console.log").read_text(encoding="utf-8")


def test_sys_excepthook_writes_a_report_and_calls_back(log_dir: Path, token: Token) -> None:
    calls: list[Path] = []
    logging.getLogger("crisp_console.ui").info("clicked resolve")
    handler = install_excepthook(calls.append, versions={"Qt": "6.11.0", "PySide6": "6.11.0"})
    try:
        assert sys.excepthook == handler._sys_hook  # noqa: SLF001 - the hook it installs
        sys.excepthook(*_exc_info(ZeroDivisionError(f"oops {token.key}")))
    finally:
        handler.uninstall()
    assert len(calls) == 1 and calls[0].parent == log_dir
    assert calls[0].name.startswith("crash-") and calls[0].suffix == ".txt"
    report = calls[0].read_text(encoding="utf-8")
    for expected in ("crisp-console crash report", "where: main thread",
                     f"version: {__version__}", "Qt: 6.11.0", "PySide6: 6.11.0", "python: 3.",
                     "platform: ", "ZeroDivisionError: oops ***", "clicked resolve"):
        assert expected in report
    assert leaks(log_dir, token) == []
    assert "unhandled exception in main thread" in _log_text(log_dir)
    if os.name == "posix":
        assert stat.S_IMODE(calls[0].stat().st_mode) == 0o600


def test_uninstall_restores_the_previous_hooks(log_dir: Path) -> None:
    before = (sys.excepthook, threading.excepthook)
    install_excepthook(None).uninstall()
    assert (sys.excepthook, threading.excepthook) == before


def test_thread_exception_is_reported(log_dir: Path) -> None:
    calls: list[Path] = []
    handler = install_excepthook(calls.append)
    try:
        worker = threading.Thread(target=lambda: 1 / 0, name="keyring-1")
        worker.start()
        worker.join()
    finally:
        handler.uninstall()
    assert len(calls) == 1
    assert "where: thread keyring-1" in calls[0].read_text(encoding="utf-8")


def test_asyncio_unretrieved_task_exception_and_callback_are_reported(log_dir: Path) -> None:
    calls: list[Path] = []
    loop = asyncio.new_event_loop()
    handler = install_excepthook(calls.append, loop=loop)

    async def task_fails() -> None:
        raise LookupError("from a task")

    def callback_fails() -> None:
        raise ArithmeticError("from a callback")

    try:
        task = loop.create_task(task_fails())
        loop.call_soon(callback_fails)
        loop.run_until_complete(asyncio.sleep(0.01))
        del task
        gc.collect()  # the task's exception was never retrieved: reported when it is freed
        loop.call_exception_handler({"message": "Unclosed connector"})  # not a crash
    finally:
        handler.uninstall()
        loop.close()
    texts = [p.read_text(encoding="utf-8") for p in calls]
    assert len(texts) == 2
    assert any("ArithmeticError: from a callback" in t for t in texts)
    assert any("LookupError: from a task" in t and "where: asyncio <Task" in t for t in texts)
    assert "asyncio: Unclosed connector" in _log_text(log_dir)
    assert loop.get_exception_handler() is None


def test_exception_in_on_crash_is_swallowed_and_logged(log_dir: Path) -> None:
    def on_crash(path: Path) -> None:
        raise RuntimeError("the dialog failed")

    handler = CrashHandler(on_crash, log_dir=log_dir)
    path = handler.handle(_exc_info(ValueError("x")), "test")
    assert path is not None and path.exists()
    text = _log_text(log_dir)
    assert "the crash callback failed" in text and "RuntimeError: the dialog failed" in text


def test_the_same_crash_is_reported_once(log_dir: Path) -> None:
    calls: list[Path] = []
    handler = CrashHandler(calls.append, log_dir=log_dir)
    for _ in range(5):  # an exception in a paint event fires on every repaint
        handler.handle(_exc_info(ValueError("again")), "paint")
    assert len(calls) == 1
    assert "same crash seen 5 times" in _log_text(log_dir)


def test_reports_per_session_are_capped(log_dir: Path) -> None:
    handler = CrashHandler(log_dir=log_dir)
    for i in range(crash.MAX_REPORTS + 3):
        code = compile("raise ValueError('distinct')", f"<place {i}>", "exec")
        try:
            exec(code)  # noqa: S102 - a distinct raise site per iteration
        except ValueError as exc:
            handler.handle((ValueError, exc, exc.__traceback__), "loop")
    assert len(list(log_dir.glob("crash-*.txt"))) == crash.MAX_REPORTS


def test_old_reports_are_pruned(log_dir: Path) -> None:
    for i in range(crash.KEEP_REPORTS + 5):
        (log_dir / f"crash-20200101-0000{i:02d}.txt").write_text("old", encoding="utf-8")
    path = CrashHandler(log_dir=log_dir, clock=lambda: NOW).handle(
        _exc_info(ValueError("new")), "test")
    kept = sorted(log_dir.glob("crash-*.txt"))
    assert len(kept) == crash.KEEP_REPORTS and path in kept
    assert path is not None and path.name == "crash-20250304-050607.txt"
    assert kept[0].name == "crash-20200101-000006.txt"


def test_same_second_reports_get_distinct_names(log_dir: Path) -> None:
    handler = CrashHandler(log_dir=log_dir, clock=lambda: NOW)
    first = handler.write_report(_exc_info(ValueError("a")), "t")
    second = handler.write_report(_exc_info(ValueError("b")), "t")
    assert (first.name, second.name) == ("crash-20250304-050607.txt",
                                         "crash-20250304-050607-1.txt")


def test_failure_to_write_never_raises(tmp_path: Path, restore_logging: None, token: Token,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    calls: list[Path] = []
    from crisp_console.log import secret_filter
    secret_filter().add(token.key)
    handler = CrashHandler(calls.append, log_dir=blocker / "logs")
    assert handler.handle(_exc_info(OSError(f"disk {token.key}")), "test") is None
    assert calls == []
    err = capsys.readouterr().err
    assert "OSError: disk ***" in err and token.key not in err


def test_keyboard_interrupt_is_not_a_crash(log_dir: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    calls: list[Path] = []
    handler = install_excepthook(calls.append)
    try:
        sys.excepthook(*_exc_info(KeyboardInterrupt()))
    finally:
        handler.uninstall()
    assert calls == [] and "KeyboardInterrupt" in capsys.readouterr().err


def test_a_crash_while_reporting_goes_to_stderr_only(log_dir: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    calls: list[Path] = []

    def on_crash(path: Path) -> None:
        calls.append(path)
        handler.handle(_exc_info(MemoryError("nested")), "inside on_crash")

    handler = CrashHandler(on_crash, log_dir=log_dir)
    handler.handle(_exc_info(ValueError("first")), "test")
    assert len(calls) == 1 and len(list(log_dir.glob("crash-*.txt"))) == 1
    assert "MemoryError: nested" in capsys.readouterr().err


def test_a_version_that_cannot_be_read_still_gives_a_report(
        log_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import crisp_console

    def unreadable(name: str) -> str:
        raise OSError("the metadata cannot be read")

    # The version is read from the metadata when first asked for (crisp_console.__getattr__).
    monkeypatch.delattr(crisp_console, "__version__", raising=False)
    monkeypatch.setattr(crisp_console, "__getattr__", unreadable)
    handler = CrashHandler(log_dir=log_dir, clock=lambda: NOW)
    path = handler.handle(_exc_info(ValueError("boom")), "main thread")
    assert path is not None
    report = path.read_text(encoding="utf-8")
    assert "version: unknown" in report and "ValueError: boom" in report
