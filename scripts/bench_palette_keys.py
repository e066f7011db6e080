"""bench_palette.py's child: type a script into the palette of the code on sys.path.

Run by bench_palette.py with PYTHONPATH and cwd set to the checkout measured (ours, or
--before's), so it imports only what every checkout has: the Store, the PaletteIndex, the
result model. Reads the world and the script (JSON, from the parent), prints one JSON line.

A keystroke is timed as the operator sees it: from the key to the rows in the model
(PaletteIndex.search, the "Search messages for" row, PaletteModel.set_results), the first
keystroke after each open included (the open itself, PaletteIndex.refresh, is timed apart).
Between keystrokes the palette's idle work runs as the event loop would run it at typing
speed (PaletteIndex.ahead, where the checkout has it, for at most IDLE_MS): not timed as a
keystroke, its longest turn reported (a key waits for at most one turn).
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time

IDLE_MS = 100  # between two keystrokes of an operator typing fast (~8 keys a second)


def main() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from crisp_console.core import Store
    from crisp_console.present.palette_sources import PaletteIndex, Result, search_item
    from crisp_console.ui.default_commands import build_registry
    from crisp_console.ui.palette_rows import PaletteModel

    with open(sys.argv[1], encoding="utf-8") as fh:
        world = json.load(fh)
    app = QApplication.instance() or QApplication([])
    store = Store()
    store.upsert_conversations(world["conversations"])
    for payload, website in world["people"]:
        store.upsert_person(payload, website)
    index = PaletteIndex(store, build_registry())
    ahead = getattr(index, "ahead", None)
    model = PaletteModel()
    while index.conversations.prepare(1000):  # the idle work after start-up
        pass
    gc.collect()
    gc.freeze()  # the world built: a long-running app keeps it out of the scans
    keys: list[tuple[float, str]] = []
    opens: list[float] = []
    idle_turn = 0.0
    for query, events in zip(world["queries"], world["churn"], strict=True):
        for name, payload in events:  # live traffic while the palette is closed
            store.apply(name, payload)
        start = time.perf_counter()
        index.refresh()  # the palette opens
        opens.append(time.perf_counter() - start)
        for end in range(1, len(query) + 1):
            text = query[:end]
            start = time.perf_counter()
            results = index.search(text, 50)
            search = search_item(text)
            if search is not None:
                results = [*results[:49], Result(search)]
            model.set_results(results)
            keys.append((time.perf_counter() - start, text))
            budget = time.perf_counter() + IDLE_MS / 1000
            while ahead is not None and time.perf_counter() < budget:
                turn = time.perf_counter()
                more = ahead(text)
                idle_turn = max(idle_turn, time.perf_counter() - turn)
                if not more:
                    break
    index.detach()
    del app
    print(json.dumps({"keys": keys, "opens": opens, "idle_turn": idle_turn}))


if __name__ == "__main__":
    main()
