"""End-to-end, keyboard only, against the sandbox: files chosen in the attach dialog (Ctrl+O,
the paths typed), pasted from the clipboard or dropped on the thread wait in the tray above
the reply box with a preview; Enter sends them and then the text as a caption, in that
order; removing them (Shift+Tab, Delete) sends nothing at all."""

from __future__ import annotations

from pathlib import Path
from tempfile import TemporaryDirectory

import httpx
from PySide6.QtCore import QMimeData, Qt, QUrl
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit

from crisp_console.sandbox.model import Message
from crisp_console.sandbox.server import Sandbox
from crisp_console.ui.console import Console
from tests.e2e.conftest import e2e, focused, press, until
from tests.e2e.test_keyboard_flow import ALT, CTRL, SHIFT, open_next
from tests.ui.widgets.attachment_helpers import broken_png, drop_on, png_bytes, write

PHOTO = png_bytes(64, 48, "#2a7ae2")
INVOICE = b"%PDF-1.4 the invoice"


def files_dir() -> Path:
    """A folder for a test's files (the e2e scenarios get no tmp_path), removed at exit."""
    folder = TemporaryDirectory(prefix="attach-e2e-")
    _FOLDERS.append(folder)
    return Path(folder.name)


_FOLDERS: list[TemporaryDirectory[str]] = []


def new_messages(sandbox: Sandbox, sid: str, before: int) -> list[Message]:
    return sandbox.state.conversations[sid].messages[before:]


async def fetched(url: str) -> bytes:
    async with httpx.AsyncClient() as http:
        return (await http.get(url)).content


@e2e()
async def test_chosen_files_and_a_caption_go_in_order(console: Console, sandbox: Sandbox) -> None:
    here = files_dir()
    photo = write(here / "photo.png", PHOTO)
    invoice = write(here / "invoice.pdf", INVOICE)
    sid = await open_next(console)
    composer = console.panes.composer
    editor, tray = composer.editor, composer.tray
    before = len(sandbox.state.conversations[sid].messages)
    used = sandbox.bucket.used_bytes
    press(editor, Qt.Key.Key_O, CTRL)
    await until(lambda: isinstance(name_field := focused(), QLineEdit)
                and isinstance(name_field.window(), QFileDialog),
                what="the attach dialog's file name field")
    name_field = focused()
    assert name_field is not None
    QTest.keyClicks(name_field, f'"{photo}" "{invoice}"')
    press(focused(), Qt.Key.Key_Return)
    await until(lambda: tray.count() == 2, what="the files in the tray")
    await until(lambda: focused() is editor, what="the focus back in the reply box")
    assert tray.isVisible() and tray.previews() == ["image", "card"]
    assert new_messages(sandbox, sid, before) == []  # nothing uploaded before Enter
    assert sandbox.bucket.used_bytes == used
    QTest.keyClicks(editor, "Here is the invoice")
    press(editor, Qt.Key.Key_Return)
    await until(lambda: len(new_messages(sandbox, sid, before)) == 3,
                what="two files and the caption")
    first, second, caption = new_messages(sandbox, sid, before)
    assert (first.type, second.type, caption.type) == ("file", "file", "text")
    assert caption.content == "Here is the invoice"
    assert isinstance(first.content, dict) and isinstance(second.content, dict)
    assert (first.content["name"], second.content["name"]) == ("photo.png", "invoice.pdf")
    assert await fetched(first.content["url"]) == PHOTO  # the bucket holds the bytes
    assert await fetched(second.content["url"]) == INVOICE
    assert not tray.isVisible() and editor.toPlainText() == ""
    await until(lambda: composer.attachments.names() == [], what="the upload rows to go")
    await until(lambda: console.client.outbox.unsent_count() == 0, what="the outbox empty")


