"""Regression guard for the PySide6 pin (stack-check.md, blocker 1).

PySide6 6.12.0 on Python 3.11 drops a reference to None in ``QObject.killTimer()``; qasync
calls it for every ``call_soon``/``call_later``, so a busy app aborts with "deallocating None"
after a few thousand callbacks. Short suites do not notice, so this runs a child process
through well over 20,000 loop callbacks and checks that it survives.
"""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import version

from packaging.version import Version

CHILD = r"""
import asyncio, sys
from PySide6.QtWidgets import QApplication
import qasync

CALLBACKS = 24_000
app = QApplication([])
loop = qasync.QEventLoop(app)
asyncio.set_event_loop(loop)
done = 0

def tick() -> None:
    global done
    done += 1

async def main() -> None:
    for i in range(CALLBACKS // 2):
        loop.call_soon(tick)
        loop.call_later(0.0005 * (i % 20), tick)
        if i % 500 == 0:
            await asyncio.sleep(0)  # let the callbacks run while more are queued
    while done < CALLBACKS:
        await asyncio.sleep(0.01)

with loop:
    loop.run_until_complete(main())
print("callbacks", done, flush=True)
"""


def test_qasync_survives_many_loop_callbacks() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert proc.returncode == 0, f"rc={proc.returncode}\n{proc.stderr[-2000:]}"
    assert proc.stdout.split() == ["callbacks", "24000"]


def test_installed_pyside6_respects_the_pin() -> None:
    installed = Version(version("PySide6-Essentials"))
    assert installed >= Version("6.11")
    if sys.version_info < (3, 12):
        assert installed < Version("6.12"), "6.12 crashes qasync apps on Python 3.11"
