"""The newcomer's path: ``crisp-console --demo`` starts a sandbox child and connects to it."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from crisp_console.demo import DemoSandbox


def run_console(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env or {})}
    return subprocess.run([sys.executable, "-m", "crisp_console", *args], env=full_env,
                          capture_output=True, text=True, timeout=90, check=False)


def test_demo_connects_lists_conversations_and_quits_cleanly(tmp_path) -> None:  # type: ignore[no-untyped-def]
    shot = tmp_path / "window.png"
    proc = run_console("--demo", "--quit-after", "4", "--screenshot", str(shot))
    assert proc.returncode == 0, proc.stderr[-3000:]
    found = re.search(r"crisp-console: (\d+) conversations", proc.stdout)
    assert found and int(found.group(1)) > 0, proc.stdout
    assert shot.stat().st_size > 10_000  # a real picture of the window, not an empty file
    assert "Traceback" not in proc.stderr


def test_unreachable_host_fails_with_a_clear_message() -> None:
    proc = run_console("--host", "http://127.0.0.1:9", "--quit-after", "0.5",
                       env={"CRISP_IDENTIFIER": "id", "CRISP_KEY": "secret-key-value"})
    assert proc.returncode == 1
    assert "could not connect" in proc.stderr
    assert "secret-key-value" not in proc.stdout + proc.stderr


def test_without_credentials_the_sign_in_dialog_opens(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """No token in the environment and no saved account: a first run asks to sign in (and
    --quit-after closes the dialog cleanly)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRISP_")}
    env.update(QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_STATE_HOME=str(tmp_path / "state"), XDG_CACHE_HOME=str(tmp_path / "cache"))
    proc = subprocess.run([sys.executable, "-m", "crisp_console", "--quit-after", "2"],
                          env=env, capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "showing the sign-in dialog" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "config" / "crisp-console" / "accounts.json").exists()


def test_demo_sandbox_child_stops_cleanly() -> None:
    sandbox = DemoSandbox(simulator_rate=0)
    info = sandbox.start()
    assert info["rest"].startswith("http://127.0.0.1:") and info["rest"].endswith("/v1/")
    proc = sandbox.process
    assert proc is not None
    sandbox.stop()
    assert proc.returncode == 0  # SIGTERM is a clean shutdown, not a kill


def test_plain_http_is_refused_off_loopback() -> None:
    proc = run_console("--host", "http://api.crisp.chat",
                       env={"CRISP_IDENTIFIER": "id", "CRISP_KEY": "secret-key-value"})
    assert proc.returncode != 0
    assert "refusing http://api.crisp.chat" in proc.stderr
    assert "secret-key-value" not in proc.stdout + proc.stderr
