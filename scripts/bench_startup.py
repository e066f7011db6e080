"""Start-up benchmark (issue 16): process start -> conversation rows painted, side by side.

Each figure is the median of several runs, each a fresh process (bench_startup_child.py, a
light launcher: what it imports before the first paint counts), offscreen:

- the bare window: a QListView of 50 rows, the in-run anchor (same venv); and the floor:
  the same window after what any console like this one must load before its first frame
  of cached rows (the keyring, SQLCipher, the enums of Qt's namespace and QStyle);
- ours and the baseline (``--before PATH``, a checkout run with PYTHONPATH=PATH, cwd=PATH),
  the whole ``crisp-console`` (environment token, ``--host`` the sandbox):
  - from the cache: the database a previous run of the same code filled (goal <= 1.5x the
    bare window);
  - cold: an empty database, the first sync against the sandbox (a child process);
- every process runs with its bytecode cached (PYTHONPYCACHEPREFIX, a first run of each
  thrown away), as an installed console does (pip and the bundle ship .pyc files); with
  PYTHONDONTWRITEBYTECODE set, each start would compile every module of the checkout again
  (``--source-only`` measures that way);
- a user's normal warm start: the saved account (not the environment's token), its key and
  the database's in the desktop's keyring (bench_desktop_keyring.py: gnome-keyring on a
  private D-Bus session, no backend named), where keyring finds its backend as it does on a
  user's desktop; the runs above name theirs (bench_keyring.py), which hides that cost;
- ``-X importtime`` top 15 (cumulative) of ``import crisp_console.app`` (the first frame's
  imports; ours also loads the rest after the paint), ours and the baseline;
- the budget: the modules that must not be loaded at the first frame (the network stack,
  the sandbox, the dialogs); "budget met" or the ones that broke it.

    .venv/bin/python scripts/bench_startup.py [--quick] [--before /work/wt/base]

A benchmark prints figures; it asserts nothing (architecture.md, "Habits").
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import bench_desktop_keyring
import bench_storage
from bench_desktop_keyring import DesktopKeyring
from bench_startup_child import FORBIDDEN, RARE

HERE = Path(__file__).resolve()
ROOT = HERE.parents[1]
CHILD = HERE.with_name("bench_startup_child.py")
GOAL = 1.5  # from the cache, as a ratio to the bare window
TIMEOUT_S = 120.0


class Code:
    """One checkout (ours or the baseline) and its own home: config, data, keyring."""

    def __init__(self, label: str, path: Path, tmp: Path, info: dict[str, Any]) -> None:
        self.label, self.path, self.home = label, path, tmp / label
        self.home.mkdir()
        self.info = info
        self.env = {**os.environ, "PYTHONPATH": str(path), "QT_QPA_PLATFORM": "offscreen",
                    "LANG": "C.UTF-8", "CRISP_IDENTIFIER": info["identifier"],
                    "CRISP_KEY": info["key"]}
        self.env.pop("CRISP_TIER", None)

    def fresh(self, name: str) -> dict[str, str]:
        """An environment whose home, config, data and keyring are under ``name``."""
        home = self.home / name
        return {**self.env, "HOME": str(home), "XDG_CONFIG_HOME": str(home / "config"),
                "XDG_DATA_HOME": str(home / "data"), "XDG_STATE_HOME": str(home / "state"),
                "XDG_CACHE_HOME": str(home / "cache"), "BENCH_KEYRING": str(home / "keys.json")}

    def run(self, env: dict[str, str], *app_args: str, keep: bool = False,
            desktop: bool = False) -> dict[str, Any]:
        argv = [sys.executable, str(CHILD), "app", "--spawned-at", repr(time.time())]
        if keep:
            argv.append("--keep-running")
        if desktop:
            argv.append("--desktop-keyring")
        proc = subprocess.run([*argv, "--", "--host", self.info["rest"], *app_args],
                              cwd=self.path, env=env, capture_output=True, text=True,
                              timeout=TIMEOUT_S, check=False)
        lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
        if not lines:
            raise RuntimeError(f"{self.label}: no answer (rc={proc.returncode}): "
                               f"{proc.stderr[-2000:]}")
        out: dict[str, Any] = json.loads(lines[0])
        return out


def painted_s(r: dict[str, Any]) -> float:
    m = r["marks"]
    return float(m["painted"] - m["process"]) if "painted" in m else float("nan")


def bare(reps: int, kind: str = "bare") -> list[dict[str, Any]]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = []
    subprocess.run([sys.executable, str(CHILD), kind, "--spawned-at", repr(time.time())],
                   env=env, capture_output=True, timeout=TIMEOUT_S, check=True)  # bytecode
    for _ in range(reps):
        proc = subprocess.run([sys.executable, str(CHILD), kind, "--spawned-at",
                               repr(time.time())], env=env, capture_output=True, text=True,
                              timeout=TIMEOUT_S, check=True)
        out.append(json.loads(proc.stdout.splitlines()[0]))
    return out


def measure(code: Code, reps: int) -> dict[str, list[dict[str, Any]]]:
    """Cold runs (each on an empty database), then warm runs on one filled by a full run."""
    code.run(code.fresh("compile"))  # thrown away: its bytecode is written
    cold = [code.run(code.fresh(f"cold{i}")) for i in range(reps)]
    warm_env = code.fresh("warm")
    # Filled: the first sync to its end, and the sync cursor written at the quit.
    code.run(warm_env, "--quit-after", "6", keep=True)
    warm = [code.run(warm_env) for _ in range(reps)]
    return {"cold": cold, "warm": warm}


# A saved account (its key in the desktop's keyring), as a user's normal start finds it.
SAVE_ACCOUNT = """
import sys
import keyring.core
from crisp_console.settings import config_dir
from crisp_console.storage.accounts import FILE_NAME, Account, AccountBook
identifier, key, rest = sys.argv[1:4]
book = AccountBook(config_dir() / FILE_NAME)
book.add(Account(identifier, "plugin", rest, "Bench"))
book.save()
keyring.core.load_keyring("keyring.backends.SecretService.Keyring").set_password(
    "crisp-console", identifier, key)
