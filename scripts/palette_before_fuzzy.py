"""Today's palette scoring and prefilter (main before issue 14), frozen for
bench_palette.py (see palette_before.py): the greedy run placement with its ``_fits`` loops,
and the one-string Haystack whose scattered tier tries a per-line regex on every line.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from itertools import accumulate

from crisp_console.present.fuzzy import TAIL, fold, terms_of

MATCH = 16  # every matched character
RUN = 16  # every character that continues a run
WORD = 24  # a run that starts a word (halved for runs after the first)
PREFIX = 24  # the first run starts the text
EXACT = 20  # the term is the whole text
CHUNK = 12  # every run after the first
GAP, MAX_GAP = 2, 12  # per skipped character between runs, capped per gap
LEAD_CAP, LEAD_DIV = 15, 3  # a late first run costs a little: start // 3, at most 5

_OCCURRENCES = 4  # occurrences of a run's first character tried when placing a run


def fold_map(text: str) -> tuple[str, list[int]]:
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        folded = fold(ch)
        out.append(folded)
        where.extend([i] * len(folded))
    return "".join(out), where


def _word_start(text: str, at: int) -> bool:
    return at == 0 or not text[at - 1].isalnum()


def _fits(rest: str, text: str, pos: int) -> bool:
    for ch in rest:
        pos = text.find(ch, pos)
        if pos < 0:
            return False
        pos += 1
    return True


def _best_occurrence(term: str, text: str) -> int:
    first = at = text.find(term)
    tries = 0
    while at >= 0 and not _word_start(text, at) and tries < 8:
        at = text.find(term, at + 1)
        tries += 1
    return at if at >= 0 and _word_start(text, at) else first


def _runs(term: str, text: str) -> list[tuple[int, int]] | None:
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
    total = 0
    for term in terms:
        runs = _runs(term, folded)
        if runs is None:
            return None
        total += _score_runs(runs, folded, term)
    return total


def match_positions(query: str, text: str) -> list[int] | None:
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
    parts = []
    for ch in term:
        esc = re.escape(ch)  # escapes "]", "^", "-" and "\\" too, so it is safe in a set
        parts.append(f"[^{esc}\\n{TAIL}]*+{esc}")
    return "".join(parts)


class Haystack:
    __slots__ = ("_starts", "_text", "lines")

    def __init__(self, lines: Iterable[str]) -> None:
        self.lines: list[str] = lines if isinstance(lines, list) else list(lines)
        self._text = "\n" + "\n".join(self.lines)
        self._starts = list(accumulate(map((1).__add__, map(len, self.lines)), initial=1))
        self._starts.pop()

    def __len__(self) -> int:
        return len(self.lines)

    def line_of(self, pos: int) -> int:
        return bisect_right(self._starts, pos) - 1

    def candidates(self, terms: Sequence[str], cap: int, *, enough: int | None = None,
                   scattered: int | None = None) -> list[int]:
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
