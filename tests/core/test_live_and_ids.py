"""What the store tells besides its rows: the ids every Change names, and the live events
(``subscribe_live``) that views read instead of wire dicts."""

from __future__ import annotations

import pytest

from crisp_console.core import HANDLERS, ApplyResult, Change, ChangeKind, Store
from crisp_console.core.changes import CONVERSATIONS, MESSAGES, PEOPLE
from crisp_console.core.live import LiveEvent, VisitedPage
from tests.core import factories as f
from tests.core.mirror import QtMirror

T = f.BASE_TIME


@pytest.fixture
def sids(store: Store, mirror: QtMirror) -> list[str]:
    payloads = [f.conversation(updated_at=T - i) for i in range(3)]
    store.set_websites([f.website()])
    store.upsert_conversations(payloads)
    mirror.take()
    return [str(p["session_id"]) for p in payloads]


@pytest.fixture
def heard(store: Store) -> list[LiveEvent]:
    out: list[LiveEvent] = []
    store.subscribe_live(out.append)
    return out


def test_the_events_views_react_to_have_handlers() -> None:
    """(The events the gateway subscribes to: tests/client/test_events.py.)"""
    assert {"session:request:initiated", "session:sync:pages", "session:sync:system",
            "session:sync:timezone", "session:sync:locales",
            "session:sync:network"} <= set(HANDLERS)


def test_changes_name_their_rows(store: Store, mirror: QtMirror, sids: list[str]) -> None:
    top, middle, _ = sids
    store.apply("message:send", f.message_event(middle, timestamp=T + 10))
    changes = mirror.take()
    moves = [c for c in changes if c.collection == CONVERSATIONS]
    assert [(c.kind, c.ids) for c in moves] == [
        (ChangeKind.MOVING, (middle,)), (ChangeKind.MOVED, (middle,)),
        (ChangeKind.CHANGED, (middle,))]
    inserted = [c for c in changes if c.collection == MESSAGES]
    fp = store.messages(middle)[0].fingerprint
    assert {(c.key, c.fingerprints) for c in inserted} == {(middle, (fp,))}
    assert moves[-1].concerns(middle) and not moves[-1].concerns(top)
    assert inserted[0].concerns(middle) and not inserted[0].concerns(top)
    reset = Change(ChangeKind.RESET, CONVERSATIONS)
    assert reset.concerns(top) and Change(ChangeKind.RESET, MESSAGES).concerns(top)
    assert not Change(ChangeKind.RESET, MESSAGES, key=middle).concerns(top)
    store.remove_conversation(top)
    (removing, removed) = mirror.take()
    assert removing.ids == removed.ids == (top,)


def test_people_changes_name_the_person(store: Store, mirror: QtMirror) -> None:
    store.upsert_person(f.profile(people_id="p1"), f.WEBSITE)
    store.update_person("p1", {"notepad": "VIP"})
    assert [(c.collection, c.kind, c.ids) for c in mirror.take()] == [
        (PEOPLE, ChangeKind.INSERTING, ("p1",)), (PEOPLE, ChangeKind.INSERTED, ("p1",)),
        (PEOPLE, ChangeKind.CHANGED, ("p1",))]


def test_a_live_event_follows_every_apply(store: Store, sids: list[str],
                                          heard: list[LiveEvent]) -> None:
    sid = sids[0]
    store.apply("session:set_state", f.session_event(sid, state="resolved"))
    store.apply("session:set_state", {"session_id": 7})
    store.apply("bucket:url:upload:generated", {"id": "x", "url": {"signed": "s"}})
    assert [(e.event, e.result, e.session_id, e.website_id) for e in heard] == [
        ("session:set_state", ApplyResult.APPLIED, sid, f.WEBSITE),
        ("session:set_state", ApplyResult.MALFORMED, "", ""),
        ("bucket:url:upload:generated", ApplyResult.IGNORED, "", "")]
    assert all(e.message is None and e.pages == () for e in heard)
    store.upsert_conversations([f.conversation()])  # REST loads are no live event
    store.add_pending(sid, fingerprint=5, type="text", content="x", user_id="", nickname="",
                      timestamp=T)
    assert len(heard) == 3


