"""Help → About, built when first asked for (app.py)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from crisp_console.ui.widgets.about_dialog import AboutDialog


class AboutOnDemand:
    """Help → About, its dialog built (and its module imported) when first asked for: not
    on the first frame's path."""

    def __init__(self, window: QWidget, log_folder: Path) -> None:
        self._window, self._log_folder = window, log_folder
        self._dialog: AboutDialog | None = None

    def open(self) -> None:
        if self._dialog is None:
            from crisp_console.ui.widgets.about_dialog import AboutDialog

            self._dialog = AboutDialog(self._window, log_folder=self._log_folder)
        self._dialog.open()
