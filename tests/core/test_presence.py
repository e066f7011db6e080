"""Colleagues typing or just written (core/presence.py), through the store's live feed: who,
until when (on the store's clock), and never a bot or an event without a user."""

from __future__ import annotations

from typing import Any

import pytest

from crisp_console.core import Store
from crisp_console.core.presence import SWEEP_AT, Presence
from crisp_console.core.results import APPLIED, IGNORED, UNKNOWN_TARGET
from tests.core import factories as f

ANA, LEO, ME = "op-ana", "op-leo", "op-me"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def world(clock: Clock) -> tuple[Store, str]:
    store = Store(clock=clock)
    sid = f.session_id()
    store.upsert_conversations([f.conversation(sid)])
    return store, sid


def compose(sid: str, user_id: str, kind: str = "start", nickname: str = "Ana Silva",
            **extra: Any) -> dict[str, Any]:
    payload = f.compose_event(sid, kind, "I'll refund", operator=True)
    payload["user"] = f.operator_user(user_id, nickname)
    payload.update(extra)
    return payload


def operator_message(sid: str, user_id: str, nickname: str = "Leo Ortega",
                     **extra: Any) -> dict[str, Any]:
    extra.setdefault("content", "Refunded already")
    return f.message_event(sid, from_="operator", user=f.operator_user(user_id, nickname),
                           **extra)


def typing_ids(store: Store, sid: str, exclude: str | None = None) -> list[str]:
    return [c.user_id for c in store.presence.typing(sid, exclude)]


def wrote_ids(store: Store, sid: str, exclude: str | None = None) -> list[str]:
    return [c.user_id for c in store.presence.wrote(sid, exclude)]


def test_a_colleague_typing_shows_until_stop(world: tuple[Store, str], clock: Clock) -> None:
    store, sid = world
    assert store.apply("message:compose:receive", compose(sid, ANA)) is APPLIED
    clock.now += 4
    [ana] = store.presence.typing(sid)
    assert (ana.user_id, ana.nickname, ana.seconds) == (ANA, "Ana Silva", 4)
    assert store.conversations[sid].compose_operator == "I'll refund"  # the row's field too
    store.apply("message:compose:receive", compose(sid, ANA, "stop"))
    assert typing_ids(store, sid) == []
    assert len(store.presence) == 0  # nothing left of her


def test_typing_expires_without_a_stop_and_a_new_start_renews_it(
        world: tuple[Store, str], clock: Clock) -> None:
    store, sid = world
    store.apply("message:compose:receive", compose(sid, ANA))
    clock.now += 20
    store.apply("message:compose:receive", compose(sid, ANA))  # still typing: renewed
    clock.now += 29.9
    assert typing_ids(store, sid) == [ANA]
    assert store.presence.next_change(sid) == pytest.approx(0.1)
    clock.now += 0.1  # 30 s since the last start: compose events can be lost
    assert typing_ids(store, sid) == []
    assert store.presence.next_change(sid) is None


def test_several_typing_first_starter_first_and_me_excluded(
        world: tuple[Store, str], clock: Clock) -> None:
    store, sid = world
    store.apply("message:compose:receive", compose(sid, LEO, nickname="Leo Ortega"))
    clock.now += 1
    store.apply("message:compose:receive", compose(sid, ME, nickname="Me Myself"))
    clock.now += 1
    store.apply("message:compose:receive", compose(sid, ANA))
    assert typing_ids(store, sid) == [LEO, ME, ANA]
    assert typing_ids(store, sid, exclude=ME) == [LEO, ANA]


def test_a_colleagues_message_ends_their_typing_and_shows_for_two_minutes(
        world: tuple[Store, str], clock: Clock) -> None:
    store, sid = world
    store.apply("message:compose:receive", compose(sid, LEO, nickname="Leo Ortega"))
    assert store.apply("message:received", operator_message(sid, LEO)) is APPLIED
    assert typing_ids(store, sid) == []
    clock.now += 30
    [leo] = store.presence.wrote(sid)
    assert (leo.user_id, leo.seconds, leo.note) == (LEO, 30, False)
    assert store.presence.next_change(sid) == pytest.approx(90)
    clock.now += 90
    assert wrote_ids(store, sid) == []


