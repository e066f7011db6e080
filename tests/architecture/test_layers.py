"""The layer rules of architecture.md, checked in the test run."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "crisp_console"


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def project_imports(path: Path) -> set[str]:
    return {name for name in imports_of(path)
            if name.split(".")[0] in ("crisp_console", "PySide6", "qasync")}


def test_import_linter_contracts_hold() -> None:
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert exe, "import-linter is part of the dev extras"
    proc = subprocess.run([exe, "--no-cache"], capture_output=True, text=True, check=False,
                          cwd=PACKAGE.parent, timeout=120)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]


def test_sandbox_imports_only_itself_and_types() -> None:
    # Also covers app modules that do not exist yet, which import-linter cannot name.
    offenders = {
        f"{path.relative_to(PACKAGE)}: {name}"
        for path in (PACKAGE / "sandbox").rglob("*.py")
        for name in project_imports(path)
        if not name.startswith(("crisp_console.sandbox", "crisp_console.types"))
    }
    assert not offenders


def test_qt_is_imported_only_by_ui_and_app() -> None:
    offenders = {
        f"{path.relative_to(PACKAGE)}: {name}"
        for path in PACKAGE.rglob("*.py")
        if path.relative_to(PACKAGE).parts[0] not in ("ui", "app.py")
        for name in project_imports(path)
        if name.startswith(("PySide6", "qasync"))
    }
    assert not offenders


def test_only_the_demo_launcher_imports_the_sandbox() -> None:
    offenders = {
        f"{path.relative_to(PACKAGE)}: {name}"
        for path in PACKAGE.rglob("*.py")
        if path.relative_to(PACKAGE).parts[0] not in ("sandbox", "demo.py")
        for name in project_imports(path)
        if name.startswith("crisp_console.sandbox")
    }
    assert not offenders


IO_AND_QT = ("PySide6", "qasync", "httpx", "socketio", "engineio", "aiohttp", "asyncio",
             "socket", "crisp_console.sandbox", "crisp_console.api", "crisp_console.realtime",
             "crisp_console.client")


def io_and_qt_in(area: str) -> set[str]:
    """``crisp_console/<area>`` and ``tests/<area>``: each import of IO_AND_QT, as path: name."""
    return {
        f"{path}: {name}"
        for path in [*(PACKAGE / area).rglob("*.py"),
                     *(PACKAGE.parent / "tests" / area).rglob("*.py")]
        for name in imports_of(path)
        if name in IO_AND_QT or name.startswith(tuple(f"{m}." for m in IO_AND_QT))
    }


def test_core_and_its_tests_need_no_qt_no_io_no_loop() -> None:
    # core/ is pure and is tested synchronously, without Qt, a server or a network.
    assert not io_and_qt_in("core")


def test_storage_and_its_tests_need_no_qt_and_no_network() -> None:
    # storage/ writes files and nothing else: its tests run without Qt, a server or a loop.
    # Exceptions: Database.awrite/aread (DESIGN-issue13) wrap the writer thread's future
    # for a coroutine with asyncio.wrap_future; the database runs no loop of its own. So does
    # LocalSearch.search (DESIGN-issue14) with its reader thread's, and its test cancels one;
    # the index's background fill (search_backfill.py) paces its writer jobs with a sleep.
    tests = PACKAGE.parent / "tests" / "storage"
    allowed = {f"{PACKAGE / 'storage' / 'database.py'}: asyncio",
               f"{PACKAGE / 'storage' / 'search.py'}: asyncio",
               f"{PACKAGE / 'storage' / 'search_backfill.py'}: asyncio",
               f"{tests / 'test_search_reader.py'}: asyncio",
               f"{tests / 'test_search_backfill.py'}: asyncio"}
    assert not io_and_qt_in("storage") - allowed
