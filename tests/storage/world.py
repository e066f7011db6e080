"""A seeded random world of core models built from the payload factories (shaped like the
sandbox's: tests/core/factories.py), and an equality that also compares types.

tests/sandbox/test_cache_agreement.py runs the same checks over the sandbox's own worlds
(tests/storage imports no sandbox: architecture/test_layers.py)."""

from __future__ import annotations

import random
from dataclasses import dataclass, fields
from typing import Any

from crisp_console.core import Conversation, Message, Operator, Person, Website
from tests.core import factories as f

BASE = f.BASE_TIME
_SEGMENTS = ["customer", "vip", "lead", "churn-risk", "beta", "üñï", "a b"]
_TEXTS = ["Hello", "héllo 😀 «quotes»", "line one\nline two", "", "x" * 3000,
          "<b>not html</b>", "1.5"]


@dataclass
class Models:
    websites: list[Website]
    operators: list[Operator]
    people: list[Person]
    conversations: list[Conversation]
    messages: list[Message]


def _content(rng: random.Random, kind: str) -> Any:
    if kind in ("text", "note"):
        return rng.choice(_TEXTS)
    if kind == "file":
        return {"name": "report.pdf", "url": "https://files.example/r.pdf",
                "type": "application/pdf"}
    if kind == "event":
        return {"namespace": "state:resolved", "text": rng.choice(_TEXTS)}
    return {"id": "pick", "text": "Which one?", "choices": [
        {"value": "a", "icon": "", "label": "A", "selected": rng.random() < 0.5},
        {"value": "b", "icon": "", "label": "B", "selected": False}],
        "ratio": rng.random(), "count": rng.randrange(-5, 5), "none": None}


def world(seed: int = 1, conversations: int = 60) -> Models:
    rng = random.Random(seed)
    site_ids = [f.WEBSITE, f.OTHER_WEBSITE]
    websites = [Website.from_payload({**f.connect_website(wid), **f.website(
        wid, name=f"Site {i}", visitors_count=rng.randrange(100))}) for i, wid in
        enumerate(site_ids)]
    operators = [Operator.from_payload(f.operator(
        f"op-{seed}-{k}", first_name=f"Op{k}", availability=rng.choice(
            ["online", "away", "offline"]))) for k in range(4)]
    op_ids = [o.user_id for o in operators]
    people_ids = [f"people-{seed}-{k}" for k in range(conversations // 2)]
    people = [Person.from_payload(f.profile(
        pid, score=rng.randrange(-10, 100), segments=rng.sample(_SEGMENTS, rng.randrange(4)),
        notepad=rng.choice(_TEXTS), updated_at=BASE + rng.randrange(10**6)),
        rng.choice(site_ids)) for pid in people_ids]
    convs: list[Conversation] = []
    msgs: list[Message] = []
    for _ in range(conversations):
        sid = f.session_id()
        website_id = rng.choice(site_ids)
        assigned = rng.choice([None, *op_ids])
        convs.append(Conversation.from_payload(f.conversation(
            sid, website_id=website_id, people_id=rng.choice([*people_ids, ""]),
            state=rng.choice(["pending", "unresolved", "resolved"]),
            updated_at=BASE + rng.randrange(10**8), is_blocked=rng.random() < 0.1,
            unread={"operator": rng.randrange(5), "visitor": rng.randrange(3)},
            assigned={"user_id": assigned} if assigned else {},
            mentions=rng.sample(op_ids, rng.randrange(2)),
            compose={"visitor": {"type": "start", "excerpt": "typ"}} if rng.random() < 0.2
            else {})))
        for j in range(rng.randrange(25)):
            kind = rng.choice(["text", "text", "note", "file", "event", "picker"])
            msgs.append(Message.from_payload(f.message(
                sid, website_id=website_id, from_=rng.choice(["user", "operator"]), type=kind,
                content=_content(rng, kind), timestamp=BASE + j * 1000 + rng.randrange(999),
                edited=rng.random() < 0.1, read=rng.choice(["", "chat"]),
                delivered=rng.choice(["", "chat", "email"]), automated=rng.random() < 0.1,
                mentions=rng.sample(op_ids, rng.randrange(2)))))
    return Models(websites, operators, people, convs, msgs)


def same(a: Any, b: Any) -> bool:
    """Equal and of the same types all the way down (1 == 1.0 == True is not enough)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float):
        return repr(a) == repr(b)
    return bool(a == b)


def assert_same_model(a: Any, b: Any) -> None:
    assert type(a) is type(b)
    for fld in fields(a):
        assert same(getattr(a, fld.name), getattr(b, fld.name)), (
            fld.name, getattr(a, fld.name), getattr(b, fld.name))
