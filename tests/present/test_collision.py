"""The collision warning's words (present/collision.py)."""

from __future__ import annotations

from crisp_console.core import Operator
from crisp_console.core.presence import Colleague
from crisp_console.present.collision import (
    collision_text,
    names_phrase,
    short_name,
    typing_text,
    wrote_text,
)

OPERATORS = {"ana": Operator("ana", first_name="Ana", last_name="Silva"),
             "leo": Operator("leo", first_name="Leo", last_name="Ortega"),
             "nameless": Operator("nameless", email="x@example.com")}


def test_names_first_name_else_the_events_else_a_colleague() -> None:
    assert short_name(Colleague("ana", "Ana Silva", 0), OPERATORS) == "Ana"
    assert short_name(Colleague("sam", "Sam\u202e Lee\n", 0), OPERATORS) == "Sam Lee"
    assert short_name(Colleague("nameless", "", 0), OPERATORS) == "A colleague"
    assert short_name(Colleague("ghost", "", 0), {}) == "A colleague"


def test_names_phrase() -> None:
    assert names_phrase([]) == ""
    assert names_phrase(["Ana"]) == "Ana"
    assert names_phrase(["Ana", "Leo"]) == "Ana and Leo"
    assert names_phrase(["Ana", "Leo", "Sam"]) == "Ana, Leo and Sam"
    assert names_phrase(["Ana", "Leo", "Sam", "Kim"]) == "Ana, Leo, Sam and 1 other"
    assert names_phrase(["Ana", "Leo", "Sam", "Kim", "Bo"]) == "Ana, Leo, Sam and 2 others"


def test_typing() -> None:
    assert typing_text([]) == ""
    assert typing_text(["Ana"]) == "Ana is typing…"
    assert typing_text(["Ana", "Leo"]) == "Ana and Leo are typing…"


def test_wrote_in_steps_of_ten_seconds_reply_note_or_both() -> None:
    leo = Colleague("leo", "Leo", 34.9)
    assert wrote_text([leo], ["Leo"]) == "Leo replied 30 s ago"
    assert wrote_text([Colleague("leo", "Leo", 9.9)], ["Leo"]) == "Leo replied just now"
    assert wrote_text([Colleague("leo", "Leo", 61)], ["Leo"]) == "Leo replied 1 min ago"
    note = Colleague("ana", "Ana", 50, note=True)
    assert wrote_text([note], ["Ana"]) == "Ana left a note 50 s ago"
    assert wrote_text([note, note], ["Ana", "Sam"]) == "Ana and Sam left notes 50 s ago"
    assert wrote_text([leo, note], ["Leo", "Ana"]) == "Leo and Ana wrote 30 s ago"
    assert wrote_text([], []) == ""


def test_the_whole_line() -> None:
    typing = [Colleague("ana", "Ana Silva", 3)]
    wrote = [Colleague("leo", "Leo Ortega", 12)]
    assert collision_text(typing, wrote, OPERATORS) == "Ana is typing… · Leo replied 10 s ago"
    assert collision_text([], wrote, OPERATORS) == "Leo replied 10 s ago"
    assert collision_text([], [], OPERATORS) == ""
