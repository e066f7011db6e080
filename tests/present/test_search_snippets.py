"""Snippets as text and ranges: the marks taken out, hostile text kept as text, long text
cut around its first match."""

from __future__ import annotations

import pytest

from crisp_console.present.search_snippets import (
    SCAN_CHARS,
    SHOWN_CHARS,
    find_text,
    focus,
    query_terms,
    split_hits,
    term_ranges,
)

S, E = "\ue000", "\ue001"


def marked(text: str, ranges: tuple[tuple[int, int], ...]) -> list[str]:
    return [text[a:b] for a, b in ranges]


def test_marks_become_ranges() -> None:
    text, hits = split_hits(f"the {S}VAT{E} number is {S}FR12{E}", S, E)
    assert text == "the VAT number is FR12"
    assert marked(text, hits) == ["VAT", "FR12"]


def test_whitespace_runs_are_one_space_and_the_ranges_follow() -> None:
    text, hits = split_hits(f"  a\n\n\t{S}b  c{E}\r\n d ", S, E)
    assert text == "a b c d"
    assert marked(text, hits) == ["b c"]


@pytest.mark.parametrize(("raw", "shown", "hit"), [
    (f"<b>{S}bold{E}</b>", "<b>bold</b>", "bold"),
    (f'<img src=file:///etc/passwd>{S}x{E}', "<img src=file:///etc/passwd>x", "x"),
    (f"&lt;{S}amp{E}&amp;", "&lt;amp&amp;", "amp"),
    (f"\u202e{S}evil{E}\u202c name", "evil name", "evil"),
    (f"\u200f{S}مرحبا{E}\u200e ok", "مرحبا ok", "مرحبا"),
    (f"nul\x00{S}bell{E}\x07", "nulbell", "bell"),
])
def test_hostile_text_stays_text(raw: str, shown: str, hit: str) -> None:
    text, hits = split_hits(raw, S, E)
    assert text == shown
    assert marked(text, hits) == [hit]


def test_unclosed_and_stray_marks() -> None:
    text, hits = split_hits(f"a{E} b {S}c d", S, E)
    assert text == "a b c d"
    assert marked(text, hits) == ["c d"]
    assert split_hits(f"{S}{E}x", S, E) == ("x", ())


def test_ten_thousand_characters_are_read_only_so_far() -> None:
    text, hits = split_hits("w " * 5000 + f"{S}late{E}", S, E)
    assert len(text) <= SCAN_CHARS
    assert hits == ()


def test_focus_starts_a_little_before_the_first_match() -> None:
    words = " ".join(f"word{n}" for n in range(60))
    start = words.index("word40")
    text, hits = focus(words, [(start, start + 6)])
    assert text.startswith("…") and text.index("word40") <= 45
    assert marked(text, hits) == ["word40"]
    assert text[1:].split()[0].startswith("word")  # it starts on a word


def test_focus_cuts_long_text_and_its_ranges() -> None:
    long = "x" * (SHOWN_CHARS * 3)
    text, hits = focus(long, [(5, 10), (SHOWN_CHARS * 2, SHOWN_CHARS * 2 + 3)])
    assert text.endswith("…") and len(text) == SHOWN_CHARS + 1
    assert hits == ((5, 10),)
    assert focus("short", []) == ("short", ())


def test_query_terms_and_phrases() -> None:
    assert query_terms('refund "VAT  number" FR') == ["VAT number", "refund", "FR"]
    assert query_terms('"unclosed phrase') == ["unclosed", "phrase"]
    assert find_text(' "VAT number"  please ') == "VAT number please"


def test_term_ranges_ignore_case_and_merge() -> None:
    text = "Your vat number: VAT-FR 12"
    assert marked(text, term_ranges(text, "VAT")) == ["vat", "VAT"]
    assert marked(text, term_ranges(text, '"vat number" number')) == ["vat number"]
    assert term_ranges(text, "(.*)") == ()  # a regex character is only a character
