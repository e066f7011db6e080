"""present/ is Qt-free and does no I/O, and its tests run without Qt: checked by reading the
imports, and by running tests/present in a child process where Qt, pytest-qt and the I/O
libraries cannot be imported at all (so an indirect import fails too)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.architecture.test_layers import PACKAGE, imports_of

ROOT = PACKAGE.parent
TESTS = ROOT / "tests" / "present"
# What neither present/ nor its tests may import (import-linter holds the package to the
# same list, indirect imports included; this also covers the tests).
FORBIDDEN = ("PySide6", "shiboken6", "qasync", "pytestqt", "httpx", "socketio", "engineio",
             "aiohttp", "asyncio", "socket", "keyring", "sqlite3", "crisp_console.ui",
             "crisp_console.client", "crisp_console.api", "crisp_console.realtime",
             "crisp_console.credentials", "crisp_console.settings", "crisp_console.sandbox",
             "tests.ui", "tests.qloop", "tests.client", "tests.sandbox")
# Made unimportable in the child: the Qt trio, pytest-qt, and the I/O libraries (asyncio and
# socket stay: pytest's own plugins import them).
BLOCKED = ("PySide6", "shiboken6", "qasync", "pytestqt", "httpx", "socketio", "engineio",
           "aiohttp", "keyring", "sqlite3")
BOOT = """
import importlib.abc, sys
BLOCKED = set(sys.argv[1].split(","))

class Blocker(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in BLOCKED:
            raise ImportError(f"{name} is blocked: tests/present runs without Qt or I/O")
        return None

sys.meta_path.insert(0, Blocker())
for name in BLOCKED:
    if name in sys.modules:
        raise SystemExit(f"{name} was imported before the blocker")
import pytest
sys.exit(pytest.main(sys.argv[2:]))
"""


def run_blocked(*pytest_args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", BOOT, ",".join(BLOCKED), "-p", "no:pytest-qt",
         "-p", "no:cacheprovider", *pytest_args],
        capture_output=True, text=True, check=False, cwd=ROOT, timeout=300)


def offenders(paths: list[Path]) -> set[str]:
    return {f"{path.relative_to(ROOT)}: {name}"
            for path in paths for name in imports_of(path)
            if any(name == m or name.startswith(f"{m}.") for m in FORBIDDEN)}


def test_present_and_its_tests_import_no_qt_and_no_io() -> None:
    assert TESTS.is_dir()
    assert not offenders([*(PACKAGE / "present").rglob("*.py"), *TESTS.rglob("*.py")])


def test_the_present_tests_pass_with_qt_and_io_unimportable() -> None:
    proc = run_blocked("-q", "--confcutdir", str(TESTS), str(TESTS))
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]
    summary = out.strip().splitlines()[-1]
    passed = re.search(r"(\d+) passed", summary)
    assert passed and int(passed.group(1)) > 100, summary
    assert "skipped" not in summary and "deselected" not in summary, summary


def test_the_blocked_run_fails_on_a_qt_import(tmp_path: Path) -> None:
    """The check above can fail: a test that imports Qt, even through another module."""
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "uses_qt.py").write_text("from PySide6.QtCore import QObject\n")
    (tmp_path / "test_canary.py").write_text(
        "import uses_qt\n\ndef test_nothing() -> None:\n    assert uses_qt\n")
    proc = run_blocked("-q", "-c", str(tmp_path / "pytest.ini"), "--rootdir", str(tmp_path),
                       "--confcutdir", str(tmp_path), str(tmp_path / "test_canary.py"))
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out[-2000:]
    assert "PySide6.QtCore is blocked" in out or "PySide6 is blocked" in out, out[-2000:]
