"""The ``crisp-sandbox`` command as a script would use it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

BASE = [sys.executable, "-m", "crisp_console.sandbox"]
KEYS = {"rest", "rtm", "identifier", "key", "tier", "plugin_id", "websites", "admin",
        "admin_token", "profile"}


def start(*args: str) -> tuple[subprocess.Popen[str], dict[str, object]]:
    proc = subprocess.Popen([*BASE, "--json", "--conversations", "40", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line, proc.stderr.read() if proc.stderr else ""
    return proc, json.loads(line)


def stop(proc: subprocess.Popen[str], sig: signal.Signals = signal.SIGTERM) -> int:
    proc.send_signal(sig)
    rc = proc.wait(timeout=15)
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()
    return rc


def get(info: dict[str, object], path: str) -> httpx.Response:
    return httpx.get(f"{info['rest']}{path}", auth=(str(info["identifier"]), str(info["key"])),
                     headers={"X-Crisp-Tier": "plugin"}, timeout=10)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_json_line_then_clean_exit_on_signal(sig: signal.Signals) -> None:
    proc, info = start("--port", "0")
    assert set(info) == KEYS
    assert str(info["rest"]).startswith("http://127.0.0.1:") and str(info["rest"]).endswith("/v1/")
    assert str(info["rtm"]) == str(info["rest"]).removesuffix("v1/")  # strict: RTM at the root
    assert get(info, "plugin/connect/account").json()["data"] == {"plugin_id": info["plugin_id"]}
    assert stop(proc, sig) == 0


def test_same_seed_same_token_and_websites() -> None:
    first, info1 = start("--seed", "5")
    stop(first)
    second, info2 = start("--seed", "5")
    stop(second)
    assert (info1["identifier"], info1["key"], info1["websites"]) == \
        (info2["identifier"], info2["key"], info2["websites"])


def test_state_file_survives_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "world.json.gz"
    proc, info = start("--state-file", str(state))
    website = info["websites"][0]  # type: ignore[index]
    created = httpx.post(f"{info['rest']}website/{website}/conversation",
                         auth=(str(info["identifier"]), str(info["key"])),
                         headers={"X-Crisp-Tier": "plugin"}, timeout=10).json()["data"]
    assert stop(proc) == 0  # writes the state file on the way out
    again, info2 = start("--state-file", str(state), "--seed", "99")
    try:
        assert info2["identifier"] == info["identifier"]  # the snapshot wins over the seed
        resp = get(info2, f"website/{website}/conversation/{created['session_id']}")
        assert resp.status_code == 200
    finally:
        stop(again)


def test_broken_state_file_is_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    proc = subprocess.run([*BASE, "--state-file", str(broken)], capture_output=True, text=True,
                          timeout=30, check=False)
    assert proc.returncode == 2
    assert str(broken) in proc.stderr and "Traceback" not in proc.stderr


def test_taken_port_is_a_clear_error() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = subprocess.run([*BASE, "--port", str(port), "--conversations", "5"],
                              capture_output=True, text=True, timeout=30, check=False)
    assert proc.returncode == 1
    assert "crisp-sandbox:" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("args", [["--websites", "1", "--unsubscribed", "1"],
                                  ["--error-rate", "1.5"], ["--port", "-1"]])
def test_invalid_options_are_refused(args: list[str]) -> None:
    proc = subprocess.run([*BASE, *args], capture_output=True, text=True, timeout=30,
                          check=False)
    assert proc.returncode != 0
    assert "crisp-sandbox" in proc.stderr


def admin_get(info: dict[str, object], path: str, token: str | None) -> httpx.Response:
    headers = {"X-Sandbox-Token": token} if token is not None else {}
    return httpx.get(f"{info['admin']}{path}", headers=headers, timeout=10)


def test_json_line_carries_a_per_run_admin_token() -> None:
    proc, info = start()
    try:
        token = str(info["admin_token"])
        assert admin_get(info, "info", token).json()["data"]["key"] == info["key"]
        assert admin_get(info, "info", None).status_code == 401
    finally:
        stop(proc)
    again, info2 = start()
    stop(again)
    assert info2["admin_token"] != token  # random per run, whatever the seed


def test_a_fixed_admin_token_from_the_environment_or_the_flag() -> None:
    fixed = "scripts-fixed-admin-token"
    env = {**os.environ, "CRISP_SANDBOX_ADMIN_TOKEN": fixed}
    proc = subprocess.Popen([*BASE, "--json", "--conversations", "5"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    info = json.loads(proc.stdout.readline())
    try:
        assert info["admin_token"] == fixed
        assert admin_get(info, "faults", fixed).status_code == 200
    finally:
        stop(proc)
    weak = subprocess.run([*BASE, "--admin-token", "short"], capture_output=True, text=True,
                          timeout=30, check=False)
    assert weak.returncode != 0
    assert "--admin-token" in weak.stderr and "Traceback" not in weak.stderr


def test_human_output_shows_the_admin_token() -> None:
    proc = subprocess.Popen([*BASE, "--conversations", "5"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    lines: list[str] = []
    while not lines or not lines[-1].startswith("Stop with"):
        lines.append(proc.stdout.readline())
        assert lines[-1], lines
    try:
        words = [line.split() for line in lines]
        url = next(w[1] for w in words if w[:1] == ["admin"] and len(w) == 2)
        token = next(w[2] for w in words if w[:2] == ["admin", "token"])
        assert admin_get({"admin": url}, "info", token).status_code == 200
    finally:
        stop(proc)


def test_host_off_loopback_needs_allow_remote() -> None:
    proc = subprocess.run([*BASE, "--host", "0.0.0.0", "--conversations", "5"],  # noqa: S104
                          capture_output=True, text=True, timeout=30, check=False)
    assert proc.returncode != 0
    assert "--allow-remote" in proc.stderr and "not a loopback address" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_allow_remote_serves_with_a_warning() -> None:
    proc, info = start("--host", "0.0.0.0", "--allow-remote")  # noqa: S104
    try:
        token = str(info["admin_token"])
        assert admin_get(info, "info", token).status_code == 200  # through 127.0.0.1
        evil = httpx.get(f"{info['admin']}info", timeout=10,
                         headers={"X-Sandbox-Token": token, "Host": "evil.example"})
        assert evil.status_code == 403  # still no host names but loopback ones
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=15)
    assert proc.returncode == 0
    assert "WARNING" in err and "reachable from the network" in err
