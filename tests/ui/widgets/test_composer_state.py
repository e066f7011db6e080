"""The composer's state: drafts per conversation (memory and disk), typing events, the note
mode's look, and attachments (paste, drop, dialog, size limit: into the tray until Enter;
upload progress in the strip). The tray itself: test_attachment_tray.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, Qt, QUrl
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QFileDialog, QToolButton
from pytestqt.qtbot import QtBot

from crisp_console.present.attachments import DEFAULT_LIMIT
from crisp_console.storage.drafts import Draft, DraftStore
from crisp_console.ui.commands import CommandRegistry
from crisp_console.ui.default_commands import build_registry
from crisp_console.ui.widgets.attachment_bar import Attachment
from tests.ui.widgets.attachment_helpers import drop_on
from tests.ui.widgets.composer_helpers import CTRL, Key, Make, composer_factory, key, type_text


@pytest.fixture
def registry() -> CommandRegistry:
    return build_registry(platform="linux")


@pytest.fixture
def make(qtbot: QtBot, registry: CommandRegistry) -> Make:
    return composer_factory(qtbot, registry)


# -- drafts --

def test_drafts_follow_their_conversation(qtbot: QtBot, make: Make) -> None:
    composer, rec = make()
    type_text(qtbot, composer, "for s1")
    assert rec.of("drafts_changed") == [()]
    composer.bind("s2")
    assert composer.text() == "" and composer.mode() == "reply"  # never carried over
    composer.focus_note()
    type_text(qtbot, composer, "note in s2")
    composer.bind("s1")
    assert composer.text() == "for s1" and composer.mode() == "reply"
    assert composer.editor.textCursor().atEnd()
    composer.bind("s2")
    assert composer.text() == "note in s2" and composer.mode() == "note"
    composer.take_sent()
    assert rec.of("drafts_changed") == [(), (), ()]  # s1 added, s2 added, s2 removed
    composer.bind(None)
    assert not composer.isEnabled() and composer.text() == ""


def test_drafts_are_written_debounced_and_reload(
        qtbot: QtBot, make: Make, tmp_path: Path) -> None:
    path = tmp_path / "drafts.json"
    composer, _ = make(drafts=DraftStore(path), draft_save_ms=40)
    type_text(qtbot, composer, "Dear visitor")
    assert not path.exists()  # debounced, not written per keystroke
    qtbot.waitUntil(path.exists, timeout=2000)
    assert DraftStore(path).get("s1") == Draft("Dear visitor", "reply")
    type_text(qtbot, composer, ", thanks")
    composer.bind("s2")  # flushes at once
    assert DraftStore(path).get("s1") == Draft("Dear visitor, thanks", "reply")
    again, _ = make(drafts=DraftStore(path))
    assert again.text() == "Dear visitor, thanks"


def test_a_corrupt_draft_file_starts_empty(qtbot: QtBot, make: Make, tmp_path: Path) -> None:
    path = tmp_path / "drafts.json"
    path.write_text("{oops", encoding="utf-8")
    composer, _ = make(drafts=DraftStore(path))
    assert composer.text() == "" and composer.isEnabled()
    type_text(qtbot, composer, "fresh")
    composer.flush_drafts()
    assert DraftStore(path).get("s1") == Draft("fresh", "reply")


def test_an_edit_is_never_saved_as_a_draft(qtbot: QtBot, make: Make) -> None:
    drafts = DraftStore(None)
    composer, _ = make(drafts=drafts, last_own_message=lambda sid: (1, "sent text"))
    key(qtbot, composer, Key.Key_Up)
    type_text(qtbot, composer, " more")
    composer.bind("s2")  # an unfinished edit is dropped
    assert drafts.ids() == set()
    composer.bind("s1")
    assert composer.text() == "" and not composer.editing()


# -- typing events --

def test_typing_starts_stops_and_idles(qtbot: QtBot, make: Make) -> None:
    composer, rec = make(typing_idle_ms=60)
    type_text(qtbot, composer, "Hi")
    assert rec.of("typing_changed") == [(True, "H"), (True, "Hi")]
    key(qtbot, composer, Key.Key_Backspace)
    key(qtbot, composer, Key.Key_Backspace)  # emptied
    assert rec.of("typing_changed")[-1] == (False, "")
    type_text(qtbot, composer, "x")
    with qtbot.waitSignal(composer.typing_changed, timeout=2000) as idle:
        pass
    assert idle.args == [False, ""]
    type_text(qtbot, composer, "y")
    key(qtbot, composer, Key.Key_Return)
    assert rec.of("typing_changed")[-1] == (False, "")
    assert rec.events[-1][0] == "send_requested"  # stop first, then the send


def test_no_typing_events_for_notes_and_stop_before_switching(qtbot: QtBot, make: Make) -> None:
    composer, rec = make()
    type_text(qtbot, composer, "visible")
    seen: list[str | None] = []
    composer.typing_changed.connect(lambda typing, _: seen.append(composer.session_id()))
    composer.toggle_mode()  # a note must not show "operator is typing"
    assert rec.of("typing_changed")[-1] == (False, "")
    type_text(qtbot, composer, " private")
    composer.toggle_mode()
    type_text(qtbot, composer, "!")
    assert rec.of("typing_changed")[-1][0] is True
    composer.bind("s2")
    assert rec.of("typing_changed")[-1] == (False, "") and seen[-1] == "s1"


# -- modes --

def test_note_mode_is_visibly_distinct(qtbot: QtBot, make: Make) -> None:
    composer, _ = make()
    assert not composer.header.note_label.isVisible()
    assert composer.footer.send_button.text() == "Send"
    reply_base = composer.editor.grab().toImage().pixelColor(20, 30)
    composer.toggle_mode()
    assert composer.mode() == "note" and composer.property("mode") == "note"
    assert composer.header.note_label.isVisible()
    assert composer.header.note_label.text() == "Private note — only operators see it"
    assert composer.footer.send_button.text() == "Add note"
    note_base = composer.editor.grab().toImage().pixelColor(20, 30)
    assert note_base != reply_base and _yellowish(note_base)
    composer.header.reply_button.click()
    assert composer.mode() == "reply" and composer.editor.hasFocus()


def _yellowish(colour: QColor) -> bool:
    return colour.red() > colour.blue() + 20 and colour.green() > colour.blue() + 10


# -- attachments --

def png_image() -> QImage:
    image = QImage(8, 6, QImage.Format.Format_RGB32)
    image.fill(QColor("#ff8800"))
    return image


def test_paste_an_image_waits_in_the_tray_until_enter(qtbot: QtBot, make: Make) -> None:
    composer, rec = make()
    QApplication.clipboard().setImage(png_image())
    key(qtbot, composer, Key.Key_V, CTRL)
    tray = composer.tray
    assert tray.isVisible() and tray.names() == ["pasted-image.png"]
    assert tray.previews() == ["image"]  # a small image is decoded at once
    assert composer.text() == "" and rec.of("send_requested") == []  # nothing sent yet
    assert composer.footer.send_button.isEnabled()  # files alone can be sent
    key(qtbot, composer, Key.Key_Return)
    assert rec.of("send_requested") == [("", "reply", [])]  # no caption
    [item] = composer.take_attachments("s1")
    assert isinstance(item, Attachment)
    assert (item.name, item.mime) == ("pasted-image.png", "image/png")
    assert item.data.startswith(b"\x89PNG") and QImage.fromData(item.data).size().width() == 8
    assert not tray.isVisible() and tray.count() == 0


def test_paste_text_stays_plain(qtbot: QtBot, make: Make) -> None:
    composer, _ = make()
    mime = QMimeData()
    mime.setHtml("<b>bold</b> <a href='https://x.example'>link</a>")
    mime.setText("bold link")
    composer.editor.insertFromMimeData(mime)
    assert composer.text() == "bold link" and composer.tray.count() == 0


def test_files_by_paste_and_drop_and_size_limit(
        qtbot: QtBot, make: Make, tmp_path: Path) -> None:
    composer, rec = make()
    small = tmp_path / "invoice.pdf"
    small.write_bytes(b"%PDF-1.4 tiny")
    big = tmp_path / "movie.mov"
    with big.open("wb") as handle:  # sparse: no 10 MB written
        handle.truncate(DEFAULT_LIMIT + 1)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(small)), QUrl.fromLocalFile(str(big)),
                  QUrl.fromLocalFile(str(tmp_path))])
    assert composer.editor.canInsertFromMimeData(mime)
    composer.editor.insertFromMimeData(mime)  # what a paste or a drop on the text does
    tray = composer.tray
    assert tray.names() == ["invoice.pdf"] and tray.previews() == ["card"]
    assert rec.of("send_requested") == []
    bar = composer.attachments  # the refused ones say why, under the reply box
    assert bar.isVisible()
    state = bar.state("movie.mov")
    assert state is not None and state[0] == "failed"
    assert "Crisp takes up to 10 MB" in (state[3] or "")
    folder = bar.state(tmp_path.name)
    assert folder is not None and folder[0] == "failed" and "folder" in (folder[3] or "")
    # a drop beside the text field, on the composer itself
    drop = QMimeData()
    drop.setUrls([QUrl.fromLocalFile(str(small))])
    assert drop_on(composer, drop)
    assert tray.names() == ["invoice.pdf", "invoice (2).pdf"]


def test_upload_progress_states(qtbot: QtBot, make: Make) -> None:
    composer, _ = make()
    bar = composer.attachments
    assert not bar.isVisible()
    bar.add_pending("a.txt", 4, "s1")
    bar.add_pending("b.txt", 4, "s1")
    assert bar.names() == ["a.txt", "b.txt"] and bar.isVisible()
    assert bar.state("a.txt") == ("waiting", 0, 0, None)
    bar.set_progress("a.txt", 0, 0)
    assert bar.state("a.txt") == ("waiting", 0, 0, None)
    bar.set_progress("a.txt", 512, 2048)
    assert bar.state("a.txt") == ("uploading", 512, 2048, None)
    bar.set_progress("b.txt", 3 * 2**30, 6 * 2**30)  # beyond int32 still works
    assert bar.state("b.txt") == ("uploading", 2**29, 2**30, None)  # scaled down by 6
    bar.finish("a.txt")
    assert bar.names() == ["b.txt"]
    bar.finish("b.txt", "Upload refused by the server")
    assert bar.state("b.txt") == ("failed", 0, 0, "Upload refused by the server")
    composer.bind("s2")  # rows belong to their conversation
    assert not bar.isVisible() and bar.names() == []
    composer.bind("s1")
    assert bar.names() == ["b.txt"]
    [button] = [b for b in bar.findChildren(QToolButton) if b.isVisible()]
    button.click()
    assert bar.names() == [] and not bar.isVisible()


@pytest.mark.qt_log_ignore("does not support raise")  # a second Ctrl+O raises the dialog
def test_attach_dialog_is_opened_not_executed(
        qtbot: QtBot, make: Make, tmp_path: Path) -> None:
    composer, rec = make()
    path = tmp_path / "notes.txt"
    path.write_text("hello", encoding="utf-8")
    composer.open_attach_dialog()  # returns at once: open(), no nested loop
    [dialog] = [d for d in composer.findChildren(QFileDialog) if d.isVisible()]
    assert dialog.windowModality() == Qt.WindowModality.WindowModal
    composer.open_attach_dialog()  # a second request does not stack dialogs
    assert len([d for d in composer.findChildren(QFileDialog) if d.isVisible()]) == 1
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    dialog.selectFile(os.fspath(path))
    dialog.accept()
    assert composer.tray.names() == ["notes.txt"] and rec.of("send_requested") == []
    [item] = composer.take_attachments("s1")
    assert (item.name, item.data) == ("notes.txt", b"hello")
