"""bench_startup.py's measured processes, and tests/app/test_first_frame_imports.py's child.

Kept light on purpose: whatever this file imports before the first paint is counted in the
figure, so it imports only the standard library and what the measured program itself loads.
The bare window and the console are measured alike: Python starts this file, which builds
the QApplication (app.py uses the one that exists) with an event filter that notes the
first Paint of a list view showing rows.

- ``bare``: a QListView of 50 rows (bench_storage_children.py's bare window), until painted;
- ``floor``: the bare window after importing what any console like this one must load
  before its first frame (``floor()``): the floor under the console's own code;
- ``app``: ``crisp-console ARGS`` (crisp_console.cli.main, the real start-up: accounts,
  database, console), until the conversation list paints rows. Then one JSON line: the marks,
  the rows, the network modules loaded by then (and a last line at exit: those loaded
  by then); then SIGTERM, the app's own quit sequence
  (``--keep-running``: no SIGTERM; the app quits as its ARGS say, e.g. ``--quit-after``).

The keyring is a JSON file (BENCH_KEYRING, bench_keyring.py), loaded by keyring when the
console first asks for a secret: the database key must outlive the process for a warm start
to open the database a previous run filled (``--desktop-keyring``: no backend is named, and
keyring finds the desktop's as it would for a user: bench_desktop_keyring.py). The first
paint is seen by an event filter on the viewports of list views only (``watch_list_views``),
not the whole application.

    python scripts/bench_startup_child.py bare|floor --spawned-at EPOCH
    python scripts/bench_startup_child.py app --spawned-at EPOCH [--keep-running]
        [--desktop-keyring] -- ARGS
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PySide6.QtCore import QObject

ROWS = 50  # bench_storage_children.ROWS
WINDOW = (1440, 860)  # bench_ui.WINDOW
CONSOLE_LIST = "ConversationListView"  # ui/widgets/conversation_list.py (a QTableView)
# Loaded before the first frame, these break the start-up budget (bench_startup.py): the
# network stack, the sandbox, and the dialogs and services built when first used.
FORBIDDEN = ("httpx", "httpcore", "anyio", "socketio", "engineio", "aiohttp", "requests",
             "urllib3", "rich", "click", "pygments", "crisp_console.sandbox",
             "crisp_console.realtime.transport", "crisp_console.ui.widgets.about_dialog",
             "crisp_console.ui.widgets.preferences_dialog",
             "crisp_console.ui.widgets.keymap_editor", "crisp_console.ui.widgets.canned_editor",
             "crisp_console.ui.cheatsheet", "crisp_console.ui.widgets.cheat_sheet",
             "crisp_console.ui.widgets.saved_view_dialog", "desktop_notifier",
             "PySide6.QtMultimedia", "jsonschema",
             # The second stage (ui/first_frame.py): built right after the first paint.
             "crisp_console.ui.console", "crisp_console.ui.controller",
             "crisp_console.ui.widgets.thread_pane", "crisp_console.ui.widgets.older_pages",
             "crisp_console.ui.widgets.composer",
             "crisp_console.ui.widgets.people_panel", "crisp_console.ui.widgets.people_contact",
             "crisp_console.ui.widgets.command_palette",
             "crisp_console.ui.widgets.palette_cursor",
             "crisp_console.ui.widgets.custom_data_editor",
             "crisp_console.ui.widgets.local_data_section", "crisp_console.ui.thread_find",
             "crisp_console.ui.file_drops", "crisp_console.ui.widgets.attachment_tray",
             "crisp_console.ui.delegates.bubble", "crisp_console.ui.delegates.bubble_texts",
             "http.cookiejar",
             "crisp_console.ui.models.timeline", "crisp_console.present.palette_sources",
             # The version (crisp_console.__version__) is read when first asked for.
             "importlib.metadata")
# Rarely used parts, reported when they load before the first frame (lazy candidates; the
# crash and sign-in dialogs are eager on purpose: a crash or a refused key needs them).
RARE = ("crisp_console.ui.widgets.sign_in_dialog", "crisp_console.ui.widgets.crash_dialog")


BARE = ("bare", "floor")


def floor() -> None:
    """What any console like this one loads before a first frame of cached rows, whatever
    its own code: the keyring (the database key), SQLCipher, and the Qt namespace's and
    QStyle's enums (PySide6 builds each class's Python enums on first use; no list delegate
    paints without them). Not asyncio: a first frame could be painted before the loop."""
    import sqlite3  # noqa: F401

    import keyring  # noqa: F401
    from PySide6.QtCore import Qt  # noqa: F401
    from PySide6.QtWidgets import QStyle  # noqa: F401
    with contextlib.suppress(ImportError):  # else the plain SQLite file's mode
        import sqlcipher3  # noqa: F401


def loaded(names: tuple[str, ...] = FORBIDDEN) -> list[str]:
    return [name for name in names if name in sys.modules]


def watch_list_views(watch: QObject) -> None:
    """``watch`` filters the viewport of every list and table view given a model, and
    nothing else: an application-wide filter would run Python for each of the thousands of
    events of start-up (and build a wrapper for each object and event they name), which
    slowed the bare window by about 30 ms and the console by its share."""
    from PySide6.QtWidgets import QListView, QTableView

    for cls in (QListView, QTableView):
        def set_model(view: Any, model: Any, _set: Any = cls.setModel) -> None:
            _set(view, model)
            view.viewport().installEventFilter(watch)
        cls.setModel = set_model  # type: ignore[method-assign]


def main(argv: list[str]) -> int:
    kind, spawned_at = argv[0], float(argv[argv.index("--spawned-at") + 1])
    keep = "--keep-running" in argv
    app_args = argv[argv.index("--") + 1:] if "--" in argv else []
    marks = {"process": time.perf_counter() - (time.time() - spawned_at)}
    if kind == "app":
        # In the real program's order: the entry point (cli, and the demo launcher it
        # dispatches to) loads before PySide6, whose import hook would otherwise scan each
        # of those modules' source as it does until cli installs the cheap scan.
        from crisp_console.cli import main as console_main
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QAbstractItemView, QApplication, QListView

    marks["imported"] = time.perf_counter()
    app = QApplication(sys.argv[:1])
    marks["qapp"] = time.perf_counter()
    out: dict[str, Any] = {"kind": kind}

    def first_rows(view: QAbstractItemView) -> None:
        marks["painted"] = time.perf_counter()
        model = view.model()
        out.update(rows=model.rowCount() if model is not None else 0, loaded=loaded(),
                   rare=loaded(RARE),
                   view=type(view).__name__)
        print(json.dumps({**out, "marks": marks}), flush=True)
        if kind in BARE:
            QTimer.singleShot(0, app.quit)
        elif not keep:
            os.kill(os.getpid(), signal.SIGTERM)  # the app's orderly quit (app.py)

    class Watch(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and "painted" not in marks:
                view = watched.parent()
                if isinstance(view, QAbstractItemView) and is_list(view) \
                        and watched is view.viewport():
                    QTimer.singleShot(0, lambda: first_rows(view))  # after the paint
            return False

    def is_list(view: QAbstractItemView) -> bool:
        model = view.model()
        return (model is not None and model.rowCount() > 0 and view.isVisible()
                and (isinstance(view, QListView) if kind in BARE
                     else type(view).__name__ == CONSOLE_LIST))
    watch = Watch()
    watch_list_views(watch)
    if kind in BARE:
        from PySide6.QtCore import QStringListModel

        if kind == "floor":
            floor()

        view = QListView()
        model = QStringListModel([f"Conversation {i}" for i in range(ROWS)])
        view.setModel(model)
        view.resize(*WINDOW)
        view.show()
        app.exec()
        return 0
    if "--desktop-keyring" not in argv:  # else found as on a desktop (bench_desktop_keyring)
        # Loaded by keyring when the console first asks for the database key (bench_keyring).
        os.environ["PYTHON_KEYRING_BACKEND"] = "bench_keyring.FileKeyring"
    rc = console_main(app_args)
    if "painted" not in marks:
        print(json.dumps({**out, "marks": marks, "rows": 0, "loaded": loaded()}), flush=True)
    print(json.dumps({"kind": "exit", "loaded": loaded()}), flush=True)  # what came after
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
