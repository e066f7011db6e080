"""What the console window needs of ConsoleClient beyond the basic commands: reminders, note
mentions, upload progress, credential-free media, who "me" is, and my last message."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from crisp_console.client import ConsoleClient
from crisp_console.core import MessageStatus
from crisp_console.errors import MediaTooLargeError, ServerError, ValidationError
from crisp_console.sandbox.model import Conversation
from crisp_console.sandbox.server import Sandbox
from crisp_console.sandbox.state import REMINDER_PREFIX
from crisp_console.types import Credentials
from tests.api.helpers import set_faults
from tests.client.conftest import FAST, make_client, until

pytestmark = pytest.mark.asyncio


def open_conv(sb: Sandbox, client: ConsoleClient) -> Conversation:
    return next(sb.state.conversations[s] for s in client.store.conversations
                if sb.state.conversations[s].messages
                and sb.state.conversations[s].state != "resolved")


def colleague(sb: Sandbox, client: ConsoleClient) -> str:
    return next(o.user_id for o in sb.state.operators if o.user_id != client.me)


# ---- me --------------------------------------------------------------------------------------


async def test_me_defaults_to_the_first_operator_of_the_first_website(sandbox: Sandbox) -> None:
    client = make_client(sandbox)
    try:
        before = client.me
        assert before is None  # nothing known before start()
        await client.start()
        first_website = client.websites.ids()[0]
        first = sandbox.state.operators[0]  # every sandbox operator is on every website
        ops = await client.api.list_operators(first_website)
        assert client.me == ops[0]["details"]["user_id"] == first.user_id
        conv = open_conv(sandbox, client)
        msg = await client.replies.send_text(conv.session_id, "echo shows me")
        assert (msg.user_id, msg.nickname) == (first.user_id, first.nickname)
    finally:
        await client.aclose()


async def test_me_can_be_configured(sandbox: Sandbox) -> None:
    chosen = sandbox.state.operators[2]
    by_config = make_client(sandbox, config=dataclasses.replace(FAST, operator_id="op-x"))
    info = sandbox.info()
    by_argument = ConsoleClient(info["rest"], Credentials(info["identifier"], info["key"]),
                                config=by_config.config, operator_id=chosen.user_id)
    try:
        assert by_config.me == "op-x"
        assert by_argument.me == chosen.user_id  # the argument wins over the config
        await by_argument.start()
        assert by_argument.me == chosen.user_id
        conv = open_conv(sandbox, by_argument)
        msg = await by_argument.replies.send_text(conv.session_id, "as the third operator")
        assert (msg.user_id, msg.nickname) == (chosen.user_id, chosen.nickname)
    finally:
        await by_config.aclose()
        await by_argument.aclose()


# ---- last_own_message ------------------------------------------------------------------------


async def test_last_own_message(sandbox: Sandbox, admin: httpx.AsyncClient) -> None:
    client = make_client(sandbox, config=dataclasses.replace(FAST, send_retry_window=0.05))
    try:
        await client.start()
        conv = open_conv(sandbox, client)
        sid = conv.session_id
        await client.loader.open_conversation(sid)
        first = await client.replies.send_text(sid, "first")
        assert client.replies.last_own_message(sid) is first
        second = await client.replies.send_text(sid, "second")
        await client.replies.send_note(sid, "a note is not a reply to edit")
        state = sandbox.state
        other = state.operator(colleague(sandbox, client))
        assert other is not None
        state.add_message(conv, type="text", from_="operator", origin="chat",
                          content="a colleague's reply", user=other.user())
        state.add_message(conv, type="text", from_="user", origin="chat", content="thanks",
                          user=conv.visitor)
        await until(lambda: client.store.messages(sid)[-1].content == "thanks")
        assert client.replies.last_own_message(sid) is second

        # A reply that failed exists only here: it is retried, not edited.
        await set_faults(admin, error_rate=1.0)
        with pytest.raises(ServerError):
            await client.replies.send_text(sid, "never arrives")
        await set_faults(admin, error_rate=0.0)
        assert client.store.messages(sid)[-1].status is MessageStatus.FAILED
        assert client.replies.last_own_message(sid) is second
        assert client.replies.last_own_message("session_unknown") is None
    finally:
        await client.aclose()


async def test_last_own_message_follows_the_configured_operator(sandbox: Sandbox,
                                                                client: ConsoleClient) -> None:
    conv = open_conv(sandbox, client)
    sid = conv.session_id
    await client.loader.open_conversation(sid)
    mine = await client.replies.send_text(sid, "from the default me")
    mate = colleague(sandbox, client)
    client.identity.operator_id = mate
    before = client.replies.last_own_message(sid)
    assert before is not mine and (before is None or before.user_id == mate)
    theirs = await client.replies.send_text(sid, "now as the colleague")
    assert theirs.user_id == mate and client.replies.last_own_message(sid) is theirs


# ---- mentions ---------------------------------------------------------------------------------


async def test_note_mentions_reach_the_sandbox_and_the_mentions_filter(
        sandbox: Sandbox, client: ConsoleClient) -> None:
    conv = open_conv(sandbox, client)
    sid = conv.session_id
    mate = colleague(sandbox, client)
    assert mate not in client.store.conversations[sid].mentions
    note = await client.replies.send_note(sid, f"@{mate} can you take this?",
                                          mentions=[mate, mate, ""])
    assert conv.by_fp[note.fingerprint].mentions == [mate]  # deduplicated, empties dropped
    assert mate in conv.mentions
    row = client.store.conversations[sid]
    assert mate in row.mentions
    assert (note.extra or {}).get("mentions") == [mate]
    # Still there once the REST copy replaces the row.
    await client.loader.fetch_conversation(conv.website_id, sid)
    assert mate in client.store.conversations[sid].mentions
    plain = await client.replies.send_note(sid, "no mention")
    assert conv.by_fp[plain.fingerprint].mentions is None


async def test_a_retried_note_keeps_its_mentions(sandbox: Sandbox,
                                                  admin: httpx.AsyncClient) -> None:
    client = make_client(sandbox, config=dataclasses.replace(FAST, send_retry_window=0.05))
    try:
        await client.start()
        conv = open_conv(sandbox, client)
        mate = colleague(sandbox, client)
        await set_faults(admin, error_rate=1.0)
        with pytest.raises(ServerError):
            await client.replies.send_note(conv.session_id, "ping", mentions=[mate])
        await set_faults(admin, error_rate=0.0)
        failed = client.store.messages(conv.session_id)[-1]
        assert failed.status is MessageStatus.FAILED
        await client.replies.retry_send(conv.session_id, failed.fingerprint)
        assert conv.by_fp[failed.fingerprint].mentions == [mate]
    finally:
        await client.aclose()


# ---- reminders --------------------------------------------------------------------------------


async def test_remind_leaves_a_note_mentioning_me_when_due(sandbox: Sandbox,
                                                          client: ConsoleClient) -> None:
    conv = open_conv(sandbox, client)
    sid = conv.session_id
    await client.loader.open_conversation(sid)
    when = datetime.now(UTC) + timedelta(milliseconds=300)
    await client.commands.remind(sid, when, "call back about the renewal")
    (reminder,) = conv.reminders
    assert reminder["user"]["user_id"] == client.me and reminder["fired_at"] == 0
    expected = REMINDER_PREFIX + "call back about the renewal"
    await until(lambda: client.store.messages(sid)[-1].content == expected)
    note = client.store.messages(sid)[-1]
    assert (note.type, note.from_, note.user_id) == ("note", "operator", client.me)
    assert client.me in client.store.conversations[sid].mentions


async def test_remind_refusals_raise_the_typed_error(sandbox: Sandbox,
                                                    client: ConsoleClient) -> None:
    conv = open_conv(sandbox, client)
    with pytest.raises(ValidationError) as err:
        await client.commands.remind(conv.session_id, datetime.now(UTC) - timedelta(days=1), "late")
    assert err.value.message == "data.date should not be in the past"
    with pytest.raises(ValidationError):
        await client.commands.remind(conv.session_id, datetime.now(UTC) + timedelta(days=1), "")
    assert conv.reminders == []


# ---- files and media ----------------------------------------------------------------------


async def test_send_file_progress_and_fetch_media(sandbox: Sandbox,
                                                  client: ConsoleClient) -> None:
    conv = open_conv(sandbox, client)
    data = bytes(range(256)) * 1100  # 275 KiB: five chunks
    seen: list[tuple[int, int]] = []
    msg = await client.replies.send_file(conv.session_id, "scan.png", "image/png", data,
                                         progress=lambda sent, total: seen.append((sent, total)))
    assert seen[-1] == (len(data), len(data)) and len(seen) == 5
    assert [s for s, _ in seen] == sorted({s for s, _ in seen})
    url = conv.by_fp[msg.fingerprint].content["url"]
    assert client.media.trusted(url)  # the bucket is on the REST host
    assert await client.media.fetch(url) == data
    with pytest.raises(MediaTooLargeError):
        await client.media.fetch(url, max_bytes=len(data) - 1)


@pytest.mark.parametrize(("url", "trusted"), [
    ("https://image.crisp.chat/avatar/operator/1/120", True),
    ("https://crisp.chat/logo.png", True),
    ("https://storage.crisp.chat:443/a.png", True),
    ("http://image.crisp.chat/a.png", False),  # not TLS
    ("https://evilcrisp.chat/a.png", False),
    ("https://crisp.chat.evil.example/a.png", False),
    ("https://example.com/a.png?x=.crisp.chat", False),
    ("https://images.example/a.png", False),
    ("not a url", False),
    ("", False),
])
async def test_trusted_media(client: ConsoleClient, url: str, trusted: bool) -> None:
    assert client.media.trusted(url) is trusted


async def test_only_the_connected_rest_host_is_trusted(sandbox: Sandbox,
                                                       client: ConsoleClient) -> None:
    base = sandbox.base_url  # http://127.0.0.1:PORT
    assert client.media.trusted(f"{base}/_bucket/files/k/a.png")
    assert not client.media.trusted(f"http://127.0.0.1:{sandbox.port + 1}/a.png")
    assert not client.media.trusted(base.replace("http://", "https://") + "/a.png")
    assert not client.media.trusted(base.replace("127.0.0.1", "localhost") + "/a.png")
