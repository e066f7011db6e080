"""The one atomic writer for the console's small files (drafts, keymap, preferences, accounts).

A reader sees the old file or the new one, never a mix: the bytes go to a temp file with a
unique name in the same folder (a rename is atomic only within one file system), are flushed
to the disk, and the temp file is renamed over the target. Any failure removes the temp file
and raises the original error, so nothing partial is ever left behind.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

# A folder that cannot be synced this way (some file systems, or a platform where a folder
# cannot be opened) is not a failure of the write: the rename has happened.
_UNSUPPORTED = {errno.EINVAL, errno.ENOTSUP, errno.EBADF, errno.EACCES, errno.EPERM}


class FileOps:
    """The system calls write_atomic makes. A test passes a subclass whose one call fails."""

    def chmod(self, path: str, mode: int) -> None:
        os.chmod(path, mode)

    def write(self, fd: int, data: memoryview) -> int:
        return os.write(fd, data)

    def fsync(self, fd: int) -> None:
        os.fsync(fd)

    def replace(self, src: str, dst: Path) -> None:
        os.replace(src, dst)

    def sync_folder(self, folder: Path) -> None:
        """Make the rename itself durable (POSIX: the folder's entry), where that is possible;
        never raises: by now the new file is in place."""
        directory_flag = getattr(os, "O_DIRECTORY", None)
        if directory_flag is None:  # Windows: a folder cannot be opened; NTFS logs the rename
            return
        try:
            fd = os.open(folder, os.O_RDONLY | directory_flag)
        except OSError as exc:
            log.debug("cannot open %s to sync it: %s", folder, exc)
            return
        try:
            self.fsync(fd)
        except OSError as exc:
            # The new file is readable; only its survival of a power cut is unsure.
            level = logging.DEBUG if exc.errno in _UNSUPPORTED else logging.WARNING
            log.log(level, "folder %s not synced after a write: %s", folder, exc)
        finally:
            os.close(fd)


SYSTEM = FileOps()


def write_atomic(path: Path, data: bytes, *, mode: int = 0o600, ops: FileOps = SYSTEM) -> None:
    """Replace ``path`` with ``data``; ``mode`` is the new file's permissions (owner-only by
    default). Creates the folder if needed. Raises OSError (the target untouched) on failure."""
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        try:
            ops.chmod(tmp, mode)
            view = memoryview(data)
            while view:  # os.write may write only part
                written = ops.write(fd, view)
                if written <= 0:
                    raise OSError(errno.EIO, "the write made no progress", tmp)
                view = view[written:]
            ops.fsync(fd)
        finally:
            os.close(fd)
        ops.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):  # the original error is the one to report
            os.unlink(tmp)
        raise
    ops.sync_folder(folder)
