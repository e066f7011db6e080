"""The composer's tray: previews (thumbnail, card, broken and hostile images, large ones off
the GUI thread), removing by key and by its button, the cap, a tray per conversation, the
caption and note mode, and the model under Qt's model tester."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QAbstractItemModel, QMimeData, QSize, Qt, QUrl
from PySide6.QtGui import QImage
from PySide6.QtTest import QAbstractItemModelTester
from pytestqt.qtbot import QtBot

from crisp_console.present.attachments import MAX_TRAY_FILES, NOTE_REFUSAL
from crisp_console.present.plain import one_line
from crisp_console.ui.default_commands import build_registry
from crisp_console.ui.delegates.attachment_card import close_rect
from crisp_console.ui.media import SYNC_PIXELS, Thumbnails
from crisp_console.ui.models.attachments import AttachmentTrayModel, Pending
from tests.ui.hostile import HOSTILE, assert_inert_tooltip
from tests.ui.widgets.attachment_helpers import bomb_png, broken_png, drop_on, png_bytes, write
from tests.ui.widgets.composer_helpers import SHIFT, Key, Make, composer_factory, key, type_text

Tester = Callable[[QAbstractItemModel], QAbstractItemModelTester]


@pytest.fixture
def make(qtbot: QtBot) -> Make:
    return composer_factory(qtbot, build_registry(platform="linux"))


def files(tmp_path: Path) -> list[str]:
    return [write(tmp_path / "photo.png", png_bytes(40, 30)),
            write(tmp_path / "invoice.pdf", b"%PDF-1.4 tiny"),
            write(tmp_path / "broken.png", broken_png()),
            write(tmp_path / "bomb.png", bomb_png())]


def test_previews_thumbnail_card_broken_and_hostile(
        qtbot: QtBot, make: Make, tmp_path: Path) -> None:
    composer, _ = make()
    composer.add_files(files(tmp_path))
    tray = composer.tray
    assert tray.names() == ["photo.png", "invoice.pdf", "broken.png", "bomb.png"]
    assert tray.previews() == ["image", "card", "card", "card"]
    photo, pdf, broken, bomb = tray.model.items()
    assert photo.thumbnail is not None and photo.thumbnail.size() == QSize(40, 30)
    assert pdf.details() == "13 B · PDF document"
    assert broken.details().endswith(" · image, no preview")
    assert bomb.thumbnail is None  # refused from its header: never decoded
    model = tray.model
    assert model.data(model.index(1), Qt.ItemDataRole.AccessibleTextRole) == \
        "invoice.pdf, 13 B · PDF document"
    grab = tray.grab()  # painting every kind of tile does not fail
    assert not grab.isNull() and tray.isVisible()


def test_a_large_image_is_decoded_off_the_gui_thread(qtbot: QtBot) -> None:
    thumbs = Thumbnails(QSize(96, 96))
    threads: list[threading.Thread] = []
    thumbs.ready.connect(lambda key, image: threads.append(threading.current_thread()))
    side = 1200
    assert side * side > SYNC_PIXELS
    with qtbot.waitSignal(thumbs.ready, timeout=10_000) as blocker:
        assert thumbs.start(7, png_bytes(side, side)) is False  # not decoded here
    key_, image = blocker.args
    assert key_ == 7 and isinstance(image, QImage)
    assert max(image.width(), image.height()) <= 96  # decoded straight down to the box
    assert threads == [threading.main_thread()]  # delivered on the GUI thread
    with qtbot.waitSignal(thumbs.ready) as small:
        assert thumbs.start(8, png_bytes()) is True
    assert isinstance(small.args[1], QImage)


def test_keyboard_reaches_the_tray_and_removes(qtbot: QtBot, make: Make, tmp_path: Path) -> None:
    composer, rec = make()
    composer.add_files(files(tmp_path)[:3])
    tray, editor = composer.tray, composer.editor
    key(qtbot, composer, Key.Key_Backtab, SHIFT)  # Shift+Tab from the reply box
    assert tray.view.hasFocus()
    assert tray.view.currentIndex().row() == 2  # the last file
    qtbot.keyClick(tray.view, Key.Key_Left)
    qtbot.keyClick(tray.view, Key.Key_Delete)
    assert tray.names() == ["photo.png", "broken.png"]
    assert tray.view.currentIndex().row() == 1 and tray.view.hasFocus()
    qtbot.keyClick(tray.view, Key.Key_Escape)  # back to the reply box, files kept
    assert editor.hasFocus() and tray.count() == 2
    assert rec.of("leave_requested") == []  # Esc in the tray does not leave the composer
    key(qtbot, composer, Key.Key_Backtab, SHIFT)
    qtbot.keyClick(tray.view, Key.Key_Backspace)
    qtbot.keyClick(tray.view, Key.Key_Delete)
    assert tray.count() == 0 and not tray.isVisible()
    assert editor.hasFocus()  # the last removal hands the focus back
    assert rec.of("send_requested") == []


def test_esc_in_the_reply_box_keeps_the_files(qtbot: QtBot, make: Make, tmp_path: Path) -> None:
    composer, rec = make()
    composer.add_files(files(tmp_path)[:1])
    key(qtbot, composer, Key.Key_Escape)
    assert rec.of("leave_requested") == [()]  # Esc still leaves the reply box
    assert composer.tray.names() == ["photo.png"]  # and destroys nothing


def test_the_remove_button(qtbot: QtBot, make: Make, tmp_path: Path) -> None:
    composer, _ = make()
    composer.add_files(files(tmp_path)[:2])
    view = composer.tray.view
    rect = close_rect(view.visualRect(composer.tray.model.index(0)).adjusted(1, 1, -1, -1))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert composer.tray.names() == ["invoice.pdf"]


def test_at_most_ten_files_the_rest_refused_in_words(
        qtbot: QtBot, make: Make, tmp_path: Path) -> None:
    composer, _ = make()
    paths = [write(tmp_path / f"f{i}.txt", b"x") for i in range(MAX_TRAY_FILES + 2)]
    composer.add_files(paths)
    assert composer.tray.count() == MAX_TRAY_FILES
    state = composer.attachments.state(f"f{MAX_TRAY_FILES}.txt")
    assert state is not None and state[0] == "failed"
    assert state[3] == f"Not added: up to {MAX_TRAY_FILES} files go with one message " \
                      "(2 more were left out)"


def test_each_conversation_keeps_its_tray(qtbot: QtBot, make: Make, tmp_path: Path) -> None:
    composer, _ = make()
    composer.add_files(files(tmp_path)[:1])
    composer.bind("s2")
    assert composer.tray.count() == 0 and not composer.tray.isVisible()
    assert composer.take_attachments("s2") == []  # never carried to another visitor
    composer.bind("s1")
    assert composer.tray.names() == ["photo.png"] and composer.tray.isVisible()


def test_enter_sends_the_files_with_the_text_as_caption(
        qtbot: QtBot, make: Make, tmp_path: Path) -> None:
    composer, rec = make()
    placeholder = composer.editor.placeholderText()
    composer.add_files(files(tmp_path)[:2])
    assert composer.editor.placeholderText().startswith("Add a caption")
    assert composer.tray.title.text() == "2 files · Enter sends them, then your text"
    type_text(qtbot, composer, "Here is the invoice")
    key(qtbot, composer, Key.Key_Return)
    assert rec.of("send_requested") == [("Here is the invoice", "reply", [])]
    assert [a.name for a in composer.take_attachments("s1")] == ["photo.png", "invoice.pdf"]
    composer.take_sent()
    assert composer.editor.placeholderText() == placeholder and not composer.tray.isVisible()


def test_a_command_runs_and_leaves_the_files(qtbot: QtBot, make: Make, tmp_path: Path) -> None:
    composer, rec = make()
    composer.add_files(files(tmp_path)[:1])
    type_text(qtbot, composer, "/resolve")
    composer.request_send()
    assert rec.of("command_requested") == [("resolve", "")] and rec.of("send_requested") == []
    assert composer.tray.names() == ["photo.png"]


def test_files_do_not_go_with_a_private_note(qtbot: QtBot, make: Make, tmp_path: Path) -> None:
    composer, rec = make()
    composer.add_files(files(tmp_path)[:1])
    composer.focus_note()
    assert "private notes carry text only" in composer.tray.title.text()
    assert not composer.footer.send_button.isEnabled()
    type_text(qtbot, composer, "internal remark")
    key(qtbot, composer, Key.Key_Return)
    assert rec.of("send_requested") == []
    assert composer.footer.notice.text() == NOTE_REFUSAL
    assert composer.tray.count() == 1 and composer.text() == "internal remark"
    composer.focus_reply()
    key(qtbot, composer, Key.Key_Return)
    assert rec.of("send_requested") == [("internal remark", "reply", [])]


def test_a_dropped_image_joins_the_tray(qtbot: QtBot, make: Make) -> None:
    composer, _ = make()
    mime = QMimeData()
    image = QImage.fromData(png_bytes(20, 10))
    mime.setImageData(image)
    assert drop_on(composer, mime)
    assert composer.tray.names() == ["pasted-image.png"]
    text = QMimeData()
    text.setText("just words")
    assert not drop_on(composer, text)  # text is the reply box's, not the tray's
    composer.bind(None)
    urls = QMimeData()
    urls.setUrls([QUrl.fromLocalFile("/nonexistent")])
    assert not drop_on(composer, urls)  # no conversation: nothing to attach to


def test_the_model_under_the_model_tester(qtbot: QtBot, live_tester: Tester,
                                          qtmodeltester: Any) -> None:
    model = AttachmentTrayModel()
    live_tester(model)
    model.show_session("s1")
    a, b, c = (Pending(f"{n}.txt", "text/plain", b"x") for n in "abc")
    model.add("s1", [a, b])
    model.add("s2", [c])  # another conversation's: no rows here
    assert model.rowCount() == 2
    qtmodeltester.check(model)
    model.set_preview(b.key, QImage(4, 4, QImage.Format.Format_ARGB32))
    assert model.data(model.index(1), int(Qt.ItemDataRole.UserRole) + 1) is b
    assert model.remove(a.key) is a and model.rowCount() == 1
    model.show_session("s2")
    assert [p.name for p in model.items()] == ["c.txt"]
    assert model.take("s1") == [b] and model.sessions() == ["s2"]
    assert model.remove(c.key) is c and model.rowCount() == 0
    model.show_session(None)
    assert model.rowCount() == 0



@pytest.mark.parametrize("raw", HOSTILE[:3])
def test_file_names_are_plain_text(qtbot: QtBot, make: Make, tmp_path: Path, raw: str) -> None:
    composer, _ = make()
    name = "".join(ch if ch not in "/\0" else "_" for ch in raw)[:120] + ".png"
    composer.add_files([write(tmp_path / name, broken_png())])
    model = composer.tray.model
    [item] = model.items()
    assert model.data(model.index(0), Qt.ItemDataRole.DisplayRole) == one_line(item.name)
    assert_inert_tooltip(model.data(model.index(0), Qt.ItemDataRole.ToolTipRole), item.name)
    assert composer.tray.title.textFormat() == Qt.TextFormat.PlainText
    assert not composer.tray.grab().isNull()  # painted as text
