"""The crash dialog: something went wrong, here is the (redacted) report, open its folder.

``crisp_console.crash`` writes the report and calls ``on_crash(path)`` from whichever thread
crashed; ``CrashNotifier`` is that callback: it hops to the GUI thread through a queued signal
and shows one ``CrashDialog`` with open() (never exec(): no nested event loop). A second crash
while the dialog is up updates it rather than stacking dialogs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from crisp_console.ui.fonts import RelativeFonts

UrlOpener = Callable[[QUrl], bool]


def open_log_folder(folder: Path, open_url: UrlOpener | None = None) -> bool:
    """Show ``folder`` in the platform's file manager (Help → Open log folder uses it too)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)  # nothing logged yet: still show the place
    except OSError:
        return False
    opener = open_url or QDesktopServices.openUrl
    return bool(opener(QUrl.fromLocalFile(str(folder))))


class CrashDialog(QDialog):
    """Says a report was written, shows its path; "Open log folder", "Copy report", Close."""

    def __init__(self, report: Path, parent: QWidget | None = None, *,
                 open_url: UrlOpener | None = None) -> None:
        super().__init__(parent)
        self._open_url = open_url
        self._reports: list[Path] = []
        self.setWindowTitle("Crisp Console: unexpected error")
        icon = QLabel(self)
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_MessageBoxIconSize)
        icon.setPixmap(self.style().standardIcon(
            QStyle.StandardPixmap.SP_MessageBoxCritical).pixmap(size, size))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.heading = QLabel("Something went wrong inside the console.", self)
        self._fonts = RelativeFonts(self)
        self._fonts.set(self.heading, bold=True)
        explanation = QLabel(
            "The console is still running, but the part that failed may not work until you "
            "restart it. A report was saved; it contains no key or password, and you can send "
            "it with your bug report.", self)
        explanation.setWordWrap(True)
        self.path_label = QLabel(self)
        self.path_label.setTextFormat(Qt.TextFormat.PlainText)
        self.path_label.setWordWrap(True)
        self.path_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.status = QLabel(self)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.status.hide()

        buttons = QDialogButtonBox(self)
        self.open_folder_button = QPushButton("&Open log folder", self)
        self.copy_button = QPushButton("&Copy report", self)
        buttons.addButton(self.open_folder_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setDefault(True)
        buttons.rejected.connect(self.reject)
        self.open_folder_button.clicked.connect(self.open_log_folder)
        self.copy_button.clicked.connect(self.copy_report)

        text = QVBoxLayout()
        text.addWidget(self.heading)
        text.addWidget(explanation)
        text.addWidget(self.path_label)
        text.addWidget(self.status)
        top = QHBoxLayout()
        top.addWidget(icon)
        top.addLayout(text, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)
        self.add_report(report)
        close.setFocus()

    @property
    def report_path(self) -> Path:
        """The latest report."""
        return self._reports[-1]

    @property
    def reports(self) -> list[Path]:
        return list(self._reports)

    def add_report(self, report: Path) -> None:
        """Another crash while the dialog is open: point at the newest report."""
        self._reports.append(report)
        more = len(self._reports) - 1
        suffix = f"\n({more} earlier report{'s' if more > 1 else ''} in the same folder)" \
            if more else ""
        self.path_label.setText(f"Report: {report}{suffix}")
        self.adjustSize()

    def open_log_folder(self) -> bool:
        ok = open_log_folder(self.report_path.parent, self._open_url)
        if not ok:
            self._say(f"Could not open {self.report_path.parent}; the path above can be "
                      "copied.")
        return ok

    def copy_report(self) -> bool:
        """Put the report's text (already redacted when written) on the clipboard."""
        try:
            text = self.report_path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            self._say(f"Could not read the report: {exc.strerror or exc}")
            return False
        QGuiApplication.clipboard().setText(text)
        self._say("The report was copied to the clipboard.")
        return True

    def _say(self, text: str) -> None:
        self.status.setText(text)
        self.status.show()
        self.adjustSize()  # room for the new line: word-wrapped labels do not grow the dialog


class CrashNotifier(QObject):
    """The ``on_crash`` callback for ``install_excepthook``: thread-safe, one dialog at a time.

    Create it in the GUI thread; calling it from any thread queues the dialog onto the GUI
    thread (a signal emitted elsewhere is delivered through the receiver's event loop).
    """

    crashed = Signal(object)  # Path

    def __init__(self, window: QWidget | None = None, *,
                 open_url: UrlOpener | None = None) -> None:
        super().__init__(window)
        self._window = window
        self._open_url = open_url
        self.dialog: CrashDialog | None = None
        self.crashed.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def __call__(self, report: Path) -> None:
        self.crashed.emit(report)

    def _show(self, report: object) -> None:
        path = Path(str(report))
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.add_report(path)
            self.dialog.activateWindow()
            return
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = CrashDialog(path, self._window, open_url=self._open_url)
        self.dialog.open()