def test_notes_count_events_bots_and_visitors_do_not(world: tuple[Store, str]) -> None:
    store, sid = world
    store.apply("message:received", operator_message(sid, ANA, "Ana Silva", type="note"))
    store.apply("message:received", operator_message(sid, LEO, type="event",
                                                      content={"namespace": "state:resolved"}))
    store.apply("message:received", operator_message(sid, "op-bot", automated=True))
    store.apply("message:send", f.message_event(sid, content="visitor"))
    assert [(c.user_id, c.note) for c in store.presence.wrote(sid)] == [(ANA, True)]
    store.apply("message:compose:receive", compose(sid, "op-bot", automated=True))
    store.apply("message:compose:send", f.compose_event(sid))  # the visitor's typing
    assert typing_ids(store, sid) == []


def test_malformed_or_anonymous_compose_changes_nothing(world: tuple[Store, str]) -> None:
    store, sid = world
    no_user = f.compose_event(sid, "start", "x", operator=False)
    assert store.apply("message:compose:receive", no_user) is APPLIED  # the field only
    for user in ({}, {"user_id": 42}, {"user_id": "x" * 1000}, "ana", None):
        payload = compose(sid, ANA)
        payload["user"] = user
        store.apply("message:compose:receive", payload)
    assert typing_ids(store, sid) == []
    assert store.apply("message:compose:receive", compose(f.session_id(), ANA)) \
        is UNKNOWN_TARGET  # an unknown conversation: nothing kept
    assert len(store.presence) == 0
    # A second "start" with the same excerpt changes neither the field nor who types.
    store.apply("message:compose:receive", compose(sid, ANA))
    assert store.apply("message:compose:receive", compose(sid, ANA)) is IGNORED


def test_a_replayed_message_is_not_news(world: tuple[Store, str], clock: Clock) -> None:
    store, sid = world
    payload = operator_message(sid, LEO)
    store.apply("message:received", payload)
    clock.now += 100
    assert store.apply("message:received", payload) is IGNORED
    assert [c.seconds for c in store.presence.wrote(sid)] == [100]  # not renewed


def test_removal_and_clear_forget(world: tuple[Store, str]) -> None:
    store, sid = world
    store.apply("message:compose:receive", compose(sid, ANA))
    store.remove_conversation(sid)
    assert len(store.presence) == 0
    other = f.session_id()
    store.upsert_conversations([f.conversation(other)])
    store.apply("message:compose:receive", compose(other, ANA))
    store.clear()
    assert len(store.presence) == 0


def test_expired_conversations_are_swept_when_many_hold_entries(clock: Clock) -> None:
    presence = Presence(clock)
    for n in range(SWEEP_AT):
        presence.compose(f"s{n}", ANA, "Ana", True)
    assert len(presence) == SWEEP_AT
    clock.now += 31  # every one expired, none read since
    presence.compose("fresh", LEO, "Leo", True)
    assert len(presence) == 1
    assert [c.user_id for c in presence.typing("fresh")] == [LEO]


def test_stop_without_start_and_names_kept(clock: Clock) -> None:
    presence = Presence(clock)
    assert presence.compose("s", ANA, "Ana", False) is False
    assert presence.compose("s", ANA, "Ana", True) is True
    assert presence.compose("s", ANA, "", True) is False  # still typing; name kept
    assert presence.typing("s")[0].nickname == "Ana"
    presence.message("s", ANA, "Ana S.", note=False)
    assert presence.compose("s", ANA, "", False) is False  # she already stopped by writing
    assert presence.wrote("s")[0].nickname == "Ana S."
