"""present/haystack.py: which lines a query matches, tier by tier, and the searches narrowed
by the ones before them (typing on, backspace, an edit in the middle), which must give
what a fresh search gives."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator

import pytest

from crisp_console.present.fuzzy import TAIL
from crisp_console.present.haystack import (
    Builder,
    Haystack,
    Tier,
    head_of,
    refines,
    signature,
)
from crisp_console.present.haystack_text import Text


def _subsequence(term: str, text: str) -> bool:
    it = iter(text)
    return all(ch in it for ch in term)


def _matches(term: str, line: str) -> bool:
    """The rule: as is anywhere (two characters or more), or scattered in the head."""
    return (len(term) > 1 and term in line) or _subsequence(term, line.split(TAIL)[0])


def brute(lines: list[str], terms: tuple[str, ...]) -> tuple[list[int], list[int]]:
    """Every strong line, every weak line, in order."""
    longest = max(terms, key=len)
    strong: list[int] = []
    weak: list[int] = []
    for n, line in enumerate(lines):
        if all(_matches(t, line) for t in terms):
            (strong if len(longest) > 1 and longest in line else weak).append(n)
    return strong, weak


def random_lines(rng: random.Random, alphabet: str, count: int) -> list[str]:
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
            for _ in range(count)]


ALPHABET = "abcab. -ł\t\x07" + TAIL


def test_tiers_agree_with_a_brute_force_search() -> None:
    rng = random.Random(4)
    for _ in range(400):
        lines = random_lines(rng, ALPHABET, rng.randint(1, 14))
        terms = tuple("".join(rng.choice("abc.-ł\x07") for _ in range(rng.randint(1, 4)))
                      for _ in range(rng.randint(1, 3)))
        hay = Haystack(lines)
        strong, weak = brute(lines, terms)
        assert hay.tier(terms, True, 1000).rows == strong, (lines, terms)
        assert hay.tier(terms, False, 1000).rows == weak, (lines, terms)


def test_each_tier_is_cut_at_its_limit_and_says_where() -> None:
    hay = Haystack(["hop", "h o p", "hop", "x", "hopper", "h-o-p"])
    strong = hay.tier(("hop",), True, 2)
    assert strong.rows == [0, 2] and strong.upto == 3  # below row 3, nothing left out
    assert hay.tier(("hop",), True, 5).rows == [0, 2, 4]
    assert hay.tier(("hop",), True, 5).upto == 6
    assert hay.tier(("hop",), False, 1).rows == [1]
    assert hay.candidates(("hop",), 4, enough=3) == [0, 2, 4]
    assert hay.candidates(("hop",), 4) == [0, 2, 4, 1]


def test_one_character_terms_and_codes_beyond_ascii() -> None:
    lines = ["łukasz\tl@x", "lukasz", f"ada{TAIL}łódź", "[event]", "a\x07b"]
    hay = Haystack(lines)
    assert hay.candidates(("ł",), 10) == [0]  # one character: in the head only
    assert hay.candidates(("łó",), 10) == [2]  # as is, after TAIL too
    assert hay.candidates(("[e",), 10) == [3]
    assert hay.candidates(("\x07",), 10) == [4]  # no code at all: each line is tried
    assert signature("ab") == signature("ba") != signature("ab[")


def typing(rng: random.Random, words: list[str]) -> Iterator[str]:
    """Queries as an operator types them: on, back, an edit in the middle, another word."""
    query = ""
    for _ in range(40):
        roll = rng.random()
        if roll < 0.5 or not query:
            word = rng.choice(words)
            query += word[rng.randint(0, len(word) - 1)] if rng.random() < 0.8 else " "
        elif roll < 0.75:
            query = query[:-1]  # backspace
        elif roll < 0.9:
            at = rng.randint(0, len(query) - 1)
            query = query[:at] + rng.choice("abcdeo ") + query[at + 1:]  # an edit inside
        else:
            query = " ".join(reversed(query.split()))  # the same terms, another order
        yield query


@pytest.mark.parametrize("seed", range(6))
def test_typing_narrows_and_gives_what_a_fresh_search_gives(seed: int) -> None:
    rng = random.Random(seed)
    words = ["grace", "hopper", "ada", "lovelace", "bob", "ocean", "cab", "deco"]
    lines = [" ".join(rng.sample(words, 2)) + "\t" + rng.choice(words) + "@x.org" + TAIL
             + " ".join(rng.choice(words) for _ in range(3)) for _ in range(300)]
    hay = Haystack(lines)
    for query in typing(rng, words):
        terms = tuple(query.split())
        if not terms:
            continue
        strong, weak = brute(lines, terms)
        for limit in (7, 40, 1000):
            for which, every in ((True, strong), (False, weak)):
                tier = hay.tier(terms, which, limit)
                assert tier.rows == every[:limit], (query, which, limit)
                assert tier.upto == (len(lines) if len(every) <= limit else every[limit - 1] + 1
                                     ) or len(tier.rows) == limit, (query, which, limit)
                assert [r for r in every if r < tier.upto] == tier.rows


def test_an_extended_query_reads_on_from_where_the_last_one_stopped(
        monkeypatch: pytest.MonkeyPatch) -> None:
    lines = [f"grace {n}" for n in range(50)] + ["grace hopper", "hopper"]
    hay = Haystack(lines)
    starts: list[int] = []
    find = Haystack.find

    def spy(self: Haystack, strong: bool, term: str, others: tuple[str, ...], limit: int,
            start: int = 0) -> Tier:
        starts.append(start)
        return find(self, strong, term, others, limit, start)

    monkeypatch.setattr(Haystack, "find", spy)
    assert hay.tier(("gra",), True, 10).upto == 10
    assert hay.tier(("grac",), True, 10).rows == list(range(10))  # among the rows it had
    assert hay.tier(("grace",), True, 60).rows == [*range(51)]
    assert starts == [0, 10]  # "grace" went on from row 10, not from the start
    starts.clear()
    assert hay.tier(("grace", "hop"), True, 60).rows == [50]  # complete: no scan at all
    assert hay.tier(("gra",), True, 10).rows == list(range(10))  # backspace: remembered
    assert starts == []


def test_the_builder_lays_out_what_the_constructor_does() -> None:
    rng = random.Random(2)
    lines = random_lines(rng, ALPHABET.replace("\x07", ""), 200)
    builder = Builder()
    at = 0
    while at < len(lines):
        part = lines[at:at + rng.randint(0, 30)]
        builder.add(part, [head_of(line) for line in part])
        at += len(part)
    built, direct = builder.build(), Haystack(lines)
    for terms in (("ab",), ("a", "c"), ("b.",), ("ł",)):
        for strong in (True, False):
            assert built.tier(terms, strong, 1000) == direct.tier(terms, strong, 1000)
    assert len(Builder().build()) == 0 and Builder().build().tier(("a",), False, 5).rows == []


def test_refines() -> None:
    assert refines(("gra",), ("grac",)) and refines(("gra",), ("hop", "grace"))
    assert refines(("gr", "h"), ("grace", "h"))
    assert not refines(("grace",), ("grac",))  # backspace
    assert not refines(("gace",), ("grace",))  # an edit inside: a subsequence is not enough
    assert not refines(("g",), ("gr",))  # one character matches the head only


def test_lines_found_ahead_are_filtered_not_scanned_again(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Between keystrokes the lines holding a term are found (holding.py); then a query with
    that term, and one with a longer term, filter those lines: no scan of the haystack."""
    rng = random.Random(6)
    lines = random_lines(rng, "abcdhop .-" + TAIL, 3000)
    hay = Haystack(lines)
    turns = 0
    while hay.ahead(["hop", "ab"]):  # "ab": too short to keep
        turns += 1
    assert turns > 1  # a step a turn
    scans: list[str] = []
    rows = Text.rows

    def spy(self: Text, pattern: re.Pattern[str], start: int, end: int | None = None
            ) -> Iterator[int]:
        scans.append(pattern.pattern)
        return rows(self, pattern, start, end)

    monkeypatch.setattr(Text, "rows", spy)
    for terms in (("hop",), ("hop", "a"), ("hop", "cd"), ("hopd",), ("hopd", "b"),
                  ("ho", "hop")):
        strong, weak = brute(lines, terms)
        hay = Haystack(lines) if terms == ("hop",) else hay  # the same after a fresh one
        for tier, expected in ((True, strong), (False, weak)):
            for limit in (3, 1000):
                assert hay.tier(terms, tier, limit).rows == expected[:limit], terms
        if terms == ("hop",):
            while hay.ahead(["hop"]):
                pass
            scans.clear()
    assert scans == []
