"""The top-level window's native background is the theme's window colour (X11).

Qt creates its X windows without a background (``XCB_BACK_PIXMAP_NONE``), so from the moment
a window is mapped until Qt's first paint reaches the X server (the rest of the start-up, an
event-loop turn, the expose round trip and painting every pane: 15 to 35 ms here, more on a
slow machine), the X server shows what was under it and a compositor shows black: the black
frame at start. The same happens in the strip a resize uncovers before the repaint.

X can fill a newly visible area itself with a window's background pixel, before the client
paints. So the window gets the palette's Window colour as its background pixel: the first
frame on screen is the themed window's colour, then its contents. It follows palette changes
(the light and dark schemes).

Qt has no API for it; the X11 connection is Qt's own (``QNativeInterface.QX11Application``)
and the one call is libxcb's ``xcb_change_window_attributes``, through ctypes. On any other
platform (Wayland shows nothing before the first frame; offscreen; Windows and macOS) this
does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
from functools import cache

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QColor, QGuiApplication, QNativeInterface, QPalette
from PySide6.QtWidgets import QWidget

log = logging.getLogger("crisp_console.ui")

XCB_CW_BACK_PIXEL = 2  # xproto.h: xcb_cw_t
_FOLLOW = (QEvent.Type.WinIdChange, QEvent.Type.PaletteChange,
           QEvent.Type.ApplicationPaletteChange, QEvent.Type.Show)


@cache
def _libxcb() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("xcb") or "libxcb.so.1"
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        return None
    lib.xcb_change_window_attributes.argtypes = [ctypes.c_void_p, ctypes.c_uint32,
                                                 ctypes.c_uint32,
                                                 ctypes.POINTER(ctypes.c_uint32)]
    lib.xcb_change_window_attributes.restype = ctypes.c_uint32  # xcb_void_cookie_t
    lib.xcb_flush.argtypes = [ctypes.c_void_p]
    lib.xcb_flush.restype = ctypes.c_int
    return lib


def x11_connection() -> int | None:
    """Qt's xcb connection, when the app runs on X11."""
    app = QGuiApplication.instance()
    if not isinstance(app, QGuiApplication) or QGuiApplication.platformName() != "xcb":
        return None
    native = app.nativeInterface()
    if not isinstance(native, QNativeInterface.QX11Application):
        return None
    connection = native.connection()
    return int(connection) if connection else None


def pixel_of(colour: QColor, alpha: bool) -> int:
    """The pixel value of ``colour`` in a 24-bit TrueColor visual (Qt's on X11), with full
    alpha in a 32-bit ARGB one."""
    rgb = colour.rgb() & 0xFFFFFF
    return rgb | 0xFF000000 if alpha else rgb


def set_native_background(window: QWidget, colour: QColor) -> bool:
    """Give ``window``'s X window ``colour`` as its background; False where there is no X11
    (nothing done)."""
    connection = x11_connection()
    lib = _libxcb() if connection is not None else None
    if connection is None or lib is None:
        return False
    handle = window.windowHandle()
    alpha = handle is not None and handle.format().alphaBufferSize() > 0
    value = (ctypes.c_uint32 * 1)(pixel_of(colour, alpha))
    lib.xcb_change_window_attributes(connection, int(window.winId()), XCB_CW_BACK_PIXEL,
                                     value)
    lib.xcb_flush(connection)
    return True


class NativeBackground(QObject):
    """Keeps a top-level window's native background at its palette's Window colour: call
    before ``show()`` (it creates the native window to set it)."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self.applied = self.apply()
        window.installEventFilter(self)

    def apply(self) -> bool:
        colour = self._window.palette().color(QPalette.ColorRole.Window)
        try:
            return set_native_background(self._window, colour)
        except (OSError, ValueError, TypeError) as exc:  # a broken libxcb: keep the default
            log.warning("native window background not set: %s", exc)
            return False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and event.type() in _FOLLOW:
            self.applied = self.apply()
        return False
