"""The tray above the reply box: the files the next Enter sends, each with a preview (a
thumbnail of an image, decoded here from the local bytes; else a card with an icon by type),
its name and size, and a remove button. Nothing is uploaded before Enter.

Files come from the attach dialog (Ctrl+O), a paste (an image, or files copied in a file
manager) and a drop (on the reply box or the thread). Each conversation has its own tray
(models/attachments.py), kept when switching, like the drafts. At most ``MAX_TRAY_FILES``
go with one Enter; a file over Crisp's limit for its type, unreadable or a folder is refused
at once, saying why (``refused``: the composer shows it in its upload strip).

Keys, once the tray has the focus (Shift+Tab from the reply box): ←/→ move between files,
Delete or Backspace removes the one selected, Esc or Enter goes back to the reply box.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QImage, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFrame,
    QLabel,
    QListView,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from crisp_console.present.attachments import (
    MAX_TRAY_FILES,
    PREVIEWABLE,
    over_the_cap,
    tray_title,
    unique_name,
)
from crisp_console.ui.delegates.attachment_card import AttachmentCardDelegate, tile_size
from crisp_console.ui.media import Thumbnails, screen_scale
from crisp_console.ui.models.attachments import CARD, LOADING, AttachmentTrayModel, Pending
from crisp_console.ui.widgets.attachment_bar import (
    PASTED_IMAGE_NAME,
    Attachment,
    image_attachment,
    read_attachment,
)
from crisp_console.ui.widgets.layouts import column, row

SPACING = 4
THUMB_SCALE = 3  # thumbnails decoded at 3x the tile's square: sharp after the crop


class AttachmentTray(QWidget):
    """Signals:
        changed: the shown conversation's files changed (added, removed, taken).
        refused(str, str, str): a file's name, why it was not added, its conversation.
        leave_requested: Esc or Enter in the tray, its last file removed by key, or the
            attach dialog closed: the reply box takes the focus back.

    Attributes:
        model: every conversation's files; ``view``: the tiles (the tray's focus).
    """

    changed = Signal()
    refused = Signal(str, str, str)
    leave_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attachmentTray")
        self._note = False
        self._dialog: QFileDialog | None = None
        self.model = AttachmentTrayModel(self)
        self.title = QLabel(self)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setObjectName("attachmentTrayTitle")
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.clear_button = QToolButton(self)
        self.clear_button.setText("Remove all")
        self.clear_button.setAutoRaise(True)
        self.clear_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys: Delete on each file
        self.clear_button.clicked.connect(self.clear)
        self.delegate = AttachmentCardDelegate(self)
        self.delegate.remove_clicked.connect(self._remove_row)
        self.view = self._view()
        box = tile_size(self.fontMetrics())
        self._thumbs = Thumbnails(QSize(box.height(), box.height()) * THUMB_SCALE
                                  * min(screen_scale(), 2.0), parent=self)
        self._thumbs.ready.connect(self.model.set_preview)
        column(self, row(None, (self.title, 1), self.clear_button, spacing=4),
               self.view, margins=(0, 0, 0, 2), spacing=2)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        for signal in (self.model.rowsInserted, self.model.rowsRemoved, self.model.modelReset):
            signal.connect(self._update)
        # The newest file is the selected one: Shift+Tab then Delete undoes the last add.
        self.model.rowsInserted.connect(self._select_last)
        self.model.modelReset.connect(self._select_last)
        self._update()

    def _view(self) -> QListView:
        view = QListView(self)
        view.setObjectName("attachmentTrayView")
        view.setAccessibleName("Files to send")
        view.setModel(self.model)
        view.setItemDelegate(self.delegate)
        view.setFlow(QListView.Flow.LeftToRight)  # one row: the reply box keeps its height
        view.setWrapping(False)
        view.setUniformItemSizes(True)
        view.setSpacing(SPACING)
        view.setFrameShape(QFrame.Shape.NoFrame)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        view.setMouseTracking(True)
        view.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        view.viewport().setAutoFillBackground(False)
        view.installEventFilter(self)
        view.viewport().installEventFilter(self)
        return view

    # ---- queries -------------------------------------------------------------------------

    def count(self) -> int:
        """Files waiting in the shown conversation's tray."""
        return self.model.rowCount()

    def names(self, session_id: str | None = None) -> list[str]:
        return [p.name for p in self.model.items(session_id)]

    def previews(self) -> list[str]:
        """What each tile shows: "image", "card" or "loading" (for tests and tools)."""
        return [p.preview for p in self.model.items()]

    # ---- intake --------------------------------------------------------------------------

    def open_dialog(self, parent: QWidget, session_id: str) -> None:
        """The file dialog (window-modal, opened with open(): no nested event loop), one at
        a time; the files chosen join ``session_id``'s tray."""
        if self._dialog is not None:
            self._dialog.raise_()
            return
        dialog = QFileDialog(parent, "Attach files")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.filesSelected.connect(lambda paths: self.add_files(paths, session_id))
        dialog.finished.connect(self._dialog_closed)
        self._dialog = dialog
        dialog.open()

    def _dialog_closed(self) -> None:
        self._dialog = None
        self.window().activateWindow()  # where the platform leaves no window active
        self.leave_requested.emit()  # chosen or not, the caption is typed next

    def add_files(self, paths: Sequence[str], session_id: str) -> None:
        """Local files (dialog, paste, drop) into ``session_id``'s tray; the ones refused
        are told with ``refused``."""
        ready: list[Attachment] = []
        for path in paths:
            result = read_attachment(Path(path))
            if isinstance(result, str):
                self.refused.emit(Path(path).name or path, result, session_id)
            else:
                ready.append(result)
        self._admit(ready, session_id)

    def add_image(self, image: QImage, session_id: str) -> None:
        """A pasted or dropped image, as ``pasted-image.png``."""
        result = image_attachment(image)
        if isinstance(result, str):
            self.refused.emit(PASTED_IMAGE_NAME, result, session_id)
        else:
            self._admit([result], session_id)

    def _admit(self, files: list[Attachment], session_id: str) -> None:
        taken = set(self.names(session_id))
        room = MAX_TRAY_FILES - len(taken)
        if len(files) > room:
            left_out = files[max(room, 0):]
            self.refused.emit(left_out[0].name, over_the_cap(len(left_out)), session_id)
            files = files[:max(room, 0)]
        pending: list[Pending] = []
        for file in files:
            name = unique_name(file.name, taken)
            taken.add(name)
            previewable = file.mime.lower() in PREVIEWABLE
            pending.append(Pending(name, file.mime, file.data,
                                   preview=LOADING if previewable else CARD))
        self.model.add(session_id, pending)
        for item in pending:
            if item.preview == LOADING:
                self._thumbs.start(item.key, item.data)

    # ---- changes -------------------------------------------------------------------------

    def show_session(self, session_id: str | None) -> None:
        self.model.show_session(session_id)

    def set_note(self, note: bool) -> None:
        """Note mode: the title says files do not go with a note."""
        if note != self._note:
            self._note = note
            self._update_title()

    def take(self, session_id: str) -> list[Attachment]:
        """``session_id``'s files, to send now: its tray empties."""
        return [Attachment(p.name, p.mime, p.data) for p in self.model.take(session_id)]

    def clear(self) -> None:
        """Remove every file of the shown conversation (nothing was uploaded)."""
        sid = self.model.session()
        if sid is not None:
            self.model.take(sid)

    def remove_selected(self) -> bool:
        """Remove the file selected in the view; the selection moves to the next one."""
        current = self.view.currentIndex()
        item = self.model.item_at(current.row()) if current.isValid() else None
        if item is None:
            return False
        row_ = current.row()
        self.model.remove(item.key)
        if self.count():
            self.view.setCurrentIndex(self.model.index(min(row_, self.count() - 1)))
        return True

    def focus_files(self) -> None:
        """Give the tray the focus, on its last file."""
        if self.count():
            self.view.setCurrentIndex(self.model.index(self.count() - 1))
            self.view.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _remove_row(self, row_: int) -> None:
        item = self.model.item_at(row_)
        if item is not None:
            self.model.remove(item.key)

    def _update(self) -> None:
        count = self.count()
        self.setVisible(count > 0)
        self._update_title()
        self._fit()
        self.changed.emit()

    def _select_last(self) -> None:
        if self.count():
            self.view.setCurrentIndex(self.model.index(self.count() - 1))

    def _update_title(self) -> None:
        self.title.setText(tray_title(self.count(), note=self._note))

    def _fit(self) -> None:
        """One row of tiles tall, and its scroll bar when they do not all fit."""
        tile = tile_size(self.view.fontMetrics())
        needed = self.count() * (tile.width() + 2 * SPACING)
        bar = self.view.horizontalScrollBar().sizeHint().height() \
            if needed > self.view.width() - 2 * self.view.frameWidth() else 0
        self.view.setFixedHeight(tile.height() + 2 * SPACING + bar
                                 + 2 * self.view.frameWidth())

    # ---- Qt overrides --------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.view and event.type() == QEvent.Type.KeyPress \
                and isinstance(event, QKeyEvent) \
                and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            key = event.key()
            if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
                if self.remove_selected() and not self.count():
                    self.leave_requested.emit()
                return True
            if key in (Qt.Key.Key_Escape, Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.leave_requested.emit()
                return True
        elif watched is self.view.viewport() and event.type() == QEvent.Type.Leave:
            self.delegate.leave()
            self.view.viewport().update()
        elif watched is self.view and event.type() in (QEvent.Type.Resize,
                                                       QEvent.Type.FontChange):
            self._fit()  # the tiles' size follows the font
        return super().eventFilter(watched, event)
