"""Rows for the search tests, made from the factories' payloads as the store makes models, and
a database with a LocalSearch over it."""

from __future__ import annotations

from functools import partial
from typing import Any

from crisp_console.core import Conversation, Message, Person
from crisp_console.storage.cache import (
    Batch,
    conversation_row,
    message_row,
    person_row,
    save_rows,
)
from crisp_console.storage.database import Database
from crisp_console.storage.search import HIT_END, HIT_START, LocalHit
from tests.core import factories as f

BASE = f.BASE_TIME
WEBSITE, OTHER = f.WEBSITE, f.OTHER_WEBSITE


def conv(sid: str, *, website: str = WEBSITE, nickname: str = "", email: str = "",
         people_id: str = "", updated_at: int = BASE, last: str = "",
         last_fp: int = 1, **meta: Any) -> tuple[str, str, int, str]:
    """A conversation row; ``meta`` adds to (or replaces) the factory's meta."""
    payload = f.conversation(sid, website_id=website, people_id=people_id,
                             updated_at=updated_at, last_message=last,
                             preview_message={"type": "text", "from": "user", "excerpt": last,
                                              "fingerprint": last_fp},
                             meta={"nickname": nickname, "email": email, "segments": [],
                                   "data": {}, **meta})
    return conversation_row(Conversation.from_payload(payload))


def msg(sid: str, fp: int, content: Any, *, ts: int | None = None, kind: str = "text",
        website: str = WEBSITE, **extra: Any) -> tuple[str, int, int, str]:
    row = message_row(Message.from_payload(f.message(
        sid, fingerprint=fp, website_id=website, type=kind, content=content,
        timestamp=BASE + fp * 1000 if ts is None else ts, **extra)))
    assert row is not None
    return row


def person(pid: str, *, website: str = WEBSITE, **fields: Any) -> tuple[str, str, str, int]:
    return person_row(Person.from_payload(f.profile(pid, **fields), website), 1)


def save(db: Database, **rows: Any) -> None:
    db.write(partial(save_rows, batch=Batch(**rows))).result()


def shown(hit: LocalHit) -> str:
    """The snippet with [brackets] for the markers."""
    return hit.snippet.replace(HIT_START, "[").replace(HIT_END, "]")


def keys(hits: list[LocalHit]) -> list[tuple[str, int | None]]:
    return [(h.session_id, h.fingerprint) for h in hits]
