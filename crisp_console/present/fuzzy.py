"""Fuzzy matching for the command palette: folding, scoring, and a fast prefilter.

Pure Python, no Qt. Text and query are folded the same way (NFKD, combining marks dropped,
casefolded), so "elo" finds "Élodie" and "strasse" finds "Straße". A query is split on
whitespace into terms; every term must match somewhere (in any order), each as a
subsequence. A term scores more when its characters come in contiguous runs, when a run
starts a word, and when the match is a prefix of the text.

``Haystack`` holds many folded lines in one string so that the per-keystroke prefilter runs
in the regex engine and ``str.find`` (C speed), not in a Python loop over 100k lines.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from itertools import accumulate

# Score weights. A contiguous run is worth more than the same letters scattered, a word start
# more than a run inside a word, and the very start of the text most (prefix > word > inner).
MATCH = 16  # every matched character
RUN = 16  # every character that continues a run
WORD = 24  # a run that starts a word (halved for runs after the first)
PREFIX = 24  # the first run starts the text
EXACT = 20  # the term is the whole text
CHUNK = 12  # every run after the first
GAP, MAX_GAP = 2, 12  # per skipped character between runs, capped per gap
LEAD_CAP, LEAD_DIV = 15, 3  # a late first run costs a little: start // 3, at most 5

_OCCURRENCES = 4  # occurrences of a run's first character tried when placing a run
# In a Haystack line, what follows TAIL (a message excerpt) is searched for terms as they
# are, never for scattered characters: "v…i…k…r…a…m" spread over a sentence is noise, and
# the prefilter's scan stops there (a third of the work).
TAIL = "\x1f"


@functools.cache
def _combining() -> re.Pattern[str]:
    """The combining marks (non-zero canonical combining class) of the Basic Multilingual
    Plane as one character set, built on first use (a scan of the BMP, ~10 ms). The
    astral ones (historic scripts, musical notation) are left out: a set that reaches past
    U+FFFF makes the regex engine test ranges one by one, ten times slower."""
    ranges: list[list[int]] = []
    for code in range(0x10000):
        if unicodedata.combining(chr(code)):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    body = "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
                   for a, b in ranges)
    return re.compile(f"[{body}]+")


def fold(text: str) -> str:
    """Case- and diacritics-insensitive form: "Élodie Müller" -> "elodie muller"."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    if not decomposed.isascii():
        decomposed = _combining().sub("", decomposed)
    # After NFKD: compatibility forms may decompose to capitals ("№" -> "No").
    return decomposed.casefold()


def fold_line(text: str) -> str:
    """``fold`` for a Haystack field: line feeds and TAIL characters become spaces."""
    folded = fold(text)
    if "\n" in folded or TAIL in folded:
        return folded.replace("\n", " ").replace(TAIL, " ")
    return folded


