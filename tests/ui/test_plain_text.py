"""Everything rendered from visitor data is plain text: hostile names, messages, website
names, team settings and server messages through every place in ui/ where Qt could read them
as markup (tooltips, labels, notifications, button texts), each checked as Qt reads it, with
the probe shown able to fail on the raw text."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QEvent, QModelIndex, QPoint, Qt
from PySide6.QtGui import QColor, QHelpEvent, QImage
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QStyle, QToolTip, QWidget
from pytestqt.qtbot import QtBot

from crisp_console.client.tasks import TaskOwner
from crisp_console.core import Conversation, Store
from crisp_console.errors import ValidationError
from crisp_console.present.canned import CannedResponse
from crisp_console.present.composer_text import canned_completions
from crisp_console.present.palette_sources import PaletteItem, Result, conversation_item
from crisp_console.present.plain import tooltip_html
from crisp_console.ui.notifier import Notifier
from crisp_console.ui.palette_rows import PaletteModel
from crisp_console.ui.widgets.attachment_bar import AttachmentBar
from crisp_console.ui.widgets.canned_editor import SHORTCUT, CannedEditorDialog
from crisp_console.ui.widgets.command_palette import CommandPalette
from crisp_console.ui.widgets.completion_popup import CompletionPopup
from crisp_console.ui.widgets.notice_box import NoticeBox
from crisp_console.ui.widgets.segment_chips import SegmentChips
from crisp_console.ui.widgets.website_switcher import WebsiteEntry, WebsiteSwitcher
from tests.core import factories as f
from tests.present.seeded import T, seeded_store
from tests.ui.hostile import (
    HOSTILE,
    PASSWD,
    as_qt_shows,
    assert_inert_tooltip,
    might_be_rich_text,
    shown_words,
)
from tests.ui.widgets.test_command_palette import registry

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints", "raise()")
TIP = Qt.ItemDataRole.ToolTipRole


# ---- the helpers, and the probe itself ------------------------------------------------------


@pytest.mark.usefixtures("qapp")
def test_the_probe_catches_raw_markup() -> None:
    """Raw visitor text as Qt reads a tooltip: rich text, and the file is asked for."""
    assert might_be_rich_text(PASSWD)
    doc = as_qt_shows(PASSWD)
    assert doc.requested == ["file:///etc/passwd"]
    assert "img" not in shown_words(doc)
    with pytest.raises(AssertionError):
        assert_inert_tooltip(PASSWD, PASSWD)


@pytest.mark.usefixtures("qapp")
@pytest.mark.parametrize("raw", HOSTILE)
def test_tooltip_html_shows_the_text_as_typed_and_loads_nothing(raw: str) -> None:
    tip = tooltip_html(raw)
    assert tip.startswith("<p") and "<img" not in tip and "<b>" not in tip
    assert_inert_tooltip(tip, raw)


# ---- the Ctrl+K palette ---------------------------------------------------------------------


def hostile_conversation(name: str, last: str = "<b>bold</b> reply") -> Conversation:
    return Conversation.from_payload(f.conversation(
        "session_hostile", updated_at=T + 1, meta={"nickname": name, "email": "x@evil.example"},
        last_message=last))


@pytest.mark.usefixtures("qapp")
@pytest.mark.parametrize("raw", HOSTILE)
def test_the_palette_tooltip_is_inert(raw: str) -> None:
    model = PaletteModel()
    item = conversation_item(hostile_conversation(raw))
    model.set_results([Result(item), Result(PaletteItem("choice", "k", raw, raw))])
    for row in range(2):
        tip = model.data(model.index(row, 0), TIP)
        assert_inert_tooltip(tip, raw)
    assert "\u202e" not in item.title  # the row paints no bidi override either
    assert "&lt;b&gt;bold" in model.data(model.index(0, 0), TIP)  # the excerpt too


def big_image(tmp_path: Path) -> str:
    """A 400 by 300 picture on disk: a tooltip that loads it grows to its size."""
    path = tmp_path / "big.png"
    image = QImage(400, 300, QImage.Format.Format_RGB32)
    image.fill(QColor("red"))
    assert image.save(str(path))
    return path.as_uri()


def tooltip_label() -> QLabel:
    shown = [w for w in QApplication.topLevelWidgets()
             if w.objectName() == "qtooltip_label" and w.isVisible()]
    assert len(shown) == 1, shown
    label = shown[0]
    assert isinstance(label, QLabel)
    return label


def test_the_palette_shows_a_hostile_name_in_its_tooltip_as_text(qtbot: QtBot,
                                                                 tmp_path: Path) -> None:
    """The real path: the palette lists a visitor named ``<img src=file:…>``, the mouse rests
    on the row, QToolTip shows the row's tooltip. The picture on disk is not loaded."""
    url = big_image(tmp_path)
    name = f"<img src={url}>"
    QToolTip.showText(QPoint(10, 10), name)  # the probe: raw, Qt loads the picture
    qtbot.waitUntil(lambda: tooltip_label().text() == name)
    assert tooltip_label().sizeHint().height() >= 300
    QToolTip.hideText()

    store = seeded_store(6)
    store.upsert_conversation(f.conversation(
        "session_hostile", updated_at=T + 1, state="pending", meta={"nickname": name},
        last_message=f"<a href={url}>click</a>"))
    window = QMainWindow()
    window.resize(900, 600)
    qtbot.addWidget(window)
    window.show()
    palette = CommandPalette(registry(), store, window)
    try:
        palette.open_switcher("img src")
        palette.flush()
        assert palette.results()[0].item.key == "session_hostile"
        view = palette.view
        rect = view.visualRect(palette.model.index(0, 0))
        qtbot.waitUntil(lambda: not rect.isEmpty() and view.isVisible())
        pos = rect.center()
        QApplication.sendEvent(view.viewport(), QHelpEvent(
            QEvent.Type.ToolTip, pos, view.viewport().mapToGlobal(pos)))
        qtbot.waitUntil(lambda: "img src" in tooltip_label().text())
        label = tooltip_label()
        assert label.text() == tooltip_html(f"{name}\n<a href={url}>click</a> · pending")
        assert label.sizeHint().height() < 120  # two lines of text, no 300 px picture
        assert_inert_tooltip(label.text(), name)
    finally:
        QToolTip.hideText()
        palette.detach()


