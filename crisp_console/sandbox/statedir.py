"""The sandbox's state directory: the only place ``POST /_sandbox/snapshot {path}`` writes.

It is ``--state-dir`` when given, else the directory of ``--state-file``, else a private
temporary directory (mode 0700) made on the first snapshot that needs it. At exit that
temporary directory is removed if it is empty and kept otherwise: it then holds snapshots
somebody asked for, and the snapshot answer told them where.
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
from pathlib import Path, PurePosixPath

log = logging.getLogger("crisp_console.sandbox")


class StateDir:
    def __init__(self, configured: Path | None) -> None:
        self._configured = configured.absolute() if configured is not None else None
        self._temporary: Path | None = None

    @property
    def path(self) -> Path:
        """The directory, created if needed (0700 when the sandbox creates it)."""
        if self._configured is not None:
            self._configured.mkdir(mode=0o700, parents=True, exist_ok=True)
            return self._configured
        if self._temporary is None:
            self._temporary = Path(tempfile.mkdtemp(prefix="crisp-sandbox-"))  # mode 0700
            log.info("snapshots go to %s", self._temporary)
        return self._temporary

    def target(self, name: str) -> Path:
        """Where the snapshot ``name`` goes: a relative path that stays inside the directory
        through no symbolic link. ValueError saying why otherwise."""
        if "\x00" in name or "\\" in name:
            raise ValueError("must be a plain relative file name")
        relative = PurePosixPath(name)
        if relative.is_absolute():
            raise ValueError("must be relative to the state directory, not absolute")
        if ".." in relative.parts:
            raise ValueError("must not contain '..'")
        if relative.name in ("", ".") or name.endswith("/"):
            raise ValueError("must name a file")
        base = self.path.resolve()
        here = base
        for part in relative.parts:
            here = here / part
            if here.is_symlink():
                raise ValueError(f"must not go through a symbolic link ({part})")
        if not here.resolve().is_relative_to(base):  # belt and braces after the walk above
            raise ValueError("must stay inside the state directory")
        return here

    def cleanup(self) -> None:
        """Remove the temporary directory if nothing was written to it."""
        if self._temporary is not None:
            with contextlib.suppress(OSError):  # not empty: it keeps the user's snapshots
                self._temporary.rmdir()
            self._temporary = None
