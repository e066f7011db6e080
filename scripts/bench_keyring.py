"""The benchmark's keyring: the JSON file BENCH_KEYRING, never a real user's keyring.

bench_startup_child.py names it in PYTHON_KEYRING_BACKEND (``bench_keyring.FileKeyring``),
so keyring loads it when the console first asks for a secret, in the console's own order:
the child imports no keyring module itself. The file outlives the process, so a warm start
opens the database a previous run filled with the same key.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import keyring.backend
import keyring.errors


class FileKeyring(keyring.backend.KeyringBackend):
    priority = 1

    @property
    def _path(self) -> Path:
        return Path(os.environ["BENCH_KEYRING"])

    def _all(self) -> dict[str, str]:
        try:
            data: dict[str, str] = json.loads(self._path.read_text())
        except FileNotFoundError:
            return {}
        return data

    def get_password(self, service: str, username: str) -> str | None:
        return self._all().get(f"{service}\n{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._all()
        data[f"{service}\n{username}"] = password
        self._path.write_text(json.dumps(data))

    def delete_password(self, service: str, username: str) -> None:
        data = self._all()
        if data.pop(f"{service}\n{username}", None) is None:
            raise keyring.errors.PasswordDeleteError("not found")
        self._path.write_text(json.dumps(data))
