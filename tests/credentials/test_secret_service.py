"""CredentialStore against a REAL Secret Service: gnome-keyring on a private D-Bus session.

scripts/setup.sh installs dbus, dbus-user-session, gnome-keyring and libsecret-tools. The test
skips only when those are missing or the daemon cannot start, and says why; once the daemon is
up, any failure of set/get/delete is a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CHILD = Path(__file__).with_name("secret_service_child.py")
STARTED = "KEYRING-STARTED"  # printed by the child once the daemon owns its bus name
# --unlock reads the login keyring's password from stdin, so no prompter (no display) is
# needed; without it creating the collection fails with "Prompt dismissed".
SCRIPT = (
    "printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null"
    " || { echo \"gnome-keyring-daemon exited with $?\" >&2; exit 97; }; "
    'exec "$0" "$1" "$2"'
)


def test_set_get_delete_through_gnome_keyring(tmp_path: Path) -> None:
    missing = [tool for tool in ("dbus-run-session", "gnome-keyring-daemon")
               if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"real Secret Service test: {', '.join(missing)} not installed"
                    " (scripts/setup.sh installs dbus-user-session and gnome-keyring)")
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    # A throwaway home: the test's login keyring never touches the real one.
    env = {k: v for k, v in os.environ.items()
           if k not in ("DBUS_SESSION_BUS_ADDRESS", "PYTHON_KEYRING_BACKEND")}
    env.update(HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path / "data"),
               XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_RUNTIME_DIR=str(runtime))
    dbus_run_session = shutil.which("dbus-run-session")
    assert dbus_run_session is not None
    done = subprocess.run(
        [dbus_run_session, "--", "sh", "-c", SCRIPT, sys.executable, str(CHILD),
         str(tmp_path / "keyring-backend")],
        capture_output=True, text=True, timeout=60, env=env, check=False)
    # 97: the daemon did not start (sh) or never owned its bus name (child); 127 with
    # dbus-daemon named: dbus-run-session could not start the bus. Anything else fails.
    no_daemon = done.returncode == 97 or (done.returncode == 127 and "dbus" in done.stderr)
    if STARTED not in done.stdout and no_daemon:
        reason = done.stderr.strip().splitlines()[-3:] or [f"exit status {done.returncode}"]
        pytest.skip("real Secret Service test: the keyring daemon could not start: "
                    + " | ".join(reason))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.split(STARTED, 1)[1])
    print(f"Secret Service figures: {result}")
    assert result["backend"] == "SecretService Keyring"
    assert result["before"] is None
    assert result["matches"] is True
    assert result["overwritten"] is True
    assert result["after_delete"] is None
    assert result["second_delete"] == "ok"
    # No backend named: keyring found the Secret Service, and the next store read through
    # the remembered one alone (keyring's own choice was made to fail by then).
    assert result["pinned"] == "keyring.backends.SecretService.Keyring"
    assert result["pinned_matches"] is True
    assert result["pinned_after_delete"] is None
    assert "c0ffee-real-secret-service-key" not in done.stdout + done.stderr
