"""What the screen shows while the console starts: a black frame or the themed window?

Run under an X server whose root window is black (``xvfb-run -s "-screen 0 1440x900x24 -br"``):
an X window with no background shows what was under it, so an unpainted console window is
black there, as a compositor shows it. This starts ``crisp-console ARGS`` (for example
``--demo --quit-after 4``), watches the root window's children with Xlib (ctypes, no
dependency) and, every millisecond, samples a grid of the new top-level window's pixels.
It prints when the window was mapped, when it first showed anything other than black, what
colour that first frame was, and how long it stayed black:

    python scripts/first_frame.py --demo --quit-after 4

A benchmark prints figures; it asserts nothing (docs: architecture.md, "Habits").
"""

from __future__ import annotations

import ctypes
import ctypes.util
import subprocess
import sys
import time
from collections.abc import Iterator

GRID = 8  # samples per side of the window
WATCH_S = 1.5  # how long after mapping the window is watched
MAX_LINES = 30
ALL_PLANES = ctypes.c_ulong(-1).value
Z_PIXMAP = 2
IS_VIEWABLE = 2


class WindowAttributes(ctypes.Structure):
    _fields_ = [("x", ctypes.c_int), ("y", ctypes.c_int), ("width", ctypes.c_int),
                ("height", ctypes.c_int), ("border_width", ctypes.c_int),
                ("depth", ctypes.c_int), ("visual", ctypes.c_void_p),
                ("root", ctypes.c_ulong), ("class_", ctypes.c_int),
                ("bit_gravity", ctypes.c_int), ("win_gravity", ctypes.c_int),
                ("backing_store", ctypes.c_int), ("backing_planes", ctypes.c_ulong),
                ("backing_pixel", ctypes.c_ulong), ("save_under", ctypes.c_int),
                ("colormap", ctypes.c_ulong), ("map_installed", ctypes.c_int),
                ("map_state", ctypes.c_int), ("all_event_masks", ctypes.c_long),
                ("your_event_mask", ctypes.c_long),
                ("do_not_propagate_mask", ctypes.c_long),
                ("override_redirect", ctypes.c_int), ("screen", ctypes.c_void_p)]


def xlib() -> ctypes.CDLL:
    lib = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
    lib.XOpenDisplay.restype = ctypes.c_void_p
    lib.XOpenDisplay.argtypes = [ctypes.c_char_p]
    lib.XDefaultRootWindow.restype = ctypes.c_ulong
    lib.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
    lib.XQueryTree.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(ctypes.c_ulong),
                               ctypes.POINTER(ctypes.c_ulong),
                               ctypes.POINTER(ctypes.POINTER(ctypes.c_ulong)),
                               ctypes.POINTER(ctypes.c_uint)]
    lib.XGetWindowAttributes.argtypes = [ctypes.c_void_p, ctypes.c_ulong,
                                         ctypes.POINTER(WindowAttributes)]
    lib.XGetImage.restype = ctypes.c_void_p
    lib.XGetImage.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_int,
                              ctypes.c_uint, ctypes.c_uint, ctypes.c_ulong, ctypes.c_int]
    lib.XGetPixel.restype = ctypes.c_ulong
    lib.XGetPixel.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
    lib.XDestroyImage.argtypes = [ctypes.c_void_p]
    lib.XFree.argtypes = [ctypes.c_void_p]
    return lib


def children(lib: ctypes.CDLL, display: int, root: int) -> list[int]:
    root_ret, parent = ctypes.c_ulong(), ctypes.c_ulong()
    kids, count = ctypes.POINTER(ctypes.c_ulong)(), ctypes.c_uint()
    if not lib.XQueryTree(display, root, ctypes.byref(root_ret), ctypes.byref(parent),
                          ctypes.byref(kids), ctypes.byref(count)):
        return []
    out = [kids[i] for i in range(count.value)]
    if kids:
        lib.XFree(kids)
    return out


def viewable(lib: ctypes.CDLL, display: int, root: int) -> Iterator[WindowAttributes]:
    for window in children(lib, display, root):
        attrs = WindowAttributes()
        if lib.XGetWindowAttributes(display, window, ctypes.byref(attrs)) \
                and attrs.map_state == IS_VIEWABLE and attrs.width > 200 and attrs.height > 200:
            yield attrs


def sample(lib: ctypes.CDLL, display: int, root: int, attrs: WindowAttributes) -> list[int]:
    """GRID x GRID pixels of the window's area, as 0xRRGGBB, read from the screen (one
    1x1 image each: a few hundred microseconds for all, where the whole window would take
    milliseconds)."""
    out = []
    for i in range(GRID):
        for j in range(GRID):
            x = attrs.x + attrs.width * (i + 1) // (GRID + 1)
            y = attrs.y + attrs.height * (j + 1) // (GRID + 1)
            image = lib.XGetImage(display, root, x, y, 1, 1, ALL_PLANES, Z_PIXMAP)
            if image:
                out.append(lib.XGetPixel(image, 0, 0) & 0xFFFFFF)
                lib.XDestroyImage(image)
    return out


def main(argv: list[str]) -> int:
    lib = xlib()
    display = lib.XOpenDisplay(None)
    if not display:
        print("first_frame: no X display (run it under xvfb-run -s '... -br')", file=sys.stderr)
        return 2
    root = lib.XDefaultRootWindow(display)
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "crisp_console", *argv])
    mapped_at = None
    frames: list[tuple[float, list[int]]] = []  # (ms after mapping, samples), while changing
    try:
        while proc.poll() is None and time.perf_counter() - start < 60:
            shown = next(viewable(lib, display, root), None)
            if shown is None:
                if mapped_at is not None:
                    break  # closed
                time.sleep(0.0005)
                continue
            now = time.perf_counter() - start
            mapped_at = mapped_at if mapped_at is not None else now
            if now - mapped_at > WATCH_S:
                break
            pixels = sample(lib, display, root, shown)
            if pixels and (not frames or frames[-1][1] != pixels):
                frames.append(((now - mapped_at) * 1000, pixels))
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    if mapped_at is None or not frames:
        print("first_frame: the window was never seen")
        return 1
    print(f"window mapped {mapped_at * 1000:.1f} ms after launch; what its area showed then "
          f"(a line per change, {GRID}x{GRID} samples):")
    for at, pixels in frames[:MAX_LINES]:
        black = sum(1 for p in pixels if p == 0)
        common = max(set(pixels), key=pixels.count)
        print(f"  {at:7.1f} ms  black {100 * black / len(pixels):5.1f}%  "
              f"main colour #{common:06x}  {len(set(pixels))} colours")
    unpainted = [at for at, pixels in frames if any(p == 0 for p in pixels)]
    whole = next((at for at, pixels in frames if not any(p == 0 for p in pixels)), None)
    print(f"black samples until {max(unpainted, default=0.0):.1f} ms; "
          f"whole window painted at {whole if whole is None else round(whole, 1)} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
