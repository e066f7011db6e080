"""Conformance of the official python crisp-api 1.1.23 client, unchanged, against the sandbox
CLI: plugin connect, subscriptions and their settings, website routes, bucket URLs, auth and
error shapes. Conversations and people are in the sibling ``test_conformance_python_*`` files.

The client is synchronous, so these tests are too; they share one sandbox subprocess per
module (see ``pyclient``) and each leaves the world as it needs it or asserts only on what it
changed itself, so their order does not matter.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from crisp_api import Crisp  # type: ignore[import-untyped]
from crisp_api.errors.route import RouteError  # type: ignore[import-untyped]

from tests.sandbox.pyclient import PySandbox, client_error, running_sandbox

UNKNOWN_WEBSITE = "00000000-0000-4000-8000-000000000000"
UNKNOWN_PLUGIN = "00000000-0000-4000-8000-000000000001"


@pytest.fixture(scope="module")
def sb() -> Iterator[PySandbox]:
    with running_sandbox() as sandbox:
        yield sandbox


def all_connect_websites(client: Crisp, configured: bool) -> list[dict[str, Any]]:
    """Every page of Connect Websites; python sends filter_configured=True/False literally."""
    items: list[dict[str, Any]] = []
    page = 1
    while batch := client.plugin.list_all_connect_websites(page, configured):
        items.extend(batch)
        page += 1
    return items


def removed_websites(client: Crisp) -> list[str]:
    since = client.plugin.list_connect_websites_since("2000-01-01T00:00:00+00:00", False)
    return [item["website_id"] for item in since if item["difference"] == "removed"]


# ---- plugin connect ------------------------------------------------------------------------


def test_connect_account_and_session(sb: PySandbox) -> None:
    assert sb.client.plugin.get_connect_account() == {"plugin_id": sb.plugin_id}
    # HEAD: python synthesises its own result, which carries no data.
    assert sb.client.plugin.check_connect_session_validity() == {}
    bad = sb.new_client(key="0" * 64)
    assert client_error(bad.plugin.check_connect_session_validity) == (
        401, "unauthorized", "unauthorized")


def test_connect_websites_all(sb: PySandbox) -> None:
    everything = all_connect_websites(sb.client, False)
    ids = [item["website_id"] for item in everything]
    assert len(ids) == len(set(ids))
    assert set(sb.info["websites"]) <= set(ids)
    for item in everything:
        assert isinstance(item["token"], str) and item["token"]
        assert isinstance(item["settings"], dict)
    # filter_configured arrives as "True": only websites with settings remain.
    configured = all_connect_websites(sb.client, True)
    assert configured == [item for item in everything if item["settings"]]
    assert 0 < len(configured) < len(everything)  # the seeded world has both kinds
    assert sb.client.plugin.list_all_connect_websites(99, False) == []


def test_connect_websites_since_sends_its_date_unescaped(sb: PySandbox) -> None:
    # "+00:00" goes into the URL as is, so the server sees " 00:00" (crisp-api.md §1.3).
    since = sb.client.plugin.list_connect_websites_since("2000-01-01T00:00:00+00:00", False)
    differences = {item["website_id"]: item["difference"] for item in since}
    for website_id in sb.info["websites"]:
        assert differences[website_id] == "added"
    assert set(differences.values()) <= {"added", "removed"}
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    assert future.endswith("+00:00")
    assert sb.client.plugin.list_connect_websites_since(future, False) == []
    assert sb.client.plugin.list_connect_websites_since("2000-01-01T00:00:00Z", True) == [
        item for item in since if item["settings"] or item["difference"] == "removed"]
    assert client_error(sb.client.plugin.list_connect_websites_since, "yesterday", False) == (
        400, "invalid_data", "date_since should be an ISO-8601 date")


# ---- subscriptions and settings -----------------------------------------------------------


def test_subscription_settings_get_save_update(sb: PySandbox) -> None:
    client, wid, pid = sb.client, sb.website_id, sb.plugin_id
    got = client.plugin.get_subscription_settings(wid, pid)
    assert (got["plugin_id"], got["website_id"]) == (pid, wid)
    assert got["schema"]["type"] == "object"
    token = next(i["token"] for i in all_connect_websites(client, False)
                 if i["website_id"] == wid)
    assert got["token"] == token
    original = got["settings"]
    try:
        before_save = (datetime.now(UTC) - timedelta(milliseconds=1)).isoformat()
        assert client.plugin.save_subscription_settings(
            wid, pid, {"greeting": "Hello from python", "sla_minutes": 30}) == {}
        # PUT replaces the settings.
        assert client.plugin.get_subscription_settings(wid, pid)["settings"] == {
            "greeting": "Hello from python", "sla_minutes": 30}
        since = client.plugin.list_connect_websites_since(before_save, False)
        assert [i["difference"] for i in since if i["website_id"] == wid] == ["updated"]
        # PATCH merges into them.
        assert client.plugin.update_subscription_settings(wid, pid, {"auto_assign": True}) == {}
        assert client.plugin.get_subscription_settings(wid, pid)["settings"] == {
            "greeting": "Hello from python", "sla_minutes": 30, "auto_assign": True}
        # The result must fit the plugin's schema.
        code, reason, detail = client_error(client.plugin.update_subscription_settings,
                                            wid, pid, {"sla_minutes": 0})
        assert (code, reason) == (400, "invalid_data")
        assert "sla_minutes" in detail
        assert client_error(client.plugin.get_subscription_settings, wid, UNKNOWN_PLUGIN)[:2] \
            == (404, "plugin_not_found")
    finally:
        client.plugin.save_subscription_settings(wid, pid, original)
    assert client.plugin.get_subscription_settings(wid, pid)["settings"] == original


def test_subscriptions_list_details_and_subscribe(sb: PySandbox) -> None:
    client, pid = sb.client, sb.plugin_id
    active = client.plugin.list_all_active_subscriptions()
    assert {s["id"] for s in active} == {pid}
    assert all(s["active"] is True for s in active)
    assert set(sb.info["websites"]) <= {s["website_id"] for s in active}
    listed = client.plugin.list_subscriptions_website(sb.website_id)
    assert [s["website_id"] for s in listed] == [sb.website_id]
    assert client.plugin.get_subscription_details(sb.website_id, pid) == listed[0]

    off = removed_websites(client)[0]  # the seeded world's unbound website
    assert client.plugin.list_subscriptions_website(off) == []
    assert client_error(client.plugin.get_subscription_details, off, pid)[:2] == (
        404, "not_subscribed")
    assert client_error(client.website.get_website, off) == (
        404, "not_subscribed", "the website is not subscribed to the plugin")
    # python posts no plugin_id: the token's plugin is meant.
    assert client.plugin.subscribe_plugin_to_website(off) == {"website_id": off,
                                                              "plugin_id": pid}
    assert client.plugin.get_subscription_details(off, pid)["active"] is True
    assert client.website.get_website(off)["website_id"] == off
    assert off in {i["website_id"] for i in all_connect_websites(client, False)}
    assert off not in removed_websites(client)
    # Known client defect (crisp-api.md §5): it calls a delete() the Crisp class lacks.
    with pytest.raises(AttributeError, match="'delete'"):
        client.plugin.unsubscribe_plugin_from_website(off, pid)


# ---- website ------------------------------------------------------------------------------


def test_website_operators_and_availability(sb: PySandbox) -> None:
    client, wid = sb.client, sb.website_id
    website = client.website.get_website(wid)
    assert website["website_id"] == wid
    assert website["name"] and website["domain"]
    operators = client.website.list_website_operators(wid)
    assert operators
    user_ids = [op["details"]["user_id"] for op in operators]
    assert len(user_ids) == len(set(user_ids))
    for op in operators:
        assert {"user_id", "email", "first_name", "last_name", "role",
                "availability"} <= set(op["details"])
    status = client.website.get_website_availability_status(wid)
    assert set(status) == {"status", "since"} and isinstance(status["since"], int)
    kinds = {op["details"]["availability"] for op in operators}
    expected = "online" if "online" in kinds else "away" if "away" in kinds else "offline"
    assert status["status"] == expected
    assert client_error(client.website.get_website, UNKNOWN_WEBSITE) == (
        404, "website_not_found", "website not found")


# ---- bucket -------------------------------------------------------------------------------


def test_generate_bucket_url(sb: PySandbox) -> None:
    body = {"namespace": "upload", "id": "py-1", "file": {"name": "a.txt", "type": "text/plain"}}
    # The URLs arrive over RTM, which python crisp-api does not speak: the answer is empty.
    assert sb.client.bucket.generate_bucket_url(body) == {}
    code, reason, detail = client_error(sb.client.bucket.generate_bucket_url,
                                        {"namespace": "upload", "id": "py-2"})
    assert (code, reason, detail) == (400, "invalid_data",
                                      "data should have required property '.file'")


# ---- auth and errors ----------------------------------------------------------------------


def test_wrong_key_is_invalid_session(sb: PySandbox) -> None:
    bad = sb.new_client(key="0" * 64)
    with pytest.raises(RouteError) as caught:
        bad.plugin.get_connect_account()
    assert caught.value.args[0] == {
        "reason": "error", "message": "invalid_session", "code": 401,
        "data": {"namespace": "response", "message": "Got response error: invalid token"}}
    assert client_error(bad.website.get_website, sb.website_id)[:2] == (401, "invalid_session")


def test_tier_header_is_shared_by_every_client(sb: PySandbox) -> None:
    # A fresh client that never calls set_tier still sends the tier another instance set.
    fresh = Crisp()
    fresh.set_rest_host(sb.host)
    fresh.authenticate(sb.info["identifier"], sb.info["key"])
    assert fresh.plugin.get_connect_account() == {"plugin_id": sb.plugin_id}
    try:
        fresh.set_tier("user")  # ...and changing it there breaks the first client too
        code, reason, detail = client_error(sb.client.plugin.get_connect_account)
        assert (code, reason) == (401, "invalid_session")
        assert "'user'" in detail
        del Crisp.REQUEST_HEADERS["X-Crisp-Tier"]  # python's state before any set_tier
        assert "(none)" in client_error(sb.client.plugin.get_connect_account)[2]
    finally:
        fresh.set_tier("plugin")
    assert sb.client.plugin.get_connect_account() == {"plugin_id": sb.plugin_id}


# Client methods whose routes the sandbox does not serve: they fail cleanly, with Crisp's
# JSON envelope (a non-JSON answer would make python raise JSONDecodeError instead). When the
# sandbox gains one of these routes, this test fails: move the method to a real test.
_BATCH = ("resolve", "unresolve", "read", "unread", "remove", "report", "block", "routing",
          "inbox", "data", "segments")
UNSERVED: list[tuple[str, str, tuple[Any, ...]]] = [
    ("website", "create_website", ({"name": "x", "domain": "x.example"},)),
    ("website", "delete_website", ("W",)),
    *[("website", f"batch_{kind}_items", ("W", {"sessions": []})) for kind in _BATCH],
    ("website", "list_last_active_website_operators", ("W",)),
    ("website", "get_website_settings", ("W",)),
    ("website", "update_website_settings", ("W", {})),
    ("website", "count_visitors", ("W",)),
    ("website", "list_visitors", ("W", 1)),
    ("website", "initiate_conversation_with_existing_session", ("W", "session_x")),
    ("website", "request_email_transcript_for_conversation", ("W", "session_x", {})),
    ("website", "get_people_subscription_status", ("W", "p")),
    ("website", "update_people_subscription_status", ("W", "p", {})),
    ("plugin", "forward_plugin_payload_to_channel", ("W", "P", {})),
    ("plugin", "dispatch_plugin_event", ("W", "P", {})),
]


@pytest.mark.parametrize(("resource", "method", "args"), UNSERVED,
                         ids=[m for _, m, _ in UNSERVED])
def test_unserved_routes_fail_cleanly(sb: PySandbox, resource: str, method: str,
                                      args: tuple[Any, ...]) -> None:
    args = tuple(sb.website_id if a == "W" else sb.plugin_id if a == "P" else a for a in args)
    call = getattr(getattr(sb.client, resource), method)
    code, reason, _ = client_error(call, *args)
    assert (code, reason) in {(404, "not_found"), (405, "not_allowed")}
