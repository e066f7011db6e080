"""Issue 16's figures in one run: start-up, event to pixel under load, parallel sync, the
palette at 100k, and the frozen bundle, each beside its anchor and (with --before) beside the
same measurement of an older checkout.

Each part is its own script (``scripts/bench_<part>.py [--quick] [--before PATH]``) and runs in
a fresh process, one after the other so that no part shares the CPU with another:

    .venv/bin/python scripts/bench_perf.py                        # every part, this checkout
    .venv/bin/python scripts/bench_perf.py --before ../base       # and a baseline, side by side
    .venv/bin/python scripts/bench_perf.py --quick --only startup,palette
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PARTS = {
    "startup": "bench_startup.py",   # process start -> list painted, cache and cold, vs bare
    "events": "bench_events.py",     # sandbox emit -> row painted p99, quiet and contended
    "sync": "bench_sync.py",         # initial sync of 2,000 conversations vs the python client
    "palette": "bench_palette.py",   # Ctrl+K per keystroke at 10k and 100k
    "bundle": "bench_bundle.py",     # the frozen bundle: size, .deb, start-up
}


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="each part's smoke run")
    p.add_argument("--before", type=Path, default=None,
                   help="a checkout measured the same way, side by side")
    p.add_argument("--only", default=",".join(PARTS),
                   help=f"comma-separated parts (default all: {','.join(PARTS)})")
    args = p.parse_args(argv)
    chosen = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in PARTS]
    if unknown:
        p.error(f"unknown part(s): {', '.join(unknown)}")
    failed: list[str] = []
    for name in chosen:
        cmd = [sys.executable, str(HERE / PARTS[name])]
        cmd += ["--quick"] if args.quick else []
        cmd += ["--before", str(args.before.resolve())] if args.before else []
        print(f"\n=== {name}: {' '.join(cmd[1:])}", flush=True)
        started = time.monotonic()
        code = subprocess.run(cmd, check=False).returncode
        print(f"=== {name}: exit {code} after {time.monotonic() - started:.0f} s", flush=True)
        if code:
            failed.append(name)
    if failed:
        print(f"\nparts that failed: {', '.join(failed)}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