# ---- the website switcher, the completion popup, the canned editor -----------------------


@pytest.mark.parametrize("raw", HOSTILE)
def test_website_switcher_tooltips_are_inert(qtbot: QtBot, raw: str) -> None:
    switcher = WebsiteSwitcher()
    qtbot.addWidget(switcher)
    switcher.set_websites([WebsiteEntry("w1", raw), WebsiteEntry("w2", "Shop", raw)])
    for row in (1, 2):
        assert_inert_tooltip(switcher.itemData(row, TIP), raw)


@pytest.mark.parametrize("raw", HOSTILE)
def test_completion_tooltips_are_inert(qtbot: QtBot, raw: str) -> None:
    popup = CompletionPopup()
    qtbot.addWidget(popup)
    popup.set_items(canned_completions("", [CannedResponse("hi", raw, raw)]))
    model = popup.view.model()
    assert_inert_tooltip(model.data(model.index(0, 0), TIP), raw)


def test_canned_editor_problem_tooltips_are_ours(qtbot: QtBot) -> None:
    async def save(_items: list[CannedResponse]) -> None:
        return None

    rows = [CannedResponse(PASSWD, "a", "x"), CannedResponse("ok", "b", "y"),
            CannedResponse("ok", "c", "z")]
    dialog = CannedEditorDialog(rows, save, tasks=TaskOwner())
    qtbot.addWidget(dialog)
    for row in (0, 2):  # a bad shortcut, a duplicate
        tip = dialog.table.item(row, SHORTCUT).toolTip()
        assert tip.startswith("<p style=") and as_qt_shows(tip).requested == []
    assert "already used" in shown_words(as_qt_shows(dialog.table.item(2, SHORTCUT).toolTip()))
    assert dialog.table.item(1, SHORTCUT).toolTip() == ""
    for label in (dialog.row_error, dialog.status):
        assert label.textFormat() == Qt.TextFormat.PlainText


