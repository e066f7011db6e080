"""Fuzzy matching for the command palette: folding, scoring, and a fast prefilter.

Pure Python, no Qt. Text and query are folded the same way (NFKD, combining marks dropped,
casefolded), so "elo" finds "Élodie" and "strasse" finds "Straße". A query is split on
whitespace into terms; every term must match somewhere (in any order), each as a
subsequence. A term scores more when its characters come in contiguous runs, when a run
starts a word, and when the match is a prefix of the text.

Which of many lines to score at all is haystack.py's job.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence

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
# are, never for scattered characters: "v…i…k…r…a…m" spread over a sentence is noise.
TAIL = "\x1f"
_SEPARATORS = "\n" + TAIL + "\x1e"  # haystack.SEP too: a line never holds one


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
    """``fold`` for a Haystack field: line feeds and the separators become spaces."""
    folded = fold(text)
    if any(ch in folded for ch in _SEPARATORS):
        for ch in _SEPARATORS:
            folded = folded.replace(ch, " ")
    return folded


@functools.lru_cache(maxsize=4096)
def fold_map(text: str) -> tuple[str, tuple[int, ...]]:
    """The folded text and, for each folded character, the index it came from in ``text``
    (folding may drop or add characters: "é" -> "e", "ß" -> "ss"). Cached: the palette
    highlights the same titles keystroke after keystroke."""
    if text.isascii():
        return text.lower(), tuple(range(len(text)))
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        folded = fold(ch)
        out.append(folded)
        where.extend([i] * len(folded))
    return "".join(out), tuple(where)


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
    return _scattered(term, text)


def _scattered(term: str, text: str) -> list[tuple[int, int]] | None:
    """``_runs`` for a term that does not occur as is."""
    n = len(term)
    # latest[j]: where term[j] is in the rightmost placement of term[j:], so term[j:] fits
    # in text[pos:] exactly when pos <= latest[j] (what _fits answers, in O(1)).
    latest = [len(text)] * (n + 1)
    for j in range(n - 1, -1, -1):
        latest[j] = text.rfind(term[j], 0, latest[j + 1])
        if latest[j] < 0:
            return None
    runs: list[tuple[int, int]] = []
    pos = i = 0
    while i < n:
        best: tuple[int, int, bool] | None = None  # (start, length, word start)
        at = text.find(term[i], pos)
        tries = 0
        while 0 <= at <= latest[i] and tries < _OCCURRENCES:  # later: nothing fits
            k = 1
            while i + k < n and at + k < len(text) and text[at + k] == term[i + k]:
                k += 1
            while at + k > latest[i + k]:
                k -= 1  # a long run here would leave no room for the rest
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


def _whole(term: str, text: str) -> int | None:
    """``_score_runs`` of ``_runs`` when the term occurs as is, inlined (the palette scores
    hundreds of lines a keystroke); None when it does not occur as is."""
    at = text.find(term)
    if at < 0:
        return None
    word = at == 0 or not text[at - 1].isalnum()
    if not word:  # _best_occurrence: a later word-start occurrence, among the next 8
        first = at
        for _ in range(8):
            at = text.find(term, at + 1)
            if at < 0:
                break
            if not text[at - 1].isalnum():
                word = True
                break
        if not word:
            at = first
    total = len(term) * (MATCH + RUN) - RUN - min(at, LEAD_CAP) // LEAD_DIV
    if word:
        total += WORD + PREFIX if at == 0 else WORD
    if term == text:
        total += EXACT
    return total


def score_terms(terms: Sequence[str], folded: str) -> int | None:
    """``score`` for terms and text that are already folded (the palette's hot path)."""
    total = 0
    for term in terms:
        value = _whole(term, folded)
        if value is None:
            runs = _scattered(term, folded)
            if runs is None:
                return None
            value = _score_runs(runs, folded, term)
        total += value
    return total


def _two_runs(term: str, text: str) -> bool:
    """Whether ``term`` fits in ``text`` in two pieces."""
    for cut in range(1, len(term)):
        at = text.find(term[:cut])
        if at >= 0 and text.find(term[cut:], at + cut) >= 0:
            return True
    return False


def bound(terms: Sequence[str], folded: str) -> tuple[int, bool]:
    """An upper bound of ``score_terms`` for a line every term matches, and whether it is
    the score itself: exact for the terms that occur as is (``_whole`` is cheap); for the
    others (see ``scattered_bound``) the first run starts at the first occurrence of the
    first character at the earliest, and runs beyond two cost RUN each at least."""
    total = 0
    exact = True
    for term in terms:
        value = _whole(term, folded)
        if value is None:
            exact = False
            first = folded.find(term[0])
            value = (len(term) * (MATCH + RUN) - 2 * RUN + WORD + (PREFIX if first == 0 else 0)
                     - min(first, LEAD_CAP) // LEAD_DIV)
            if not _two_runs(term, folded):
                value -= RUN
        total += value
    return total, exact


def as_prefix(term: str) -> int:
    """The score of a term a line starts with (``_whole``): the best a term can have, but
    for EXACT (the line is the term)."""
    return len(term) * (MATCH + RUN) - RUN + WORD + PREFIX


def as_is(term: str) -> int:
    """The best score of a term found as is, not at the start (``_whole``)."""
    return len(term) * (MATCH + RUN) - RUN + WORD


def scattered_bound(terms: Sequence[str], scattered: int) -> int:
    """An upper bound of ``score_terms`` over the lines every term matches but where
    ``terms[scattered]`` does not occur as is. That one is in r >= 2 runs: 32k - 16r + WORD
    + PREFIX + (r - 1) * (WORD // 2 - CHUNK - gap), at most 32k - 32 + WORD + PREFIX (as
    WORD // 2 - CHUNK <= RUN). The prefix bonus goes to the terms starting with the line's
    first character only."""
    total = 0
    for n, term in enumerate(terms):
        total += len(term) * (MATCH + RUN) - RUN + WORD
        if n == scattered:
            total -= RUN
        elif _fits(terms[scattered], term, 0):  # the line could be this very term
            total += EXACT
    firsts = [term[0] for term in terms]
    return total + PREFIX * max(map(firsts.count, firsts))


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
