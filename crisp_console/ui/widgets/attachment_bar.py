"""The composer's upload strip: one row per file being sent (after Enter: the tray above the
reply box holds them before), with its progress, and the files that failed or were refused,
with the reason and a dismiss button. Hidden when empty.

Rows belong to the conversation the file was attached in: switching conversations shows that
conversation's rows only, so an upload never appears to go to the wrong visitor, while its
progress and outcome are still tracked (and shown on return).
"""

from __future__ import annotations

import stat
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QBuffer, QEvent, QIODevice, QMimeDatabase, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from crisp_console.present.attachments import (
    DEFAULT_LIMIT,
    LIMITS,
    file_size,
    size_limit,
    too_large,
    unique_name,
)
from crisp_console.present.plain import tooltip_html

MAX_ATTACHMENT_BYTES = max(DEFAULT_LIMIT, *LIMITS.values())  # no file larger is read at all
PROGRESS_WIDTH = 140
PASTED_IMAGE_NAME = "pasted-image.png"


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file ready to upload (read from disk, pasted or dropped)."""

    name: str
    mime: str
    data: bytes = field(repr=False)


def read_attachment(path: Path) -> Attachment | str:
    """The file at ``path`` ready to upload, or why it cannot be (said to the operator):
    unreadable, a folder, or over Crisp's limit for its type (checked on the size on disk
    before reading, then on the type its bytes show)."""
    try:
        info = path.stat()
    except OSError as exc:
        return f"Cannot be read ({exc.strerror or exc})"
    if stat.S_ISDIR(info.st_mode):
        return "A folder: attach the files inside it"
    database = QMimeDatabase()
    by_name = database.mimeTypeForFile(str(path), QMimeDatabase.MatchMode.MatchExtension).name()
    if info.st_size > size_limit(by_name):
        return too_large(info.st_size, size_limit(by_name))
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_ATTACHMENT_BYTES + 1)  # never more, if it grew meanwhile
    except OSError as exc:
        return f"Cannot be read ({exc.strerror or exc})"
    mime = database.mimeTypeForFileNameAndData(path.name, data).name() \
        or "application/octet-stream"
    if len(data) > size_limit(mime):
        return too_large(len(data), size_limit(mime))
    return Attachment(path.name, mime, data)


def image_attachment(image: QImage, name: str = PASTED_IMAGE_NAME) -> Attachment | str:
    """A pasted image as PNG bytes, or why it cannot be sent."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # PySide6 wants a str format at run time; its stubs say bytes.
    if not image.save(buffer, "PNG"):  # type: ignore[call-overload]
        return "Could not be converted to PNG"
    data = bytes(buffer.data().data())
    if len(data) > size_limit("image/png"):
        return too_large(len(data), size_limit("image/png"))
    return Attachment(name, "image/png", data)


@dataclass
class _Row:
    name: str
    session: str | None
    size: int
    widget: QWidget
    status: QLabel
    progress: QProgressBar
    dismiss: QToolButton
    error: str | None = None


