"""What an operator types, made a safe FTS5 MATCH expression (search.py runs it).

- a word is a prefix term ("refu" finds "refund"); words are ANDed;
- a word with punctuation inside ("A-2291", "daan@exa", "doesn't") is a phrase of its parts,
  its last part a prefix: the index splits it the same way, and the parts must follow;
- ``"quoted words"`` are a phrase; a quote still open (the operator is typing it) makes its
  last word a prefix;
- case and accents are the tokenizer's business (``remove_diacritics 2``): "zoe" finds "Zoë".

Nothing the operator types is syntax: every character that is not a letter, a digit or a
combining mark separates words (FTS5's operators, column filters, ``*``, ``^``, NUL, emoji,
direction marks), and each term goes out as a quoted string, so AND, OR, NOT and NEAR are
words like any other. A query is cut to MAX_TERMS terms of MAX_WORDS words of MAX_WORD
characters: a 10,000-character paste is still a query, not a denial of service.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

MAX_TERMS = 12
MAX_WORDS = 12  # words of one phrase
MAX_WORD = 64  # characters of one word; a longer one is searched by its start
_QUOTES = frozenset('"\u201c\u201d\u201e\u00ab\u00bb')  # " “ ” „ « »
_LETTER = frozenset("LNM")  # Unicode categories of word characters: letters, numbers, marks


@dataclass(frozen=True, slots=True)
class Term:
    words: tuple[str, ...]
    prefix: bool  # the last word is a prefix


def terms(text: str) -> list[Term]:
    """The terms of ``text``, in order, at most MAX_TERMS."""
    out: list[Term] = []
    for part_no, (body, closed) in enumerate(
            _split_quotes(text[:MAX_TERMS * MAX_WORDS * MAX_WORD])):
        if len(out) >= MAX_TERMS:
            break
        if part_no % 2:  # inside quotes
            words = _words(body)
            if words:
                out.append(Term(tuple(words[:MAX_WORDS]), prefix=not closed))
            continue
        for chunk in body.split():
            words = _words(chunk)
            if words:
                out.append(Term(tuple(words[:MAX_WORDS]), prefix=True))
    return out[:MAX_TERMS]


def _split_quotes(text: str) -> list[tuple[str, bool]]:
    """Alternating (outside, inside) quote parts; each with whether its quote closed."""
    parts: list[tuple[str, bool]] = []
    current: list[str] = []
    for char in text:
        if char in _QUOTES:
            parts.append(("".join(current), True))
            current = []
        else:
            current.append(char)
    parts.append(("".join(current), False))
    return parts


def _words(text: str) -> list[str]:
    words: list[str] = []
    current: list[str] = []
    for char in text:
        if unicodedata.category(char)[0] in _LETTER:
            current.append(char)
        elif current:
            words.append("".join(current)[:MAX_WORD])
            current = []
    if current:
        words.append("".join(current)[:MAX_WORD])
    return words


def expression(found: list[Term], *, min_prefix: int = 1) -> str | None:
    """The MATCH expression of ``found`` (None: nothing to search). A last word shorter than
    ``min_prefix`` is an exact word, not a prefix (search.py: the messages' index has no
    one-letter prefixes)."""
    if not found:
        return None
    parts = []
    for term in found:
        phrase = '"' + " ".join(term.words) + '"'
        if term.prefix and len(term.words[-1]) >= min_prefix:
            phrase += " *"
        parts.append(phrase)
    return " AND ".join(parts)


def match_expression(text: str) -> str | None:
    """User text -> a safe FTS5 MATCH expression (prefix words, "phrases"); None: nothing to
    search."""
    return expression(terms(text))
