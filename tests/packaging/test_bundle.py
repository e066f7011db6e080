"""The frozen bundle itself: it leaves out what the console never loads, keeps what it does,
and its demo runs (the sandbox travels with it).

Builds ``dist/crisp-console/`` once for the module (``packaging/build.py --bundle-only``,
about 30 s). Needs the ``package`` extra (PyInstaller) and binutils' readelf.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "dist" / "crisp-console"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="checks ELF files"),
]

# Python packages the running console never imports (see packaging/crisp-console.spec).
LEFT_OUT = ("click", "rich", "pygments", "markdown_it", "requests", "urllib3",
            "charset_normalizer", "multiprocessing", "pytest", "_pytest", "pydoc")
# What it must carry: the demo's sandbox, the RTM client's transport, the keyring backends,
# the smoke test's key events.
CARRIED = ("crisp_console.sandbox.server", "crisp_console.smoke", "engineio.async_drivers.aiohttp",
           "socketio.async_client", "keyring.backends.SecretService", "secretstorage",
           "desktop_notifier", "httpx", "aiohttp.web", "jsonschema", "qasync")


@pytest.fixture(scope="module")
def bundle() -> Path:
    if shutil.which("readelf") is None:
        pytest.skip("readelf (binutils) is missing")
    pytest.importorskip("PyInstaller", reason="the package extra: pip install -e '.[package]'")
    env = {k: v for k, v in os.environ.items() if k != "PYTHON_KEYRING_BACKEND"}
    build = subprocess.run([sys.executable, "packaging/build.py", "--bundle-only", "--no-smoke"],
                           cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
                           check=False)
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    return BUNDLE


def python_modules(bundle: Path) -> set[str]:
    from PyInstaller.archive.readers import CArchiveReader  # type: ignore[import-untyped]

    archive = CArchiveReader(str(bundle / "crisp-console"))
    return set(archive.open_embedded_archive("PYZ.pyz").toc)


def needed(path: Path) -> list[str]:
    out = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True,
                         check=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def test_leaves_out_what_is_never_imported_and_keeps_what_is(bundle: Path) -> None:
    modules = python_modules(bundle)
    tops = {name.split(".")[0] for name in modules}
    assert not tops & set(LEFT_OUT), sorted(tops & set(LEFT_OUT))
    assert not [m for m in CARRIED if m not in modules]
    # No runtime hook imports multiprocessing at every start any more.
    from PyInstaller.archive.readers import CArchiveReader

    scripts = [n for n, entry in CArchiveReader(str(bundle / "crisp-console")).toc.items()
               if entry[-1] == "s"]
    assert "pyi_rth_pyside6" in scripts and "pyi_rth_multiprocessing" not in scripts


def test_qt_carries_no_unused_module_plugin_or_translation(bundle: Path) -> None:
    internal = bundle / "_internal"
    qt = internal / "PySide6" / "Qt"
    libs = {p.name.split(".so")[0] for p in (qt / "lib").iterdir()}
    assert {"libQt6Core", "libQt6Gui", "libQt6Widgets", "libQt6Svg", "libQt6XcbQpa",
            "libQt6WaylandClient", "libQt6DBus"} <= libs
    assert not libs & {"libQt6Network", "libQt6Qml", "libQt6Quick", "libQt6EglFSDeviceIntegration",
                       "libQt6WlShellIntegration", "libQt6Pdf", "libQt6VirtualKeyboard"}
    assert not (qt / "translations").exists() and not (qt / "qml").exists()
    plugins = {p.relative_to(qt / "plugins").as_posix() for p in (qt / "plugins").rglob("*.so")}
    assert {"platforms/libqxcb.so", "platforms/libqwayland.so", "platforms/libqoffscreen.so",
            "wayland-shell-integration/libxdg-shell.so", "iconengines/libqsvgicon.so",
            "imageformats/libqjpeg.so", "imageformats/libqwebp.so"} <= plugins
    assert not [p for p in plugins if p.startswith(("platformthemes/", "generic/", "tls/"))
                or p.endswith(("libqeglfs.so", "libivi-shell.so", "libqt-shell.so"))]
    # No link points at a file that was left out.
    assert not [p for p in bundle.rglob("*") if p.is_symlink() and not p.exists()]


def test_every_library_is_needed_by_something_or_unknown_to_elf(bundle: Path) -> None:
    """The libraries only the GTK theme and the dropped Qt modules wanted went with them:
    the host libraries left are each needed by another file of the bundle (or, like libXau,
    by the host's libxcb), and every file finds what it needs."""
    internal = bundle / "_internal"
    files = [p for p in internal.rglob("*.so*") if p.is_file() and not p.is_symlink()]
    wanted = {name for p in files for name in needed(p)}
    host = [p.name for p in internal.iterdir()
            if p.name.startswith("lib") and ".so" in p.name and not p.is_symlink()
            and not p.name.startswith(("libpython", "libQt6", "libpyside", "libshiboken"))]
    for gone in ("libgtk-3", "libgio-2.0", "libpixman-1", "libkrb5", "libharfbuzz", "libXi"):
        assert not [n for n in host if n.startswith(gone)], gone
    assert not [n for n in host if n not in wanted
                and not n.startswith(("libXau", "libXdmcp", "libbsd", "libmd"))]
    env = {**os.environ, "LD_LIBRARY_PATH": f"{internal}:{internal / 'PySide6' / 'Qt' / 'lib'}"}
    missing = {}
    for p in files:
        out = subprocess.run(["ldd", str(p)], env=env, capture_output=True, text=True,
                             check=False).stdout
        if "not found" in out:
            missing[p.name] = [line.split()[0] for line in out.splitlines() if "not found" in line]
    assert not missing


@pytest.mark.timeout(180)
def test_the_bundles_demo_lists_conversations_and_its_smoke_test_passes(
        bundle: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHON_KEYRING_BACKEND"}
    env.update(QT_QPA_PLATFORM="offscreen", LANG="C.UTF-8", HOME=str(tmp_path),
               XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"),
               XDG_STATE_HOME=str(tmp_path / "state"), XDG_CACHE_HOME=str(tmp_path / "cache"))
    shot = tmp_path / "demo.png"
    demo = subprocess.run([str(bundle / "crisp-console"), "--demo", "--quit-after", "5",
                           "--screenshot", str(shot)], env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert demo.returncode == 0, demo.stdout[-2000:] + demo.stderr[-3000:]
    listed = re.search(r"crisp-console: (\d+) conversations", demo.stdout)
    assert listed and int(listed.group(1)) > 0, demo.stdout
    assert shot.stat().st_size > 10_000  # a real picture of the window (PNG)
    assert "Traceback" not in demo.stderr and "ModuleNotFoundError" not in demo.stderr
    smoke = subprocess.run([str(bundle / "crisp-console"), "--smoke-test"], env=env,
                           capture_output=True, text=True, timeout=150, check=False)
    assert smoke.returncode == 0, smoke.stdout + smoke.stderr[-3000:]
    assert "smoke: passed" in smoke.stdout
