"""Session, people, website, operator and plugin events."""

from __future__ import annotations

from typing import Any

import pytest

from crisp_console.core import HANDLERS, ApplyResult, ChangeKind, Store
from crisp_console.core.changes import CONVERSATIONS, OPERATORS, PEOPLE, WEBSITES
from tests.core import factories as f
from tests.core.mirror import QtMirror

T = f.BASE_TIME


@pytest.fixture
def sid(store: Store, mirror: QtMirror) -> str:
    """Row 1 of three conversations."""
    payloads = [f.conversation(updated_at=T - i) for i in range(3)]
    store.upsert_conversations(payloads)
    mirror.take()
    return str(payloads[1]["session_id"])


def only_change(mirror: QtMirror) -> frozenset[str]:
    (change,) = mirror.take()
    assert change.kind is ChangeKind.CHANGED and change.collection == CONVERSATIONS
    return change.fields


@pytest.mark.parametrize(("event", "extra", "field", "value"), [
    ("session:set_block", {"is_blocked": True}, "is_blocked", True),
    ("session:set_inbox", {"inbox_id": "inbox-2", "previous_inbox_id": None}, "inbox_id",
     "inbox-2"),
    ("session:set_email", {"email": "new@example.com"}, "email", "new@example.com"),
    ("session:set_nickname", {"nickname": "Ada"}, "nickname", "Ada"),
    ("session:set_avatar", {"avatar": None}, "avatar", ""),
    ("session:set_segments", {"segments": ["a", "b"]}, "segments", ("a", "b")),
    ("session:set_data", {"data": {"plan": "pro"}}, "data", {"plan": "pro"}),
    ("session:update_availability", {"availability": "online"}, "availability", "online"),
    ("session:set_routing", {"routing_id": f.OPERATOR, "previous_routing_id": None,
                             "assigned": {"user_id": f.OPERATOR}}, "assigned", f.OPERATOR),
])
def test_session_field_events(store: Store, mirror: QtMirror, sid: str, event: str,
                              extra: dict[str, Any], field: str, value: Any) -> None:
    payload = f.session_event(sid, **extra)
    assert store.apply(event, payload) is ApplyResult.APPLIED
    assert getattr(store.conversations[sid], field) == value
    assert only_change(mirror) == {field}
    assert store.apply(event, payload) is ApplyResult.IGNORED  # idempotent
    assert store.apply(event, f.session_event("nobody", **extra)) is ApplyResult.UNKNOWN_TARGET


def test_routing_unassign_and_assigned_fallback(store: Store, mirror: QtMirror, sid: str) -> None:
    store.apply("session:set_routing", f.session_event(sid, routing_id=f.OPERATOR))
    store.apply("session:set_routing", f.session_event(sid, routing_id=None,
                                                      previous_routing_id=f.OPERATOR,
                                                      assigned=None))
    assert store.conversations[sid].assigned is None
    store.apply("session:set_routing", f.session_event(sid, assigned={"user_id": "u9"}))
    assert store.conversations[sid].assigned == "u9"


@pytest.mark.parametrize("key", ["phone", "address", "subject", "origin"])
def test_meta_events(store: Store, mirror: QtMirror, sid: str, key: str) -> None:
    before = dict(store.conversations[sid].meta)
    value: dict[str, Any] = {key: "v"}
    store.apply(f"session:set_{key}", f.session_event(sid, **value))
    assert store.conversations[sid].meta == {**before, key: "v"}
    assert only_change(mirror) == {"meta"}
    cleared: dict[str, Any] = {key: None}
    store.apply(f"session:set_{key}", f.session_event(sid, **cleared))
    assert key not in store.conversations[sid].meta
    assert before.get("ip") == store.conversations[sid].meta["ip"]


def test_state_events_move_and_resolve(store: Store, mirror: QtMirror, sid: str) -> None:
    assert store.apply("session:set_state", f.session_event(sid, state="pending")) is (
        ApplyResult.APPLIED)
    changes = mirror.take()
    assert [(c.kind, c.first, c.dest) for c in changes] == [
        (ChangeKind.MOVING, 1, 0), (ChangeKind.MOVED, 1, 0), (ChangeKind.CHANGED, 0, -1)]
    assert changes[-1].fields == {"state"}
    store.apply("session:set_state", f.session_event(sid, state="resolved"))
    conv = store.conversations[sid]
    assert conv.state == "resolved" and conv.waiting_since == 0
    assert store.row_of(sid) == 1


