"""Screenshots of the list holding still under the pointer, under a real X server:
``xvfb-run -a -s "-screen 0 1600x1000x24" python -m tests.screenshots.shoot_list_hold DIR``
(with ``QT_QPA_PLATFORM=xcb``).

A sandbox (simulator off) is seeded; the console opens its first conversation, the pointer
rests on the fourth visible row, and three visitors start conversations. The rows in view
stay where they were and the pill says "3 new ↑" (``list-hold-light.png``,
``list-hold-dark.png``); "Scroll the list to the newest" (Alt+Home) shows them
(``list-hold-shown-light.png``). It prints the hovered row's conversation and place before
and after, so the picture can be checked.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QPoint

from crisp_console.client import ConsoleClient
from crisp_console.sandbox.config import SandboxConfig, Sizes
from crisp_console.sandbox.server import Sandbox
from crisp_console.types import Credentials
from crisp_console.ui.console import Console
from crisp_console.ui.theme import Scheme, Theme
from tests.e2e.test_list_hold import point_at
from tests.screenshots.harness import run_shots
from tests.screenshots.shoot_find import save, settle


async def shoot(out: Path, theme: Theme) -> list[Path]:
    sandbox = Sandbox(SandboxConfig(seed=3, sizes=Sizes(), simulator_rate=0.0))
    await sandbox.start()
    info = sandbox.info()
    client = ConsoleClient(info["rest"], Credentials(info["identifier"], info["key"]))
    console = Console(client, drafts_path=None, settings=None)
    saved: list[Path] = []
    try:
        window = console.window
        window.resize(1440, 860)
        window.show()
        await console.start()
        await settle(1.0)
        lp = console.panes.list_pane
        view, model = lp.view, lp.model
        console.controller.jump_to(model.session_id_at(0) or "")
        await settle(0.6)
        row = view.rowAt(0) + 3
        y = view.rowViewportPosition(row)
        point_at(view.viewport(), QPoint(60, y + view.rowHeight(row) // 2))
        hovered = model.session_id_at(row)
        for _ in range(3):
            await sandbox.simulator.act("conversation")
        await settle(1.0)
        after = model.row_of(hovered or "")
        print(f"hovered {hovered}: row {row} at y={y}; after: row {after} at "
              f"y={view.rowViewportPosition(after)}; pill: {view.hold.pill.text()!r}",
              flush=True)
        for scheme, name in ((Scheme.LIGHT, "light"), (Scheme.DARK, "dark")):
            theme.apply(scheme)
            await settle(0.5)
            saved.append(save(window, out / f"list-hold-{name}.png"))
        theme.apply(Scheme.LIGHT)
        lp.show_newest()  # what Alt+Home runs (tests/e2e/test_list_hold.py presses it)
        await settle(0.6)
        saved.append(save(window, out / "list-hold-shown-light.png"))
    finally:
        await console.aclose()
        await sandbox.stop()
    return saved


def main(argv: list[str]) -> int:
    return run_shots(shoot, argv)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
