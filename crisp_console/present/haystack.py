"""The palette's prefilter: which of many folded lines can match a query, at C speed.

Pure Python, no Qt. A line is a head (name, e-mail, phone) and, after ``TAIL``, an excerpt.
A term *matches* a line when it is a subsequence of the head, or (two characters or more)
when it occurs as is anywhere in the line: after TAIL, terms are searched as they are,
never for scattered characters ("v…i…k…r…a…m" spread over a sentence is noise). A query's
terms must all match. Of the lines a query matches, the *strong* ones hold its longest term
as is, the *weak* ones only scattered in the head. Each tier is asked for separately, its
first lines in line order up to a cap, so the work of a keystroke is bounded however many
lines there are.

The lines live in one string (or a few parts, when laid out a part at a time), searched by
the regex engine: C speed, no Python loop over them. The heads live in another, each behind
its *signature*: the distinct characters of the head, coded and sorted rarest first. The
strong lines are a regex search for the term as is (from its rarest character when that
one is clearly rarer); the weak ones a regex that starts at the term's rarest character in
the signatures (the engine skips to the lines that have it), checks its other characters
there, then its order in the head. Python sees only what the regex found, to check the
other terms with plain ``in`` tests.

Typing one more character searches only what the previous query found: when every term of
an old query is part of a term of the new one (``refines``), every line the new query
matches, the old one matched. A search cut short by its cap still tells which lines match
below the row where it stopped: the new search takes those, then goes on from that row. A
Haystack is a snapshot and remembers its last searches for that.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from crisp_console.present.fuzzy import TAIL
from crisp_console.present.haystack_text import Text
from crisp_console.present.holding import DERIVE, Holding

SEP = "\x1e"  # between a head's signature and the head (fold_line never leaves one)
_RARITY = "`~^|\\{}<>[]$%&*=;!?#\"'()/,:qxjzw9876543210vkfbygp+_ucdhmt-lsrnoie.@a"
_MEMO = 32  # tiers of queries a Haystack remembers
_TERMS = 12  # terms whose lines a Haystack remembers, as is or scattered (holding.py)
_SAMPLE = 100_000  # characters of the lines sampled to tell rare characters from common ones


def _codes() -> tuple[bytes, bytes]:
    """The signature's coding, for ``bytes.translate`` of UTF-8: a non-ASCII character by
    its lead byte (its block of 64: Cyrillic, Polish, a CJK range...), then each printable
    ASCII character, rarest first in names, e-mail addresses and phone numbers (a fixed
    guess: it only decides where the weak scan starts); codes from U+0080 (Latin-1:
    compact strings)."""
    table = bytearray(range(256))
    order = [*range(0xC2, 0xF5), *_RARITY.encode()]
    for code, byte in enumerate(order, 0x80):
        table[byte] = code
    return bytes(table), bytes(b for b in range(256) if b not in order)


_TABLE, _DELETE = _codes()


@functools.lru_cache(maxsize=1 << 16)
def signature(text: str) -> str:
    """The distinct characters of ``text``, coded (``_codes``) and sorted rarest first.
    Cached: a visitor's conversations share their head."""
    return bytes(sorted(set(text.encode().translate(_TABLE, _DELETE)))).decode("latin-1")


def head_of(line: str) -> str:
    """A line's head as a Haystack keeps it: its signature, SEP, the head."""
    head = line.partition(TAIL)[0]
    return signature(head) + SEP + head


def refines(old: Sequence[str], new: Sequence[str]) -> bool:
    """Whether every line ``new`` matches is one ``old`` matches: each old term is part of a
    new one (a one-character term matches the head only, so it must stay as it was)."""
    return all(any(o in n and (len(o) > 1 or o == n) for n in new) for o in old)


def longest(terms: Sequence[str]) -> int:
    """The index of the longest term (the first of them)."""
    return max(range(len(terms)), key=lambda n: len(terms[n]))


def _subsequence(term: str) -> str:
    """The term scattered in the head: the possessive runs up to the first occurrence of each
    character never backtrack, so it is linear."""
    return "".join(f"[^{c}{TAIL}\\n]*+{c}" for c in map(re.escape, term))


def _check(others: Sequence[str], without: str = "") -> Callable[[str], bool] | None:
    """Whether a line holds each other term as is (two characters or more) or scattered in
    its head, and not ``without`` as is; None when there is nothing to check. Plain
    ``in`` tests: the regex engine's lazy scans for a term are far slower."""
    scattered = [(t, len(t) > 1, re.compile(_subsequence(t)).match) for t in others]
    if not scattered and not without:
        return None

    def check(line: str) -> bool:
        if without and without in line:
            return False
        return all((whole and t in line) or fits(line) is not None
                   for t, whole, fits in scattered)

    return check


