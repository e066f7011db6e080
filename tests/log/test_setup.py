"""setup_logging: where the file goes, rotation, re-configuration, an unwritable directory."""

from __future__ import annotations

import logging
import os
import shutil
import stat
from pathlib import Path

import pytest

from crisp_console import log as clog
from crisp_console.log import LOG_FILE, setup_logging
from crisp_console.settings import log_dir
from tests.log.conftest import Token, leaks


def _ours(root: logging.Logger) -> list[logging.Handler]:
    return [h for h in root.handlers if clog.secret_filter() in h.filters]


def test_rotation_keeps_backups_small_and_redacted(
        tmp_path: Path, restore_logging: None, token: Token) -> None:
    clog.secret_filter().add(token.key)
    path = setup_logging(logging.INFO, tmp_path, max_bytes=2_000, backups=2, stderr=False)
    assert path == tmp_path / LOG_FILE
    for i in range(200):
        logging.getLogger("crisp_console.test").info("line %03d key=%s", i, token.key)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [LOG_FILE, f"{LOG_FILE}.1", f"{LOG_FILE}.2"]
    assert all((tmp_path / n).stat().st_size <= 2_000 for n in names)
    assert "line 199 key=***" in path.read_text(encoding="utf-8")
    assert leaks(tmp_path, token) == []


def test_setup_again_replaces_only_its_own_handlers(tmp_path: Path,
                                                    restore_logging: None) -> None:
    root = logging.getLogger()
    foreign = logging.NullHandler()
    root.addHandler(foreign)
    setup_logging(logging.INFO, tmp_path / "a", stderr=True)
    assert len(_ours(root)) == 3  # file, stderr, in-memory tail
    second = setup_logging(logging.WARNING, tmp_path / "b", stderr=False)
    assert len(_ours(root)) == 2 and foreign in root.handlers
    assert second == tmp_path / "b" / LOG_FILE and root.level == logging.WARNING
    logging.getLogger("crisp_console").warning("after")
    assert "after" in second.read_text(encoding="utf-8")
    assert "after" not in (tmp_path / "a" / LOG_FILE).read_text(encoding="utf-8")
    root.removeHandler(foreign)


def test_noisy_libraries_are_quiet_unless_debug(tmp_path: Path, restore_logging: None) -> None:
    setup_logging(logging.INFO, tmp_path, stderr=False)
    assert logging.getLogger("httpx").getEffectiveLevel() == logging.WARNING
    setup_logging(logging.DEBUG, tmp_path, stderr=False)
    assert logging.getLogger("httpx").getEffectiveLevel() == logging.DEBUG


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_log_directory_is_private(tmp_path: Path, restore_logging: None) -> None:
    setup_logging(logging.INFO, tmp_path / "logs", stderr=False)
    assert stat.S_IMODE((tmp_path / "logs").stat().st_mode) == 0o700


def test_unwritable_directory_falls_back_to_a_temporary_one(
        tmp_path: Path, restore_logging: None) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory", encoding="utf-8")
    path = setup_logging(logging.INFO, blocker / "logs", stderr=False)
    try:
        assert path.parent != blocker / "logs" and path.exists()
        assert "cannot write logs to" in path.read_text(encoding="utf-8")
        assert clog.log_file() == path
    finally:
        clog.teardown_logging()
        shutil.rmtree(path.parent)


def test_default_directory_is_the_platform_log_dir(monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    if os.name == "posix" and "darwin" not in os.uname().sysname.lower():
        assert log_dir() == tmp_path / "crisp-console" / "log"
    assert log_dir() == clog.default_log_dir()
