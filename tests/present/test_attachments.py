"""The tray's pure helpers: Crisp's limits by type, sizes and refusals in words, the kind of
file a card shows, unique names."""

from __future__ import annotations

import pytest

from crisp_console.present.attachments import (
    DEFAULT_LIMIT,
    MiB,
    caption_placeholder,
    file_size,
    kind_of,
    over_the_cap,
    size_limit,
    too_large,
    tray_title,
    unique_name,
)


@pytest.mark.parametrize(("mime", "limit"), [
    ("image/png", 12 * MiB), ("IMAGE/JPEG", 12 * MiB), ("image/webp", 12 * MiB),
    ("image/gif", 3 * MiB), ("application/pdf", 10 * MiB), ("", DEFAULT_LIMIT),
])
def test_crisp_limits_by_type(mime: str, limit: int) -> None:
    assert size_limit(mime) == limit


@pytest.mark.parametrize(("size", "words"), [
    (0, "0 B"), (1023, "1023 B"), (1024, "1 KB"), (150_000, "146 KB"), (MiB, "1 MB"),
    (int(3.45 * MiB), "3.4 MB"), (10 * MiB, "10 MB"),
])
def test_file_size(size: int, words: str) -> None:
    assert file_size(size) == words


def test_refusals_in_words() -> None:
    assert too_large(11 * MiB, 10 * MiB) == "Too large to send (11 MB); Crisp takes up to 10 MB"
    assert over_the_cap(1) == "Not added: up to 10 files go with one message " \
                              "(1 more was left out)"
    assert over_the_cap(3, 5).endswith("(3 more were left out)")


@pytest.mark.parametrize(("name", "mime", "label", "badge", "family"), [
    ("invoice.pdf", "application/pdf", "PDF document", "PDF", "pdf"),
    ("Q3 figures.xlsx", "application/octet-stream", "Spreadsheet", "XLSX", "sheet"),
    ("deck.pptx", "", "Presentation", "PPTX", "slides"),
    ("logs.tar.gz", "application/gzip", "Archive", "GZ", "archive"),
    ("photo.JPG", "image/jpeg", "Image", "JPG", "image"),
    ("pasted", "image/png", "Image", "PNG", "image"),
    ("voice.ogg", "audio/ogg", "Audio", "OGG", "audio"),
    ("clip.mp4", "video/mp4", "Video", "MP4", "video"),
    ("notes", "text/plain", "Text", "TXT", "text"),
    ("blob", "application/octet-stream", "File", "FILE", "file"),
    ("weird.ex e", "application/octet-stream", "File", "FILE", "file"),  # not alnum
    ("verylongextension.abcdefgh", "", "File", "ABCD", "file"),
])
def test_kind_of(name: str, mime: str, label: str, badge: str, family: str) -> None:
    kind = kind_of(name, mime)
    assert (kind.label, kind.badge, kind.family) == (label, badge, family)


def test_unique_names() -> None:
    assert unique_name("a.pdf", set()) == "a.pdf"
    assert unique_name("a.pdf", {"a.pdf"}) == "a (2).pdf"
    assert unique_name("a.pdf", {"a.pdf", "a (2).pdf"}) == "a (3).pdf"
    assert unique_name(".bashrc", {".bashrc"}) == ".bashrc (2)"


def test_what_the_tray_says() -> None:
    assert tray_title(1, note=False) == "1 file · Enter sends it, then your text"
    assert tray_title(3, note=False) == "3 files · Enter sends them, then your text"
    assert "switch to Reply" in tray_title(2, note=True)
    assert caption_placeholder(1).endswith("after the file")
    assert caption_placeholder(2).endswith("after the files")
