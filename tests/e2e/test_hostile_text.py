"""Hostile names end to end: a visitor, a contact, an operator and a website whose names are
markup (an image from disk, bold, a link, a bidi override), a message, segments, custom data
and pages likewise, served by the sandbox to a real console. Every label, tooltip and item
tooltip of the window and its popups that shows one of them shows it as text, and none makes
Qt load a resource."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QAbstractItemModel, QAbstractListModel, QModelIndex, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLabel, QWidget

from crisp_console.sandbox.server import Sandbox
from crisp_console.settings import Preferences
from crisp_console.ui.console import Console
from tests.client.conftest import make_client, until
from tests.sandbox.conftest import make_config
from tests.ui.hostile import as_qt_shows, might_be_rich_text, shown_words

MARKERS = ("<img", "<b>", "<i>", "<a ")
pytestmark = pytest.mark.qt_log_ignore("does not support", "grabbing the keyboard")


def hostile_world(sandbox: Sandbox, image: str) -> str:
    """Make one conversation and everything around it hostile; its session id."""
    state = sandbox.state
    conv = next(c for c in state.conversations.values()
                if c.state != "resolved" and state.websites[c.website_id].subscribed)
    site = state.websites[conv.website_id]
    site.name = f"<img src={image}> Shop"
    site.domain = "<b>shop</b>.example"
    operator = state.operators[-1]
    operator.first_name, operator.last_name = "<b>Op</b>", "\u202eerator"
    conv.assigned = operator.user_id
    conv.meta["nickname"] = f"<img src={image}>\u202eevil"
    conv.meta["email"] = "<b>x</b>@evil.example"
    conv.meta["segments"] = ["<i>vip</i>", "R&D"]
    conv.meta["data"] = {"<b>key</b>": f"<img src={image}>"}
    person = state.people.get(conv.people_id)
    if person is not None:
        person.segments = ["<i>vip</i>", "R&D"]
        person.data = {"<b>key</b>": f"<img src={image}>"}
    conv.pages.append({"page_title": f"<img src={image}>", "page_url":
                       "https://evil.example/<b>p</b>", "page_referrer": "", "timestamp":
                       conv.updated_at})
    state.add_message(conv, type="text", from_="user", origin="chat",
                      content=f"<a href=file:///etc/passwd>invoice</a> <img src={image}>",
                      user={"nickname": conv.meta["nickname"], "user_id": conv.session_id})
    return conv.session_id


def big_image(tmp_path: Path) -> str:
    path = tmp_path / "big.png"
    image = QImage(400, 300, QImage.Format.Format_RGB32)
    image.fill(QColor("red"))
    assert image.save(str(path))
    return path.as_uri()


def hostile(text: str) -> bool:
    return any(marker in text for marker in MARKERS)


def check_tooltip(where: str, tip: str, found: set[str]) -> None:
    """A tooltip that carries hostile text shows it as text and asks for nothing."""
    if not hostile(tip) and "&lt;" not in tip:
        return
    doc = as_qt_shows(tip)
    assert doc.requested == [], (where, tip, doc.requested)
    shown = shown_words(doc)
    assert hostile(shown) or not might_be_rich_text(tip), (where, tip, shown)
    assert "\u202e" not in shown, (where, tip)
    found.add(where)


def check_model(where: str, model: QAbstractItemModel, found: set[str]) -> None:
    columns = 1 if isinstance(model, QAbstractListModel) else model.columnCount(QModelIndex())
    for row in range(min(model.rowCount(QModelIndex()), 200)):
        for column in range(columns):
            tip = model.data(model.index(row, column), Qt.ItemDataRole.ToolTipRole)
            if isinstance(tip, str):
                check_tooltip(f"{where} row {row}", tip, found)


def path_of(widget: QWidget) -> str:
    """The widget and its ancestors, by class and name: where a finding is."""
    parts: list[str] = []
    current: QWidget | None = widget
    while current is not None:
        parts.append(f"{type(current).__name__}:{current.objectName() or current.accessibleName()}")
        current = current.parentWidget()
    return " < ".join(parts)


def audit(roots: list[QWidget]) -> set[str]:
    """Every label, tooltip and item tooltip under ``roots`` that shows hostile text: where."""
    found: set[str] = set()
    widgets = [w for root in roots for w in [root, *root.findChildren(QWidget)]]
    for widget in widgets:
        where = path_of(widget)
        if isinstance(widget, QLabel) and hostile(widget.text()):
            assert widget.textFormat() == Qt.TextFormat.PlainText, (where, widget.text())
            found.add(where)
        check_tooltip(where, widget.toolTip(), found)
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            check_model(where, widget.model(), found)
    return found


def test_hostile_names_render_as_text_everywhere(qloop: qasync.QEventLoop,
                                                 tmp_path: Path) -> None:
    image = big_image(tmp_path)

    async def main() -> set[str]:
        sandbox = Sandbox(make_config())
        await sandbox.start()
        try:
            sid = hostile_world(sandbox, image)
            console = Console(make_client(sandbox), prefs=Preferences(),
                              drafts_path=tmp_path / "drafts.json", settings=None)
            try:
                window = console.window
                window.resize(1400, 900)
                window.show()
                await console.start()
                console.controller.jump_to(sid)
                header = console.panes.thread.header
                await until(lambda: "img src" in header.name_label.text(),
                            what="the hostile conversation to open")
                await until(lambda: any(hostile(c.text()) for c in window.findChildren(
                    QWidget, "segmentChip")), what="the people panel to show the segments")
                pages = console.panes.people.pages
                await until(lambda: any("img src" in pages.item(r).text()
                                        for r in range(pages.count())),
                            what="the pages browsed")
                palette = console.panes.palette
                palette.open_switcher("img src")
                palette.flush()
                await until(lambda: any(r.item.key == sid for r in palette.results()),
                            what="the palette to list the hostile visitor")
                console.panes.list_pane.switcher.showPopup()
                roots = [window, *[w for w in QApplication.topLevelWidgets() if w.isVisible()]]
                found = audit(roots)
                console.panes.list_pane.switcher.hidePopup()
                return found
            finally:
                await console.aclose()
        finally:
            await sandbox.stop()

    found = qloop.run_until_complete(asyncio.wait_for(main(), 60))
    kinds = " ".join(sorted(found))
    # The hostile text reached each kind of place the audit guards (else it proves nothing).
    for place in ("ThreadHeader", "PaletteResults", "segmentChip", "WebsiteSwitcher",
                  "CustomDataEditor", "pages"):
        assert place in kinds, (place, sorted(found))
