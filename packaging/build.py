"""Build the installers: ``.venv/bin/python packaging/build.py`` (from anywhere).

Linux: dist/crisp-console/ (the PyInstaller one-folder bundle), then
  dist/crisp-console-<version>-linux-x86_64.tar.gz   the portable bundle
  dist/crisp-console_<version>_amd64.deb             /opt bundle, launcher, menu entry, icons
Windows and macOS: the bundle (and on macOS the .app) only; their installers are made by
packaging/windows/crisp-console.iss and packaging/macos/build_dmg.sh (see README).
Nothing is installed: without PyInstaller it stops and prints the pip command.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import tarfile
import time
import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "packaging"))
NAME = "crisp-console"


def project_version() -> str:
    """pyproject's version, which must be the one installed (the bundle copies its metadata)."""
    with (ROOT / "pyproject.toml").open("rb") as f:
        wanted = str(tomllib.load(f)["project"]["version"])
    try:
        installed = version(NAME)
    except PackageNotFoundError:
        installed = None
    if installed != wanted:
        raise SystemExit(f"build: pyproject says {wanted} but {installed} is installed; run "
                         f"{sys.executable} -m pip install -e '{ROOT}[package]'")
    return wanted


def require_pyinstaller() -> None:
    if importlib.util.find_spec("PyInstaller") is None:
        raise SystemExit(f"build: PyInstaller is missing; run "
                         f"{sys.executable} -m pip install -e '{ROOT}[package]'")


def mib(path: Path) -> str:
    if path.is_dir():
        size = sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())
    else:
        size = path.stat().st_size
    return f"{size / 1024 / 1024:.1f} MiB"


def render_platform_icon(out: Path) -> None:
    """The .ico (Windows) or .icns (macOS) the spec gives the executable."""
    import deb

    fmt = {"win32": "ico", "darwin": "icns"}.get(sys.platform)
    if fmt is None:
        return
    from PySide6.QtGui import QImage

    pngs = deb.render_pngs(ROOT / "resources" / "icons" / f"{NAME}.svg", out / "png", (256,))
    out.mkdir(parents=True, exist_ok=True)
    if not QImage(str(pngs[0])).save(str(out / f"{NAME}.{fmt}")):
        print(f"build: no {fmt} writer in this Qt; the executable gets no icon")


def pyinstaller(dist: Path, work: Path) -> Path:
    cmd = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
           "--distpath", str(dist), "--workpath", str(work),
           str(ROOT / "packaging" / f"{NAME}.spec")]
    subprocess.run(cmd, check=True, cwd=ROOT)
    return dist / NAME


def tarball(bundle: Path, out: Path, top: str) -> None:
    with tarfile.open(out, "w:gz", compresslevel=6) as tar:
        tar.add(bundle, arcname=top)


def smoke(executable: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    proc = subprocess.run([str(executable), "--smoke-test"], env=env, capture_output=True,
                          text=True, timeout=180, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"build: the bundle's smoke test failed:\n{proc.stdout}{proc.stderr}")
    print(f"build: bundle smoke test ok ({(proc.stdout.splitlines() or ['rc 0'])[-1]})")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bundle-only", action="store_true",
                   help="build dist/crisp-console/ only (no tarball, no .deb)")
    p.add_argument("--no-smoke", action="store_true",
                   help="skip running the bundle's --smoke-test before packaging it")
    p.add_argument("--deb-compression", choices=("gzip", "xz", "zstd"), default="gzip",
                   help="dpkg-deb's compressor (default gzip: fast; xz is ~12%% smaller)")
    args = p.parse_args(argv)
    require_pyinstaller()
    ver = project_version()
    linux_packages = not args.bundle_only and sys.platform.startswith("linux")
    if linux_packages and shutil.which("dpkg-deb") is None:
        raise SystemExit("build: dpkg-deb is missing (apt-get install dpkg)")
    started = time.monotonic()
    dist, build = ROOT / "dist", ROOT / "build"
    render_platform_icon(build / "icons")
    bundle = pyinstaller(dist, build / "pyinstaller")
    took = {"pyinstaller": time.monotonic() - started}
    print(f"build: bundle {bundle} {mib(bundle)} in {took['pyinstaller']:.1f}s")
    if not args.no_smoke:
        smoke(bundle / (NAME + (".exe" if sys.platform == "win32" else "")))
    outputs = [bundle]
    if linux_packages:
        import deb

        t0 = time.monotonic()
        tgz = dist / f"{NAME}-{ver}-linux-x86_64.tar.gz"
        tarball(bundle, tgz, f"{NAME}-{ver}")
        took["tarball"] = time.monotonic() - t0
        t0 = time.monotonic()
        root = build / "deb" / f"{NAME}_{ver}_amd64"
        depends, left_out = deb.stage(bundle, root, ver)
        deb.validate(root)
        out = dist / f"{NAME}_{ver}_amd64.deb"
        deb.build_deb(root, out, args.deb_compression)
        took["deb"] = time.monotonic() - t0
        print(f"build: Depends: {depends}")
        print(f"build: left out of the .deb as Debian's: {left_out / 1024 / 1024:.1f} MiB "
              f"(the .deb's /opt tree is {mib(root / 'opt')})")
        outputs += [tgz, out]
    for path in outputs:
        print(f"build: {path.relative_to(ROOT)}  {mib(path)}")
    steps = ", ".join(f"{k} {v:.1f}s" for k, v in took.items())
    print(f"build: done in {time.monotonic() - started:.1f}s ({steps})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
