"""Shared helpers of the conversation and message route tests.

Expectations are derived from ``sandbox.state`` (the dataset is seeded and may change), and
the few conditions a test needs are arranged through ``SandboxState`` methods.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import httpx

from crisp_console.sandbox.model import Conversation
from crisp_console.sandbox.server import Sandbox
from tests.sandbox.conftest import RtmProbe


def website_id(sb: Sandbox) -> str:
    """The subscribed website with the most conversations that have messages."""
    state = sb.state
    counts = {w: sum(1 for c in state.website_conversations(w) if c.messages)
              for w in state.subscribed_website_ids()}
    return max(counts, key=lambda w: (counts[w], w))


def unsubscribed_website_id(sb: Sandbox) -> str:
    return next(w.website_id for w in sb.state.websites.values() if not w.subscribed)


def conversations(sb: Sandbox, wid: str) -> list[Conversation]:
    return sorted(sb.state.website_conversations(wid), key=lambda c: c.session_id)


def busiest(sb: Sandbox, wid: str) -> Conversation:
    """The website's conversation with the longest history."""
    return max(conversations(sb, wid), key=lambda c: (len(c.messages), c.session_id))


def open_conversation(sb: Sandbox) -> Conversation:
    """The busiest conversation, unblocked and with a text message at the end."""
    state = sb.state
    conv = busiest(sb, website_id(sb))
    if conv.is_blocked:
        state.set_block(conv, False)
    state.add_message(conv, type="text", from_="user", origin="chat", content="a question",
                      user=conv.visitor)
    return conv


def newest_first(convs: Iterable[Conversation], attr: str = "updated_at") -> list[str]:
    ordered = sorted(convs, key=lambda c: (getattr(c, attr), c.session_id), reverse=True)
    return [c.session_id for c in ordered]


def data_of(resp: httpx.Response, status: int = 200, reason: str = "resolved") -> Any:
    """The envelope's ``data``, after checking status, reason and the error flag."""
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert body["error"] is False
    assert body["reason"] == reason
    return body["data"]


def error_of(resp: httpx.Response, status: int, reason: str) -> str:
    """The error message, after checking the error envelope."""
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert body["error"] is True
    assert body["reason"] == reason
    return str(body["data"]["message"])


async def all_pages(api: httpx.AsyncClient, wid: str, params: dict[str, Any],
                    per_page: int = 20) -> list[str]:
    """Every session_id List Conversations gives, paging until ``[]``."""
    seen: list[str] = []
    page = 1
    while True:
        resp = await api.get(f"website/{wid}/conversations/{page}",
                             params={**params, "per_page": per_page})
        batch = data_of(resp)
        if not batch:
            return seen
        assert len(batch) <= per_page
        seen.extend(c["session_id"] for c in batch)
        page += 1
        assert page < 10_000, "paging never ended"


def conv_url(conv: Conversation, tail: str = "") -> str:
    return f"website/{conv.website_id}/conversation/{conv.session_id}{tail}"


async def probe_for(rtm: Any, *events: str) -> RtmProbe:
    probe: RtmProbe = await rtm()
    assert await probe.authenticate(list(events)) == ("authenticated", True)
    return probe
