"""``crisp-console --smoke-test`` runs the whole first minute and says how it went."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from crisp_console import smoke

STEPS = ("keyring", "sandbox", "window", "connect", "open", "send", "receive")


def run_smoke(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env or {})}
    return subprocess.run([sys.executable, "-m", "crisp_console", "--smoke-test", *args],
                          env=full_env, capture_output=True, text=True, timeout=120, check=False)


def test_every_step_passes_with_timings_and_rc_0() -> None:
    proc = run_smoke()
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    lines = proc.stdout.splitlines()
    done = [m.group(1) for line in lines
            if (m := re.match(r"smoke: (\w+) ok .*\d+\.\d\ds$", line))]
    assert done == list(STEPS), proc.stdout
    assert "platform offscreen" in proc.stdout
    assert re.search(r"keyring ok \(active keyring\.backends\.null\.Keyring", proc.stdout) \
        or "PYTHON_KEYRING_BACKEND" not in os.environ
    assert re.fullmatch(r"smoke: passed in \d+\.\d\ds", lines[-1])
    assert "Traceback" not in proc.stderr
    assert "propagateSizeHints" not in proc.stderr


def test_a_failure_is_one_line_and_non_zero() -> None:
    # An overall deadline too short for the window part: the step that was running is named.
    proc = run_smoke("--timeout", "0.01")
    assert proc.returncode == 1
    last = proc.stdout.splitlines()[-1]
    assert re.fullmatch(r"smoke: FAILED \w+: .+", last), proc.stdout
    assert "passed" not in proc.stdout


def test_missing_keyring_modules_fail_the_keyring_step(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(smoke.KEYRING_MODULES, sys.platform, ("keyring.backends.NotThere",))
    with pytest.raises(smoke.SmokeFailure, match=r"keyring\.backends\.NotThere"):
        smoke.check_keyring()


def test_the_keyring_check_names_the_active_backend() -> None:
    detail = smoke.check_keyring()
    assert re.match(r"active [\w.]+Keyring; \d+ viable: ", detail), detail
