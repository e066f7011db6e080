"""Avatar colours: one function for every place that draws a visitor's or operator's initials
(the conversation list, the thread header, the people panel), so one person has one colour.

The key is the contact's ``people_id`` when Crisp has linked the conversation to a contact,
else the conversation's ``session_id`` (``visitor_key``): a returning visitor keeps their
colour across conversations, an anonymous one has the colour of their conversation. Operators
are keyed by their ``user_id``.

The hue comes from a CRC of the key (stable across runs and machines, unlike ``hash()``);
the colour is then darkened until white initials on it have a contrast ratio of at least
``MIN_CONTRAST`` (WCAG 2), so yellows and greens stay as readable as blues.
"""

from __future__ import annotations

import colorsys
import zlib
from functools import lru_cache

SATURATION = 0.55
LIGHTNESS = 0.42  # the starting lightness; darkened per hue as needed
MIN_CONTRAST = 4.5  # WCAG AA for normal text, white on the colour
_STEP = 0.01

Rgb = tuple[int, int, int]


def visitor_key(people_id: str, session_id: str) -> str:
    """The key a conversation's visitor is coloured by."""
    return people_id or session_id


def avatar_hue(key: str) -> int:
    """0..359, stable for ``key``."""
    return zlib.crc32(key.encode("utf-8", "replace")) % 360


def relative_luminance(rgb: Rgb) -> float:
    """WCAG 2 relative luminance of an sRGB colour (0..255 channels)."""
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_with_white(rgb: Rgb) -> float:
    return 1.05 / (relative_luminance(rgb) + 0.05)


def _rgb(hue: int, lightness: float) -> Rgb:
    r, g, b = colorsys.hls_to_rgb(hue / 360, lightness, SATURATION)
    return round(r * 255), round(g * 255), round(b * 255)


@lru_cache(maxsize=4096)  # painted for every visible row, on every repaint
def avatar_rgb(key: str) -> Rgb:
    """The avatar colour of ``key`` as (red, green, blue), 0..255 each."""
    hue = avatar_hue(key)
    lightness = LIGHTNESS
    rgb = _rgb(hue, lightness)
    while contrast_with_white(rgb) < MIN_CONTRAST and lightness > _STEP:
        lightness -= _STEP
        rgb = _rgb(hue, lightness)
    return rgb


def avatar_hex(key: str) -> str:
    """``avatar_rgb`` as "#rrggbb"."""
    return "#{:02x}{:02x}{:02x}".format(*avatar_rgb(key))
