"""Safe message text as Qt reads it: the links a QTextDocument finds in safe_html's and the
bodies' HTML, hostile content that loads nothing, and SafeDocument, which loads no resource.
The Qt-free rules (escaping, the link gate, bodies of malformed content) are tested in
tests/present/test_richtext.py and test_content.py."""

from __future__ import annotations

import re
from typing import Any

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QTextDocument

from crisp_console.present.content import body_of
from crisp_console.present.richtext import allowed_link, safe_html
from crisp_console.ui.delegates.richtext import SafeDocument
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


