"""The composer's text logic without Qt: triggers, slash commands, Enter's outcome, ranking,
mentions and UTF-16 positions."""

from __future__ import annotations

import pytest

from crisp_console.present.canned import CannedResponse
from crisp_console.present.composer_text import (
    COMMANDS,
    Completer,
    Outcome,
    SlashCommand,
    Trigger,
    active_trigger,
    canned_completions,
    command_completions,
    from_utf16,
    interpret,
    mention_completions,
    mentioned,
    outgoing_text,
    parse_command,
    rank,
    to_utf16,
    typing_excerpt,
)


def at_bar(marked: str) -> Trigger | None:
    """The trigger of a text whose cursor is written as ``|``."""
    cursor = marked.index("|")
    return active_trigger(marked.replace("|", ""), cursor)


# -- triggers --

@pytest.mark.parametrize(("marked", "expected"), [
    ("!|", Trigger("canned", 0, 1, "")),
    ("Thanks, !ref|", Trigger("canned", 8, 12, "ref")),
    ("!re|fund please", Trigger("canned", 0, 7, "re")),  # the whole word is replaced
    ("line one\n!pass|", Trigger("canned", 9, 14, "pass")),
    ("/|", Trigger("command", 0, 1, "")),
    ("/res|", Trigger("command", 0, 4, "res")),
    ("note for @al|", Trigger("mention", 9, 12, "al")),
    ("@Chlo|é", Trigger("mention", 0, 6, "Chlo")),
])
def test_triggers_at_the_start_of_a_word(marked: str, expected: Trigger) -> None:
    assert at_bar(marked) == expected


@pytest.mark.parametrize("marked", [
    "Hello!|",            # ! inside a word is punctuation
    "Wow !!|",            # a second ! is not a shortcut character
    "see /res|",          # / only at the very start of the message
    " /res|",
    "//res|",             # escaped slash
    "/etc/hos|",          # a path
    "mail me at a@b|",    # an address, not a mention
    "!refund |",          # the word is finished
    "!re$|",
    "plain text|",
    "|",
])
def test_no_trigger(marked: str) -> None:
    assert at_bar(marked) is None


def test_trigger_with_the_cursor_out_of_range_is_clamped() -> None:
    assert active_trigger("!x", 99) == Trigger("canned", 0, 2, "x")


# -- slash commands and Enter --

@pytest.mark.parametrize(("text", "expected"), [
    ("/resolve", SlashCommand("resolve", "", True)),
    ("/Resolve  ", SlashCommand("resolve", "", True)),
    ("/assign  Bob Stone ", SlashCommand("assign", "Bob Stone", True)),
    ("/remind 1h", SlashCommand("remind", "1h", True)),
    ("/note first line\n\nsecond line\n", SlashCommand("note", "first line\n\nsecond line", True)),
    ("/note\nbelow", SlashCommand("note", "below", True)),
    ("/shrug", SlashCommand("shrug", "", False)),
])
def test_parse_command(text: str, expected: SlashCommand) -> None:
    assert parse_command(text) == expected


@pytest.mark.parametrize("text", ["resolve", " /resolve", "//resolve", "/etc/hosts is the file",
                                  "/", "/ resolve", ""])
def test_not_a_command(text: str) -> None:
    assert parse_command(text) is None


def test_outgoing_text_trims_the_ends_and_keeps_the_inside() -> None:
    assert outgoing_text("\n  \nHello\n\n  indented line  \n\n") == "Hello\n\n  indented line"
    assert outgoing_text("    code first\nnext") == "    code first\nnext"
    assert outgoing_text("//shrug") == "/shrug"
    assert outgoing_text("//shrug", commands=False) == "//shrug"
    assert outgoing_text(" \n\t ") == ""


@pytest.mark.parametrize(("raw", "editing", "expected"), [
    ("Hello  \n", None, Outcome("send", "Hello")),
    ("  \n ", None, Outcome("nothing")),
    ("//shrug", None, Outcome("send", "/shrug")),
    ("/resolve", None, Outcome("command", "", "resolve")),
    ("/assign Bob", None, Outcome("command", "Bob", "assign")),
    ("/assign", None, Outcome("command", "", "assign")),
    ("/remind 1h", None, Outcome("command", "1h", "remind")),
    ("/unassign", None, Outcome("command", "", "unassign")),
    ("/note check billing", None, Outcome("note", "check billing", "note")),
    ("Fixed typo ", "Fixd typo", Outcome("edit", "Fixed typo")),
    ("Same", "Same", Outcome("unchanged", "Same")),
    ("/resolve", "old", Outcome("edit", "/resolve")),  # no commands while editing
])
def test_interpret(raw: str, editing: str | None, expected: Outcome) -> None:
    assert interpret(raw, editing=editing) == expected


