"""Benchmark of the frozen bundle: its size, its archives and its start-up, side by side.

    .venv/bin/python scripts/bench_bundle.py                      # this checkout
    .venv/bin/python scripts/bench_bundle.py --before ../base     # and a baseline beside it
    .venv/bin/python scripts/bench_bundle.py --quick              # cached builds, one run each

Each checkout is built by its own ``packaging/build.py`` in a copy of its files (tracked and
untracked, not ignored) under the cache (``~/.cache/crisp-console-bench/bundle``), keyed by its
commit, its uncommitted diff, its packaging/ files and PyInstaller's version: a second run
with nothing changed builds nothing. ``--quick`` builds only the bundle when nothing is cached.

Start-up is timed from spawning the frozen program, offscreen, against a sandbox (this
checkout's bundle, ``--run-sandbox``) with CRISP_IDENTIFIER/CRISP_KEY, which is what the
installed program runs (``--demo`` keeps its data in memory: it has no cache to start from).
The local database needs a keyring that keeps its key, so the runs happen inside
``dbus-run-session`` with gnome-keyring unlocked in a throw-away HOME. The markers are what the
frozen program already writes, read as they arrive (no code is added to it):
- window painted: Qt's ``qt.widgets.painting`` log draws the main window (ConsoleWindow);
- list painted from the cache: the first draw of ConversationListView after the client's
  ``warm start: N conversations ... from the cache`` (N > 0) log line;
- cold, listed: ``crisp-console: N conversations`` on stdout with ``--quit-after 0``, i.e.
  ``Console.start()`` returned with the first pages listed (an upper bound of the cold paint).
The anchor is a bare window frozen the same way (PyInstaller, same Qt): a QListWidget of 50
rows, its first draw. Medians of ``--runs`` runs, the programs interleaved.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
OURS = HERE.parent
NAME = "crisp-console"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "crisp-console-bench"
SESSION_FLAG = "CRISP_BENCH_BUNDLE_SESSION"
# A session bus without service activation: nothing (a notification daemon, say) is started
# behind the console's back while it is timed.
BUS_CONFIG = """<busconfig><type>session</type><listen>unix:tmpdir=/tmp</listen>
<auth>EXTERNAL</auth><policy context="default"><allow send_destination="*" eavesdrop="true"/>
<allow eavesdrop="true"/><allow own="*"/></policy></busconfig>"""
KEYRING_SESSION = ("printf bench | gnome-keyring-daemon --unlock --components=secrets "
                   ">/dev/null && exec \"$@\"")
PAINT_LOG = {"QT_LOGGING_RULES": "qt.widgets.painting.info=true",
             "QT_MESSAGE_PATTERN": "%{message}"}
WARM = re.compile(r"warm start: [1-9]\d* conversations")
LISTED = re.compile(r"crisp-console: (\d+) conversations")
BARE_SOURCE = '''\
import sys
from PySide6.QtWidgets import QApplication, QListWidget, QMainWindow
app = QApplication(sys.argv[:1])
window = QMainWindow()
rows = QListWidget()
rows.addItems([f"Visitor {i}: a message excerpt of some length" for i in range(50)])
window.setCentralWidget(rows)
window.resize(1440, 860)
window.show()
if "--quit-after-paint" in sys.argv:
    from PySide6.QtCore import QTimer
    QTimer.singleShot(300, app.quit)
sys.exit(app.exec())
'''


# ---- builds ---------------------------------------------------------------------------------


def git(checkout: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(checkout), *args], capture_output=True, text=True,
                          check=True).stdout


def build_key(checkout: Path) -> str:
    """The commit, what differs from it, packaging/'s files and PyInstaller's version."""
    import PyInstaller  # type: ignore[import-untyped]

    h = hashlib.sha256()
    h.update(git(checkout, "rev-parse", "HEAD").encode())
    h.update(git(checkout, "diff", "HEAD").encode())
    h.update(git(checkout, "ls-files", "-o", "--exclude-standard").encode())
    for path in sorted((checkout / "packaging").rglob("*")):
        if path.is_file() and path.suffix != ".md":  # notes do not change a build
            h.update(path.relative_to(checkout).as_posix().encode() + path.read_bytes())
    h.update(PyInstaller.__version__.encode())
    return h.hexdigest()[:16]


def built(checkout: Path, label: str, quick: bool) -> Path:
    """The cache folder holding ``dist/`` of this checkout's build; builds when missing."""
    home = CACHE / "bundle" / f"{label}-{build_key(checkout)}"
    if (home / "complete").exists() or (quick and (home / "bundle-only").exists()):
        print(f"{label}: cached build {home}", flush=True)
        return home
    shutil.rmtree(home, ignore_errors=True)
    src = home / "src"
    files = git(checkout, "ls-files", "-z", "-c", "-o", "--exclude-standard").split("\0")
    for name in filter(None, files):
        if (checkout / name).is_file():
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(checkout / name, src / name)
    cmd = [sys.executable, str(src / "packaging" / "build.py")]
    cmd += ["--bundle-only", "--no-smoke"] if quick else []
    print(f"{label}: building {checkout} in {src} ({' '.join(cmd[2:]) or 'full'})", flush=True)
    started = time.monotonic()
    env = {k: v for k, v in os.environ.items() if k != SESSION_FLAG}
    proc = subprocess.run(cmd, cwd=src, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{label}: build failed\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
    print(f"{label}: built in {time.monotonic() - started:.0f} s", flush=True)
    shutil.move(str(src / "dist"), str(home / "dist"))
    shutil.rmtree(src)  # the copy and PyInstaller's work folder: only dist/ is kept
    (home / ("bundle-only" if quick else "complete")).touch()
    return home


def built_bare() -> Path:
    """The anchor: a bare window frozen by the same PyInstaller (cached by its source)."""
    import PyInstaller

    key = hashlib.sha256((BARE_SOURCE + PyInstaller.__version__).encode()).hexdigest()[:16]
    home = CACHE / "bundle" / f"bare-{key}"
    exe = home / "dist" / "bare" / "bare"
    if exe.exists():
        return exe
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    (home / "bare.py").write_text(BARE_SOURCE)
    print("bare window: freezing it once", flush=True)
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
                    "--onedir", "--name", "bare", "--distpath", str(home / "dist"),
                    "--workpath", str(home / "work"), "--specpath", str(home),
                    str(home / "bare.py")], check=True, capture_output=True)
    return exe


