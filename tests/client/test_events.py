"""Every kind of event the sandbox emits reaches the client's store and changes it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from crisp_console.client import ConsoleClient
from crisp_console.core import HANDLERS
from crisp_console.realtime.events import DEFAULT_EVENTS
from crisp_console.sandbox.model import Conversation, Person
from crisp_console.sandbox.server import Sandbox
from crisp_console.sandbox.state import SandboxState
from tests.client.conftest import until

pytestmark = pytest.mark.asyncio


async def test_every_event_the_gateway_subscribes_to_has_a_store_handler() -> None:
    assert set(DEFAULT_EVENTS) <= set(HANDLERS), set(DEFAULT_EVENTS) - set(HANDLERS)


def loaded(sb: Sandbox, client: ConsoleClient) -> Conversation:
    """A conversation with history that the client has in its store."""
    return next(sb.state.conversations[s] for s in client.store.conversations
                if sb.state.conversations[s].messages)


Mutation = Callable[[SandboxState, Conversation], Any]
Check = Callable[[ConsoleClient, Conversation], bool]


def visitor_says(st: SandboxState, c: Conversation) -> None:
    st.add_message(c, type="text", from_="user", origin="chat", content="ping from visitor",
                   user=c.visitor)


def operator_says(st: SandboxState, c: Conversation) -> None:
    st.add_message(c, type="text", from_="operator", origin="chat", content="pong",
                   user=st.operators[0].user())


def row(client: ConsoleClient, c: Conversation) -> Any:
    return client.store.conversations[c.session_id]


CASES: list[tuple[str, Mutation, Check]] = [
    ("message:send", visitor_says, lambda cl, c: row(cl, c).last_message == "ping from visitor"),
    ("message:received", operator_says, lambda cl, c: row(cl, c).last_message == "pong"),
    ("session:set_state", lambda st, c: st.set_state(c, "resolved" if c.state != "resolved"
                                                      else "pending"),
     lambda cl, c: row(cl, c).state == c.state),
    ("session:set_routing", lambda st, c: st.set_routing(c, st.operators[1].user_id),
     lambda cl, c: row(cl, c).assigned == c.assigned),
    ("session:set_block", lambda st, c: st.set_block(c, True),
     lambda cl, c: row(cl, c).is_blocked is True),
    ("session:set_inbox", lambda st, c: st.set_inbox(c, "inbox-9"),
     lambda cl, c: row(cl, c).inbox_id == "inbox-9"),
    ("session:set_nickname", lambda st, c: st.update_meta(c, {"nickname": "Renamed Visitor"}),
     lambda cl, c: row(cl, c).nickname == "Renamed Visitor"),
    ("session:set_email", lambda st, c: st.update_meta(c, {"email": "new@example.com"}),
     lambda cl, c: row(cl, c).email == "new@example.com"),
    ("session:set_segments", lambda st, c: st.update_meta(c, {"segments": ["vip", "beta"]}),
     lambda cl, c: list(row(cl, c).segments) == ["vip", "beta"]),
    ("session:set_data", lambda st, c: st.update_meta(c, {"data": {"plan": "gold"}}),
     lambda cl, c: row(cl, c).data == {"plan": "gold"}),
    ("session:update_availability", lambda st, c: st.set_availability(
        c, "offline" if c.availability == "online" else "online"),
     lambda cl, c: row(cl, c).availability == c.availability),
    ("message:compose:send", lambda st, c: st.compose(c, kind="start", from_="user",
                                                      excerpt="I am typ"),
     lambda cl, c: row(cl, c).compose_visitor == "I am typ"),
    ("session:removed", lambda st, c: st.remove_conversation(c),
     lambda cl, c: c.session_id not in cl.store.conversations),
]


@pytest.mark.parametrize(("event", "mutate", "check"), CASES, ids=[c[0] for c in CASES])
async def test_event_changes_the_store(sandbox: Sandbox, client: ConsoleClient, event: str,
                                       mutate: Mutation, check: Check) -> None:
    conv = loaded(sandbox, client)
    seen: list[str] = []
    client.add_event_listener(lambda name, payload: seen.append(name))
    mutate(sandbox.state, conv)
    await until(lambda: event in seen, what=event)
    await until(lambda: check(client, conv), what=f"store after {event}")


async def test_message_edit_and_removal_reach_an_open_timeline(
    sandbox: Sandbox, client: ConsoleClient
) -> None:
    conv = loaded(sandbox, client)
    await client.loader.open_conversation(conv.session_id)
    msg = conv.messages[-1]
    sandbox.state.update_message(conv, msg, "edited by the server")
    await until(lambda: any(m.content == "edited by the server" and m.edited
                            for m in client.store.messages(conv.session_id)), what="edit")
    sandbox.state.remove_message(conv, msg)
    await until(lambda: all(m.fingerprint != msg.fingerprint
                            for m in client.store.messages(conv.session_id)), what="removal")


async def test_read_acknowledgement_clears_unread(sandbox: Sandbox, client: ConsoleClient) -> None:
    conv = loaded(sandbox, client)
    visitor_says(sandbox.state, conv)
    await until(lambda: row(client, conv).unread_operator > 0, what="unread")
    sandbox.state.acknowledge(conv, kind="read", from_="operator", origin="chat",
                              fingerprints=None)
    await until(lambda: row(client, conv).unread_operator == 0, what="read")


async def test_website_events(sandbox: Sandbox, client: ConsoleClient) -> None:
    website = sandbox.state.websites[sandbox.state.subscribed_website_ids()[0]]
    sandbox.state.set_visitors_count(website, 42)
    await until(lambda: client.store.websites[website.website_id].visitors_count == 42)
    op = sandbox.state.operators[0]
    sandbox.state.set_operator_availability(website.website_id, op, "away")
    await until(lambda: client.store.operators[op.user_id].availability == "away")
    sandbox.state.save_settings(website, {"greeting": "Howdy"})
    await until(lambda: client.store.websites[website.website_id].settings == {"greeting": "Howdy"})


async def test_people_events(sandbox: Sandbox, client: ConsoleClient) -> None:
    website_id = sandbox.state.subscribed_website_ids()[0]
    person = Person(people_id="p-test", website_id=website_id, email="ada@example.com",
                    person={"nickname": "Ada"}, company={}, segments=[], notepad="", score=0,
                    created_at=1, updated_at=1, active_last=1)
    sandbox.state.add_person(person)
    await until(lambda: "p-test" in client.store.people, what="created")
    sandbox.state.update_person(person, {"person": {"nickname": "Ada L."}}, replace=False)
    await until(lambda: client.store.people["p-test"].nickname == "Ada L.", what="updated")
    sandbox.state.remove_person(person)
    await until(lambda: "p-test" not in client.store.people, what="removed")
