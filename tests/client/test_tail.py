"""``crisp-console tail`` works headless, without importing Qt."""

from __future__ import annotations

import json
import os
import subprocess
import sys

CHILD = """
import sys
from crisp_console.cli import main
rc = main(["tail", "--demo", "--duration", "3", "--changes", "--json"])
assert "PySide6" not in sys.modules, "tail imported Qt"
sys.exit(rc)
"""


def test_tail_prints_events_and_store_changes_without_qt() -> None:
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    proc = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True,
                          text=True, timeout=90, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "# connected:" in proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    kinds = {line["kind"] for line in lines}
    assert "change" in kinds  # the start-up inserted conversations into the store
    inserted = [line for line in lines if line["kind"] == "change"
                and line["change"] == "INSERTED" and line["collection"] == "conversations"]
    assert inserted


def test_tail_without_credentials_explains() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRISP_")}
    proc = subprocess.run([sys.executable, "-m", "crisp_console", "tail"], env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 2
    assert "CRISP_IDENTIFIER" in proc.stderr
