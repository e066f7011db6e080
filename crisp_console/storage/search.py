"""Local full-text search over the account's database (the contract; the index is the fts
branch's)."""

from __future__ import annotations

from dataclasses import dataclass

HIT_START, HIT_END = "\ue000", "\ue001"  # around matched text in snippets (private use)


@dataclass(frozen=True, slots=True)
class LocalHit:
    session_id: str
    website_id: str
    fingerprint: int | None  # the matching message; None: a conversation/person field matched
    timestamp: int  # ms: the message's time, else the conversation's updated_at
    field: str  # "message" | "note" | "file" | "name" | "email" | "segment" | "data" | ...
    snippet: str  # plain text, matches wrapped in HIT_START/HIT_END
    rank: float  # lower is better, already ordered
