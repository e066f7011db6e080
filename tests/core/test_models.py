"""Models: from_payload() on the sandbox's wire shapes, lenient optional fields, strict ids,
apply_update() reporting exactly what changed."""

from __future__ import annotations

import pytest

from crisp_console.core import (
    Conversation,
    Message,
    MessageStatus,
    Operator,
    PayloadError,
    Person,
    Website,
    excerpt_of,
)
from crisp_console.core.sharing import Sharer
from tests.core import factories as f


def test_conversation_from_rest_payload() -> None:
    payload = f.conversation(assigned={"user_id": f.OPERATOR}, inbox_id="inbox-1",
                             compose={"visitor": {"type": "start", "excerpt": "Hel",
                                                  "timestamp": 1, "automated": False}},
                             mentions=[f.OPERATOR])
    conv = Conversation.from_payload(payload)
    assert conv.session_id == payload["session_id"]
    assert conv.website_id == f.WEBSITE
    assert conv.inbox_id == "inbox-1"
    assert conv.state == "unresolved"
    assert (conv.nickname, conv.email) == ("Grace Hopper", "grace@example.com")
    assert conv.avatar == "https://avatars.example/grace.png"
    assert conv.segments == ("customer", "vip")
    assert conv.data == {"cart_total": 42}
    assert conv.last_message == "Hello, I have a question"
    assert (conv.last_from, conv.last_type) == ("user", "text")
    assert conv.last_fingerprint == payload["preview_message"]["fingerprint"]
    assert (conv.created_at, conv.updated_at, conv.waiting_since) == (
        f.BASE_TIME - 3_600_000, f.BASE_TIME, f.BASE_TIME)
    assert (conv.unread_operator, conv.unread_visitor) == (1, 0)
    assert conv.assigned == f.OPERATOR
    assert conv.mentions == (f.OPERATOR,)
    assert conv.compose_visitor == "Hel" and conv.compose_operator is None
    # Lifted keys leave meta; the rest stays.
    assert set(conv.meta) == {"phone", "ip", "subject", "origin", "device", "connection"}
    assert conv.meta["device"]["geolocation"]["city"] == "Paris"


def test_conversation_tolerates_missing_and_null_optionals() -> None:
    payload = f.conversation(inbox_id=None, assigned={}, state="bogus", unread=None,
                             meta=None, preview_message="junk", updated_at="yesterday",
                             waiting_since=1.0, mentions=[1, "x"],
                             compose={"visitor": {"type": "start"}},
                             drop=("availability", "people_id", "created_at"))
    conv = Conversation.from_payload(payload)
    assert conv.inbox_id is None and conv.assigned is None
    assert conv.state == "pending"  # unknown states read as the default
    assert (conv.unread_operator, conv.unread_visitor) == (0, 0)
    assert conv.meta == {} and conv.nickname == "" and conv.segments == ()
    assert conv.last_fingerprint == 0 and conv.last_from == ""
    assert conv.updated_at == 0 and conv.waiting_since == 1
    assert conv.mentions == ("x",)
    assert conv.compose_visitor == ""  # typing, excerpt unknown
    assert conv.availability == "offline" and conv.people_id == "" and conv.created_at == 0


@pytest.mark.parametrize("bad", [None, [], "x", {"website_id": f.WEBSITE},
                                 {"session_id": 5, "website_id": f.WEBSITE},
                                 {"session_id": "s", "website_id": None},
                                 {"session_id": "", "website_id": f.WEBSITE}])
def test_conversation_requires_its_ids(bad: object) -> None:
    with pytest.raises(PayloadError):
        Conversation.from_payload(bad)


def test_apply_update_returns_only_changed_known_fields() -> None:
    conv = Conversation.from_payload(f.conversation())
    changed = conv.apply_update({"state": "resolved", "nickname": "Grace Hopper",
                                 "not_a_field": 1, "unread_operator": 0})
    assert changed == frozenset({"state", "unread_operator"})
    assert conv.state == "resolved" and conv.unread_operator == 0
    assert not hasattr(conv, "not_a_field")
    assert conv.apply_update({"state": "resolved"}) == frozenset()
    # Identity fields are never updated: a stray key cannot re-key the store's dicts.
    sid = conv.session_id
    assert conv.apply_update({"session_id": "other"}) == frozenset() and conv.session_id == sid
    msg = Message.from_payload(f.message("s"))
    assert msg.apply_update({"fingerprint": 1, "session_id": "x", "content": "y"}) == {"content"}


