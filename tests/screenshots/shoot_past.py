"""The people panel's past conversations, offscreen: ``python -m tests.screenshots.shoot_past DIR``.

A visitor with eight other conversations: the five shown are the three the store holds
(unresolved, resolved, pending), one being fetched and one whose fetch failed; three more
wait behind "Show more"; the first row is selected (``people-past.png``). Then, after "Show
more", scrolled to the end: one more loading, one gone, one not asked yet
(``people-past-more.png``). The same two in the console's dark palette (``*-dark.png``).
Pictures come from ``QWidget.grab()``: run it with ``QT_QPA_PLATFORM=offscreen``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from crisp_console.client.past import Lookup
from crisp_console.ui.theme import Scheme, palette
from crisp_console.ui.widgets.people_panel import PeoplePanel
from tests.core import factories as f
from tests.ui.widgets.test_people_panel import NOW, PAST, SID, build_store, details

HOUR = 3_600_000


def sid(n: int) -> str:
    return f"session_{n:04d}beef-0000-4000-8000-000000000000"


def shoot(out: Path, name: str) -> list[Path]:
    store = build_store()
    store.upsert_conversation(f.conversation(
        sid(1), state="pending", updated_at=NOW - 26 * HOUR * 3, meta={"nickname": "Grace H."},
        last_message="Hello? Is anyone there? I need the invoice for order #4417 before Friday"))
    lookups = {sid(2): Lookup("loading", 0.0), sid(3): Lookup("loading", 0.0),
               sid(4): Lookup("failed", 0.0, "Crisp did not answer in time (timeout after "
                                             "10 s); the console will try again later"),
               sid(5): Lookup("gone", 0.0)}
    panel = PeoplePanel(store, clock=lambda: NOW)
    panel.set_lookups(lookups.get)
    panel.resize(340, 960)
    panel.bind(SID)
    ids = [SID, PAST[0], sid(2), PAST[1], sid(4), sid(1), sid(3), sid(5), sid(6)]
    panel.set_details(SID, details(past_conversations=ids))
    panel.past.setCurrentRow(0)
    panel.show()
    saved = [save(panel, out / name)]
    panel.past_section.show_more()
    panel.past.scrollToBottom()
    saved.append(save(panel, out / name.replace("people-past", "people-past-more")))
    panel.close()
    panel.deleteLater()
    return saved


def save(panel: PeoplePanel, path: Path) -> Path:
    QApplication.processEvents()
    bar = panel.scroll_area.verticalScrollBar()
    bar.setValue(bar.maximum())
    QApplication.processEvents()
    if not panel.grab().save(str(path)):
        raise SystemExit(f"could not save {path}")
    return path


def main(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setPalette(palette(Scheme.LIGHT))
    saved = shoot(out, "people-past.png")
    app.setPalette(palette(Scheme.DARK))  # the console's own palettes (ui/theme.py)
    return saved + shoot(out, "people-past-dark.png")


if __name__ == "__main__":
    for saved_path in main(Path(sys.argv[1] if len(sys.argv) > 1 else "artifacts/screenshots")):
        print(saved_path)
