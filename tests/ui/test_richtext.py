"""Safe message text: escaping, linkifying, the link gate, hostile content, and documents that
never load a resource."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QTextDocument

from crisp_console.ui.delegates import richtext
from crisp_console.ui.delegates.content import UNSUPPORTED, body_of, event_text, file_name_of
from crisp_console.ui.delegates.richtext import (
    MAX_TEXT,
    SafeDocument,
    allowed_link,
    safe_html,
)
from tests.ui.hostile import RecordingDocument, render

pytestmark = pytest.mark.usefixtures("qapp")  # documents and painting need a QGuiApplication

TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z0-9]+)([^>]*)>")

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src="http://evil.example/p.png">',
    "<img src=http://evil.example/p.png onerror=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "javascript:alert(document.cookie)",
    '<iframe src="https://evil.example"></iframe>',
    "<style>body{background:url(http://evil.example/x)}</style>",
    '<link rel=stylesheet href="http://evil.example/x.css">',
    "<object data=http://evil.example/x.swf></object>",
    '<table background="http://evil.example/bg.png"><tr><td>x</td></tr></table>',
    'http://evil.example/"onmouseover="alert(1)',
    "https://ok.example/<script>alert(1)</script>",
    "&lt;script&gt; &amp; &#60;img src=x&#62;",
    "<!-- comment --> <![CDATA[ x ]]> <?xml version='1.0'?>",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "file:///etc/passwd",
    "\u202egnp.exe http://bidi.example/\u202eevil",
    "zero\u200bwidth\u200d joiner \ufeff bom https://z.example/a\u200bb",
    "emoji 😀👍🏽 👨‍👩‍👧 https://emoji.example/😀",
    "مرحبا https://rtl.example/مسار نص",
    "<b>not bold</b> <i>not italic</i> <br> <p>no paragraph</p>",
]


def tags_of(html: str) -> list[tuple[str, str, str]]:
    return [(m.group(1), m.group(2).lower(), m.group(3)) for m in TAG.finditer(html)]


def hrefs_of(html: str) -> list[str]:
    doc = QTextDocument()
    doc.setHtml(html)
    out = []
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            if fmt.isAnchor():
                out.append(fmt.anchorHref())
            it += 1
        block = block.next()
    return out


# ---- safe_html -------------------------------------------------------------------------------


def test_plain_text_is_escaped() -> None:
    assert safe_html("a < b && c > d \"q\" 'x'") == (
        "a &lt; b &amp;&amp; c &gt; d &quot;q&quot; &#x27;x&#x27;")


def test_newlines_become_br_and_spaces_survive() -> None:
    assert safe_html("one\ntwo\r\nthree\rfour") == "one<br>two<br>three<br>four"
    assert safe_html("a    b") == "a &nbsp; &nbsp;b"
    assert "&nbsp;" in safe_html("tab\there")


def test_http_and_https_urls_become_links() -> None:
    html = safe_html("see https://shop.example/o/1?x=1&y=2 and HTTP://UP.example/")
    assert html == (
        'see <a href="https://shop.example/o/1?x=1&amp;y=2">https://shop.example/o/1?x=1&amp;y=2'
        '</a> and <a href="HTTP://UP.example/">HTTP://UP.example/</a>')
    assert hrefs_of(html) == ["https://shop.example/o/1?x=1&y=2", "HTTP://UP.example/"]


@pytest.mark.parametrize(("text", "url"), [
    ("go to https://a.example/x.", "https://a.example/x"),
    ("(see https://a.example/x)", "https://a.example/x"),
    ("https://en.wikipedia.org/wiki/Foo_(bar)!", "https://en.wikipedia.org/wiki/Foo_(bar)"),
    ('"https://a.example/q?x=1",', "https://a.example/q?x=1"),
    ("[https://a.example/]", "https://a.example/"),
    ("https://a.example/path?;", "https://a.example/path"),
])
def test_trailing_punctuation_stays_out_of_links(text: str, url: str) -> None:
    assert hrefs_of(safe_html(text)) == [url]


@pytest.mark.parametrize("text", [
    "javascript:alert(1)", "ftp://files.example/x", "mailto:a@b.example", "www.example.com",
    "file:///etc/passwd", "xhttp://glued.example", "http://", "https://",
])
def test_only_http_urls_are_linkified(text: str) -> None:
    assert "<a" not in safe_html(text)


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_yields_only_generated_links_and_breaks(text: str) -> None:
    html = safe_html(text)
    for closing, name, attrs in tags_of(html):
        assert name in ("a", "br"), html
        if name == "a" and not closing:
            assert re.fullmatch(r' href="[^"]*"', attrs), attrs  # no other attribute, ever
    for href in hrefs_of(html):
        assert allowed_link(href), href
    assert "<script" not in html.lower() and "<img" not in html.lower()


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_loads_no_resource(text: str) -> None:
    doc = RecordingDocument()
    doc.setHtml(safe_html(text))
    render(doc)
    assert doc.requested == []


def test_the_resource_probe_would_catch_a_remote_image() -> None:
    """Proves the probe above can fail: raw markup does make Qt ask for the image."""
    doc = RecordingDocument()
    doc.setHtml('<img src="http://evil.example/p.png">')
    render(doc)
    assert any(url.startswith("http://evil.example") for url in doc.requested)


def test_safe_document_refuses_every_resource() -> None:
    doc = SafeDocument()
    for url in ("http://evil.example/p.png", "file:///etc/passwd", "qrc:/icon.svg"):
        assert doc.loadResource(QTextDocument.ResourceType.ImageResource, QUrl(url)) is None
    doc.setHtml('<img src="http://evil.example/p.png"> <img src="/etc/hostname">')
    render(doc)  # nothing to assert but "no load, no crash": loadResource returns nothing


def test_bidi_and_zero_width_characters_never_enter_a_url() -> None:
    html = safe_html("http://bidi.example/\u202eevil and https://z.example/a\u200bb")
    assert hrefs_of(html) == ["http://bidi.example/", "https://z.example/a"]
    assert "\u202e" in html  # the text itself is kept (escaped), just not linked


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


# ---- message bodies --------------------------------------------------------------------------


ALLOWED_BODY_TAGS = {"a", "br", "b", "i"}


@pytest.mark.parametrize(("kind", "content"), [
    ("text", "<script>x</script>"),
    ("note", '<img src="http://evil.example/x">'),
    ("file", {"name": "<img src=http://e.example/x>", "url": "javascript:alert(1)",
              "type": "<b>mime</b>"}),
    ("file", {"name": "a.png", "url": "https://f.example/a.png", "type": "image/png"}),
    ("animation", {"url": "https://f.example/<script>.gif", "type": "image/gif"}),
    ("audio", {"url": "data:audio/webm;base64,AAAA", "duration": "<b>7</b>"}),
    ("picker", {"text": "<i>pick</i>", "choices": [
        {"label": "<script>", "action": {"type": "link", "target": "javascript:alert(1)"}},
        {"label": "ok", "selected": True, "action": {"target": "https://ok.example"}}]}),
    ("field", {"text": "<b>q</b>", "explain": "<img src=x>", "value": "</i><script>"}),
    ("carousel", {"text": "t", "targets": [{"title": "<h1>T</h1>", "description": "<p>d",
                                             "image": "http://img.example/p.png",
                                             "actions": [{"label": "<x>",
                                                          "url": "javascript:x"}]}]}),
])
def test_bodies_escape_everything_they_show(kind: str, content: Any) -> None:
    body = body_of(kind, content)
    for _closing, name, attrs in tags_of(body.html):
        assert name in ALLOWED_BODY_TAGS, body.html
        assert name == "a" or attrs.strip() == "", body.html
    for href in hrefs_of(body.html):
        assert allowed_link(href)
    assert 'href="javascript' not in body.html.lower()
    doc = RecordingDocument()
    doc.setHtml(body.html)
    render(doc)
    assert doc.requested == []


def test_media_target_only_when_allowed() -> None:
    assert body_of("animation", {"url": "https://f.example/a/thumbs-up.gif"}).target == (
        "https://f.example/a/thumbs-up.gif")
    assert body_of("animation", {"url": "javascript:alert(1)//x.gif"}).target is None
    assert body_of("file", {"url": "file:///etc/x.png", "type": "image/png"}).target is None


MALFORMED: list[Any] = [
    None, 42, 3.5, True, [], ["a"], {}, {"name": None}, {"url": 42}, {"choices": "nope"},
    {"choices": [None, 1, "x", {"label": None}, {"label": ["x"]}]}, {"targets": {"a": 1}},
    {"targets": [None, {"actions": "x"}, {"actions": [None, {"url": 3}]}]},
    {"text": None, "explain": 7, "value": {"x": 1}}, {"duration": float("nan")},
    {"duration": -5}, {"duration": 1e300}, {"size": "big"}, {"size": -1}, {"namespace": 5},
]


@pytest.mark.parametrize("kind", ["text", "note", "file", "animation", "audio", "picker",
                                  "field", "carousel", "event", "unknown", None, 7])
@pytest.mark.parametrize("content", MALFORMED, ids=range(len(MALFORMED)))
def test_malformed_content_never_raises(kind: Any, content: Any) -> None:
    body = body_of(kind, content)
    assert isinstance(body.html, str)
    assert isinstance(event_text(content), str)


def test_fallback_for_unusable_content() -> None:
    assert body_of("text", {"broken": True}).unsupported
    assert UNSUPPORTED in body_of("text", None).html
    assert body_of("picker", {"choices": []}).unsupported
    assert body_of("carousel", 42).unsupported
    assert not body_of("mystery", "some text").unsupported  # an unknown type shows its text
    assert not body_of("mystery", {"text": "hi"}).unsupported


def test_event_texts() -> None:
    assert event_text({"namespace": "state:resolved"}) == "Conversation resolved"
    assert event_text({"namespace": "x:y", "text": "Custom"}) == "Custom"
    assert event_text({"namespace": "x:y"}) == "x:y"
    assert event_text(None) == "Event"


def test_file_names_from_urls() -> None:
    assert file_name_of("https://f.example/a/b/thumbs%20up.gif?x=1") == "thumbs up.gif"
    assert file_name_of("https://f.example/") == ""
    assert file_name_of("https://[::1") == ""
    assert file_name_of(None) == ""
