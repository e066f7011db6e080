"""The QTextDocument every bubble lays its HTML out in (present/richtext.py builds that HTML).

``SafeDocument`` refuses to load any resource (remote or local), so even markup that slipped
through ``safe_html`` could not fetch anything.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QTextDocument, QTextOption

log = logging.getLogger("crisp_console.ui")


class SafeDocument(QTextDocument):
    """A QTextDocument that loads no resource at all: no images, no style sheets, local or
    remote. Bubbles never need one (media are painted as placeholders by the delegate)."""

    def __init__(self) -> None:
        super().__init__()
        self.setUndoRedoEnabled(False)
        self.setDocumentMargin(0)
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.setDefaultTextOption(option)

    def loadResource(self, type: int, name: QUrl | str) -> Any:
        shown = name.toString() if isinstance(name, QUrl) else str(name)
        log.debug("refused to load a document resource: %s", shown[:200])
        return None