def test_a_message_is_told_even_for_an_unknown_conversation(
        store: Store, sids: list[str], heard: list[LiveEvent]) -> None:
    # On a website the store does not know (on a known one it adds a provisional row:
    # test_provisional.py).
    event = f.message_event("session_new", content="Hi", timestamp=T,
                            user=f.visitor_user("session_new", "Marie Curie"),
                            website_id=f.OTHER_WEBSITE)
    assert store.apply("message:send", event) is ApplyResult.UNKNOWN_TARGET
    (live,) = heard
    assert (live.result, live.session_id, live.website_id) == (
        ApplyResult.UNKNOWN_TARGET, "session_new", f.OTHER_WEBSITE)
    assert live.message is not None
    assert (live.message.content, live.message.nickname, live.message.from_) == (
        "Hi", "Marie Curie", "user")
    store.apply("message:send", {"session_id": sids[0], "type": "text"})  # no timestamp
    assert heard[-1].result is ApplyResult.MALFORMED and heard[-1].message is None


def test_visited_pages_are_told_not_kept(store: Store, mirror: QtMirror, sids: list[str],
                                         heard: list[LiveEvent]) -> None:
    pages = [{"page_title": "Pricing", "page_url": "https://acme.example/pricing",
              "page_referrer": "https://search.example", "timestamp": T},
             {"page_title": "no url"}, "junk", {"page_url": "x" * 5000},
             {"page_url": "https://acme.example/", "timestamp": "soon", "page_title": 5}]
    event = f.session_event(sids[1], pages=pages)
    assert store.apply("session:sync:pages", event) is ApplyResult.IGNORED
    assert mirror.take() == []
    assert heard[-1].pages == (
        VisitedPage("Pricing", "https://acme.example/pricing", "https://search.example", T),
        VisitedPage("", "https://acme.example/", "", 0))
    store.apply("session:sync:pages", f.session_event("nobody", pages=pages))
    assert heard[-1].pages == ()  # nobody to show them for


def test_a_request_for_an_unknown_conversation_is_fetched(
        store: Store, sids: list[str], heard: list[LiveEvent]) -> None:
    assert store.apply("session:request:initiated",
                       f.session_event("session_req")) is ApplyResult.UNKNOWN_TARGET
    assert store.apply("session:request:initiated",
                       f.session_event(sids[0])) is ApplyResult.IGNORED
    assert [(e.event, e.session_id) for e in heard] == [
        ("session:request:initiated", "session_req"), ("session:request:initiated", sids[0])]


def test_live_device_facts_land_in_meta(store: Store, mirror: QtMirror,
                                        sids: list[str]) -> None:
    sid = sids[2]
    for event, extra in (("session:sync:timezone", {"timezone": {"offset": -300}}),
                         ("session:sync:locales", {"locales": {"locales": ["de", 7]}}),
                         ("session:sync:system", {"system": {"os": {"name": "Linux"}}}),
                         ("session:sync:network", {"network": {"ip": "192.0.2.7",
                                                               "isp": "x"}})):
        assert store.apply(event, f.session_event(sid, **extra)) is ApplyResult.APPLIED
    meta = store.conversations[sid].meta
    device = meta["device"]
    assert (device["timezone"], device["locales"], device["system"]) == (
        -300, ["de"], {"os": {"name": "Linux"}})
    assert meta["ip"] == "192.0.2.7" and "isp" not in meta
    assert {c.kind for c in mirror.take()} == {ChangeKind.CHANGED}
    assert store.apply("session:sync:timezone",
                       f.session_event(sid, timezone="soon")) is ApplyResult.MALFORMED
    assert store.apply("session:sync:locales",
                       f.session_event(sid, locales="de")) is ApplyResult.MALFORMED
    assert store.apply("session:sync:system",
                       f.session_event("nobody", system={})) is ApplyResult.UNKNOWN_TARGET

