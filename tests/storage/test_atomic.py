"""write_atomic: the new bytes or the old file, never a mix, and never a temp file left over,
whichever step fails (each failure is injected through a FileOps subclass)."""

from __future__ import annotations

import errno
import logging
import os
import stat
from pathlib import Path

import pytest

from crisp_console.storage.atomic import FileOps, write_atomic

OLD = b'{"old": true}\n'
NEW = b'{"new": "\xc3\xa9t\xc3\xa9"}\n' * 1000


class Recording(FileOps):
    """The real calls, in order, with the fds that were synced."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.synced: list[int] = []
        self.temps: list[str] = []

    def chmod(self, path: str, mode: int) -> None:
        self.calls.append("chmod")
        super().chmod(path, mode)

    def write(self, fd: int, data: memoryview) -> int:
        if not self.calls or self.calls[-1] != "write":
            self.calls.append("write")
        return super().write(fd, data)

    def fsync(self, fd: int) -> None:
        kind = "folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file"
        self.calls.append(f"fsync {kind}")
        self.synced.append(fd)
        super().fsync(fd)

    def replace(self, src: str, dst: Path) -> None:
        self.calls.append("replace")
        self.temps.append(src)
        super().replace(src, dst)


class FailAt(Recording):
    """Raises ``error`` at one step, after doing the real work of the steps before it."""

    def __init__(self, step: str, error: BaseException | None = None) -> None:
        super().__init__()
        self.step = step
        self.error = error or OSError(errno.ENOSPC, "No space left on device")

    def _maybe_fail(self, step: str) -> None:
        if step == self.step:
            raise self.error

    def chmod(self, path: str, mode: int) -> None:
        self._maybe_fail("chmod")
        super().chmod(path, mode)

    def write(self, fd: int, data: memoryview) -> int:
        if self.step == "write-half":  # half the bytes reach the temp file, then the disk fills
            self.step = "write"
            return super().write(fd, data[: len(data) // 2])
        self._maybe_fail("write")
        return super().write(fd, data)

    def fsync(self, fd: int) -> None:
        kind = "folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file"
        self._maybe_fail(f"fsync {kind}")
        super().fsync(fd)

    def replace(self, src: str, dst: Path) -> None:
        self._maybe_fail("replace")
        super().replace(src, dst)


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def target(tmp_path: Path) -> Path:
    path = tmp_path / "config" / "file.json"
    path.parent.mkdir()
    path.write_bytes(OLD)
    return path


def test_writes_the_bytes_owner_only_and_creates_the_folder(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "drafts.json"
    write_atomic(path, NEW)
    assert path.read_bytes() == NEW
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert listing(path.parent) == ["drafts.json"]


def test_the_mode_is_set_exactly_whatever_the_umask(target: Path) -> None:
    old_umask = os.umask(0o077)
    try:
        write_atomic(target, NEW, mode=0o644)
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


@pytest.mark.skipif(not hasattr(os, "O_DIRECTORY"), reason="folders are synced on POSIX only")
def test_the_file_is_synced_before_the_rename_and_the_folder_after(target: Path) -> None:
    ops = Recording()
    write_atomic(target, NEW, ops=ops)
    assert ops.calls == ["chmod", "write", "fsync file", "replace", "fsync folder"]
    assert target.read_bytes() == NEW


def test_the_temp_file_is_in_the_same_folder_under_a_new_name_each_time(target: Path) -> None:
    stale = target.with_name(f".{target.name}.tmp")  # the fixed name the keymap once used
    stale.mkdir()
    ops = Recording()
    write_atomic(target, NEW, ops=ops)
    write_atomic(target, OLD, ops=ops)
    first, second = (Path(t) for t in ops.temps)
    assert first.parent == second.parent == target.parent
    assert first != second
    assert first.name.startswith(f".{target.name}.") and first.name.endswith(".tmp")
    assert target.read_bytes() == OLD
    assert listing(target.parent) == [stale.name, target.name]  # not ours: left alone


@pytest.mark.parametrize("step", ["chmod", "write", "write-half", "fsync file", "replace"])
def test_a_failing_step_leaves_the_old_file_and_no_temp_file(target: Path, step: str) -> None:
    ops = FailAt(step)
    with pytest.raises(OSError, match="No space left") as raised:
        write_atomic(target, NEW, ops=ops)
    assert raised.value is ops.error
    assert target.read_bytes() == OLD
    assert listing(target.parent) == [target.name]


def test_a_failing_step_leaves_no_file_where_there_was_none(tmp_path: Path) -> None:
    path = tmp_path / "keymap.json"
    with pytest.raises(OSError, match="No space left"):
        write_atomic(path, NEW, ops=FailAt("write-half"))
    assert listing(tmp_path) == []


def test_an_interrupt_mid_write_still_removes_the_temp_file(target: Path) -> None:
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, NEW, ops=FailAt("write", KeyboardInterrupt()))
    assert target.read_bytes() == OLD
    assert listing(target.parent) == [target.name]


def test_short_writes_are_continued_until_every_byte_is_written(target: Path) -> None:
    class Dribble(FileOps):
        def write(self, fd: int, data: memoryview) -> int:
            return os.write(fd, data[:7])

    write_atomic(target, NEW, ops=Dribble())
    assert target.read_bytes() == NEW


def test_a_write_that_makes_no_progress_fails_instead_of_spinning(target: Path) -> None:
    class Stuck(FileOps):
        def write(self, fd: int, data: memoryview) -> int:
            return 0

    with pytest.raises(OSError, match="no progress"):
        write_atomic(target, NEW, ops=Stuck())
    assert target.read_bytes() == OLD
    assert listing(target.parent) == [target.name]


def test_a_failed_cleanup_does_not_hide_the_error_that_caused_it(target: Path) -> None:
    class VanishThenFail(FileOps):
        def replace(self, src: str, dst: Path) -> None:
            os.unlink(src)  # the cleanup's unlink will then fail too
            raise OSError(errno.EXDEV, "Invalid cross-device link")

    with pytest.raises(OSError, match="cross-device"):
        write_atomic(target, NEW, ops=VanishThenFail())
    assert target.read_bytes() == OLD
    assert listing(target.parent) == [target.name]


def test_real_failures_leave_nothing_behind(tmp_path: Path) -> None:
    folder_in_the_way = tmp_path / "accounts.json"
    folder_in_the_way.mkdir()
    with pytest.raises(IsADirectoryError):  # renaming a file over a folder
        write_atomic(folder_in_the_way, NEW)
    assert listing(tmp_path) == ["accounts.json"] and listing(folder_in_the_way) == []
    file_in_the_way = tmp_path / "state"
    file_in_the_way.write_bytes(OLD)
    with pytest.raises(FileExistsError):  # the folder cannot be made
        write_atomic(file_in_the_way / "drafts.json", NEW)
    assert file_in_the_way.read_bytes() == OLD


@pytest.mark.skipif(not hasattr(os, "O_DIRECTORY"), reason="folders are synced on POSIX only")
@pytest.mark.parametrize(("code", "level"), [(errno.EIO, logging.WARNING),
                                             (errno.EINVAL, logging.DEBUG)])
def test_a_folder_that_cannot_be_synced_does_not_undo_the_write(
        target: Path, caplog: pytest.LogCaptureFixture, code: int, level: int) -> None:
    ops = FailAt("fsync folder", OSError(code, os.strerror(code)))
    with caplog.at_level(logging.DEBUG, logger="crisp_console.storage.atomic"):
        write_atomic(target, NEW, ops=ops)
    assert target.read_bytes() == NEW
    assert listing(target.parent) == [target.name]
    assert [r.levelno for r in caplog.records if "not synced" in r.getMessage()] == [level]
