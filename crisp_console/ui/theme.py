"""Light and dark palettes that follow the system's colour scheme, the app's QSS, and the
application font (Preferences → Font size).

Widgets and delegates take every colour from the palette, so switching the palette is all a
scheme change needs. The style sheet in resources/qss uses ``palette(role)`` for the same reason.
Sizes work the same way: delegates measure with the view's font and widgets derive their
smaller or bolder fonts from their own (ui/fonts.py), so setting the application font is all a
size change needs, as long as the style sheet is set again after it (``apply``).
"""

from __future__ import annotations

import logging
from enum import Enum
from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

log = logging.getLogger("crisp_console.ui")

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
STYLE_SHEET = RESOURCES / "qss" / "console.qss"


class Scheme(Enum):
    LIGHT = "light"
    DARK = "dark"


Role = QPalette.ColorRole

# Each role's colour in the light and in the dark scheme, side by side.
_COLOURS: dict[QPalette.ColorRole, tuple[str, str]] = {
    Role.Window: ("#f4f5f7", "#1e2024"),
    Role.WindowText: ("#1c1e21", "#e6e8eb"),
    Role.Base: ("#ffffff", "#16181b"),
    Role.AlternateBase: ("#f0f2f5", "#23262b"),
    Role.Text: ("#1c1e21", "#e6e8eb"),
    Role.Button: ("#eceef1", "#2a2d33"),
    Role.ButtonText: ("#1c1e21", "#e6e8eb"),
    Role.Highlight: ("#1972f5", "#3d8bff"),
    Role.HighlightedText: ("#ffffff", "#ffffff"),
    Role.ToolTipBase: ("#ffffff", "#2a2d33"),
    Role.ToolTipText: ("#1c1e21", "#e6e8eb"),
    Role.PlaceholderText: ("#8a8f98", "#80868f"),
    Role.Link: ("#0b5cd6", "#7fb2ff"),
    Role.Mid: ("#c9ced6", "#3a3e45"),
    Role.Dark: ("#9aa1ab", "#0f1012"),
    Role.Light: ("#ffffff", "#4a4f57"),
}
_DISABLED_TEXT = ("#a0a5ad", "#6b7079")


def palette(scheme: Scheme) -> QPalette:
    which = 1 if scheme is Scheme.DARK else 0  # the column of _COLOURS
    pal = QPalette()
    for role, colours in _COLOURS.items():
        pal.setColor(role, QColor(colours[which]))
    disabled = QColor(_DISABLED_TEXT[which])
    for role in (Role.Text, Role.WindowText, Role.ButtonText):
        pal.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return pal


def system_scheme() -> Scheme:
    hints = QGuiApplication.styleHints()
    return Scheme.DARK if hints.colorScheme() == Qt.ColorScheme.Dark else Scheme.LIGHT


def style_sheet() -> str:
    try:
        return STYLE_SHEET.read_text(encoding="utf-8")
    except OSError as exc:  # a missing sheet leaves the default look; never a crash
        log.warning("style sheet not loaded: %s", exc)
        return ""


class Theme(QObject):
    """Applies a scheme to the application, and follows the system's unless one is forced."""

    def __init__(self, app: QApplication, forced: Scheme | None = None) -> None:
        super().__init__(app)
        self._app = app
        self.forced = forced
        self.scheme = forced or system_scheme()
        self._applied = False
        app.setStyle("Fusion")  # the one built-in style that honours a custom palette fully
        # Never empty: a font or palette change reaches widgets with a sheet of their own only
        # by setting the application's sheet again (apply), which does nothing when it is "".
        app.setStyleSheet(style_sheet() or "QWidget {}")
        self.apply(self.scheme)
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._system_changed)

    def apply(self, scheme: Scheme, font: QFont | None = None) -> None:
        """Switch to ``scheme`` and, when given, the application ``font``; nothing to do
        when both are in force already (setting the sheet again re-polishes every widget:
        the start-up's preferences ask for the scheme the app started with)."""
        font_changes = font is not None and font != self._app.font()
        if self._applied and scheme is self.scheme and not font_changes:
            return
        self._applied = True
        self.scheme = scheme
        self._app.setPalette(palette(scheme))
        if font is not None and font_changes:
            self._app.setFont(font)
        # With a style sheet, a new palette or font does not reach existing widgets until the
        # sheet is set again: their style-sheet palettes and fonts were resolved already (a
        # new application font alone changes no widget). So the sheet is set last, once.
        self._app.setStyleSheet(self._app.styleSheet())

    def _system_changed(self, scheme: Qt.ColorScheme) -> None:
        if self.forced is None:
            self.apply(Scheme.DARK if scheme == Qt.ColorScheme.Dark else Scheme.LIGHT)
