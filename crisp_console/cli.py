"""The ``crisp-console`` program: dispatches before anything heavy is imported.

``tail`` and the demo's sandbox child never import Qt; only the window and ``--smoke-test`` do.
"""

from __future__ import annotations

import gc
import sys

from crisp_console import demo


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == [demo.CHILD_FLAG]:
        return demo.run_sandbox_child(argv[1:])
    if argv[:1] == ["--smoke-test"]:
        from crisp_console import smoke

        return smoke.main(argv[1:])
    if argv[:1] == ["tail"]:
        from crisp_console import tail

        return tail.main(argv[1:])
    # Start-up allocates a few hundred thousand objects (modules, classes, Qt's enums, the
    # cached rows) and frees almost none: the automatic collector would walk them again and
    # again while they load. app.main freezes them and collects on the GUI thread from then.
    enabled = gc.isenabled()
    gc.disable()
    try:
        from crisp_console.ui import feature_scan

        feature_scan.install()  # before the console's ~900 modules are imported
        from crisp_console import app

        return app.main(argv)
    finally:
        if enabled:
            gc.enable()
