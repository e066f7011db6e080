"""Shared bits of the people, website and plugin route tests."""

from __future__ import annotations

from typing import Any

import httpx
from crisp_api import Crisp  # type: ignore[import-untyped]

from crisp_console.sandbox.model import Person
from crisp_console.sandbox.server import Sandbox


def subscribed_website(sb: Sandbox) -> str:
    return sb.state.subscribed_website_ids()[0]


def unsubscribed_website(sb: Sandbox) -> str:
    return next(w.website_id for w in sb.state.websites.values() if not w.subscribed)


def people_of(sb: Sandbox, website_id: str) -> list[Person]:
    return [p for p in sb.state.people.values() if p.website_id == website_id]


async def add_person(api: httpx.AsyncClient, website_id: str, email: str, nickname: str,
                     **extra: Any) -> str:
    """Create a profile through the REST route; returns its people_id."""
    body = {"email": email, "person": {"nickname": nickname, **extra.pop("person", {})},
            **extra}
    resp = await api.post(f"website/{website_id}/people/profile", json=body)
    assert resp.status_code == 201, resp.text
    assert resp.json()["reason"] == "added"
    people_id: str = resp.json()["data"]["people_id"]
    return people_id


def error_of(resp: httpx.Response) -> tuple[int, str, str]:
    """(status, reason, data.message) of an error answer."""
    body = resp.json()
    assert body["error"] is True
    return resp.status_code, body["reason"], body["data"]["message"]


def python_client(sb: Sandbox) -> Crisp:
    """python crisp-api 1.1.23 pointed at the sandbox (blocking: call it via to_thread)."""
    client = Crisp()
    client.set_rest_host(sb.base_url)
    client.authenticate(sb.state.token.identifier, sb.state.token.key)
    client.set_tier("plugin")
    return client