def test_apply_update_checks_the_values_that_change_and_sets_none_if_one_is_bad() -> None:
    conv = Conversation.from_payload(f.conversation())
    meta, state = conv.meta, conv.state
    # An equal value changes nothing, so it is not checked again (a page re-read).
    assert conv.apply_update({"meta": dict(meta), "state": state}) == frozenset()
    # A differing value of the wrong type: nothing is set, the good one neither.
    with pytest.raises(PayloadError):
        conv.apply_update({"state": "resolved", "unread_operator": "many"})
    assert conv.state == state and conv.meta is meta
    assert conv.unread_operator == 1
    with pytest.raises(PayloadError):
        conv.apply_update({"unread_operator": False})  # JSON's false is no count
    assert conv.apply_update({"state": "resolved"}) == {"state"}


def test_conversation_field_values_round_trip() -> None:
    a = Conversation.from_payload(f.conversation())
    b = Conversation(session_id="other", website_id="w")
    assert "session_id" not in a.field_values()
    b.apply_update(a.field_values())
    assert b.field_values() == a.field_values()


def test_models_are_slotted() -> None:
    conv = Conversation.from_payload(f.conversation())
    with pytest.raises(AttributeError):
        conv.surprise = 1  # type: ignore[attr-defined]
    assert not hasattr(conv, "__dict__")


def test_message_from_rtm_payload() -> None:
    sid = f.session_id()
    payload = f.message_event(sid, from_="operator", type="note", content="psst",
                              mentions=[f.OPERATOR], references=[{"type": "url"}],
                              read="chat", automated=True, edited=True)
    msg = Message.from_payload(payload)
    assert msg.fingerprint == payload["fingerprint"]
    assert (msg.session_id, msg.website_id) == (sid, f.WEBSITE)
    assert (msg.type, msg.from_, msg.origin, msg.content) == ("note", "operator", "chat", "psst")
    assert (msg.user_id, msg.nickname) == (f.OPERATOR, "Ada Lovelace")
    assert msg.avatar == "https://avatars.example/ada.png"
    assert msg.read == "chat" and msg.delivered == "" and msg.edited and msg.automated
    assert msg.status is MessageStatus.SENT and msg.error is None and not msg.is_pending
    assert msg.extra == {"mentions": [f.OPERATOR], "references": [{"type": "url"}]}
    assert not msg.counts_as_unread


def test_message_without_extras_keeps_none() -> None:
    msg = Message.from_payload(f.message("s"))
    assert msg.extra is None and msg.counts_as_unread


def test_message_ids_can_come_from_the_caller() -> None:
    msg = Message.from_payload(f.message("s", drop=("session_id", "website_id")),
                               session_id="s2", website_id="w2")
    assert (msg.session_id, msg.website_id) == ("s2", "w2")


@pytest.mark.parametrize("override", [
    {"fingerprint": "1"}, {"fingerprint": True}, {"fingerprint": None}, {"from": "bot"},
    {"timestamp": None}, {"timestamp": 1.5}, {"type": 3}, {"type": ""},
])
def test_message_required_fields(override: dict[str, object]) -> None:
    payload = f.message("s")
    payload.update(override)
    with pytest.raises(PayloadError):
        Message.from_payload(payload)


def test_message_sort_key_puts_unsent_last() -> None:
    sent = Message(fingerprint=2, session_id="s", website_id="w", type="text", from_="user",
                   timestamp=50)
    pending = Message(fingerprint=1, session_id="s", website_id="w", type="text",
                      from_="operator", timestamp=10, status=MessageStatus.PENDING)
    failed = Message(fingerprint=3, session_id="s", website_id="w", type="text",
                     from_="operator", timestamp=5, status=MessageStatus.FAILED)
    assert sorted([pending, failed, sent], key=Message.sort_key) == [sent, failed, pending]


