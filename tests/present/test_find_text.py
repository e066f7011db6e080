"""Find in the thread without Qt: folding, ranges in the original text (UTF-16 too), what of a
message is searched, and one find's matches, current one and words."""

from __future__ import annotations

from typing import Any

import pytest

from crisp_console.core import Message
from crisp_console.present.find_text import (
    NO_MATCH,
    NO_MATCH_LOADED,
    FindResults,
    Mark,
    find_ranges,
    fold,
    fold_map,
    matcher,
    utf16_ranges,
    visible_text,
)
from tests.core import factories as f

SID = "session_find"


def msg(content: Any = "hello", *, type: str = "text", ts: int = 0) -> Message:
    return Message.from_payload(f.message(SID, type=type, content=content,
                                          timestamp=f.BASE_TIME + ts))


def thread(*texts: str) -> list[Message]:
    return [msg(text, ts=i) for i, text in enumerate(texts)]


def covered(text: str, query: str) -> list[str]:
    return [text[a:b] for a, b in find_ranges(text, query)]


# ---- folding and ranges ----------------------------------------------------------------------


@pytest.mark.parametrize(("text", "folded"), [
    ("Refund", "refund"), ("Crème Brûlée", "creme brulee"), ("STRASSE", "strasse"),
    ("Straße", "strasse"), ("ﬁle", "file"), ("İstanbul", "istanbul"), ("Ångström", "angstrom"),
    ("e\u0301t\u00e9", "ete"), ("ΣΊΣΥΦΟΣ", "σισυφοσ"), ("Дом", "дом"), ("", ""),
])
def test_fold_ignores_case_and_accents(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_fold_map_points_each_folded_character_at_its_source() -> None:
    assert fold_map("Abc") == ("abc", None)
    folded, source = fold_map("aßé")
    assert folded == "asse" and source == [0, 1, 1, 2]


def test_ranges_are_in_the_original_text_whatever_folding_did() -> None:
    assert covered("Your VAT number, vat id", "vat") == ["VAT", "vat"]
    assert covered("Crème brûlée and creme", "creme") == ["Crème", "creme"]
    assert covered("e\u0301te\u0301", "e") == ["e\u0301", "e\u0301"]  # marks go with the letter
    assert covered("Straße", "strasse") == ["Straße"]
    assert covered("Straße", "s") == ["S", "ß"]  # one range per character, never half of one
    assert covered("aaaa", "aa") == ["aa", "aa"]
    assert covered("nothing here", "vat") == []
    assert find_ranges("anything", "   ") == [] and find_ranges("anything", "") == []


def test_utf16_ranges_count_astral_characters_twice() -> None:
    text = "😀 refund 😀 refund"
    ranges = find_ranges(text, "refund")
    assert ranges == [(2, 8), (11, 17)]
    assert utf16_ranges(text, ranges) == [(3, 9), (13, 19)]
    assert utf16_ranges("plain refund", [(6, 12)]) == [(6, 12)]


# ---- what a message offers -------------------------------------------------------------------


def test_visible_text_of_each_kind() -> None:
    assert visible_text(msg("Hi <b>there</b>")) == "Hi <b>there</b>"
    assert visible_text(msg("a private word", type="note")) == "a private word"
    assert visible_text(msg({"name": "Invoice-42.pdf", "url": "https://x.test/f/a.pdf",
                             "type": "application/pdf"}, type="file")) == "Invoice-42.pdf"
    assert visible_text(msg({"url": "https://x.test/f/scan%20copy.png", "type": "image/png"},
                            type="file")) == "scan copy.png"
    assert visible_text(msg({"url": "https://x.test/cat.gif"}, type="animation")) == "cat.gif"
    picker = visible_text(msg({"id": "p", "text": "Pick one & go",
                               "choices": [{"value": "a", "label": "Café", "selected": False}]},
                              type="picker"))
    assert "Pick one & go" in picker and "Café" in picker
    assert visible_text(msg({"namespace": "state:resolved"}, type="event")) == ""
    assert visible_text(msg({"url": "https://x.test/a.ogg", "duration": 3}, type="audio")) == ""
    assert visible_text(msg(["not", "a", "mapping"], type="file")) == ""


def test_matcher_folds_and_refuses_a_blank_query() -> None:
    match = matcher("CAFE")
    assert match(msg("un café, merci")) and not match(msg("tea"))
    assert not matcher("  ")(msg("anything"))
    assert not matcher("vat number")(msg("my number for VAT"))
    assert matcher("vat number", every_word=True)(msg("my number for VAT"))
    assert not matcher("vat number", every_word=True)(msg("my VAT"))


# ---- one find --------------------------------------------------------------------------------


def test_the_newest_match_is_current_and_numbered_one() -> None:
    msgs = thread("refund please", "ok", "Refund done", "thanks", "REFUND?")
    find = FindResults()
    find.search("refund", msgs)
    assert find.matches == [msgs[0].fingerprint, msgs[2].fingerprint, msgs[4].fingerprint]
    assert find.current == msgs[4].fingerprint and find.label() == "1 of 3"


def test_next_goes_older_previous_newer_both_wrap() -> None:
    msgs = thread("vat", "x", "vat", "vat")
    find = FindResults()
    find.search("VAT", msgs)
    order = [find.step(older=True) for _ in range(3)]
    assert order == [msgs[2].fingerprint, msgs[0].fingerprint, msgs[3].fingerprint]
    assert find.label() == "1 of 3"
    assert find.step(older=False) == msgs[0].fingerprint and find.label() == "3 of 3"


def test_a_live_match_updates_the_count_and_the_current_one_stays() -> None:
    msgs = thread("vat 1", "vat 2", "other")
    find = FindResults()
    find.search("vat", msgs)
    find.step(older=True)
    assert find.current == msgs[0].fingerprint and find.label() == "2 of 2"
    msgs.append(msg("VAT 3", ts=10))
    find.refresh(msgs)
    assert find.current == msgs[0].fingerprint and find.label() == "3 of 3"
    older = [msg("old vat", ts=-5)]
    find.refresh(older + msgs)  # an older page: numbers newest first do not move
    assert find.label() == "3 of 4"


def test_a_current_match_that_goes_leaves_none_current() -> None:
    msgs = thread("vat 1", "vat 2")
    find = FindResults()
    find.search("vat", msgs)
    find.refresh(msgs[:1])
    assert find.current is None and find.label() == "1 match"
    assert find.step(older=True) == msgs[0].fingerprint and find.label() == "1 of 1"


def test_an_edit_is_searched_again() -> None:
    msgs = thread("vat", "nothing")
    find = FindResults()
    find.search("vat", msgs)
    msgs[1].apply_update({"content": "VAT too"})
    find.refresh(msgs)
    assert find.matches == [m.fingerprint for m in msgs]


def test_words_without_a_match_and_without_a_query() -> None:
    find = FindResults()
    assert find.label() == ""
    find.search("zebra", thread("horse"))
    assert find.label() == NO_MATCH_LOADED and find.label(at_start=True) == NO_MATCH
    assert find.step(older=True) is None
    find.search("  ", thread("horse"))
    assert find.label() == "" and find.matches == []


def test_marks_say_found_and_current() -> None:
    msgs = thread("vat", "vat", "no")
    find = FindResults()
    find.search("vat", msgs)
    assert find.mark(msgs[1].fingerprint) == Mark("vat", found=True, current=True)
    assert find.mark(msgs[0].fingerprint) == Mark("vat", found=True)
    assert find.mark(msgs[2].fingerprint) is None
    find.clear()
    assert find.mark(msgs[1].fingerprint) is None and find.label() == ""