def fold_map(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each folded character, the index it came from in ``text``
    (folding may drop or add characters: "é" -> "e", "ß" -> "ss")."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        folded = fold(ch)
        out.append(folded)
        where.extend([i] * len(folded))
    return "".join(out), where


def terms_of(query: str) -> tuple[str, ...]:
    """The folded whitespace-separated terms of a query."""
    return tuple(fold(query).split())


def _word_start(text: str, at: int) -> bool:
    return at == 0 or not text[at - 1].isalnum()


def _fits(rest: str, text: str, pos: int) -> bool:
    """Whether ``rest`` is a subsequence of ``text[pos:]``."""
    for ch in rest:
        pos = text.find(ch, pos)
        if pos < 0:
            return False
        pos += 1
    return True


def _best_occurrence(term: str, text: str) -> int:
    """Where the whole term occurs: its first word-start occurrence, else its first."""
    first = at = text.find(term)
    tries = 0
    while at >= 0 and not _word_start(text, at) and tries < 8:
        at = text.find(term, at + 1)
        tries += 1
    return at if at >= 0 and _word_start(text, at) else first


def _runs(term: str, text: str) -> list[tuple[int, int]] | None:
    """Place ``term`` in ``text`` as (start, length) runs, greedily: at each step the longest
    run among a few occurrences of the next character, word starts first, as long as the
    rest of the term still fits after it. None if the term is not a subsequence."""
    whole = _best_occurrence(term, text)
    if whole >= 0:
        return [(whole, len(term))]
    runs: list[tuple[int, int]] = []
    pos = i = 0
    n = len(term)
    while i < n:
        best: tuple[int, int, bool] | None = None  # (start, length, word start)
        at = text.find(term[i], pos)
        tries = 0
        while at >= 0 and tries < _OCCURRENCES:
            k = 1
            while i + k < n and at + k < len(text) and text[at + k] == term[i + k]:
                k += 1
            while k and not _fits(term[i + k:], text, at + k):
                k -= 1  # a long run here would leave no room for the rest
            if k:
                word = _word_start(text, at)
                if best is None or (k, word) > (best[1], best[2]):
                    best = (at, k, word)
            at = text.find(term[i], at + 1)
            tries += 1
        if best is None:
            return None
        runs.append((best[0], best[1]))
        pos = best[0] + best[1]
        i += best[1]
    return runs


def _score_runs(runs: Sequence[tuple[int, int]], text: str, term: str) -> int:
    total = 0
    end = 0
    for n, (start, length) in enumerate(runs):
        total += length * MATCH + (length - 1) * RUN
        if _word_start(text, start):
            total += WORD if n == 0 else WORD // 2
        if n == 0:
            if start == 0:
                total += PREFIX
            total -= min(start, LEAD_CAP) // LEAD_DIV
        else:
            total -= CHUNK + min(GAP * (start - end), MAX_GAP)
        end = start + length
    if term == text:
        total += EXACT
    return total


def score_terms(terms: Sequence[str], folded: str) -> int | None:
    """``score`` for terms and text that are already folded (the palette's hot path)."""
    total = 0
    for term in terms:
        runs = _runs(term, folded)
        if runs is None:
            return None
        total += _score_runs(runs, folded, term)
    return total


def score(query: str, text: str) -> int | None:
    """How well ``query`` fuzzily matches ``text``; None when it does not. An empty query
    matches everything with 0."""
    return score_terms(terms_of(query), fold(text))


def match_positions(query: str, text: str) -> list[int] | None:
    """Indices of the characters of ``text`` the query matched (sorted), for highlighting;
    None when it does not match."""
    folded, where = fold_map(text)
    hits: set[int] = set()
    for term in terms_of(query):
        runs = _runs(term, folded)
        if runs is None:
            return None
        for start, length in runs:
            hits.update(where[start:start + length])
    return sorted(hits)


def _subsequence(term: str) -> str:
    """A linear-time regex for "term is a subsequence of the rest of this line, before its
    TAIL": possessive runs up to the first occurrence of each character never backtrack."""
    parts = []
    for ch in term:
        esc = re.escape(ch)  # escapes "]", "^", "-" and "\\" too, so it is safe in a set
        parts.append(f"[^{esc}\\n{TAIL}]*+{esc}")
    return "".join(parts)


class Haystack:
    """Folded lines (no line feeds) searched together. ``candidates`` returns line indices,
    in two tiers: lines holding the longest term as is, then lines where the terms only
    match scattered. The caller orders its lines so that the first ones are the most
    relevant (the conversation list's order), because both tiers stop at a cap: the work of
    a keystroke is bounded, however many lines there are. A list given to the constructor
    is kept, not copied."""

    __slots__ = ("_starts", "_text", "lines")

    def __init__(self, lines: Iterable[str]) -> None:
        self.lines: list[str] = lines if isinstance(lines, list) else list(lines)
        # One leading "\n" per line: each line's scan starts at a literal, which the regex
        # engine finds with its fast search instead of trying every position.
        self._text = "\n" + "\n".join(self.lines)
        # Where each line starts: 1 + the lengths (and line feeds) before it; C iterators.
        self._starts = list(accumulate(map((1).__add__, map(len, self.lines)), initial=1))
        self._starts.pop()

    def __len__(self) -> int:
        return len(self.lines)

    def line_of(self, pos: int) -> int:
        return bisect_right(self._starts, pos) - 1

    def candidates(self, terms: Sequence[str], cap: int, *, enough: int | None = None,
                   scattered: int | None = None) -> list[int]:
        """At most ``cap`` lines matching every term. The scattered tier is skipped when the
        first gave ``enough`` lines (they outrank scattered matches anyway), and adds at
        most ``scattered`` lines (scoring a scattered match is the costly case)."""
        if not terms or cap <= 0 or not self.lines:
            return []
        found: list[int] = []
        seen: set[int] = set()
        longest = max(terms, key=len)
        if len(longest) > 1:
            self._contiguous(longest, terms, cap, found, seen)
            if enough is not None and len(found) >= enough:
                return found
        limit = cap if scattered is None else min(cap, len(found) + scattered)
        if len(found) < limit:
            pattern = "\\n" + "".join(f"(?={_subsequence(t)})" for t in terms)
            for match in re.finditer(pattern, self._text):
                line = self.line_of(match.start() + 1)
                if line not in seen:
                    found.append(line)
                    if len(found) >= limit:
                        break
        return found

    def _contiguous(self, literal: str, terms: Sequence[str], cap: int,
                    found: list[int], seen: set[int]) -> None:
        """Lines holding ``literal`` as is (and the other terms as subsequences)."""
        text, find = self._text, self._text.find
        others = [t for t in terms if t is not literal]
        pos = find(literal)
        while pos >= 0:
            line = self.line_of(pos)
            if all(_fits(t, self.lines[line], 0) for t in others):
                found.append(line)
                seen.add(line)
                if len(found) >= cap:
                    return
            end = text.find("\n", pos)
            if end < 0:
                return
            pos = find(literal, end)