@pytest.mark.parametrize(("kind", "content", "expected"), [
    ("text", "hello", "hello"),
    ("text", "x" * 300, "x" * 200),
    ("file", {"name": "a.pdf", "url": "u", "type": "application/pdf"}, "[file] a.pdf"),
    ("animation", {"url": "u", "type": "image/gif"}, "[animation]"),
    ("audio", {"url": "u", "type": "audio/ogg", "duration": 3}, "[audio]"),
    ("event", {"namespace": "state:resolved"}, "[event] state:resolved"),
    ("picker", {"id": "p", "text": "Pick one", "choices": []}, "Pick one"),
    ("carousel", {"targets": []}, "[carousel]"),
    ("file", None, "[file]"),
    ("field", 42, "[field]"),
])
def test_excerpt_of_matches_the_sandbox(kind: str, content: object, expected: str) -> None:
    assert excerpt_of(kind, content) == expected


def test_website_merges_get_and_connect_payloads() -> None:
    site = Website.from_payload(f.website())
    assert (site.name, site.domain, site.logo, site.settings) == (
        "Acme", "acme.example", "https://logos.example/acme.png", {})
    fields = Website.fields_from_payload(f.connect_website())
    assert fields == {"settings": {"greeting": "hi"}}  # the token is not kept
    assert site.apply_update(fields) == {"settings"}
    assert site.subscribed and site.visitors_count == 0
    with pytest.raises(PayloadError):
        Website.from_payload({"name": "no id"})


def test_operator_from_list_item_and_bare_details() -> None:
    op = Operator.from_payload(f.operator())
    assert (op.user_id, op.nickname, op.role, op.availability) == (
        f.OPERATOR, "Ada Lovelace", "owner", "online")
    bare = Operator.from_payload({"user_id": "u2", "first_name": "Bob"})
    assert bare.nickname == "Bob" and bare.availability == "offline"
    with pytest.raises(PayloadError):
        Operator.from_payload({"type": "x", "details": "nope"})


def test_person_from_profile_and_partial_update() -> None:
    person = Person.from_payload(f.profile(), website_id=f.WEBSITE)
    assert (person.nickname, person.avatar, person.email) == (
        "Grace Hopper", "https://avatars.example/g.png", "grace@example.com")
    assert person.website_id == f.WEBSITE and person.segments == ("customer",)
    assert person.active_last == f.BASE_TIME and person.score == 3
    partial = Person.fields_from_payload({"updated_at": 5, "person": {"nickname": "G"}})
    assert person.apply_update(partial) == {"updated_at", "person", "nickname", "avatar"}
    assert person.avatar == ""
    with pytest.raises(PayloadError):
        Person.from_payload({"email": "x"})


def test_website_payload_may_carry_subscription_and_visitors() -> None:
    site = Website.from_payload(f.website(subscribed=False, visitors_count=3))
    assert not site.subscribed and site.visitors_count == 3


def test_sharer_shares_equal_meta_values() -> None:
    sharer = Sharer()
    a = Conversation.from_payload(f.conversation(), sharer)
    b = Conversation.from_payload(f.conversation(), sharer)  # equal device, new dicts
    assert a.meta["device"] is b.meta["device"]
    assert a.meta["connection"] is b.meta["connection"]
    other = f.conversation()
    other["meta"]["device"] = {**other["meta"]["device"], "timezone": 120}
    c = Conversation.from_payload(other, sharer)
    assert c.meta["device"] is not a.meta["device"]
    assert c.meta["device"]["system"] is a.meta["device"]["system"]  # children still shared
    assert Conversation.from_payload(f.conversation()).meta["device"] is not a.meta["device"]


def test_sharer_is_bounded_and_leaves_odd_values() -> None:
    sharer = Sharer(limit=2)
    first = [sharer.share({"n": i}) for i in range(3)]
    assert len(sharer) == 2
    assert sharer.share({"n": 0}) is first[0]
    assert sharer.share({"n": 2}) is not first[2]  # full: not kept, still returned
    odd = {"x": object()}
    assert sharer.share(odd) is odd
    assert sharer.share([]) == [] and sharer.share("s") == "s"


def test_sharer_does_not_pool_large_values() -> None:
    sharer = Sharer()
    large = {"useragent": "u" * 20_000}
    assert sharer.share(large) is large and len(sharer) == 0