@pytest.mark.parametrize(("raw", "editing", "says"), [
    ("/shrug", None, "Unknown command /shrug"),
    ("/resolve now", None, "/resolve takes no argument"),
    ("   ", "old", "cannot be emptied"),
])
def test_interpret_refusals_say_why(raw: str, editing: str | None, says: str) -> None:
    outcome = interpret(raw, editing=editing)
    assert outcome.kind == "refuse" and says in outcome.text


def test_typing_excerpt_is_bounded() -> None:
    assert typing_excerpt("  hi  ") == "hi"
    assert len(typing_excerpt("x" * 1000)) == 200


# -- ranking and completions --

CANNED = [
    CannedResponse("hello", "Greeting", "Hi!"),
    CannedResponse("password", "Password reset", "Reset it."),
    CannedResponse("refund", "Refund policy", "30 days."),
    CannedResponse("bonjour", "Greeting (French)", "Bonjour !", "fr"),
]


def test_rank_prefers_shortcut_prefix_then_title_words_then_substring() -> None:
    found = rank("re", CANNED, lambda c: (c.shortcut, c.title))
    assert [c.shortcut for c in found] == ["refund", "password", "hello", "bonjour"]
    assert rank("", CANNED, lambda c: (c.shortcut,)) == CANNED
    assert rank("zzz", CANNED, lambda c: (c.shortcut, c.title)) == []


def test_rank_ignores_case_and_accents() -> None:
    people = [("u1", "Chloé Durand"), ("u2", "Bob Stone")]
    assert rank("CHLOE", people, lambda p: (p[1],)) == [people[0]]
    assert rank("dur", people, lambda p: (p[1],)) == [people[0]]  # a later word


def test_completions_for_each_trigger() -> None:
    canned = canned_completions("bon", CANNED)
    assert [(c.label, c.replacement, c.value) for c in canned] == [
        ("!bonjour", "Bonjour !", "bonjour")]
    assert "[fr]" in canned[0].detail and "Greeting (French)" in canned[0].detail
    commands = {c.value: c.replacement for c in command_completions("")}
    assert commands == {"note": "", "resolve": "/resolve", "assign": "/assign ",
                        "unassign": "/unassign", "remind": "/remind "}
    assert [c.value for c in command_completions("una")] == ["unassign"]
    assert [c.value for c in command_completions("re")] == ["resolve", "remind"]
    assert len(command_completions("")) == len(COMMANDS)
    mentions = mention_completions("st", [("u1", "Alice Martin"), ("u2", "Bob Stone")])
    assert [(c.label, c.replacement, c.value) for c in mentions] == [
        ("Bob Stone", "@Bob Stone ", "u2")]


def test_completer_offers_by_trigger_mode_and_edit_state() -> None:
    completer = Completer()
    completer.canned = CANNED
    completer.operators = [("u1", "Alice Martin"), ("u2", "Bob Stone")]
    canned, command, mention = (Trigger("canned", 0, 1, ""), Trigger("command", 0, 1, ""),
                                Trigger("mention", 0, 1, "bo"))
    assert len(completer.entries(canned, note=False, editing=True)) == len(CANNED)
    assert len(completer.entries(command, note=False, editing=False)) == len(COMMANDS)
    assert completer.entries(command, note=False, editing=True) == []  # no commands in edits
    assert completer.entries(mention, note=False, editing=False) == []  # replies: no mentions
    [bob] = completer.entries(mention, note=True, editing=False)
    assert bob.value == "u2"


def test_completer_mentions_picked_and_unique_typed_names() -> None:
    completer = Completer()
    completer.operators = [("u1", "Sam"), ("u2", "Sam"), ("u3", "Bob Stone")]
    assert completer.mentions("@Sam and @Bob Stone") == ["u3"]  # "Sam" is ambiguous
    [second_sam] = [c for c in mention_completions("sam", completer.operators) if c.value == "u2"]
    completer.picked(second_sam)
    assert completer.mentions("@Sam and @Bob Stone") == ["u2", "u3"]
    completer.forget()
    assert completer.mentions("@Sam") == []


# -- mentions --

def test_mentioned_matches_whole_names_longest_first_in_order() -> None:
    names = {"Ann": "u-ann", "Ann Lee": "u-annlee", "Bob": "u-bob"}
    assert mentioned("@Bob and @Ann Lee, and @Ann.", names) == ["u-bob", "u-annlee", "u-ann"]
    assert mentioned("@Annabel and @Bobby", names) == []
    assert mentioned("@Bob @Bob", names) == ["u-bob"]
    assert mentioned("no mention of Bob", names) == []


# -- UTF-16 --

def test_utf16_positions_round_trip_around_emoji() -> None:
    text = "😀 a👍b"
    assert to_utf16(text, 2) == 3  # the emoji is two UTF-16 units
    assert to_utf16(text, len(text)) == 7
    for i in range(len(text) + 1):
        assert from_utf16(text, to_utf16(text, i)) == i
    assert from_utf16(text, 99) == len(text)
