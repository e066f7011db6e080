"""The first frame from the cache loads no network library and no sandbox, and shows the
saved rows before the console connects.

The real start-up (``crisp-console`` with an environment token and ``--host``, the
accounts' database on disk) runs in a child process (scripts/bench_startup_child.py) whose
QApplication notes the first paint of the conversation list with rows, and what
``sys.modules`` holds at that moment. A first run fills the database from the sandbox; the
second starts from it. The URL fast paths that keep httpx off that path are checked against
httpx itself."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from crisp_console.api import wire
from crisp_console.client.media import _plain
from crisp_console.demo import DemoSandbox
from crisp_console.errors import InsecureHostError

ROOT = Path(__file__).resolve().parents[2]
CHILD = ROOT / "scripts" / "bench_startup_child.py"
sys.path.insert(0, str(CHILD.parent))
from bench_startup_child import FORBIDDEN  # type: ignore[import-not-found]  # noqa: E402


def start(env: dict[str, str], rest: str, *extra: str, keep: bool = False) -> dict[str, Any]:
    argv = [sys.executable, str(CHILD), "app", "--spawned-at", repr(time.time())]
    proc = subprocess.run([*argv, *(["--keep-running"] if keep else []), "--", "--host", rest,
                           *extra], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    assert lines, proc.stderr[-3000:]
    out: dict[str, Any] = json.loads(lines[0])
    out["stderr"] = proc.stderr
    out["at_exit"] = json.loads(lines[-1])["loaded"]
    return out


@pytest.fixture(scope="module")
def sandbox() -> Any:
    demo = DemoSandbox(simulator_rate=0.0)
    info = demo.start()
    yield info
    demo.stop()


def test_the_cached_rows_paint_before_any_network_library_loads(
        sandbox: Any, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen",
           "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_STATE_HOME": str(tmp_path / "state"),
           "BENCH_KEYRING": str(tmp_path / "keys.json"),
           "CRISP_IDENTIFIER": sandbox["identifier"], "CRISP_KEY": sandbox["key"]}
    env.pop("CRISP_TIER", None)
    cold = start(env, sandbox["rest"], "--quit-after", "6", keep=True)
    # Cold, the rows come from Crisp: the network stack had to load first.
    assert cold["rows"] > 0 and "httpx" in cold["loaded"], cold
    warm = start(env, sandbox["rest"], "--quit-after", "4", keep=True)
    assert warm["rows"] > 0, warm
    assert warm["view"] == "ConversationListView"
    # Nothing of the network stack, the socket or the sandbox at the first frame: no request
    # left and the live feed was not even importable, so the rows are the cache's, painted
    # before the client connected.
    assert [name for name in FORBIDDEN if name in warm["loaded"]] == [], warm
    assert "first frame painted, " in warm["stderr"]
    # Then the client started: its REST requests and its live feed's socket came after.
    assert {"httpx", "crisp_console.realtime.transport"} <= set(warm["at_exit"]), warm


def slow_base_url(url: str) -> str:
    parsed = wire.secure_url(url)
    path = parsed.path.rstrip("/")
    if not path.endswith("/v1"):
        path += "/v1"
    return str(parsed.copy_with(path=path + "/", query=None, fragment=None))


PARTS = ["https://", "http://", "HTTPS://", "http://localhost", "api.crisp.chat", "127.0.0.1",
         "a-b.example", "localhost", "crisp.chat", ":443", ":80", ":8080", ":0", ":65535",
         ":65536", "/v1", "/v1/", "/", "//", "/a.b", "/.", "/..", "?q=1", "#f", "Ä", "%20",
         ".", "-", "user@", "@", "\\", "[::1]", "V1", "_", "/logo.png"]


def outcome(f: Any, url: str) -> Any:
    try:
        return f(url)
    except InsecureHostError:
        return "refused"


def test_the_base_url_fast_path_names_the_root_as_httpx_does() -> None:
    rng = random.Random(16)
    urls = ["https://api.crisp.chat", "http://127.0.0.1:8080", "https://a.com:443",
            "https://x.example/v1", "http://example.com"]
    urls += ["".join(rng.choice(PARTS) for _ in range(rng.randint(1, 6))) for _ in range(20000)]
    for url in urls:
        assert outcome(wire.normalise_base_url, url) == outcome(slow_base_url, url), url


def test_the_media_fast_path_reads_urls_as_httpx_does() -> None:
    rng = random.Random(16)
    urls = ["https://image.crisp.chat/logo.png?x=1", "http://127.0.0.1:8080/bucket/a.png"]
    urls += ["".join(rng.choice(PARTS) for _ in range(rng.randint(1, 6))) for _ in range(50000)]
    plain = 0
    for url in urls:
        parts = _plain(url)
        if parts is None:
            continue
        plain += 1
        parsed = httpx.URL(url)
        assert parts == (parsed.scheme, parsed.host, parsed.port), url
    assert plain > 100  # the fast path is taken, not only skipped
