"""present/fuzzy.py and present/haystack.py: folding, scoring and the Haystack prefilter
(pure Python, no Qt)."""

from __future__ import annotations

import random

import pytest

from crisp_console.present.fuzzy import (
    TAIL,
    fold,
    fold_line,
    match_positions,
    score,
    score_terms,
    terms_of,
)
from crisp_console.present.haystack import Haystack

# ---- folding ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "folded"), [
    ("Grace HOPPER", "grace hopper"),
    ("Élodie Müller", "elodie muller"),
    ("Straße", "strasse"),
    ("Łukasz Żółć", "łukasz zołc"),  # ł has no decomposition: kept, as NFKD does
    ("ﬁle №5", "file no5"),  # compatibility forms (NFKD)
    ("İstanbul", "istanbul"),
    ("e\u0301te\u0301", "ete"),  # already decomposed input
])
def test_fold_drops_case_and_diacritics(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_fold_line_keeps_lines_and_tail_apart() -> None:
    assert fold_line(f"two\nlines{TAIL}x") == "two lines x"


# ---- scoring ---------------------------------------------------------------------------------


def test_no_match_is_none_and_an_empty_query_matches_everything() -> None:
    assert score("xyz", "grace hopper") is None
    assert score("hopperr", "grace hopper") is None
    assert score("", "anything") == 0
    assert score("   ", "anything") == 0


def test_prefix_beats_word_start_beats_inner_beats_scattered() -> None:
    prefix = score("hop", "hopper grace")
    word = score("hop", "grace hopper")
    inner = score("hop", "bishop grace")
    scattered = score("hop", "the whole post")
    assert prefix is not None and word is not None and inner is not None
    assert scattered is not None
    assert prefix > word > inner > scattered


def test_contiguous_runs_beat_the_same_letters_scattered() -> None:
    run = score("refund", "a refund please")
    spread = score("refund", "re fun do")
    assert run is not None and spread is not None and run > spread


def test_acronym_of_word_starts_beats_letters_inside_words() -> None:
    acronym = score("gh", "grace hopper")
    inside = score("gh", "laughing")
    assert acronym is not None and inside is not None and acronym > inside


def test_an_earlier_match_wins_and_an_exact_text_wins_over_a_longer_one() -> None:
    early = score("ada", "ada lovelace · x")
    late = score("ada", "x · somebody ada")
    assert early is not None and late is not None and early > late
    exact = score("ada", "ada")
    longer = score("ada", "adam")
    assert exact is not None and longer is not None and exact > longer


def test_diacritics_and_case_are_ignored_both_ways() -> None:
    assert score("elodie", "Élodie Müller") == score("ÉLODIE", "elodie muller")
    assert score("muller", "Élodie Müller") is not None
    assert score("strasse", "Hauptstraße 5") is not None


def test_terms_match_in_any_order_and_all_are_required() -> None:
    assert score("hopper grace", "grace hopper") is not None
    assert score("grace zed", "grace hopper") is None
    both = score("gra hop", "grace hopper")
    one = score("gra", "grace hopper")
    assert both is not None and one is not None and both > one


def test_a_run_is_not_placed_where_the_rest_of_the_term_no_longer_fits() -> None:
    # the longest run "ab" sits at the end; greedily taking it would leave no room for "c"
    assert score("abc", "a b c ab") is not None
    assert match_positions("abc", "a b c ab") == [0, 2, 4]


def test_match_positions_index_the_original_text() -> None:
    assert match_positions("elo", "Élodie") == [0, 1, 2]
    assert match_positions("strasse", "Straße!") == [0, 1, 2, 3, 4, 5]  # ß folds to "ss"
    assert match_positions("hop gr", "Grace Hopper") == [0, 1, 6, 7, 8]
    assert match_positions("zz", "Grace") is None


def test_regex_metacharacters_are_plain_characters() -> None:
    for query, text in (("c++", "c++ help"), ("a.b", "a.b"), ("[x]", "[x] y"), ("\\", "a\\b"),
                        ("^$", "^$"), ("(?", "(?")):
        assert score(query, text) is not None, query
        assert Haystack([fold(text)]).candidates(terms_of(query), 10) == [0], query
    assert Haystack(["axb"]).candidates(terms_of("a.b"), 10) == []


# ---- Haystack --------------------------------------------------------------------------------


def test_contiguous_lines_come_before_scattered_ones_each_in_line_order() -> None:
    hay = Haystack(["h o p", "hopper", "x", "bishop", "h-o-p", "shop"])
    assert hay.candidates(("hop",), 10) == [1, 3, 5, 0, 4]


def test_the_cap_bounds_the_lines_and_enough_skips_the_scattered_tier() -> None:
    hay = Haystack(["hop"] * 5 + ["h o p"] * 5)
    assert hay.candidates(("hop",), 3) == [0, 1, 2]
    assert hay.candidates(("hop",), 100, enough=5) == [0, 1, 2, 3, 4]
    assert hay.candidates(("hop",), 100, scattered=2) == [0, 1, 2, 3, 4, 5, 6]
    assert len(hay.candidates(("hop",), 100)) == 10


def test_after_the_tail_only_whole_terms_match() -> None:
    hay = Haystack([f"grace{TAIL}a refund please", f"grace{TAIL}r e f u n d"])
    assert hay.candidates(("refund",), 10) == [0]  # not scattered over the excerpt
    assert hay.candidates(("gr", "refund"), 10) == [0]
    assert hay.candidates(("grc",), 10) == [0, 1]  # the head matches scattered


def test_empty_input_gives_nothing() -> None:
    assert Haystack([]).candidates(("a",), 10) == []
    assert Haystack(["a"]).candidates((), 10) == []
    assert Haystack(["", "a", ""]).candidates(("a",), 10) == [1]


def _brute_force(lines: list[str], terms: tuple[str, ...]) -> set[int]:
    def subsequence(term: str, text: str) -> bool:
        it = iter(text)
        return all(ch in it for ch in term)

    found = set()
    for n, line in enumerate(lines):
        head = line.split(TAIL)[0]
        # a term matches as is anywhere (two characters or more), or scattered in the head
        if all((len(t) > 1 and t in line) or subsequence(t, head) for t in terms):
            found.add(n)
    return found


def test_candidates_agree_with_a_brute_force_search_and_all_of_them_score() -> None:
    rng = random.Random(4)
    alphabet = "abcab. -" + TAIL
    for _ in range(300):
        lines = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
                 for _ in range(rng.randint(1, 12))]
        terms = tuple("".join(rng.choice("abc.-") for _ in range(rng.randint(1, 4)))
                      for _ in range(rng.randint(1, 2)))
        hay = Haystack(lines)
        found = hay.candidates(terms, 1000)
        assert len(found) == len(set(found))
        assert set(found) == _brute_force(lines, terms), (lines, terms)
        for n in found:
            assert score_terms(terms, lines[n]) is not None, (lines[n], terms)