# ---- sizes ----------------------------------------------------------------------------------


def group_of(rel: str) -> str:
    """What a file of the bundle is counted as: a Qt library, a plugin folder, a package."""
    parts = rel.split("/")
    if parts[0] == "_internal":
        parts = parts[1:]
    if parts[:3] == ["PySide6", "Qt", "lib"]:
        return f"Qt lib {parts[3].split('.so')[0]}"
    if parts[:3] == ["PySide6", "Qt", "plugins"]:
        return f"Qt plugins/{parts[3]}"
    if parts[:2] == ["PySide6", "Qt"]:
        return f"Qt {parts[2]}"
    if parts[0] == "PySide6" and len(parts) == 2:
        return f"PySide6 {parts[1].split('.')[0]}"
    if len(parts) == 1:
        if parts[0] == NAME:
            return "executable (less its Python archive)"
        return parts[0].split(".so")[0] if ".so" in parts[0] else parts[0]
    if parts[0] == "python3.11":
        return "python lib-dynload (stdlib extensions)"
    return f"{parts[0]} (files)"


def inventory(bundle: Path) -> Counter[str]:
    """Bytes per group; the executable's embedded PYZ is split by top-level package."""
    from PyInstaller.archive.readers import CArchiveReader  # type: ignore[import-untyped]

    sizes: Counter[str] = Counter()
    for path in bundle.rglob("*"):
        if path.is_file() and not path.is_symlink():
            sizes[group_of(path.relative_to(bundle).as_posix())] += path.stat().st_size
    archive = CArchiveReader(str(bundle / NAME))
    pyz_len = archive.toc["PYZ.pyz"][1]
    sizes["executable (less its Python archive)"] -= pyz_len
    for name, (_typ, _pos, length) in archive.open_embedded_archive("PYZ.pyz").toc.items():
        sizes[f"py {name.split('.')[0]}"] += length
    return sizes


def mib(n: float) -> str:
    return f"{n / 1024 / 1024:7.1f} MiB"


def sizes_of(home: Path) -> dict[str, object]:
    dist = home / "dist"
    bundle = dist / NAME
    inv = inventory(bundle)
    tgz = next(dist.glob(f"{NAME}-*-linux-x86_64.tar.gz"), None)
    deb = next(dist.glob(f"{NAME}_*_amd64.deb"), None)
    installed = None
    if deb is not None:
        field = subprocess.run(["dpkg-deb", "--field", str(deb), "Installed-Size"],
                               capture_output=True, text=True, check=False).stdout.strip()
        installed = int(field) * 1024 if field.isdigit() else None
    return {"bundle": sum(inv.values()), "inventory": inv,
            "tgz": tgz.stat().st_size if tgz else None,
            "deb": deb.stat().st_size if deb else None, "deb_installed": installed}


def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:5.2f}x" if a and b else "    -"