def _patterns(strong: bool, term: str, others: Sequence[str], rarity: Callable[[str], int]
              ) -> tuple[re.Pattern[str], Callable[[str], bool] | None]:
    """What finds a tier's lines (in the lines, or in the heads), and what checks the line
    of a find (None: nothing to check).

    Strong: the term as is, and the rest of its line (one match a line). Weak: the term's
    codes in a signature, rarest first (without any, each line is tried: slow, and only
    then), and the term scattered in the head; its line must not hold the term as is (that
    is a strong line). Either way the other terms must match the line."""
    if strong:
        # From a clearly rarer character, the part before it checked behind: the engine's
        # fast search for the (two characters or more) literal stops less often.
        cut = min(range(max(1, len(term) - 1)), key=lambda n: (rarity(term[n]), n))
        if 2 * rarity(term[cut]) >= rarity(term[0]):
            cut = 0
        find = re.escape(term[cut:]) + (f"(?<={re.escape(term)})" if cut else "") + "[^\\n]*"
        return re.compile(find), _check(others)
    codes = list(map(re.escape, signature(term)))
    start = codes[0] + "".join(f"[^{c}{SEP}\\n]*+{c}" for c in codes[1:]) if codes else "\\n"
    find = f"{start}[^{SEP}\\n]*+{SEP}(?={_subsequence(term)})[^\\n]*"
    return re.compile(find), _check(others, term if len(term) > 1 else "")


@dataclass(frozen=True, slots=True)
class Tier:
    """A tier's first lines, in order, and the row below which none was left out (the
    Haystack's length when no cap cut the search short)."""

    rows: list[int]
    upto: int

    def below(self, row: int) -> list[int]:
        return self.rows[:bisect_left(self.rows, row)]


Region = tuple[list[int], int]  # rows holding every line sought below a row, and the row


class Builder:
    """Lays a big Haystack out a part at a time (idle work)."""

    def __init__(self) -> None:
        self._lines: list[str] = []
        self._heads: list[str] = []
        self._texts = (Text(), Text())

    def add(self, lines: list[str], heads: list[str]) -> None:
        """The next lines, and their heads (``head_of``)."""
        if lines:
            self._lines += lines
            self._heads += heads
            self._texts[0].add(lines)
            self._texts[1].add(heads)

    def build(self) -> Haystack:
        return Haystack(self._lines, self._heads, self._texts)


