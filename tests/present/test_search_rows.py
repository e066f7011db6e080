"""Search rows, their order when Crisp's answer joins, and the status line's words."""

from __future__ import annotations

from dataclasses import dataclass

from crisp_console.present.search_rows import (
    CRISP,
    EMPTY_QUERY_TEXT,
    LAST_MESSAGE,
    SAVED,
    SEARCHING_TEXT,
    SearchRow,
    SearchStatus,
    empty_text,
    keep_places,
    search_row,
    status_text,
)
from tests.present.seeded import seeded_store

S, E = "\ue000", "\ue001"


@dataclass(frozen=True)
class SearchResult:
    """A client/search.py SearchResult as present/ reads it (present's tests import no I/O
    layer: the client's own type is checked against the Hit protocol by mypy there)."""

    session_id: str
    website_id: str
    fingerprint: int | None
    timestamp: int
    snippet: str
    field: str
    local: bool
    server: bool
MARKS = (S, E)


def hit(sid: str, fp: int | None = 1, *, snippet: str = f"the {S}VAT{E}", field: str = "message",
        local: bool = True, server: bool = False) -> SearchResult:
    return SearchResult(sid, "w", fp, 1000, snippet, field, local, server)


def row(sid: str, fp: int | None = 1, field: str = "message", **kw: object) -> SearchRow:
    return search_row(hit(sid, fp, field=field, **kw), None, "vat", MARKS)  # type: ignore[arg-type]


def test_a_local_message_row() -> None:
    store = seeded_store(3)
    sid = store.conversation_ids()[0]
    r = search_row(hit(sid, 7, server=True), store.conversations[sid], "vat", MARKS)
    assert (r.name, r.text, r.hits, r.label) == (
        store.conversations[sid].nickname, "the VAT", ((4, 7),), "")
    assert r.sources == (SAVED, CRISP)
    assert r.key == (sid, 7, "message")
    words = r.describe("Acme", "12 Mar")
    assert words.startswith(f"{r.name}, Acme, 12 Mar. the VAT.")
    assert words.endswith("Saved on this computer and found by Crisp")


def test_fields_say_what_matched() -> None:
    assert row("a", None, "email", snippet=f"{S}vat{E}@x.org").label == "Email"
    assert row("a", 3, "note").label == "Note"
    assert row("a", 3, "file").label == "File"
    assert row("a", None, "brand_new").label == "Brand_new"


def test_a_row_only_crisp_named_marks_the_words_in_its_last_message() -> None:
    named = row("a", None, "conversation", snippet="Your Vat number please",
                local=False, server=True)
    assert named.hits == ((5, 8),) and named.label == "" and named.sources == (CRISP,)
    other = row("b", None, "conversation", snippet="Thanks, bye", local=False, server=True)
    assert other.hits == () and other.label == LAST_MESSAGE
    assert search_row(hit("c", None, snippet="x", field="conversation"), None, "q",
                      MARKS).name == "Visitor"


def test_a_row_only_crisp_named_reads_its_last_event_or_file_in_words() -> None:
    store = seeded_store(2)
    sid = store.conversation_ids()[0]
    store.rows.update(sid, {"last_message": "[event] state:resolved", "last_type": "event"})
    got = search_row(hit(sid, None, snippet="[event] state:resolved", field="conversation",
                         local=False, server=True), store.conversations[sid], "mug", MARKS)
    assert (got.text, got.label) == ("Conversation resolved", LAST_MESSAGE)
    unknown = search_row(hit("z", None, snippet="[file] mug.jpg", field="conversation",
                             local=False, server=True), None, "mug", MARKS)
    assert unknown.text == "📎 mug.jpg" and unknown.hits == ((2, 5),)


def test_rows_shown_keep_their_places() -> None:
    a, b, c = row("a"), row("b"), row("c")
    shown = [b.key, a.key]
    assert keep_places(shown, [a, c, b]) == [b, a, c]
    assert keep_places(shown, [c, a]) == [a, c]  # b is gone: a moves up, c follows
    # Crisp named conversation x first; the local answer finds a message of x: in its place.
    x_named = row("x", None, "conversation", local=False, server=True)
    x_msg, y = row("x", 9, server=True), row("y")
    assert keep_places([x_named.key], [y, x_msg]) == [x_msg, y]


def test_status_words() -> None:
    q = SearchStatus("vat", None, True, "waiting")
    assert status_text(q) == "Searching here… · searching Crisp…"
    assert status_text(SearchStatus("vat", 12, True, "waiting")) == \
        "12 found here · searching Crisp…"
    assert status_text(SearchStatus("vat", 12, True, "done", more=3)) == \
        "12 found here · Crisp found 3 more"
    assert status_text(SearchStatus("vat", 12, True, "done")) == \
        "12 found here · Crisp found nothing more"
    assert status_text(SearchStatus("vat", 2, True, "done", more=1, problem="refused")) == \
        "2 found here · Crisp found 1 more · not every website could be searched: refused"
    assert status_text(SearchStatus("vat", 0, True, "failed", problem="quota\nspent")) == \
        "0 found here · Crisp could not be searched: quota spent"
    assert status_text(SearchStatus("vat", 4, True, "offline")) == \
        "Searching what is saved on this computer · 4 found"
    assert status_text(SearchStatus("v", 1, True, "short")) == \
        "1 found here · Crisp is searched from 2 characters"
    assert status_text(SearchStatus("vat", None, False, "waiting")) == "Searching Crisp…"
    assert status_text(SearchStatus("vat", None, False, "done", more=25)) == "Crisp found 25"
    assert status_text(SearchStatus()) == ""


def test_empty_texts() -> None:
    assert empty_text(SearchStatus()) == EMPTY_QUERY_TEXT
    assert empty_text(SearchStatus("vat", None, True, "waiting")) == SEARCHING_TEXT
    assert empty_text(SearchStatus("vat", 0, True, "done")) == "Nothing matches “vat”"
    assert empty_text(SearchStatus("x" * 50, 0, True, "offline")).endswith("…”")
