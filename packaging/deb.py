"""The .deb around the PyInstaller bundle: file tree, launcher, icons, metainfo, Depends.

Used by build.py. The bundle goes to /opt/crisp-console. The host libraries PyInstaller copied
in that Debian ships (libxcb-*, libX11, libdbus, libssl, ...) are left out of the .deb and
named in Depends instead, so apt installs them and security updates reach them; the portable
tarball keeps its own copies. Depends also lists what the bundle never carried (libGL, libEGL,
libxcb, libwayland-*): every ELF file's ``ldd`` answer outside the bundle, mapped to its
package with ``dpkg -S``.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "crisp-console"
# The AppStream id; the metainfo file is named after it.
APP_ID = "io.github.crisp_console.crisp_console"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)
MULTIARCH = ("/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu")
# Always needed but never seen by ldd: fontconfig needs at least one font to draw text, and
# visitors write emoji, which DejaVu draws as boxes; Qt falls back to the colour emoji font by
# itself (through fontconfig). A Depends, not a Recommends: boxes in a customer's message are
# a misreading, and minimal installs (--no-install-recommends) skip recommended packages.
EXTRA_DEPENDS = ("fonts-dejavu-core", "fonts-noto-color-emoji")
# Bundled libraries we keep even when Debian has them: the loader, and Python's own build.
KEEP_BUNDLED = ("libpython", "libpyside6", "libshiboken6", "ld-linux")
# ldd's "not found" on a build host without them (the Wayland plugin's libraries).
KNOWN_SONAMES = {
    "libwayland-client.so.0": "libwayland-client0",
    "libwayland-cursor.so.0": "libwayland-cursor0",
    "libwayland-egl.so.1": "libwayland-egl1",
}

LAUNCHER = """#!/bin/sh
# crisp-console: run the bundle in /opt with a UTF-8 locale (Python and Qt warn under C/POSIX).
case "${LC_ALL:-${LC_CTYPE:-${LANG:-}}}" in
  ""|C|POSIX)
    if [ -n "${LC_ALL:-}" ]; then export LC_ALL=C.UTF-8
    else export LANG=C.UTF-8; unset LC_CTYPE; fi ;;
esac
exec /opt/crisp-console/crisp-console "$@"
"""

CONTROL = """Package: {package}
Version: {version}
Architecture: amd64
Maintainer: The crisp-console developers <crisp-console@localhost>
Installed-Size: {installed_size}
Depends: {depends}
Section: net
Priority: optional
Homepage: https://crisp.chat/
Description: native desktop operator console for Crisp
 A keyboard-first console for answering Crisp customer-support chats: live
 conversation list, threads, replies, notes, canned responses, with the key
 kept in the system keyring. Includes a local demo sandbox (crisp-console --demo).
"""


def run(*cmd: str, env: dict[str, str] | None = None) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout


@functools.cache
def owner(path: str) -> str | None:
    """The Debian package that installed ``path`` (tries the /usr-merged twins too)."""
    candidates = [path]
    for a, b in (("/lib/", "/usr/lib/"), ("/usr/lib/", "/lib/")):
        if path.startswith(a):
            candidates.append(b + path[len(a):])
    for candidate in candidates:
        proc = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True,
                              check=False)
        if proc.returncode == 0:
            return proc.stdout.split(":", 1)[0].split(",")[0].strip()
    return None


def elf_files(tree: Path) -> list[Path]:
    found = []
    for path in sorted(tree.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as f:
                if f.read(4) == b"\x7fELF":
                    found.append(path)
    return found


def debian_copies(bundle: Path) -> dict[Path, str]:
    """Bundled host libraries Debian ships: {file in the bundle: package}."""
    internal = bundle / "_internal"
    copies: dict[Path, str] = {}
    for lib in sorted(internal.glob("lib*.so*")):
        if lib.name.startswith(KEEP_BUNDLED):
            continue
        for directory in MULTIARCH:
            host = Path(directory) / lib.name
            if host.exists():
                package = owner(str(host))
                if package:
                    copies[lib] = package
                break
    return copies


def external_packages(bundle: Path) -> set[str]:
    """Packages of every library the bundle's ELF files load from outside it."""
    internal = bundle / "_internal"
    env = {**os.environ,
           "LD_LIBRARY_PATH": f"{internal}:{internal / 'PySide6' / 'Qt' / 'lib'}"}
    packages: set[str] = set()
    missing: set[str] = set()
    for elf in elf_files(bundle):
        proc = subprocess.run(["ldd", str(elf)], capture_output=True, text=True, env=env,
                              check=False)
        for line in proc.stdout.splitlines():
            m = re.match(r"\s*(\S+) => (\S+)", line)
            if not m:
                continue
            soname, path = m.groups()
            if path == "not":
                if soname in KNOWN_SONAMES:
                    packages.add(KNOWN_SONAMES[soname])
                else:
                    missing.add(f"{soname} (for {elf.relative_to(bundle)})")
            elif not path.startswith(str(bundle)):
                package = owner(path)
                if package is None:
                    missing.add(f"{path} (owned by no package)")
                else:
                    packages.add(package)
    if missing:
        raise SystemExit("build: libraries not found or not from Debian:\n  "
                         + "\n  ".join(sorted(missing)))
    return packages


