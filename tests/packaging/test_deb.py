"""The installers: build the bundle, tarball and .deb, install the .deb into a clean debootstrap
chroot and pass ``--smoke-test`` there offscreen and under Xvfb (packaging/test_deb.sh).

About two minutes warm (the chroot base and the downloaded packages are cached under
/var/cache/crisp-console-test), three cold. Needs root, debootstrap, dpkg-deb,
desktop-file-utils, appstream and the ``package`` extra (scripts/setup.sh installs them).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the .deb is Linux-only"),
    pytest.mark.skipif(os.geteuid() != 0 if hasattr(os, "geteuid") else True,
                       reason="debootstrap and chroot need root (CI runs as root)"),
]


@pytest.mark.timeout(900)
def test_build_then_install_into_a_clean_chroot_and_smoke_test() -> None:
    for tool in ("debootstrap", "dpkg-deb", "desktop-file-validate", "appstreamcli"):
        assert shutil.which(tool), f"{tool} is missing: run scripts/setup.sh"
    env = {k: v for k, v in os.environ.items() if k != "PYTHON_KEYRING_BACKEND"}
    build = subprocess.run([sys.executable, "packaging/build.py"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=600, check=False)
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    assert "build: bundle smoke test ok" in build.stdout
    assert "desktop-file-validate ok" in build.stdout and "appstreamcli ok" in build.stdout

    deb = ROOT / "dist" / f"crisp-console_{VERSION}_amd64.deb"
    tgz = ROOT / "dist" / f"crisp-console-{VERSION}-linux-x86_64.tar.gz"
    control = subprocess.run(["dpkg-deb", "--field", str(deb), "Version", "Depends"],
                             capture_output=True, text=True, check=True).stdout
    assert f"Version: {VERSION}" in control
    for package in ("libgl1", "libegl1", "libfontconfig1", "libxkbcommon0", "libdbus-1-3",
                    "fonts-dejavu-core", "fonts-noto-color-emoji", "libxcb-cursor0",
                    "libxcb-icccm4", "libxcb1"):
        assert re.search(rf"\b{re.escape(package)}\b", control), package
    with tarfile.open(tgz) as tar:
        names = tar.getnames()
    assert f"crisp-console-{VERSION}/crisp-console" in names
    assert not any("platformthemes/libqgtk3" in n or "/libgtk-3" in n for n in names)

    test = subprocess.run(["bash", "packaging/test_deb.sh", str(deb)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    out = test.stdout + test.stderr
    assert test.returncode == 0, out[-4000:]
    assert "smoke test (offscreen) passed" in out
    assert "smoke test (xcb on Xvfb) passed" in out and "platform xcb" in out
    assert "purge removes it cleanly" in out
