"""One local search, on one connection in one read transaction (search.py runs it on its
reader thread, or through the database): candidates from the cards and the messages, ranked,
capped per conversation, then snippets and exact times for the few kept.

The cards (one per conversation) are few: every match is ranked by bm25, a name or an email
weighing most. The messages are many, so their candidates are the WINDOW newest matches
(``ORDER BY rowid DESC``: a document's rowid is its time, search_index.py; older windows
follow while the hits are too few), ranked by bm25 unless a word matches more than COMMON
documents: bm25 weighs a word by how many documents hold it, a pass over all of them (40 ms
for "t*" over a million messages), so such a query is ordered by time alone, and its hits
rank after every ranked one (rank 0). So is a query with a phrase (or a word with
punctuation inside, "A-2291"): its weights would need its words' positions in every
document holding them all. Ties go to the most recent.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from dataclasses import dataclass

from crisp_console.storage import search_docs as docs
from crisp_console.storage import search_index
from crisp_console.storage.search_query import Term, expression, terms

WINDOW = 500  # message candidates ranked at a time, newest first
WINDOWS = 4  # windows read at most, when the first ones give too few conversations
COMMON = 10_000  # messages a term may match and still be weighed by bm25
COMMON_CARDS = 5_000  # cards: beyond, the most recently updated conversations come first
PER_CONVERSATION = 3  # hits of one conversation at most
SNIPPET_TOKENS = 16
ELLIPSIS = "…"
CARD_WEIGHTS = (10.0, 8.0, 6.0, 4.0, 3.0, 2.0, 2.0, 1.0)  # search_docs.CARD_COLUMNS' order
IDENTITY_COLUMNS = ("name", "email", "phone")
IDENTITY = 1000.0  # taken off the rank of a card matching there: before any other hit
MIN_PREFIX = 2  # the messages' index has prefixes of 2 and 3 characters, not 1

# session_id, website_id, fingerprint, timestamp, field, snippet, rank (search.LocalHit)
Row = tuple[str, str, int | None, int, str, str, float]


@dataclass(slots=True)
class _Candidate:
    rank: float
    timestamp: int  # ms (a message's from its rowid until its details are read)
    rowid: int  # in search_text, or search_cards
    card: bool
    ref: int = -1  # the conversation (search_sessions); -1: a message's, not read yet
    fingerprint: int | None = None  # a message's; a card's last message's
    kind: int = docs.MESSAGE  # a message's
    website: str = ""  # a message's site token; a card's website_id


def run(conn: sqlite3.Connection, *, text: str, limit: int,
        website_ids: Collection[str] | None) -> list[Row]:
    """The hits of ``text`` (search_query.py), best first, at most ``limit``."""
    found = terms(text)
    if not found or limit <= 0:
        return []
    own = not conn.in_transaction  # through the database: inside the writer's transaction
    if own:
        conn.execute("BEGIN")
    try:
        if not search_index.available(conn):
            return []
        candidates = _cards(conn, found, limit, website_ids)
        windows = _Windows(conn, found, website_ids)
        candidates += windows.next()
        for _ in range(WINDOWS):
            candidates.sort(key=lambda c: (c.rank, -c.timestamp))
            chosen = _choose(conn, candidates, limit)
            # Short of hits (a few conversations held the newest matches): older ones.
            more = [] if len(chosen) >= limit else windows.next()
            if not more:
                break
            candidates += more
        return _hits(conn, found, chosen)
    finally:
        if own and conn.in_transaction:
            conn.execute("ROLLBACK")  # it only read


# The cards' ranking, and their conversation's website, time and last message (kept beside
# the ref: no conversation body is read). CROSS JOIN: the MATCH leads.
_CARDS = """
    SELECT c.rowid, {score} AS r, s.updated_at, s.website_id, s.last_fingerprint
    FROM search_cards c CROSS JOIN search_sessions s ON s.ref = c.rowid
    WHERE search_cards MATCH ?
