"""codec.py: core models to JSON bodies and back, exactly, over sandbox-generated worlds and
hostile payloads; a body that does not make a valid model is refused in words."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from crisp_console.core import (
    Conversation,
    Message,
    MessageStatus,
    Operator,
    PayloadError,
    Person,
    Website,
)
from crisp_console.core import parse as p
from crisp_console.storage.codec import CodecError, decode, encode, from_body, to_body
from tests.core import factories as f
from tests.core.hostile import Junk
from tests.storage.world import Models, assert_same_model, world

KEYS: dict[type[Any], tuple[str, ...]] = {
    Website: ("website_id",), Operator: ("user_id",), Person: ("people_id",),
    Conversation: ("session_id",), Message: ("session_id", "fingerprint")}


def round_trip(obj: Any, *, omit_keys: bool) -> Any:
    """Through JSON text, the row's key columns kept aside as the cache keeps them."""
    omit = KEYS[type(obj)] if omit_keys else ()
    text = encode(obj, omit=omit)
    json.loads(text)  # plain JSON
    return decode(type(obj), text, **{k: getattr(obj, k) for k in omit})


def assert_world_round_trips(models: Models, seed: int, omit_keys: bool) -> None:
    """Every model of ``models`` (local echoes and typing too: the codec keeps whatever it
    is given; the cache is what leaves them out) through JSON text and back."""
    rng = random.Random(seed)
    for msg in models.messages[::7]:
        msg.status = rng.choice(list(MessageStatus))
        msg.error = "the network failed" if msg.status is MessageStatus.FAILED else None
    for conv in models.conversations[::5]:
        conv.compose_visitor, conv.compose_operator = "typing…", ""
    everything: list[Any] = [*models.websites, *models.operators, *models.people,
                             *models.conversations, *models.messages]
    assert {type(o) for o in everything} == set(KEYS)
    for obj in everything:
        assert_same_model(obj, round_trip(obj, omit_keys=omit_keys))


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("omit_keys", [False, True], ids=["whole", "keys-in-columns"])
def test_every_model_of_a_world_round_trips_exactly(seed: int, omit_keys: bool) -> None:
    models = world(seed)
    assert len(models.messages) > 300 and len(models.people) > 10
    assert_world_round_trips(models, seed, omit_keys)


def test_defaults_are_left_out_of_the_body() -> None:
    msg = Message.from_payload(f.message("s", content="hi", read="", delivered=""))
    body = to_body(msg, omit=("session_id", "fingerprint"))
    assert "status" not in body and "edited" not in body and "extra" not in body
    assert body["content"] == "hi" and body["from_"] == "user"
    msg.status = MessageStatus.PENDING
    assert to_body(msg)["status"] == "pending"
    conv = Conversation.from_payload(f.conversation())
    body = to_body(conv)
    assert body["segments"] == ["customer", "vip"]  # a tuple goes as a list
    assert isinstance(decode(Conversation, encode(conv)).segments, tuple)


def test_hostile_payloads_that_parse_round_trip() -> None:
    rng = random.Random(13)
    junk = Junk(rng, ["s"], [f.BASE_TIME])
    made = 0
    builders: list[tuple[type[Any], Any]] = [
        (Conversation, f.conversation), (Message, lambda: f.message("s")),
        (Website, f.website), (Operator, f.operator), (Person, f.profile)]
    for _ in range(400):
        cls, build = rng.choice(builders)
        try:
            obj = cls.from_payload(junk.mutate(build()))
        except PayloadError:
            continue
        made += 1
        assert_same_model(obj, round_trip(obj, omit_keys=rng.random() < 0.5))
    assert made > 150


def test_interned_strings_come_back_interned() -> None:
    conv = f.session_id()
    a = decode(Message, encode(Message.from_payload(f.message(conv))))
    b = decode(Message, encode(Message.from_payload(f.message(conv))))
    assert a.type is b.type and a.user_id is b.user_id and a.website_id is b.website_id


BAD: list[tuple[type[Any], Any, dict[str, Any], str]] = [
    (Message, {"type": "text", "from_": "user", "website_id": "w"}, {"session_id": "s"},
     "fingerprint"),
    (Message, {"type": "text", "website_id": "w"}, {"session_id": "s", "fingerprint": 1},
     "from_"),
    (Message, {"type": "text", "from_": "user", "website_id": "w", "status": "lost"},
     {"session_id": "s", "fingerprint": 1}, "status"),
    (Message, {"type": "text", "from_": "user", "website_id": "w", "timestamp": "now"},
     {"session_id": "s", "fingerprint": 1}, "timestamp"),
    (Message, {"type": "text", "from_": "user", "website_id": "w"},
     {"session_id": "s", "fingerprint": p.MAX_FINGERPRINT + 1}, "fingerprint"),
    (Conversation, {"website_id": "w", "segments": "vip"}, {"session_id": "s"}, "segments"),
    (Conversation, {"website_id": "w", "unread_operator": -1}, {"session_id": "s"},
     "unread_operator"),
    (Conversation, {"website_id": "w", "last_message": "x" * (p.MAX_EXCERPT + 1)},
     {"session_id": "s"}, "last_message"),
    (Conversation, {"website_id": "w", "meta": {"big": 2**60}}, {"session_id": "s"}, "meta"),
    (Website, {"name": 3}, {"website_id": "w"}, "name"),
    (Person, {}, {"people_id": ""}, "people_id"),
    (Operator, [], {}, "not an object"),
]


@pytest.mark.parametrize(("cls", "body", "known", "words"), BAD)
def test_a_body_that_is_no_valid_model_is_refused(cls: type[Any], body: Any,
                                                  known: dict[str, Any], words: str) -> None:
    with pytest.raises(CodecError, match=words):
        from_body(cls, body, **known)


def test_text_that_is_not_json_is_refused() -> None:
    with pytest.raises(CodecError, match="not JSON"):
        decode(Website, "{", website_id="w")
    with pytest.raises(CodecError, match="not JSON"):
        decode(Website, "[" * 100_000, website_id="w")


def test_unknown_keys_are_ignored_and_columns_win() -> None:
    site = decode(Website, json.dumps({"name": "Acme", "gone_field": 1, "website_id": "x"}),
                  website_id="w")
    assert (site.website_id, site.name) == ("w", "Acme")