@e2e()
async def test_pasted_files_without_a_caption_and_a_broken_image(
        console: Console, sandbox: Sandbox) -> None:
    here = files_dir()
    invoice = write(here / "invoice.pdf", INVOICE)
    broken = write(here / "broken.png", broken_png())
    sid = await open_next(console)
    composer = console.panes.composer
    editor, tray = composer.editor, composer.tray
    before = len(sandbox.state.conversations[sid].messages)
    clipboard = QApplication.clipboard()
    try:
        image = QMimeData()
        image.setImageData(QImage.fromData(PHOTO))  # a screenshot tool's copy
        clipboard.setMimeData(image)
        press(editor, Qt.Key.Key_V, CTRL)
        copied = QMimeData()  # files copied in a file manager: their URLs
        copied.setUrls([QUrl.fromLocalFile(invoice), QUrl.fromLocalFile(broken)])
        clipboard.setMimeData(copied)
        press(editor, Qt.Key.Key_V, CTRL)
    finally:
        # PySide6 leaves a QMimeData set from Python owned twice: it would be deleted
        # again at exit (a crash) unless the clipboard lets it go first.
        clipboard.clear()
    await until(lambda: tray.count() == 3, what="the pasted files in the tray")
    assert tray.names() == ["pasted-image.png", "invoice.pdf", "broken.png"]
    assert tray.previews() == ["image", "card", "card"]  # the broken image: a file card
    assert editor.toPlainText() == ""  # no path pasted as text
    press(editor, Qt.Key.Key_Backtab, SHIFT)  # to the tray, on its last file
    assert focused() is tray.view
    press(tray.view, Qt.Key.Key_Delete)
    assert tray.names() == ["pasted-image.png", "invoice.pdf"]
    press(tray.view, Qt.Key.Key_Escape)
    assert focused() is editor
    press(editor, Qt.Key.Key_Return)  # no caption: only the files
    await until(lambda: len(new_messages(sandbox, sid, before)) == 2, what="the two files")
    await until(lambda: console.client.outbox.unsent_count() == 0, what="the outbox empty")
    sent = new_messages(sandbox, sid, before)
    assert [(m.type, m.content["name"]) for m in sent] == [
        ("file", "pasted-image.png"), ("file", "invoice.pdf")]
    assert (await fetched(sent[0].content["url"])).startswith(b"\x89PNG")
    assert await fetched(sent[1].content["url"]) == INVOICE


@e2e()
async def test_dropped_on_the_thread_kept_per_conversation_and_removed_sends_nothing(
        console: Console, sandbox: Sandbox) -> None:
    here = files_dir()
    photo = write(here / "photo.png", PHOTO)
    invoice = write(here / "invoice.pdf", INVOICE)
    big = here / "huge.pdf"
    with big.open("wb") as handle:  # sparse: over Crisp's 10 MB without writing it
        handle.truncate(11 * 1024 * 1024)
    sid = await open_next(console)
    composer = console.panes.composer
    editor, tray = composer.editor, composer.tray
    before = len(sandbox.state.conversations[sid].messages)
    used = sandbox.bucket.used_bytes
    dropped = QMimeData()
    dropped.setUrls([QUrl.fromLocalFile(photo), QUrl.fromLocalFile(invoice),
                     QUrl.fromLocalFile(str(big))])
    assert drop_on(console.panes.thread.view.viewport(), dropped)  # onto the thread
    assert tray.names() == ["photo.png", "invoice.pdf"]
    refused = composer.attachments.state("huge.pdf")  # refused at once, saying why
    assert refused is not None and refused[0] == "failed"
    assert refused[3] == "Too large to send (11 MB); Crisp takes up to 10 MB"
    # Another conversation has its own (empty) tray; this one's waits for the return.
    other = await open_next(console)
    assert other != sid and not tray.isVisible() and tray.count() == 0
    press(focused(), Qt.Key.Key_Up, ALT)
    await until(lambda: console.controller.session_id == sid, what="back to the first")
    assert tray.names() == ["photo.png", "invoice.pdf"] and tray.isVisible()
    # Not with a private note: Enter refuses, saying why, and sends nothing.
    press(focused(), Qt.Key.Key_N, CTRL | SHIFT)
    assert composer.mode() == "note"
    QTest.keyClicks(editor, "internal")
    press(editor, Qt.Key.Key_Return)
    assert "private note" in composer.footer.notice.text() and tray.count() == 2
    press(editor, Qt.Key.Key_N, CTRL | SHIFT)  # back to reply; the text stays
    # Remove both by key: the tray closes and the focus comes back to the reply box.
    press(editor, Qt.Key.Key_Backtab, SHIFT)
    press(tray.view, Qt.Key.Key_Delete)
    press(tray.view, Qt.Key.Key_Delete)
    assert tray.count() == 0 and not tray.isVisible() and focused() is editor
    assert editor.toPlainText() == "internal"
    # Nothing was uploaded or sent for them.
    assert new_messages(sandbox, sid, before) == []
    assert sandbox.bucket.used_bytes == used
    assert console.client.outbox.unsent_count() == 0
