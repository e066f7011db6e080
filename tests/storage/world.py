"""Core models of a sandbox-generated world, as the store would hold them."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from crisp_console.core import Conversation, Message, Operator, Person, Website
from crisp_console.sandbox.config import SandboxConfig, Sizes
from crisp_console.sandbox.dataset import build_state

BASE = 1_750_000_000_000


@dataclass
class Models:
    websites: list[Website]
    operators: list[Operator]
    people: list[Person]
    conversations: list[Conversation]
    messages: list[Message]


def world(seed: int = 1, sizes: Sizes | None = None) -> Models:
    state = build_state(SandboxConfig(seed=seed, sizes=sizes or Sizes.tiny(), base_time=BASE))
    convs = list(state.conversations.values())
    return Models(
        websites=[Website.from_payload(w.to_payload()) for w in state.websites.values()],
        operators=[Operator.from_payload(o.to_payload()) for o in state.operators],
        people=[Person.from_payload(p.to_payload(), p.website_id)
                for p in state.people.values()],
        conversations=[Conversation.from_payload(c.to_payload()) for c in convs],
        messages=[Message.from_payload(m.to_payload(c.website_id, c.session_id))
                  for c in convs for m in c.messages])


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
    for f in fields(a):
        assert same(getattr(a, f.name), getattr(b, f.name)), (f.name, getattr(a, f.name),
                                                             getattr(b, f.name))
