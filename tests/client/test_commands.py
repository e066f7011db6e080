"""Every command reaches the sandbox, and the store shows the result."""

from __future__ import annotations

import httpx
import pytest

from crisp_console.client import ConsoleClient
from crisp_console.core import MessageStatus
from crisp_console.errors import NotFoundError
from crisp_console.sandbox.model import Conversation
from crisp_console.sandbox.server import Sandbox
from tests.client.conftest import until
from tests.sandbox.conftest import RtmProbe

pytestmark = pytest.mark.asyncio


def open_conv(sb: Sandbox, client: ConsoleClient) -> Conversation:
    return next(sb.state.conversations[s] for s in client.store.conversations
                if sb.state.conversations[s].messages
                and sb.state.conversations[s].state != "resolved")


async def test_send_text_and_note(sandbox: Sandbox, client: ConsoleClient) -> None:
    conv = open_conv(sandbox, client)
    text = await client.replies.send_text(conv.session_id, "Hi, how can I help?")
    note = await client.replies.send_note(conv.session_id, "internal: VIP customer")
    server = {m.fingerprint: m for m in conv.messages}
    assert server[text.fingerprint].content == "Hi, how can I help?"
    assert server[note.fingerprint].type == "note"
    mine = {m.fingerprint: m for m in client.store.messages(conv.session_id)}
    assert mine[text.fingerprint].status is MessageStatus.SENT
    assert mine[note.fingerprint].status is MessageStatus.SENT
    assert client.store.conversations[conv.session_id].last_message in (
        "Hi, how can I help?", "internal: VIP customer")


async def test_send_file_through_a_bucket_url(sandbox: Sandbox, client: ConsoleClient) -> None:
    conv = open_conv(sandbox, client)
    payload = b"%PDF-1.4 invoice bytes"
    msg = await client.replies.send_file(conv.session_id, "invoice.pdf", "application/pdf", payload)
    sent = conv.by_fp[msg.fingerprint]
    assert sent.type == "file" and sent.content["name"] == "invoice.pdf"
    async with httpx.AsyncClient() as http:
        served = await http.get(sent.content["url"])
    assert served.content == payload


async def test_edit(sandbox: Sandbox, client: ConsoleClient) -> None:
    conv = open_conv(sandbox, client)
    msg = await client.replies.send_text(conv.session_id, "typo hre")
    await client.commands.edit_message(conv.session_id, msg.fingerprint, "typo here")
    assert conv.by_fp[msg.fingerprint].content == "typo here"
    assert next(m for m in client.store.messages(conv.session_id)
                if m.fingerprint == msg.fingerprint).content == "typo here"


async def test_failed_edit_is_undone_in_the_store(sandbox: Sandbox, client: ConsoleClient) -> None:
    conv = open_conv(sandbox, client)
    msg = await client.replies.send_text(conv.session_id, "keep me")
    # Gone on the server without an event (as if the removal's event was lost).
    gone = conv.by_fp.pop(msg.fingerprint)
    conv.messages.remove(gone)
    with pytest.raises(NotFoundError):
        await client.commands.edit_message(conv.session_id, msg.fingerprint, "too late")
    kept = next(m for m in client.store.messages(conv.session_id)
                if m.fingerprint == msg.fingerprint)
    assert kept.content == "keep me"
    with pytest.raises(LookupError):
        await client.commands.edit_message(conv.session_id, 12345, "no such message")


async def test_compose_is_throttled(sandbox: Sandbox, client: ConsoleClient, rtm) -> None:  # type: ignore[no-untyped-def]
    conv = open_conv(sandbox, client)
    probe: RtmProbe = await rtm()
    await probe.authenticate(["message:compose:receive"])
    for _ in range(5):
        await client.commands.compose(conv.session_id, True, excerpt="Let me check")
    await client.commands.compose(conv.session_id, False)
    await client.commands.compose(conv.session_id, False)  # a second stop sends nothing
    await probe.settle()
    kinds = [d["type"] for n, d in probe.received if n == "message:compose:receive"]
    assert kinds == ["start", "stop"]


async def test_read_unread(sandbox: Sandbox, client: ConsoleClient) -> None:
    conv = open_conv(sandbox, client)
    sandbox.state.add_message(conv, type="text", from_="user", origin="chat", content="?",
                              user=conv.visitor)
    await client.commands.mark_read(conv.session_id)
    assert conv.unread_operator == 0
    assert client.store.conversations[conv.session_id].unread_operator == 0
    await client.commands.mark_unread(conv.session_id)
    assert conv.unread_operator >= 1
    await until(lambda: client.store.conversations[conv.session_id].unread_operator >= 1)


async def test_resolve_reopen_assign_block(sandbox: Sandbox, client: ConsoleClient) -> None:
    conv = open_conv(sandbox, client)
    row = client.store.conversations[conv.session_id]
    await client.commands.resolve(conv.session_id)
    assert conv.state == "resolved" and row.state == "resolved"
    await client.commands.reopen(conv.session_id)
    assert conv.state == "unresolved" and client.store.conversations[conv.session_id].state \
        == "unresolved"
    op = sandbox.state.operators[-1].user_id
    await client.commands.assign(conv.session_id, op)
    assert conv.assigned == op and client.store.conversations[conv.session_id].assigned == op
    await client.commands.assign(conv.session_id, None)
    assert conv.assigned is None and client.store.conversations[conv.session_id].assigned is None
    await client.commands.block(conv.session_id, True)
    assert conv.is_blocked and client.store.conversations[conv.session_id].is_blocked


async def test_update_meta(sandbox: Sandbox, client: ConsoleClient) -> None:
    conv = open_conv(sandbox, client)
    await client.commands.update_meta(conv.session_id, {
        "nickname": "Grace", "email": "grace@example.com", "segments": ["lead"],
        "data": {"tier": "pro"}})
    assert conv.meta["nickname"] == "Grace" and conv.meta["segments"] == ["lead"]
    row = client.store.conversations[conv.session_id]
    assert (row.nickname, row.email, list(row.segments), row.data) == \
        ("Grace", "grace@example.com", ["lead"], {"tier": "pro"})


async def test_open_conversation_loads_history_and_the_people_panel(
    sandbox: Sandbox, client: ConsoleClient
) -> None:
    conv = next(sandbox.state.conversations[s] for s in client.store.conversations
                if sandbox.state.conversations[s].people_id
                and len(sandbox.state.conversations[s].messages) > 3)
    await client.loader.open_conversation(conv.session_id)
    details = await client.details.load(conv.session_id)
    fps = [m.fingerprint for m in client.store.messages(conv.session_id)]
    assert fps == [m.fingerprint for m in conv.messages[-len(fps):]]
    assert details.profile is not None and details.profile["people_id"] == conv.people_id
    person = sandbox.state.people[conv.people_id]
    assert details.person_data == person.data
    assert conv.session_id in details.past_conversations
    assert len(details.pages) == min(20, len(conv.pages))
    assert conv.people_id in client.store.people
    await client.commands.update_person(conv.website_id, conv.people_id, {"notepad": "called back"})
    assert person.notepad == "called back"


async def test_load_older_pages_back_to_the_start(sandbox: Sandbox, client: ConsoleClient) -> None:
    conv = open_conv(sandbox, client)
    for i in range(90):
        sandbox.state.add_message(conv, type="text", from_="user", origin="chat",
                                  content=f"line {i}", user=conv.visitor)
    await client.loader.open_conversation(conv.session_id)
    while await client.loader.load_older(conv.session_id):
        pass
    mine = [m.fingerprint for m in client.store.messages(conv.session_id)]
    assert mine == [m.fingerprint for m in conv.messages]