def test_canned_editor_shows_a_server_refusal_as_text(qtbot: QtBot,
                                                      qloop: qasync.QEventLoop) -> None:
    async def refuse(_items: list[CannedResponse]) -> None:
        raise ValidationError(400, "invalid_data", f"server said {PASSWD}")

    dialog = CannedEditorDialog([CannedResponse("hi", "a", "x")], refuse, tasks=TaskOwner())
    qtbot.addWidget(dialog)

    async def main() -> None:
        dialog.save()
        while "Not saved" not in dialog.status.text():
            await asyncio.sleep(0.01)

    qloop.run_until_complete(asyncio.wait_for(main(), 5))
    assert dialog.status.text() == ("Not saved: Crisp refused the request as invalid: "
                                    f"server said {PASSWD}")
    assert dialog.status.textFormat() == Qt.TextFormat.PlainText


# ---- attachments, notices, segment chips, notifications -----------------------------------


@pytest.mark.parametrize("raw", HOSTILE[:3])
def test_attachment_names_and_errors_are_plain(qtbot: QtBot, raw: str) -> None:
    bar = AttachmentBar()
    qtbot.addWidget(bar)
    bar.add_error(raw, f"Crisp refused it: {raw}", None)
    labels = [label for label in bar.findChildren(QLabel) if label.text()]
    assert {label.text() for label in labels} == {raw, f"Crisp refused it: {raw}"}
    for label in labels:
        assert label.textFormat() == Qt.TextFormat.PlainText
        assert_inert_tooltip(label.toolTip(), label.text())


def test_a_notice_box_is_plain_text_throughout(qtbot: QtBot) -> None:
    box = NoticeBox(QStyle.StandardPixmap.SP_MessageBoxWarning, "Notice")
    qtbot.addWidget(box)
    box.say(PASSWD, heading=PASSWD, detail=PASSWD)
    labels = [box.heading, box.message, box.detail]
    assert all(label.text() == PASSWD for label in labels)
    assert all(label.textFormat() == Qt.TextFormat.PlainText for label in labels)


def test_segment_chips_show_ampersands_and_markup_as_typed(qtbot: QtBot) -> None:
    chips = SegmentChips()
    qtbot.addWidget(chips)
    chips.set_segments(["R&D", "<b>vip</b>"])
    by_name = {chip.property("segment"): chip for chip in chips.chips}
    assert by_name["R&D"].text() == "R&&D"  # shown as "R&D", and no Alt+D shortcut
    assert by_name["<b>vip</b>"].text() == "<b>vip</b>"  # a tool button draws text as is
    for name, chip in by_name.items():
        assert_inert_tooltip(chip.toolTip(), name)


def test_notifications_carry_no_markup_and_no_bidi_override(qtbot: QtBot) -> None:
    store = Store()
    store.set_websites([f.website()])
    window = QWidget()
    qtbot.addWidget(window)  # never shown: the console is in the background
    notifier = Notifier(store.conversations, window, tray=None, clock=lambda: 0.0)
    store.subscribe_live(notifier.on_live)
    store.apply("message:send", f.message_event(
        "session_n", content=f"\u202eevil {PASSWD}", timestamp=T,
        user={"nickname": "\u202e<b>Eve</b>", "user_id": "u"}))
    ((title, body, sid),) = notifier.sent
    assert sid == "session_n"
    for text in (title, body):
        assert "<" not in text and ">" not in text and "\u202e" not in text
    assert title == "New conversation: \u2039b\u203aEve\u2039/b\u203a"


def test_nothing_is_left_to_qt_to_guess_in_a_palette_row() -> None:
    """A row's display text is painted, not parsed; its tooltip is ours whatever the text."""
    model = PaletteModel()
    model.set_results([Result(PaletteItem("choice", "k", "plain name", "detail"))])
    tip = model.data(model.index(0, 0), TIP)
    assert tip == tooltip_html("plain name\ndetail")
    assert model.data(QModelIndex(), TIP) is None
