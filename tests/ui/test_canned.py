"""Canned responses: the bundled file, schema validation, and bad files that give none."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest

from crisp_console.present.canned import CannedResponse
from crisp_console.ui.canned import default_path, load_canned


def write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_bundled_responses_are_valid_and_useful() -> None:
    responses = load_canned()
    assert load_canned(default_path()) == responses
    assert len(responses) >= 8
    shortcuts = [r.shortcut for r in responses]
    assert len(set(shortcuts)) == len(shortcuts)
    assert all(re.fullmatch(r"[a-z0-9_-]{1,32}", s) for s in shortcuts)
    assert {"hello", "refund", "shipping-delay", "password", "escalate", "bye"} <= set(shortcuts)
    assert all(r.title and len(r.text) > 20 for r in responses)
    assert any(r.locale == "fr" for r in responses)


def test_load_keeps_file_order_and_locale(tmp_path: Path) -> None:
    path = write(tmp_path / "c.json", [
        {"shortcut": "b", "title": "B", "text": "bee"},
        {"shortcut": "a_1", "title": "A", "text": "Hallo", "locale": "de-AT"},
    ])
    assert load_canned(path) == [CannedResponse("b", "B", "bee"),
                                 CannedResponse("a_1", "A", "Hallo", "de-AT")]


@pytest.mark.parametrize(("data", "where"), [
    ({"shortcut": "x", "title": "X", "text": "x"}, "the top level"),
    ([{"shortcut": "Has Space", "title": "X", "text": "x"}], "0/shortcut"),
    ([{"shortcut": "ok", "title": "X"}], "0"),
    ([{"shortcut": "ok", "title": "X", "text": "x", "colour": "red"}], "0"),
    ([{"shortcut": "ok", "title": "X", "text": "x"},
      {"shortcut": "ok2", "title": "", "text": "x"}], "1/title"),
    ([{"shortcut": "ok", "title": "X", "text": "x", "locale": "English"}], "0/locale"),
])
def test_an_invalid_file_gives_no_responses_and_says_where(
        tmp_path: Path, caplog: pytest.LogCaptureFixture, data: object, where: str) -> None:
    path = write(tmp_path / "bad.json", data)
    with caplog.at_level(logging.WARNING, logger="crisp_console.ui.canned"):
        assert load_canned(path) == []
    assert f"invalid at {where}:" in caplog.text and str(path) in caplog.text


def test_unreadable_files_give_no_responses(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("[{", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="crisp_console.ui.canned"):
        assert load_canned(broken) == []
        assert load_canned(tmp_path / "missing.json") == []
    assert caplog.text.count("not loaded") == 2


def test_a_repeated_shortcut_keeps_the_first(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = write(tmp_path / "dup.json", [
        {"shortcut": "hi", "title": "First", "text": "one"},
        {"shortcut": "hi", "title": "Second", "text": "two"},
    ])
    with caplog.at_level(logging.WARNING, logger="crisp_console.ui.canned"):
        assert load_canned(path) == [CannedResponse("hi", "First", "one")]
    assert "!hi is defined twice" in caplog.text
