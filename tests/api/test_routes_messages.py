"""Message routes of CrispApi (history and its iterators, send, get/update/remove, compose,
acknowledgements), against the sandbox."""

from __future__ import annotations

import pytest

from crisp_console.api import CrispApi
from crisp_console.errors import NotFoundError, ValidationError
from crisp_console.sandbox.model import Message
from crisp_console.sandbox.server import Sandbox
from tests.api.helpers import bound_website

pytestmark = pytest.mark.asyncio

T0 = 1_700_000_000_000  # epoch ms of the first seeded message


def seed(sb: Sandbox, session_id: str, count: int, *, start: int = T0,
         step: int = 1000) -> list[Message]:
    """``count`` visitor messages, ``step`` ms apart, straight into the sandbox's state."""
    conv = sb.state.conversations[session_id]
    return [sb.state.add_message(conv, type="text", from_="user", origin="chat",
                                 content=f"m{i}", user=dict(conv.visitor),
                                 timestamp=start + i * step)
            for i in range(count)]


async def new_conversation(crisp: CrispApi, sb: Sandbox, messages: int = 0) -> tuple[str, str]:
    wid = bound_website(sb)
    sid = await crisp.create_conversation(wid)
    seed(sb, sid, messages)
    return wid, sid


async def test_get_messages_cursors(crisp: CrispApi, sandbox: Sandbox) -> None:
    wid, sid = await new_conversation(crisp, sandbox, 100)
    latest = await crisp.get_messages(wid, sid)
    assert [m["content"] for m in latest] == [f"m{i}" for i in range(60, 100)]
    before = await crisp.get_messages(wid, sid, before=T0 + 60_000)
    assert [m["content"] for m in before] == [f"m{i}" for i in range(20, 60)]
    # Which batch timestamp_after answers (oldest or newest after the cursor) is unspecified
    # (crisp-api.md §10 row 5): only that it is a run of messages after the cursor.
    after = await crisp.get_messages(wid, sid, after=T0 + 9_000)
    first = int(after[0]["content"][1:])
    assert first >= 10 and [m["content"] for m in after] == [f"m{i}" for i in
                                                             range(first, first + 40)]
    around = await crisp.get_messages(wid, sid, around=T0 + 50_000)
    assert [m["content"] for m in around] == [f"m{i}" for i in range(30, 71)]
    assert all(isinstance(m["timestamp"], int) for m in latest)
    with pytest.raises(ValidationError):
        await crisp.get_messages(wid, sid, before=T0, around=T0)


async def test_iter_messages_before_goes_back_to_the_start(crisp: CrispApi,
                                                           sandbox: Sandbox) -> None:
    wid, sid = await new_conversation(crisp, sandbox, 95)
    batches = [b async for b in crisp.iter_messages_before(wid, sid, None)]
    assert [len(b) for b in batches] == [40, 40, 15]
    flat = [m["content"] for b in reversed(batches) for m in b]
    assert flat == [f"m{i}" for i in range(95)]
    older = [b async for b in crisp.iter_messages_before(wid, sid, T0 + 50_000)]
    assert [m["content"] for b in reversed(older) for m in b] == [f"m{i}" for i in range(50)]


async def test_send_update_remove(crisp: CrispApi, sandbox: Sandbox) -> None:
    wid, sid = await new_conversation(crisp, sandbox)
    conv = sandbox.state.conversations[sid]
    fingerprint = 123_456_789_012_345
    sent = await crisp.send_message(wid, sid, type="text", content="Hello",
                                    fingerprint=fingerprint)
    assert sent == fingerprint
    message = conv.by_fp[fingerprint]
    assert (message.content, message.from_, message.origin) == ("Hello", "operator", "chat")
    assert [m.content for m in conv.messages] == ["Hello"]

    note = await crisp.send_message(wid, sid, type="note", content="internal", fingerprint=7,
                                    user={"nickname": "Bot"}, mentions=["u1"], stealth=True)
    stored = conv.by_fp[note]
    assert (stored.type, stored.user["nickname"], stored.mentions) == ("note", "Bot", ["u1"])

    await crisp.update_message(wid, sid, fingerprint, "Hello, edited")
    edited = conv.by_fp[fingerprint]
    assert edited.content == "Hello, edited" and edited.edited is True
    await crisp.remove_message(wid, sid, fingerprint)
    assert fingerprint not in conv.by_fp
    with pytest.raises(NotFoundError):
        await crisp.remove_message(wid, sid, fingerprint)

    with pytest.raises(ValidationError) as err:
        await crisp.send_message(wid, sid, type="text", content="", fingerprint=8)
    assert err.value.message == "data.content should be >= 1 in length"
    with pytest.raises(ValidationError) as err:
        await crisp.send_message(wid, sid, type="text", content="x", fingerprint=9,
                                 user={"type": "robot"})
    assert err.value.message == "data.user.type should be equal to one of the allowed values"


async def test_compose_and_acknowledgements(crisp: CrispApi, sandbox: Sandbox) -> None:
    wid, sid = await new_conversation(crisp, sandbox, 3)
    conv = sandbox.state.conversations[sid]

    await crisp.compose(wid, sid, "start", excerpt="Typing")
    assert conv.compose["operator"]["excerpt"] == "Typing"
    await crisp.compose(wid, sid, "stop")
    assert "operator" not in conv.compose

    first = conv.messages[0].fingerprint
    await crisp.mark_read(wid, sid, [first])
    assert [m.read for m in conv.messages] == ["chat", "", ""]
    await crisp.mark_read(wid, sid)  # no fingerprints: every message
    assert [m.read for m in conv.messages] == ["chat"] * 3
    assert conv.unread_operator == 0
    await crisp.mark_unread(wid, sid)
    assert conv.unread_operator == 1
    assert (await crisp.get_conversation(wid, sid))["unread"]["operator"] == 1
