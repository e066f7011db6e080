"""Pane sizes that follow the font size: the side panes keep as many characters as the
operator gave them, the pane in the middle takes the rest.

The window remembers each side pane's size in lines of text (``in_lines``), set when the
operator drags a splitter; after a font size change it asks for that many lines at the new
line height (``fit``), and the middle pane (the thread) gives or takes the difference, keeping
at least ``min_share`` of the room. Pure arithmetic on the splitters' sizes, tested without Qt.
"""

from __future__ import annotations

from collections.abc import Sequence


def in_lines(sizes: Sequence[int], line: int) -> list[float]:
    """``sizes`` (pixels) in lines of ``line`` pixels."""
    return [size / line for size in sizes] if line > 0 else [0.0 for _ in sizes]


def fit(total: int, lines: Sequence[float], line: int, *, flexible: int,
        min_share: float = 0.4) -> list[int]:
    """The sizes of panes ``lines`` long at ``line`` pixels a line, in ``total`` pixels: every
    pane but ``flexible`` as asked (0 stays 0: a hidden pane), ``flexible`` the rest and at
    least ``min_share`` of ``total`` (the others shrink in proportion when they would leave
    less)."""
    if total <= 0 or line <= 0 or not 0 <= flexible < len(lines):
        return [0 for _ in lines]
    out = [0 if i == flexible else max(0, round(n * line)) for i, n in enumerate(lines)]
    others = sum(out)
    room = total - round(total * min_share)  # what the other panes may take together
    if others > room:
        shrink = room / others
        out = [int(size * shrink) for size in out]
        others = sum(out)
    out[flexible] = total - others
    return out