class Haystack:
    """Folded lines searched together (see the module docstring)."""

    __slots__ = ("_heads", "_heads_text", "_holding", "_lines", "_lines_text", "_memo",
                 "_sample")

    def __init__(self, lines: Iterable[str] = (), heads: list[str] | None = None,
                 texts: tuple[Text, Text] | None = None) -> None:
        """``heads``: the lines' ``head_of``, when known (cached per object); ``texts``: the
        lines and the heads laid out, when they are already (``Builder``). Lists given are
        kept, not copied."""
        self._lines = lines if isinstance(lines, list) else list(lines)
        self._heads = heads if heads is not None else list(map(head_of, self._lines))
        self._lines_text, self._heads_text = texts or (Text.of(self._lines),
                                                       Text.of(self._heads))
        self._memo: dict[tuple[tuple[str, ...], bool], Tier] = {}
        self._sample: str | None = None
        self._holding: dict[tuple[str, bool], Holding] = {}  # the least recently used first

    def __len__(self) -> int:
        return len(self._lines)

    def _rarity(self, ch: str) -> int:
        """How often ``ch`` occurs in a sample of the lines (taken on first use)."""
        if self._sample is None:
            step = max(1, len(self._lines) * 80 // _SAMPLE)  # lines of ~80 characters
            self._sample = "\n".join(self._lines[::step])
        return self._sample.count(ch)

    def line(self, row: int) -> str:
        return self._lines[row]

    @property
    def lines(self) -> Sequence[str]:
        return self._lines

    def candidates(self, terms: Sequence[str], cap: int, *, enough: int | None = None,
                   scattered: int | None = None) -> list[int]:
        """At most ``cap`` lines matching every term: the strong ones, then (unless there
        are ``enough`` of those) at most ``scattered`` weak ones."""
        terms = tuple(terms)
        strong = self.tier(terms, True, cap).rows
        limit = min(cap - len(strong), cap if scattered is None else scattered)
        if (enough is not None and len(strong) >= enough) or limit <= 0:
            return strong
        return strong + self.tier(terms, False, limit).rows

    def tier(self, terms: tuple[str, ...], strong: bool, limit: int) -> Tier:
        """The first ``limit`` strong (or weak) lines of the query ``terms``."""
        if not terms or limit <= 0 or not self._lines or (
                strong and len(terms[longest(terms)]) < 2):  # no strong tier then
            return Tier([], len(self))
        key = (terms, strong)
        found = self._memo.pop(key, None)
        if found is None:
            found = self._search(terms, strong, limit)
            if len(self._memo) >= _MEMO:
                del self._memo[next(iter(self._memo))]  # the least recently used
        elif len(found.rows) < limit and found.upto < len(self):  # asked for more: go on
            at = longest(terms)
            more = self.find(strong, terms[at], terms[:at] + terms[at + 1:],
                             limit - len(found.rows), found.upto)
            found = Tier(found.rows + more.rows, more.upto)
        self._memo[key] = found
        if len(found.rows) > limit:
            return Tier(found.rows[:limit], found.rows[limit - 1] + 1)
        return found

    # ---- searching -----------------------------------------------------------------------

    def _search(self, terms: tuple[str, ...], strong: bool, limit: int) -> Tier:
        """Among the rows a remembered search says hold every line sought below a row, then
        from that row on."""
        at = longest(terms)
        term, others = terms[at], terms[:at] + terms[at + 1:]
        rows, upto = self._region(terms, strong)
        found = self._filter(rows, strong, term, others, limit) if rows else []
        if len(found) >= limit:
            return Tier(found, found[-1] + 1)
        if upto >= len(self):
            return Tier(found, upto)
        more = self.find(strong, term, others, limit - len(found), upto)
        return Tier(found + more.rows, more.upto)

    def _filter(self, rows: list[int], strong: bool, term: str, others: tuple[str, ...],
                limit: int) -> list[int]:
        """The first ``limit`` of ``rows`` in a tier, checked one by one."""
        lines = self._lines
        check = _check(others)
        scattered = re.compile(_subsequence(term)).match
        found: list[int] = []
        for row in rows:
            line = lines[row]
            if strong:
                if term not in line:
                    continue
            elif (len(term) > 1 and term in line) or scattered(line) is None:
                continue
            if check is not None and not check(line):
                continue
            found.append(row)
            if len(found) >= limit:
                break
        return found

    def _region(self, terms: tuple[str, ...], strong: bool) -> Region:
        """From remembered searches of queries the new one refines, the furthest region:
        their strong lines hold the new strong ones when their longest term is part of the
        new one; both their tiers hold every line the new query matches."""
        term = terms[longest(terms)]
        tiers: dict[tuple[str, ...], dict[bool, Tier]] = {}
        for (old, old_strong), tier in self._memo.items():
            if refines(old, terms):
                tiers.setdefault(old, {})[old_strong] = tier
        best: Region = ([], 0)
        for old, kept in tiers.items():
            old_term = old[longest(old)]
            if len(old_term) < 2:  # no strong tier: its weak lines are all it matches
                kept[True] = Tier([], len(self))
            if (strong and len(old_term) > 1 and old_term in term and True in kept
                    and kept[True].upto > best[1]):
                best = (kept[True].rows, kept[True].upto)
            if True in kept and False in kept:
                upto = min(kept[True].upto, kept[False].upto)
                if upto > best[1]:
                    best = (sorted(kept[True].below(upto) + kept[False].below(upto)), upto)
        return best

    def find(self, strong: bool, term: str, others: tuple[str, ...], limit: int,
             start: int = 0) -> Tier:
        """The first ``limit`` lines of a tier from row ``start`` on."""
        if start >= len(self) or limit <= 0:
            return Tier([], len(self) if limit > 0 else start)
        pattern, check = _patterns(strong, term, others, self._rarity)
        if len(term) >= DERIVE:
            known = self._lines_holding(term, strong, pattern, start)
            if known.covers(start):
                return self._walk(known, check, limit, start)
        lines = self._lines
        found: list[int] = []
        for row in (self._lines_text if strong else self._heads_text).rows(pattern, start):
            if check is not None and not check(lines[row]):
                continue
            found.append(row)
            if len(found) >= limit:
                return Tier(found, row + 1)
        return Tier(found, len(self))

    # ---- the lines holding a term (holding.py) --------------------------------------------

    def _lines_holding(self, term: str, strong: bool, find: re.Pattern[str] | None = None,
                       first: int = 0) -> Holding:
        key = (term, strong)
        known = self._holding.pop(key, None)
        if known is None:
            if find is None:
                find = _patterns(strong, term, (), self._rarity)[0]
            holds: Callable[[str], object]
            if strong:
                def holds(line: str) -> bool:
                    return term in line
            else:
                holds = re.compile(_subsequence(term)).match
            text = self._lines_text if strong else self._heads_text
            known = Holding.of(term, strong, find, holds, text, self._holding.values(), first)
            if len(self._holding) >= _TERMS:
                del self._holding[next(iter(self._holding))]
        self._holding[key] = known
        return known

    def _walk(self, known: Holding, check: Callable[[str], bool] | None, limit: int,
              start: int) -> Tier:
        """``find`` over the lines known to hold its term, found further as needed."""
        lines, size = self._lines, len(self._lines)
        found: list[int] = []
        at = bisect_left(known.rows, start)
        while True:
            rows = known.rows
            for row in rows[at:]:
                if check is None or check(lines[row]):
                    found.append(row)
                    if len(found) >= limit:
                        return Tier(found, row + 1)
            at = len(rows)
            if known.complete(size):
                return Tier(found, size)
            known.extend(lines)

    def ahead(self, terms: Sequence[str]) -> bool:
        """Idle work between keystrokes: find the lines holding ``terms`` (as is, and
        scattered in the head) a step further; True while more is left."""
        size = len(self._lines)
        for term in terms:
            if len(term) < DERIVE:
                continue
            for strong in (True, False):
                known = self._lines_holding(term, strong)
                if not known.complete(size):
                    known.extend(self._lines)
                    return True
        return False