class AttachmentBar(QWidget):
    """Signals:
        dismissed(str): the operator dismissed the row of this file name.
    """

    dismissed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attachmentBar")
        self._rows: dict[str, _Row] = {}
        self._session: str | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 2, 0, 2)
        self._layout.setSpacing(2)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.hide()

    # -- queries --

    def names(self, *, everywhere: bool = False) -> list[str]:
        """File names shown (of every conversation with ``everywhere``)."""
        return [n for n, r in self._rows.items() if everywhere or r.session == self._session]

    def state(self, name: str) -> tuple[str, int, int, str | None] | None:
        """("waiting"|"uploading"|"failed", done, total, error) of a row, for tests and tools."""
        row = self._rows.get(name)
        if row is None:
            return None
        if row.error is not None:
            return "failed", 0, 0, row.error
        bar = row.progress
        waiting = bar.maximum() == 0  # the busy indicator
        if waiting:
            return "waiting", 0, 0, None
        return "uploading", bar.value(), bar.maximum(), None

    def unique_name(self, name: str) -> str:
        """``name``, or ``name (2).ext`` when a row already uses it (rows are keyed by name)."""
        return unique_name(name, set(self._rows))

    # -- changes --

    def show_session(self, session_id: str | None) -> None:
        self._session = session_id
        for row in self._rows.values():
            row.widget.setVisible(row.session == session_id)
        self._update_visibility()

    def add_pending(self, name: str, size: int, session_id: str | None) -> None:
        """A file handed over for upload; it waits for its first progress report."""
        row = self._row(name, size, session_id)
        row.progress.setRange(0, 0)  # busy until the uploader reports
        row.status.setText(file_size(size))

    def set_progress(self, name: str, done: int, total: int) -> None:
        row = self._rows.get(name) or self._row(name, total, self._session)
        if row.error is not None:
            return
        if total <= 0:
            row.progress.setRange(0, 0)
            row.status.setText("waiting…")
            return
        # QProgressBar takes an int; scale big files to stay in range.
        scale = max(1, total // 2**30)
        row.progress.setRange(0, total // scale)
        row.progress.setValue(min(done, total) // scale)
        row.status.setText(f"{file_size(min(done, total))} of {file_size(total)}")

    def finish(self, name: str, error: str | None = None) -> None:
        """Upload over: a success removes the row (the file shows in the thread), a failure
        keeps it with the reason until dismissed."""
        if error is None:
            self.remove(name)
            return
        row = self._rows.get(name) or self._row(name, 0, self._session)
        self._fail(row, error)

    def add_error(self, name: str, message: str, session_id: str | None) -> None:
        """A file that was not accepted (too large, unreadable): shown with the reason."""
        self._fail(self._row(self.unique_name(name), 0, session_id), message)

    def remove(self, name: str) -> None:
        row = self._rows.pop(name, None)
        if row is not None:
            self._layout.removeWidget(row.widget)
            row.widget.deleteLater()
            self._update_visibility()

    def clear_errors(self) -> None:
        for name in [n for n, r in self._rows.items()
                     if r.error is not None and r.session == self._session]:
            self.remove(name)

    # -- internals --

    def _row(self, name: str, size: int, session_id: str | None) -> _Row:
        existing = self._rows.get(name)
        if existing is not None:
            self.remove(name)
        widget = QWidget(self)
        layout = QHBoxLayout(widget)
        layout.setContentsMargins(6, 0, 2, 0)
        title = QLabel(widget)
        title.setTextFormat(Qt.TextFormat.PlainText)
        title.setText(name)
        title.setToolTip(tooltip_html(name))
        title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        font = QFont()  # the weight only: the size follows the bar's, whatever it becomes
        font.setBold(True)
        title.setFont(font)
        status = QLabel(widget)
        status.setTextFormat(Qt.TextFormat.PlainText)
        progress = QProgressBar(widget)
        progress.setTextVisible(False)
        progress.setFixedWidth(PROGRESS_WIDTH)
        progress.setMaximumHeight(8)
        dismiss = QToolButton(widget)
        dismiss.setText("✕")
        dismiss.setAutoRaise(True)
        dismiss.setToolTip("Dismiss")
        dismiss.setAccessibleName(f"Dismiss {name}")
        dismiss.clicked.connect(lambda: self._dismiss(name))
        dismiss.hide()
        layout.addWidget(title, 1)
        layout.addWidget(status)
        layout.addWidget(progress)
        layout.addWidget(dismiss)
        row = _Row(name, session_id, size, widget, status, progress, dismiss)
        self._rows[name] = row
        self._layout.addWidget(widget)
        widget.setVisible(session_id == self._session)
        self._update_visibility()
        return row

    def _fail(self, row: _Row, message: str) -> None:
        row.error = message
        row.progress.hide()
        row.status.setText(message)
        row.status.setToolTip(tooltip_html(message))  # may quote the server
        row.status.setWordWrap(True)
        layout = row.widget.layout()
        if isinstance(layout, QHBoxLayout):  # the reason gets the room the progress had
            layout.setStretchFactor(row.status, 2)
        self._colour_error(row)
        row.dismiss.show()

    def _colour_error(self, row: _Row) -> None:
        row.status.setStyleSheet(f"color: {error_colour(self.palette()).name()};")

    def _dismiss(self, name: str) -> None:
        self.remove(name)
        self.dismissed.emit(name)

    def _update_visibility(self) -> None:
        self.setVisible(any(r.session == self._session for r in self._rows.values()))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            for row in self._rows.values():
                if row.error is not None:
                    self._colour_error(row)
        super().changeEvent(event)


def error_colour(palette: QPalette) -> QColor:
    dark = palette.color(QPalette.ColorRole.Window).lightness() < 128
    return QColor("#ff7b72" if dark else "#c5221f")