"""
_CARD_BM25 = f"bm25(search_cards, {', '.join(map(str, CARD_WEIGHTS))})"


def _marks(values: Collection[object]) -> str:
    return ", ".join("?" * len(values))


def _cards(conn: sqlite3.Connection, found: list[Term], limit: int,
           website_ids: Collection[str] | None) -> list[_Candidate]:
    """The cards that match: those matching in the visitor's name, email or phone first
    (IDENTITY: an operator typing a name wants that person), then the others."""
    where, args = "", []
    if website_ids is not None:
        if not website_ids:
            return []
        where = f" AND s.website_id IN ({_marks(website_ids)})"
        args = sorted(website_ids)
    ranked = all(_count(conn, "search_cards", _match([term]), COMMON_CARDS + 1)
                 <= COMMON_CARDS for term in found)
    order = "r, s.updated_at DESC" if ranked else "s.updated_at DESC"
    sql = _CARDS.format(score=_CARD_BM25 if ranked else "0.0")
    out: dict[int, _Candidate] = {}
    for bonus, match in ((IDENTITY, f"{{{' '.join(IDENTITY_COLUMNS)}}} : ({_match(found)})"),
                         (0.0, _match(found))):
        for ref, rank, updated, website, last in conn.execute(
                f"{sql} {where} ORDER BY {order} LIMIT ?", (match, *args, limit)):
            if ref not in out:
                out[ref] = _Candidate(rank - bonus, updated, ref, True, ref, last or None,
                                      website=website)
    return list(out.values())


class _Windows:
    """The messages' candidates, WINDOW at a time, newest first: only the rowid and the
    rank (a document's columns cost a row lookup each: read for the few kept, _choose)."""

    def __init__(self, conn: sqlite3.Connection, found: list[Term],
                 website_ids: Collection[str] | None) -> None:
        self.conn = conn
        self.before: int | None = None
        self.done = False
        self.match = _body(found)
        if website_ids is not None:
            sites = {w: s for s, w in _sites(conn).items()}
            tokens = [f'"{sites[w]}"' for w in sorted(website_ids) if w in sites]
            self.match += " AND {site} : (" + " OR ".join(tokens) + ")"
            self.done = not tokens
        # A phrase is ordered by time: checking its words' positions over every document
        # that holds them all, for bm25's weights, costs more than the newest matches do.
        ranked = self.done or all(
            len(term.words) == 1 and _count(conn, "search_text", _body([term]), COMMON + 1)
            <= COMMON for term in found)
        self.score = "bm25(search_text, 1.0, 0.0)" if ranked else "0.0"

    def next(self) -> list[_Candidate]:
        if self.done:
            return []
        older, args = ("", ()) if self.before is None else (" AND rowid < ?", (self.before,))
        rows = self.conn.execute(
            f"SELECT rowid, {self.score} FROM search_text "  # noqa: S608
            f"WHERE search_text MATCH ?{older} ORDER BY rowid DESC LIMIT ?",
            (self.match, *args, WINDOW)).fetchall()
        self.done = len(rows) < WINDOW
        if rows:
            self.before = rows[-1][0]
        return [_Candidate(rank, rowid // search_index.SLOTS * 1000, rowid, False)
                for rowid, rank in rows]


def _match(found: list[Term], min_prefix: int = 1) -> str:
    match = expression(found, min_prefix=min_prefix)
    assert match is not None  # run() searches some terms only
    return match


def _body(found: list[Term]) -> str:
    """A MATCH of the terms in the messages' text (never in the site column)."""
    return "{body} : (" + _match(found, MIN_PREFIX) + ")"


def _count(conn: sqlite3.Connection, table: str, match: str, most: int) -> int:
    """How many documents of ``table`` ``match`` finds, counted up to ``most``."""
    row = conn.execute(f"SELECT count(*) FROM (SELECT 1 FROM {table} "  # noqa: S608
                       f"WHERE {table} MATCH ? LIMIT ?)", (match, most)).fetchone()
    return int(row[0])


def _sites(conn: sqlite3.Connection) -> dict[str, str]:
    """Site token -> website_id."""
    return {f"s{site}": wid for site, wid in conn.execute(
        "SELECT site, website_id FROM search_websites")}


def _choose(conn: sqlite3.Connection, candidates: list[_Candidate],
            limit: int) -> list[_Candidate]:
    """The best ``limit``, at most PER_CONVERSATION of one conversation. A message's details
    (its conversation...) are read a slice at a time, as the choice reaches them."""
    per: dict[int, int] = {}
    out: list[_Candidate] = []
    step = max(limit + limit // 2, 16)
    for start in range(0, len(candidates), step):
        part = candidates[start:start + step]
        _details(conn, [c for c in part if not c.card and c.ref < 0])
        for cand in part:
            held = per.get(cand.ref, 0)
            if cand.ref >= 0 and held < PER_CONVERSATION:
                per[cand.ref] = held + 1
                out.append(cand)
                if len(out) >= limit:
                    return out
    return out


def _details(conn: sqlite3.Connection, candidates: list[_Candidate]) -> None:
    if not candidates:
        return
    by_rowid = {c.rowid: c for c in candidates}
    # FTS5's own table of the columns (its documented shadow table: id, then c0... in the
    # columns' order): a lookup there is a B-tree seek; through search_text, each rowid
    # would set up an FTS5 cursor, four times slower.
    for rowid, ref, fingerprint, kind, site, timestamp in conn.execute(
            "SELECT id, c2, c3, c4, c1, c5 FROM search_text_content "  # noqa: S608
            f"WHERE id IN ({_marks(by_rowid)})", tuple(by_rowid)):
        cand = by_rowid[rowid]
        cand.ref, cand.fingerprint, cand.kind = ref, fingerprint, kind
        cand.website, cand.timestamp = site, timestamp


def _hits(conn: sqlite3.Connection, found: list[Term],
          chosen: list[_Candidate]) -> list[Row]:
    if not chosen:
        return []
    refs = {c.ref for c in chosen}
    sessions = dict(conn.execute(
        f"SELECT ref, session_id FROM search_sessions WHERE ref IN ({_marks(refs)})",  # noqa: S608
        tuple(refs)).fetchall())
    texts = _message_snippets(conn, found, [c.rowid for c in chosen if not c.card])
    cards = _card_snippets(conn, found, [c.rowid for c in chosen if c.card])
    sites = _sites(conn) if texts else {}
    with_messages = {c.ref for c in chosen if not c.card}
    out: list[Row] = []
    for cand in chosen:
        sid = sessions.get(cand.ref)
        if sid is None:
            continue
        if not cand.card:
            snippet = texts.get(cand.rowid)
            if snippet is None:
                continue
            out.append((sid, sites.get(cand.website, ""), cand.fingerprint, cand.timestamp,
                        docs.KIND_FIELDS[cand.kind] if 0 <= cand.kind < 3 else "message",
                        snippet, cand.rank))
            continue
        field, snippet = cards.get(cand.rowid, ("name", ""))
        fingerprint = None
        if field == "message":  # the last message's excerpt
            if cand.ref in with_messages:
                continue  # the messages themselves are hits already
            fingerprint = cand.fingerprint or None
        out.append((sid, cand.website, fingerprint, cand.timestamp, field, snippet, cand.rank))
    return out


def _message_snippets(conn: sqlite3.Connection, found: list[Term],
                      rowids: list[int]) -> dict[int, str]:
    """Rowid -> snippet. The range bounds the walk (FTS5 takes it); ``+rowid`` keeps the
    list out of FTS5's reach, which would otherwise run the MATCH again for each rowid."""
    if not rowids:
        return {}
    return dict(conn.execute(
        "SELECT rowid, snippet(search_text, 0, ?, ?, ?, ?) FROM search_text "  # noqa: S608
        "WHERE search_text MATCH ? AND rowid BETWEEN ? AND ? "
        f"AND +rowid IN ({_marks(rowids)})",
        (docs.HIT_START, docs.HIT_END, ELLIPSIS, SNIPPET_TOKENS, _body(found), min(rowids),
         max(rowids), *rowids)).fetchall())


def _card_snippets(conn: sqlite3.Connection, found: list[Term],
                   rowids: list[int]) -> dict[int, tuple[str, str]]:
    """Rowid -> (field, snippet) of the first column, by weight, that holds a match."""
    if not rowids:
        return {}
    count = len(docs.CARD_COLUMNS)
    columns = ", ".join(f"snippet(search_cards, {i}, ?, ?, ?, ?)" for i in range(count))
    marks = (docs.HIT_START, docs.HIT_END, ELLIPSIS, SNIPPET_TOKENS) * count
    out: dict[int, tuple[str, str]] = {}
    for rowid, *snippets in conn.execute(
            f"SELECT rowid, {columns} FROM search_cards WHERE search_cards MATCH ? "  # noqa: S608
            f"AND +rowid IN ({_marks(rowids)})", (*marks, _match(found), *rowids)):
        best = next((i for i, s in enumerate(snippets) if docs.HIT_START in (s or "")), 0)
        out[rowid] = (docs.CARD_FIELDS[best], snippets[best] or "")
    return out
