"""Logging tests reconfigure the root logger; these fixtures put everything back."""

from __future__ import annotations

import logging
import secrets
import sys
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from crisp_console import log as clog
from crisp_console.log import basic_token


@dataclass(frozen=True)
class Token:
    identifier: str
    key: str

    @property
    def basic(self) -> str:
        return basic_token(self.identifier, self.key)

    def forms(self) -> list[str]:
        """Every spelling of the secret that must never be written anywhere."""
        return [self.key, self.basic, f"Basic {self.basic}", f"{self.identifier}:{self.key}"]


LIBRARY_LOGGERS = ("socketio.client", "engineio.client", "aiohttp.client", "httpcore.http11")


@pytest.fixture
def token() -> Token:
    # A fresh pair per test: the process-wide filter keeps every secret it was given.
    return Token(str(uuid.uuid4()), secrets.token_hex(32))


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    # The libraries' own child loggers too: python-socketio sets "socketio.client" to ERROR
    # when a client is made without a logger, so an earlier test would hide these lines.
    names = (*clog.NOISY, *LIBRARY_LOGGERS)
    noisy = {name: logging.getLogger(name).level for name in names}
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(logging.NOTSET)
    hooks = (sys.excepthook, threading.excepthook)
    yield
    clog.teardown_logging()
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)
    for name, lvl in noisy.items():
        logging.getLogger(name).setLevel(lvl)
    sys.excepthook, threading.excepthook = hooks


@pytest.fixture
def log_dir(tmp_path: Path, restore_logging: None, token: Token) -> Path:
    """Logging set up into ``tmp_path/logs`` at DEBUG, with ``token`` registered."""
    directory = tmp_path / "logs"
    clog.setup_logging(logging.DEBUG, directory, stderr=False)
    clog.secret_filter().add_credentials(token.identifier, token.key)
    return directory


def leaks(directory: Path, token: Token) -> list[str]:
    """``file:line: form`` for every occurrence of a secret form in any file under ``directory``."""
    found = []
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        text = path.read_bytes().decode("utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            found += [f"{path.name}:{number}: {form[:12]}…" for form in token.forms()
                      if form in line]
    return found
