"""Files for the attachment tests (a PNG, a broken one, a decompression bomb's header) and a
drop delivered as Qt would deliver it during a real drag."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice, QMimeData, QPointF, Qt
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QImage
from PySide6.QtWidgets import QWidget

from crisp_console.ui.file_drops import FileDrops


def png_bytes(width: int = 8, height: int = 6, colour: str = "#ff8800") -> bytes:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor(colour))
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    assert image.save(buffer, "PNG")  # type: ignore[call-overload]
    return bytes(buffer.data().data())


def bomb_png(side: int = 100_000) -> bytes:
    """A valid PNG header announcing ``side`` x ``side`` pixels (10 gigapixels), with one
    tiny compressed row: a decoder that believed it would allocate 40 GB."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


def broken_png() -> bytes:
    """A PNG signature followed by garbage."""
    return b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def write(path: Path, data: bytes) -> str:
    path.write_bytes(data)
    return str(path)


def drop_on(widget: QWidget, mime: QMimeData) -> bool:
    """Drag ``mime`` over ``widget`` and drop it (its FileDrops filter gets the events as
    QApplication would hand them over during a drag; it delivers drops only then). True
    when both the drag and the drop were accepted."""
    [drops] = widget.findChildren(FileDrops)
    pos = QPointF(5, 5)
    enter = QDragEnterEvent(pos.toPoint(), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    enter.ignore()
    drops.eventFilter(widget, enter)
    if not enter.isAccepted():
        return False
    drop = QDropEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    drop.ignore()
    drops.eventFilter(widget, drop)
    return drop.isAccepted()
