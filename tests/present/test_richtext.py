"""Safe message text without Qt: escaping, line breaks, which URLs become links, the link gate,
and text that is too long or not text (what Qt reads of it: tests/ui/delegates/test_richtext.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from crisp_console.present import richtext
from crisp_console.present.richtext import MAX_TEXT, allowed_link, safe_html

# ---- safe_html -------------------------------------------------------------------------------


def test_plain_text_is_escaped() -> None:
    assert safe_html("a < b && c > d \"q\" 'x'") == (
        "a &lt; b &amp;&amp; c &gt; d &quot;q&quot; &#x27;x&#x27;")


def test_newlines_become_br_and_spaces_survive() -> None:
    assert safe_html("one\ntwo\r\nthree\rfour") == "one<br>two<br>three<br>four"
    assert safe_html("a    b") == "a &nbsp; &nbsp;b"
    assert "&nbsp;" in safe_html("tab\there")


@pytest.mark.parametrize("text", [
    "javascript:alert(1)", "ftp://files.example/x", "mailto:a@b.example", "www.example.com",
    "file:///etc/passwd", "xhttp://glued.example", "http://", "https://",
])
def test_only_http_urls_are_linkified(text: str) -> None:
    assert "<a" not in safe_html(text)


def test_emoji_and_rtl_text_are_kept() -> None:
    text = "مرحبا 😀👍🏽 👨‍👩‍👧"
    assert safe_html(text) == text


def test_huge_text_is_cut_before_any_work(monkeypatch: pytest.MonkeyPatch) -> None:
    # Fast whatever the size: the link search (and all the work after it) sees the cut text.
    scanned: list[int] = []
    pattern = vars(richtext)["_URL"]  # the module's own link pattern, wrapped

    class Recording:
        def finditer(self, text: str) -> Iterator[re.Match[str]]:
            scanned.append(len(text))
            return pattern.finditer(text)

    monkeypatch.setattr(richtext, "_URL", Recording())
    text = ("x" * 999 + " https://a.example/ <b>\n") * 2_000  # ~2 MB
    html = safe_html(text)
    assert html.endswith("…")
    assert len(html) < MAX_TEXT * 4
    assert scanned == [MAX_TEXT + len("…")]
    assert safe_html("y" * 5_000_000).count("y") == MAX_TEXT
    assert scanned == [MAX_TEXT + len("…")] * 2


@pytest.mark.parametrize("value", [None, 42, 4.2, b"bytes", ["list"], {"text": "x"}])
def test_non_text_gives_nothing(value: Any) -> None:
    assert safe_html(value) == ""


# ---- allowed_link ----------------------------------------------------------------------------


@pytest.mark.parametrize("url", [
    "http://a.example", "https://a.example/x?y=1#z", "HTTPS://A.EXAMPLE/",
    "https://user@host.example:8443/p", "mailto:ada@example.com", "http://127.0.0.1:8080/",
    "https://[::1]/",
])
def test_allowed_links(url: str) -> None:
    assert allowed_link(url)


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)", "data:text/html,x",
    "file:///etc/passwd", "ftp://a.example/", "vbscript:x", "about:blank", "/relative/path",
    "//a.example/x", "https://", "http:///path", "mailto:", "mailto:nobody", "https://[::1",
    "https://a.example/\u202eexe", "https://a.example/\u200b", "https://a.example/ x",
    "https://a.example/\nx", "https://a.example/\x00", 'https://a.example/"x', "https:\\\\a",
    "http://a.example/" + "x" * 3000, "", None, 42, ["https://a.example"],
])
def test_refused_links(url: Any) -> None:
    assert not allowed_link(url)