def print_sizes(ours: dict[str, object], base: dict[str, object] | None) -> None:
    def row(what: str, key: str) -> None:
        a = ours[key]
        b = base[key] if base else None
        cell = lambda v: mib(v) if isinstance(v, int) else "      - (not built)"  # noqa: E731
        print(f"  {what:<34}{cell(a):>14}{cell(b) if base else '':>20}  "
              f"{ratio(a, b) if base else ''}")  # type: ignore[arg-type]

    print(f"\nsize{'':<33}{'ours':>12}{'baseline' if base else '':>20}  {'ratio' if base else ''}")
    row("bundle on disk (dist/crisp-console)", "bundle")
    row("portable archive (.tar.gz)", "tgz")
    row(".deb (gzip)", "deb")
    row(".deb installed (Installed-Size)", "deb_installed")
    inv: Counter[str] = ours["inventory"]  # type: ignore[assignment]
    binv: Counter[str] = base["inventory"] if base else Counter()  # type: ignore[assignment]
    print("\n  the 15 largest parts of our bundle" + (" (baseline beside)" if base else ""))
    for name, n in inv.most_common(15):
        print(f"    {name:<44}{mib(n)}{mib(binv[name]) if base else '':>16}")
    if base:
        gone = [(name, n) for name, n in binv.most_common() if name not in inv]
        print(f"  left out since the baseline: {len(gone)} parts, "
              f"{mib(sum(n for _, n in gone)).strip()}; the largest:")
        for name, n in gone[:12]:
            print(f"    {name:<44}{'':>11}{mib(n):>16}")


# ---- start-up -------------------------------------------------------------------------------