def test_geolocation_replaces_only_the_geolocation(store: Store, mirror: QtMirror,
                                                   sid: str) -> None:
    device_before = store.conversations[sid].meta["device"]
    geo = {"country": "DE", "city": "Berlin"}
    store.apply("session:sync:geolocation", f.session_event(sid, geolocation=geo))
    device = store.conversations[sid].meta["device"]
    assert device["geolocation"] == geo and device["system"] == device_before["system"]
    assert device_before["geolocation"]["city"] == "Paris"  # the old dict was not mutated
    assert only_change(mirror) == {"meta"}


def test_pages_are_validated_then_ignored(store: Store, mirror: QtMirror, sid: str) -> None:
    pages = [{"page_title": "Pricing", "page_url": "https://x/p", "page_referrer": "",
              "timestamp": T}]
    assert store.apply("session:sync:pages", f.session_event(sid, pages=pages)) is (
        ApplyResult.IGNORED)
    assert store.apply("session:sync:pages", f.session_event(sid, pages="x")) is (
        ApplyResult.MALFORMED)
    assert mirror.take() == []


def test_session_removed(store: Store, mirror: QtMirror, sid: str) -> None:
    assert store.apply("session:removed", f.session_event(sid)) is ApplyResult.APPLIED
    assert [c.kind for c in mirror.take()] == [ChangeKind.REMOVING, ChangeKind.REMOVED]
    assert store.apply("session:removed", f.session_event(sid)) is ApplyResult.IGNORED


def test_people_events(store: Store, mirror: QtMirror) -> None:
    created = {"website_id": f.WEBSITE, "people_id": "p1", "email": "a@example.com"}
    assert store.apply("people:profile:created", created) is ApplyResult.APPLIED
    assert [(c.kind, c.collection, c.first) for c in mirror.take()] == [
        (ChangeKind.INSERTING, PEOPLE, 0), (ChangeKind.INSERTED, PEOPLE, 0)]
    person = store.people["p1"]
    assert (person.website_id, person.email) == (f.WEBSITE, "a@example.com")
    updated = {"website_id": f.WEBSITE, "people_id": "p1", "email": "b@example.com",
               "update": {"updated_at": T, "person": {"nickname": "Bea"}}}
    assert store.apply("people:profile:updated", updated) is ApplyResult.APPLIED
    (change,) = mirror.take()
    assert change.fields == {"email", "updated_at", "person", "nickname"}
    data_update = dict(updated, update={"updated_at": T + 1, "data": {"k": 1}})
    store.apply("people:profile:updated", data_update)
    assert store.people["p1"].data == {"k": 1} and store.people["p1"].nickname == "Bea"
    assert store.apply("people:profile:updated", dict(updated, people_id="p2")) is (
        ApplyResult.UNKNOWN_TARGET)
    store.apply("people:profile:created", dict(created, people_id="p2"))
    mirror.take()
    removed = {"website_id": f.WEBSITE, "people_id": "p1", "email": "b@example.com"}
    assert store.apply("people:profile:removed", removed) is ApplyResult.APPLIED
    assert [(c.kind, c.first) for c in mirror.take()] == [
        (ChangeKind.REMOVING, 0), (ChangeKind.REMOVED, 0)]
    assert store.people_ids() == ["p2"]
    assert store.apply("people:profile:removed", removed) is ApplyResult.IGNORED


def test_upsert_person_from_rest(store: Store, mirror: QtMirror) -> None:
    assert store.upsert_person(f.profile(), website_id=f.WEBSITE) is ApplyResult.APPLIED
    assert store.upsert_person(f.profile(), website_id=f.WEBSITE) is ApplyResult.IGNORED
    assert store.upsert_person(f.profile(score=9)) is ApplyResult.APPLIED
    assert store.people[f.profile()["people_id"]].website_id == f.WEBSITE
    assert store.upsert_person({"email": "x"}) is ApplyResult.MALFORMED


