"""Files and images dropped on a widget (the composer, the thread) go to the composer's tray.

An event filter, so the widget needs no drag-and-drop code of its own: it accepts a drag
that carries local files or an image while ``enabled()``, and hands the drop over. Pasted or
dropped text is never taken here (the reply box inserts it as plain text itself).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QMimeData, QObject
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QImage, QPixmap
from PySide6.QtWidgets import QWidget

from crisp_console.ui.widgets.reply_edit import local_files


def dropped_image(source: QMimeData) -> QImage | None:
    if not source.hasImage():
        return None
    image = source.imageData()
    if isinstance(image, QPixmap):
        image = image.toImage()
    return image if isinstance(image, QImage) and not image.isNull() else None


class FileDrops(QObject):
    """Drops on ``widget`` (a scroll area's viewport for a view) call ``files(paths)`` or
    ``image(image)``. Lives as long as the widget (its child)."""

    def __init__(self, widget: QWidget, files: Callable[[list[str]], None],
                 image: Callable[[QImage], None], enabled: Callable[[], bool]) -> None:
        super().__init__(widget)
        self._files, self._image, self._enabled = files, image, enabled
        widget.setAcceptDrops(True)
        widget.installEventFilter(self)

    def _wanted(self, source: QMimeData | None) -> bool:
        return source is not None and self._enabled() and (
            bool(local_files(source)) or dropped_image(source) is not None)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(event, QDragEnterEvent | QDragMoveEvent) \
                and self._wanted(event.mimeData()):
            event.acceptProposedAction()
            return True
        if isinstance(event, QDropEvent) and event.type() == QEvent.Type.Drop \
                and self._wanted(event.mimeData()):
            event.acceptProposedAction()
            source = event.mimeData()
            paths = local_files(source)
            if paths:
                self._files(paths)
            else:
                image = dropped_image(source)
                if image is not None:
                    self._image(image)
            return True
        return super().eventFilter(watched, event)
