"""The official python ``crisp-api`` 1.1.23 client, unchanged, against a sandbox run by the
real CLI in a subprocess.

The client is synchronous (``requests``): calling it from an async test against the
in-process ``sandbox`` fixture would block the loop that serves it. A subprocess also exercises
``crisp-sandbox --json`` and its clean SIGTERM shutdown.
"""

from __future__ import annotations

import contextlib
import json
import select
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from crisp_api import Crisp  # type: ignore[import-untyped]
from crisp_api.errors.route import RouteError  # type: ignore[import-untyped]

CLI_ARGS = ["--json", "--port", "0", "--seed", "7", "--conversations", "80", "--quota", "0"]
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
ERROR_PREFIX = "Got response error: "


@dataclass(frozen=True)
class PySandbox:
    """A running sandbox subprocess, its ``--json`` line and a client authenticated on it."""

    host: str
    info: dict[str, Any]
    client: Crisp

    @property
    def website_id(self) -> str:
        """The first bound website (the seeded world's busiest)."""
        website_id: str = self.info["websites"][0]
        return website_id

    @property
    def plugin_id(self) -> str:
        plugin_id: str = self.info["plugin_id"]
        return plugin_id

    def new_client(self, key: str | None = None) -> Crisp:
        """Another client, built as a user would (optionally with a wrong key)."""
        return make_client(self.host, self.info["identifier"], key or self.info["key"])


def make_client(host: str, identifier: str, key: str) -> Crisp:
    client = Crisp()
    client.set_rest_host(host)
    # set_tier writes into a dict shared by every Crisp instance (crisp-api.md §5);
    # running_sandbox restores it.
    client.set_tier("plugin")
    client.authenticate(identifier, key)
    return client


def _read_info(proc: subprocess.Popen[str]) -> dict[str, Any]:
    """The JSON line the CLI prints once it serves."""
    assert proc.stdout is not None
    deadline = time.monotonic() + START_TIMEOUT
    while (remaining := deadline - time.monotonic()) > 0:
        ready, _, _ = select.select([proc.stdout], [], [], remaining)
        if not ready:
            break
        line = proc.stdout.readline()
        if not line:  # the process exited before serving
            break
        if line.startswith("{"):
            info: dict[str, Any] = json.loads(line)
            return info
    raise RuntimeError(f"crisp-sandbox did not start (exit code {proc.poll()})")


def _stop(proc: subprocess.Popen[str]) -> int:
    """SIGTERM, then the exit code; a process that ignores SIGTERM is killed and fails."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        proc.communicate(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise AssertionError("crisp-sandbox ignored SIGTERM") from None
    return proc.returncode


@contextlib.contextmanager
def running_sandbox() -> Iterator[PySandbox]:
    """Start ``python -m crisp_console.sandbox`` and yield a client on it; on exit stop it and
    check that it shut down cleanly (exit code 0)."""
    saved_headers = dict(Crisp.REQUEST_HEADERS)
    with tempfile.TemporaryFile("w+") as stderr:
        proc = subprocess.Popen([sys.executable, "-m", "crisp_console.sandbox", *CLI_ARGS],
                                stdout=subprocess.PIPE, stderr=stderr, text=True)
        try:
            info = _read_info(proc)
            rest = urlsplit(info["rest"])
            assert rest.path == "/v1/"  # the client adds /v1 itself (set_rest_base_path)
            host = f"{rest.scheme}://{rest.netloc}"
            yield PySandbox(host, info, make_client(host, info["identifier"], info["key"]))
        finally:
            Crisp.REQUEST_HEADERS.clear()
            Crisp.REQUEST_HEADERS.update(saved_headers)
            code = _stop(proc)
        stderr.seek(0)
        assert code == 0, f"crisp-sandbox exited {code}: {stderr.read()[-2000:]}"


def client_error(call: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[int, str, str]:
    """(code, reason, detail) of the RouteError a client call raises, after checking the exact
    shape python crisp-api builds (crisp-api.md §1.2)."""
    with pytest.raises(RouteError) as caught:
        call(*args, **kwargs)
    error = caught.value.args[0]
    assert set(error) == {"reason", "message", "code", "data"}, error
    assert error["reason"] == "error"
    assert error["data"]["namespace"] == "response"
    text: str = error["data"]["message"]
    assert text.startswith(ERROR_PREFIX), text
    return error["code"], error["message"], text[len(ERROR_PREFIX):]