def test_website_events(store: Store, mirror: QtMirror) -> None:
    assert store.set_websites([f.website(), f.website(f.OTHER_WEBSITE)]) is ApplyResult.APPLIED
    assert [(c.kind, c.collection) for c in mirror.take()] == [(ChangeKind.RESET, WEBSITES)]
    count = {"website_id": f.OTHER_WEBSITE, "visitors_count": 7}
    assert store.apply("website:update_visitors_count", count) is ApplyResult.APPLIED
    (change,) = mirror.take()
    assert (change.first, change.fields) == (1, frozenset({"visitors_count"}))
    saved = {"website_id": f.WEBSITE, "plugin_id": "p", "settings": {"a": 1}}
    assert store.apply("plugin:settings:saved", saved) is ApplyResult.APPLIED
    assert store.websites[f.WEBSITE].settings == {"a": 1}
    assert store.apply("website:update_visitors_count", dict(count, website_id="x")) is (
        ApplyResult.UNKNOWN_TARGET)


def test_upsert_website_merges(store: Store, mirror: QtMirror) -> None:
    assert store.upsert_website(f.connect_website()) is ApplyResult.APPLIED
    assert [c.kind for c in mirror.take()] == [ChangeKind.INSERTING, ChangeKind.INSERTED]
    assert store.upsert_website(f.website()) is ApplyResult.APPLIED
    (change,) = mirror.take()
    assert change.fields == {"name", "domain", "logo"}
    site = store.websites[f.WEBSITE]
    assert site.settings == {"greeting": "hi"} and site.name == "Acme"
    assert store.upsert_website({"name": "x"}) is ApplyResult.MALFORMED
    assert store.set_websites("nope") is ApplyResult.MALFORMED
    # One bad item is dropped, the rest loads.
    assert store.set_websites([{"name": "no id"}, f.website(f.OTHER_WEBSITE)]) is (
        ApplyResult.APPLIED)
    assert store.website_ids() == [f.OTHER_WEBSITE]


def test_subscription_events(store: Store, mirror: QtMirror) -> None:
    store.set_websites([f.website(), f.website(f.OTHER_WEBSITE)])
    store.upsert_conversations([f.conversation(website_id=f.OTHER_WEBSITE),
                                f.conversation(website_id=f.WEBSITE)])
    mirror.take()
    unbound = {"website_id": f.OTHER_WEBSITE, "plugin_id": "p", "bound": False,
               "target": f.OTHER_WEBSITE}
    assert store.apply("plugin:subscription:updated", unbound) is ApplyResult.APPLIED
    assert not store.websites[f.OTHER_WEBSITE].subscribed
    assert [c.website_id for c in store.conversations.values()] == [f.WEBSITE]
    assert store.website_ids() == [f.WEBSITE, f.OTHER_WEBSITE]  # the website stays listed
    assert store.apply("plugin:subscription:updated", unbound) is ApplyResult.IGNORED
    bound = dict(unbound, bound=True)
    assert store.apply("plugin:subscription:updated", bound) is ApplyResult.APPLIED
    assert store.apply("plugin:subscription:updated", dict(bound, website_id="new")) is (
        ApplyResult.UNKNOWN_TARGET)
    assert store.apply("plugin:subscription:updated", dict(unbound, website_id="new")) is (
        ApplyResult.IGNORED)


def test_operators(store: Store, mirror: QtMirror) -> None:
    assert store.set_operators([f.operator(), f.operator("u2", availability="away")]) is (
        ApplyResult.APPLIED)
    assert store.operator_ids() == [f.OPERATOR, "u2"]
    mirror.take()
    event = {"website_id": f.WEBSITE, "user_id": "u2", "availability": {"type": "online"}}
    assert store.apply("website:update_operators_availability", event) is ApplyResult.APPLIED
    (change,) = mirror.take()
    assert (change.collection, change.first, change.fields) == (
        OPERATORS, 1, frozenset({"availability"}))
    assert store.apply("website:update_operators_availability", dict(event, user_id="x")) is (
        ApplyResult.UNKNOWN_TARGET)
    assert store.set_operators(None) is ApplyResult.MALFORMED


def test_bucket_answers_are_ignored(store: Store, mirror: QtMirror) -> None:
    event = {"from": "user", "id": "abc", "identifier": "x", "type": "upload",
             "url": {"resource": "http://r", "signed": "http://s"}}
    assert store.apply("bucket:url:upload:generated", event) is ApplyResult.IGNORED
    assert "bucket:url:avatar:generated" in HANDLERS
    assert mirror.take() == []
