"""Light and dark palettes, the QSS, and following the system's scheme."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from crisp_console.ui import theme
from crisp_console.ui.theme import Scheme, Theme


def luminance(pal: QPalette, role: QPalette.ColorRole) -> float:
    return pal.color(role).lightnessF()


def test_palettes_have_readable_contrast() -> None:
    for scheme in Scheme:
        pal = theme.palette(scheme)
        text = luminance(pal, QPalette.ColorRole.Text)
        base = luminance(pal, QPalette.ColorRole.Base)
        assert abs(text - base) > 0.6, scheme
    assert luminance(theme.palette(Scheme.DARK), QPalette.ColorRole.Window) < 0.2
    assert luminance(theme.palette(Scheme.LIGHT), QPalette.ColorRole.Window) > 0.9


def test_style_sheet_comes_from_resources() -> None:
    sheet = theme.style_sheet()
    assert "palette(highlight)" in sheet
    assert theme.STYLE_SHEET.is_file()


def test_theme_follows_the_system_unless_forced(qapp: QApplication) -> None:
    original_palette, original_sheet = qapp.palette(), qapp.styleSheet()
    original_style = qapp.style().name()
    try:
        followed = Theme(qapp)
        followed._system_changed(Qt.ColorScheme.Dark)  # noqa: SLF001 - the OS signal
        assert followed.scheme is Scheme.DARK
        assert luminance(qapp.palette(), QPalette.ColorRole.Window) < 0.2
        followed._system_changed(Qt.ColorScheme.Light)  # noqa: SLF001
        assert followed.scheme is Scheme.LIGHT
        forced = Theme(qapp, forced=Scheme.DARK)
        forced._system_changed(Qt.ColorScheme.Light)  # noqa: SLF001
        assert forced.scheme is Scheme.DARK
        assert "palette(mid)" in qapp.styleSheet()
    finally:
        qapp.setStyle(original_style)
        qapp.setPalette(original_palette)
        qapp.setStyleSheet(original_sheet)