class Run:
    """One frozen program, its stdout and stderr lines stamped as they arrive."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.lines: list[tuple[float, str, str]] = []
        self.started = time.monotonic()
        self.proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        self.readers = [threading.Thread(target=self._read, args=(s, tag), daemon=True)
                        for s, tag in ((self.proc.stdout, "out"), (self.proc.stderr, "err"))]
        for reader in self.readers:
            reader.start()

    def _read(self, stream, tag: str) -> None:  # type: ignore[no-untyped-def]
        for raw in stream:
            self.lines.append((time.monotonic() - self.started, tag,
                               raw.decode(errors="replace")))

    def finish(self, timeout: float = 60) -> list[tuple[float, str, str]]:
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for reader in self.readers:
            reader.join(5)
        return sorted(self.lines)


def first(lines: list[tuple[float, str, str]], test, after=None) -> float | None:  # type: ignore[no-untyped-def]
    armed = after is None
    for t, _tag, text in lines:
        if not armed:
            armed = bool(after(text))
            continue
        if test(text):
            return t
    return None


def drawn(widget: str):  # type: ignore[no-untyped-def]
    return lambda text: text.startswith("Drawing ") and f" of {widget}(" in text


def console_run(exe: Path, home: Path, info: dict[str, str], *,
                cold: bool) -> dict[str, float | None]:
    data = home / "data"
    if cold:
        shutil.rmtree(data, ignore_errors=True)
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHON_KEYRING_BACKEND", "QT_LOGGING_RULES", "PYTHONPATH")}
    env.update(PAINT_LOG, QT_QPA_PLATFORM="offscreen", LANG="C.UTF-8",
               XDG_CONFIG_HOME=str(home / "config"), XDG_DATA_HOME=str(data),
               XDG_STATE_HOME=str(home / "state"), XDG_CACHE_HOME=str(home / "cache"),
               CRISP_IDENTIFIER=info["identifier"], CRISP_KEY=info["key"])
    lines = Run([str(exe), "--host", info["rest"], "--quit-after", "0"], env).finish()
    listed = [m for _t, tag, text in lines if tag == "out" for m in LISTED.findall(text)]
    if not listed or int(listed[0]) == 0:
        tail = "".join(text for _t, _tag, text in lines if not text.startswith(("Drawing",
                       "Marking", "Syncing", "Flushing", "Painting", "Sending")))
        raise SystemExit(f"{exe}: no conversations listed\n{tail[-3000:]}")
    return {"window": first(lines, drawn("MainWindow")),
            "cache": None if cold else first(lines, drawn("ConversationListView"), WARM.search),
            "listed": first(lines, LISTED.search)}


def bare_run(exe: Path) -> float | None:
    env = {**os.environ, **PAINT_LOG, "QT_QPA_PLATFORM": "offscreen"}
    return first(Run([str(exe), "--quit-after-paint"], env).finish(), drawn("QListWidget"))


def start_sandbox(exe: Path) -> tuple[subprocess.Popen[bytes], dict[str, str]]:
    proc = subprocess.Popen([str(exe), "--run-sandbox", "--json", "--port", "0", "--quota", "0"],
                            stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
    assert proc.stdout is not None
    info: dict[str, str] = json.loads(proc.stdout.readline())
    return proc, info


def secs(value: float | None) -> str:
    """A time, or ``-`` when its marker never showed (a log line the app no longer writes)."""
    return f"{value:.3f}" if value is not None else "-"


def med(values: list[float | None]) -> float | None:
    got = [v for v in values if v is not None]
    return statistics.median(got) if got else None


def startup(homes: dict[str, Path], runs: int) -> None:
    exes = {label: home / "dist" / NAME / NAME for label, home in homes.items()}
    bare = built_bare()
    sandbox, info = start_sandbox(exes["ours"])
    times: dict[str, dict[str, list[float | None]]] = {
        label: {"window": [], "cache": [], "listed": [], "cold window": []} for label in exes}
    bare_times: list[float | None] = []
    try:
        with tempfile.TemporaryDirectory(prefix="bench-bundle-") as tmp:
            for label, exe in exes.items():  # the cache each cached run starts from
                console_run(exe, Path(tmp) / label, info, cold=True)
            for _ in range(runs):
                bare_times.append(bare_run(bare))
                for label, exe in exes.items():
                    r = console_run(exe, Path(tmp) / label, info, cold=False)
                    for key in ("window", "cache"):
                        times[label][key].append(r[key])
                for label, exe in exes.items():
                    r = console_run(exe, Path(tmp) / (label + "-cold"), info, cold=True)
                    times[label]["listed"].append(r["listed"])
                    times[label]["cold window"].append(r["window"])
    finally:
        sandbox.terminate()
        sandbox.wait(10)
    anchor = med(bare_times)
    base = "baseline" in exes
    print(f"\nfrozen start-up, median of {runs} (s from spawn; x bare = ratio to the frozen "
          f"bare window, {anchor or 0:.3f} s)")
    print(f"  {'':<40}{'ours':>8}{'x bare':>8}" + (f"{'baseline':>10}{'x bare':>8}{'ratio':>8}"
                                                      if base else ""))
    for key, what in (("window", "window painted (cache)"),
                      ("cache", "list painted from the cache"),
                      ("cold window", "window painted (cold)"),
                      ("listed", "cold: first pages listed (start done)")):
        a = med(times["ours"][key])
        line = f"  {what:<40}{secs(a):>8}{ratio(a, anchor):>8}"
        if base:
            b = med(times["baseline"][key])
            line += f"{secs(b):>10}{ratio(b, anchor):>8}{ratio(a, b):>8}"
        print(line)
    print("  goal (issue 16, unfrozen): list painted from the cache <= 1.5x bare; "
          f"ours {ratio(med(times['ours']['cache']), anchor).strip()}: "
          f"{'met' if (med(times['ours']['cache']) or 9e9) <= 1.5 * (anchor or 0) else 'not met'}")


# ---- main -----------------------------------------------------------------------------------


def in_keyring_session(argv: list[str]) -> int | None:
    """Re-run this script inside a private D-Bus session with gnome-keyring unlocked and a
    throw-away HOME (the databases' keys go there); None when already inside or impossible."""
    if os.environ.get(SESSION_FLAG):
        return None
    if not (shutil.which("dbus-run-session") and shutil.which("gnome-keyring-daemon")):
        print("start-up: needs dbus-run-session and gnome-keyring-daemon (scripts/setup.sh); "
              "measured without a keyring, the console keeps no cache", flush=True)
        return None
    with tempfile.TemporaryDirectory(prefix="bench-bundle-home-") as home:
        env = {**os.environ, SESSION_FLAG: "1", "HOME": home,
               "XDG_DATA_HOME": f"{home}/.local/share", "XDG_CACHE_HOME": str(CACHE.parent)}
        env.pop("DBUS_SESSION_BUS_ADDRESS", None)
        (Path(home) / "bus.conf").write_text(BUS_CONFIG)
        return subprocess.run(["dbus-run-session", f"--config-file={home}/bus.conf", "--",
                               "sh", "-c", KEYRING_SESSION, "sh",
                               sys.executable, str(Path(__file__).resolve()), *argv],
                              env=env, check=False).returncode


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true",
                   help="a smoke run: cached builds (else the bundle only), one start-up run")
    p.add_argument("--before", type=Path, default=None, help="a checkout measured the same way")
    p.add_argument("--runs", type=int, default=None, help="start-up runs (default 7, quick 1)")
    args = p.parse_args(argv)
    if not sys.platform.startswith("linux"):
        raise SystemExit("bench_bundle: Linux only (the .deb, /proc, gnome-keyring)")
    rc = in_keyring_session(argv)
    if rc is not None:
        return rc
    homes = {"ours": built(OURS, "ours", args.quick)}
    if args.before is not None:
        homes["baseline"] = built(args.before.resolve(), "baseline", args.quick)
    sizes = {label: sizes_of(home) for label, home in homes.items()}
    print_sizes(sizes["ours"], sizes.get("baseline"))
    startup(homes, args.runs or (1 if args.quick else 7))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