"""


def measure_desktop(code: Code, reps: int, keyring: DesktopKeyring) -> list[dict[str, Any]]:
    """Warm runs as a user's normal start: the saved account, its key and the database's in
    the desktop's keyring, whose backend keyring finds as on a desktop; after a full run
    filled the cache."""
    env = keyring.env(code.fresh("desktop"))
    for name in ("CRISP_IDENTIFIER", "CRISP_KEY"):
        env.pop(name)
    subprocess.run([sys.executable, "-c", SAVE_ACCOUNT, code.info["identifier"],
                    code.info["key"], code.info["rest"]], cwd=code.path, env=env,
                   timeout=TIMEOUT_S, check=True)
    code.run(env, "--quit-after", "6", keep=True, desktop=True)
    return [code.run(env, desktop=True) for _ in range(reps)]


def desktop_report(anchor: list[dict[str, Any]], ours: list[dict[str, Any]],
                   base: list[dict[str, Any]] | None) -> None:
    b = statistics.median(painted_s(r) for r in anchor)
    o = statistics.median(painted_s(r) for r in ours)
    bb = statistics.median(painted_s(r) for r in base) if base else None
    print("\na user's normal start: the saved account, its key and the database's in the "
          "desktop's keyring\n(gnome-keyring on a private D-Bus session, no backend named: "
          "keyring finds it as on a desktop):")
    print(line("from the cache", o, bb, b))
    rows = ours[0].get("rows")
    print(f"  (rows in the list at that frame: ours {rows}"
          + (f", baseline {base[0].get('rows')})" if base else ")"))


def importtime(path: Path, top: int = 15) -> list[tuple[float, str]]:
    env = {**os.environ, "PYTHONPATH": str(path), "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", "import crisp_console.app"],
                          cwd=path, env=env, capture_output=True, text=True, timeout=TIMEOUT_S,
                          check=True)
    rows = []
    for line in proc.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1]) / 1e6, parts[2].rstrip()))
    rows.sort(reverse=True)
    return rows[:top]


def line(what: str, ours: float, base: float | None, anchor: float, goal: str = "") -> str:
    b = f"{base:6.3f} s" if base is not None else "     - "
    r = f"{ours / base:5.2f}x" if base else "   - "
    return (f"  {what:<34} {ours:6.3f} s  {b}   {r}   {ours / anchor:5.2f}x bare"
            + (f"   {goal}" if goal else ""))


def report(args: argparse.Namespace, anchor: list[dict[str, Any]],
           ours: dict[str, list[dict[str, Any]]],
           base: dict[str, list[dict[str, Any]]] | None,
           under: list[dict[str, Any]]) -> None:
    b = statistics.median(painted_s(r) for r in anchor)
    f = statistics.median(painted_s(r) for r in under)
    print(f"\nprocess start -> rows painted, median of {len(ours['warm'])} fresh processes each "
          f"(the bare window: {len(anchor)}):")
    print(f"  {'':<34} {'ours':>8}  {'baseline':>8}   ours/base  vs bare window   goal")
    print(f"  {'bare PySide6 window (50 rows)':<34} {b:6.3f} s")
    print(f"  {'floor: bare + what must load (1)':<34} {f:6.3f} s  {'':>8}   {'':>9}   "
          f"{f / b:5.2f}x bare")
    for kind, what in (("warm", "from the cache"), ("cold", "cold (first sync)")):
        o = statistics.median(painted_s(r) for r in ours[kind])
        bb = statistics.median(painted_s(r) for r in base[kind]) if base else None
        goal = ""
        if kind == "warm":
            goal = f"<= {GOAL}x: {'met' if o / b <= GOAL else 'not met'}"
        print(line(what, o, bb, b, goal))
    print("  (1) the bare window after keyring, SQLCipher and the enums of Qt's namespace and "
          "QStyle (bench_startup_child.floor)")
    rows = ours["warm"][0].get("rows")
    print(f"  (rows in the list at that frame: ours {rows}"
          + (f", baseline {base['warm'][0].get('rows')})" if base else ")"))
    for label, runs in (("ours", ours), ("baseline", base)):
        if runs is None:
            continue
        m = runs["warm"][0]["marks"]
        print(f"  {label}, one warm run: imports+QApplication +{m['qapp'] - m['process']:.3f} s,"
              f" painted +{m['painted'] - m['qapp']:.3f} s after")


def budget(ours: dict[str, list[dict[str, Any]]]) -> None:
    broke = sorted({name for r in ours["warm"] for name in r.get("loaded", [])})
    print(f"\nstart-up budget (not loaded at the first frame from the cache): "
          f"{', '.join(FORBIDDEN)}")
    print("  budget met" if not broke else f"  budget NOT met: {', '.join(broke)}")
    rare = sorted({name for r in ours["warm"] for name in r.get("rare", [])})
    print(f"  rarely used parts still loaded before it: {', '.join(rare) or 'none'} "
          f"(of {', '.join(RARE)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one run each, a small sandbox")
    parser.add_argument("--before", type=Path, default=None, help="the baseline checkout")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each figure")
    parser.add_argument("--conversations", type=int, default=2000, help="sandbox size")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-desktop-keyring", action="store_true",
                        help="skip the runs with gnome-keyring on a private D-Bus session")
    parser.add_argument("--source-only", action="store_true",
                        help="no cached bytecode: every start compiles the checkout")
    args = parser.parse_args()
    reps = 1 if args.quick else args.repeat
    size = 300 if args.quick else args.conversations
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        if not args.source_only:  # every child inherits it (ours, the baseline, the bare one)
            os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
            os.environ["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        run = bench_storage.Run(argparse.Namespace(seed=args.seed, quick=args.quick),
                                Path(tmp))
        try:
            run.start_sandbox(size)
            anchor = bare(reps + 2 if not args.quick else 2)
            under = bare(reps + 2 if not args.quick else 2, "floor")
            ours_code = Code("ours", ROOT, Path(tmp), run.info)
            base_code = (Code("baseline", args.before.resolve(), Path(tmp), run.info)
                         if args.before else None)
            ours = measure(ours_code, reps)
            base = measure(base_code, reps) if base_code else None
            desktop: tuple[list[dict[str, Any]], list[dict[str, Any]] | None] | None = None
            absent = bench_desktop_keyring.missing()
            if not absent and not args.no_desktop_keyring:
                with DesktopKeyring(Path(tmp) / "desktop") as keyring:
                    desktop = (measure_desktop(ours_code, reps, keyring),
                               measure_desktop(base_code, reps, keyring) if base_code else None)
        finally:
            run.close()
        tops = [("ours", importtime(ROOT))]  # with the bytecode the runs wrote
        if args.before:
            tops.append(("baseline", importtime(args.before.resolve())))
    report(args, anchor, ours, base, under)
    if desktop is not None:
        desktop_report(anchor, *desktop)
    elif not args.no_desktop_keyring:
        print(f"\nwith the desktop's keyring: not measured ({', '.join(absent)} not installed;"
              " scripts/setup.sh installs them)")
    budget(ours)
    print("\n-X importtime, import crisp_console.app, top 15 (cumulative):")
    for label, top in tops:
        print(f"  {label}:")
        for seconds, name in top:
            print(f"    {seconds:6.3f} s  {name.strip()}")


if __name__ == "__main__":
    main()
