"""Custom data values: one-line text, and back to a typed value without losing the type."""

from __future__ import annotations

from typing import Any

import pytest

from crisp_console.present import data_values as values


@pytest.mark.parametrize("value", [42, True, False, 1234.75, "007", "multi\nline", 10**20])
def test_unchanged_text_gives_back_the_original_value(value: Any) -> None:
    assert values.parse_value(values.format_value(value), value) is value


@pytest.mark.parametrize(("text", "original", "expected"), [
    ("43", 42, 43),
    ("3.5", 42, 3.5),  # a number still, even if not an integer now
    ("3", 2.5, 3.0),
    ("no", True, False),
    ("YES", False, True),
    ("42", "41", "42"),  # text stays text
    ("abc", 42, "abc"),  # the user typed words: text now
    ("maybe", True, "maybe"),
])
def test_edited_text_keeps_the_original_type_when_it_fits(text: str, original: Any,
                                                          expected: Any) -> None:
    value = values.parse_value(text, original)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize(("text", "expected"), [
    ("42", 42), ("-7", -7), ("3.50", 3.5), ("true", True), ("False", False),
    ("007", "007"), ("1e3", "1e3"), ("+1", "+1"), ("1234567890123456", "1234567890123456"),
    ("", ""), ("nan", "nan"),
])
def test_new_values_read_canonical_numbers_and_booleans(text: str, expected: Any) -> None:
    value = values.parse_value(text)
    assert value == expected and type(value) is type(expected)


def test_values_show_as_one_line_text() -> None:
    assert values.format_value(3) == "3" and values.format_value(0.1) == "0.1"
    assert values.format_value(True) == "true"
    assert values.format_value(None) == ""
    assert values.format_value({"a": [1]}) == '{"a": [1]}'
    assert values.format_value("a\n\u202eb") == "a b"
    assert values.kind_of(1.5) == "number" and values.kind_of(False) == "yes/no"


def test_key_errors() -> None:
    assert values.key_error("  ", ["a"]) is not None
    assert values.key_error("a", ["a", "b"]) is not None
    assert values.key_error("a", ["a", "b"], current="a") is None
    assert values.key_error("c", ["a", "b"]) is None
