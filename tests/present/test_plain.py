"""Text from the wire made plain: tooltips that can only be text, one-line labels without bidi
controls, button texts whose ampersands stay visible (each checked as Qt reads it, site by
site: tests/ui/test_plain_text.py)."""

from __future__ import annotations

from crisp_console.present.plain import no_mnemonic, one_line, tooltip_html


def test_tooltip_html_cuts_long_text_and_ignores_non_text() -> None:
    assert tooltip_html("") == "" and tooltip_html(None) == "" and tooltip_html(42) == ""
    assert tooltip_html("<" * 3000, 10) == "<p style='white-space:pre-wrap'>" + "&lt;" * 10 \
        + "…</p>"
    assert "&amp;amp;" in tooltip_html("&amp;")  # an entity is shown, not decoded


def test_one_line_flattens_and_drops_bidi_controls() -> None:
    assert one_line("a\n\n b\t c  ") == "a b c"
    assert one_line("Zw\u202eevil\u202c x\u2066y\u2069") == "Zwevil xy"
    assert one_line("x" * 50, 10) == "x" * 10
    assert one_line("a\u200db 😀") == "a\u200db 😀"  # joiners are kept (emoji, Persian)
    assert one_line(None) == "" and one_line(["x"]) == ""


def test_no_mnemonic_keeps_every_ampersand() -> None:
    assert no_mnemonic("R&D && ops") == "R&&D &&&& ops"