def depends_line(packages: Iterable[str]) -> str:
    names = set(packages) | set(EXTRA_DEPENDS)
    glibc = run("dpkg-query", "-W", "-f=${Version}", "libc6")
    major_minor = re.match(r"\d+\.\d+", glibc)
    parts = []
    for name in sorted(names):
        if name == "libc6" and major_minor:
            parts.append(f"libc6 (>= {major_minor.group(0)})")  # the glibc we built against
        else:
            parts.append(name)
    return ", ".join(parts)


def render_pngs(svg: Path, out_root: Path, sizes: Iterable[int] = ICON_SIZES) -> list[Path]:
    """hicolor/NxN/apps/crisp-console.png from the SVG, with QtSvg (PySide6 at build time)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"build: cannot render {svg}")
    written = []
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        target = out_root / f"{size}x{size}" / "apps" / f"{PACKAGE}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(target)):  # the format follows the suffix
            raise SystemExit(f"build: cannot write {target}")
        written.append(target)
    return written


def metainfo(version: str, date: dt.date) -> str:
    template = (ROOT / "packaging" / "linux" / f"{PACKAGE}.metainfo.xml.in").read_text()
    return template.replace("@VERSION@", version).replace("@DATE@", date.isoformat())


def stage(bundle: Path, root: Path, version: str) -> tuple[str, int]:
    """Write the package tree under ``root``; returns (Depends, bytes left out as Debian's)."""
    if root.exists():
        shutil.rmtree(root)
    opt = root / "opt" / PACKAGE
    shutil.copytree(bundle, opt, symlinks=True)
    copies = debian_copies(opt)
    saved = 0
    for lib in copies:
        saved += lib.stat().st_size
        lib.unlink()
    depends = depends_line(set(copies.values()) | external_packages(opt))

    launcher = root / "usr" / "bin" / PACKAGE
    launcher.parent.mkdir(parents=True)
    launcher.write_text(LAUNCHER)
    launcher.chmod(0o755)
    apps = root / "usr" / "share" / "applications"
    apps.mkdir(parents=True)
    shutil.copy(ROOT / "packaging" / "linux" / f"{PACKAGE}.desktop", apps)
    hicolor = root / "usr" / "share" / "icons" / "hicolor"
    scalable = hicolor / "scalable" / "apps"
    scalable.mkdir(parents=True)
    shutil.copy(ROOT / "resources" / "icons" / f"{PACKAGE}.svg", scalable)
    render_pngs(ROOT / "resources" / "icons" / f"{PACKAGE}.svg", hicolor)
    meta = root / "usr" / "share" / "metainfo" / f"{APP_ID}.metainfo.xml"
    meta.parent.mkdir(parents=True)
    meta.write_text(metainfo(version, dt.datetime.now(dt.UTC).date()))

    size_kib = sum(p.stat().st_size for p in root.rglob("*") if p.is_file()
                   and not p.is_symlink()) // 1024
    debian = root / "DEBIAN"
    debian.mkdir()
    (debian / "control").write_text(CONTROL.format(
        package=PACKAGE, version=version, installed_size=size_kib, depends=depends))
    return depends, saved


def validate(root: Path) -> None:
    """desktop-file-validate and appstreamcli validate, as Debian's tools see them."""
    desktop = root / "usr" / "share" / "applications" / f"{PACKAGE}.desktop"
    meta = root / "usr" / "share" / "metainfo" / f"{APP_ID}.metainfo.xml"
    for cmd in (["desktop-file-validate", str(desktop)],
                ["appstreamcli", "validate", "--no-net", "--pedantic", str(meta)]):
        if shutil.which(cmd[0]) is None:
            apt = "desktop-file-utils" if cmd[0].startswith("desktop") else "appstream"
            raise SystemExit(f"build: {cmd[0]} is missing: apt-get install {apt}")
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        output = (proc.stdout + proc.stderr).strip()
        if proc.returncode != 0:
            raise SystemExit(f"build: {' '.join(cmd[:2])} failed:\n{output}")
        print(f"build: {cmd[0]} ok{': ' + output.splitlines()[-1] if output else ''}")


def build_deb(root: Path, out: Path, compression: str) -> None:
    run("dpkg-deb", "--root-owner-group", f"-Z{compression}", "--build", str(root), str(out))
