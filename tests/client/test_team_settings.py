"""TeamSettings against the sandbox: canned responses in the plugin settings, kept live."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

import jsonschema
import pytest

from crisp_console.client import ConsoleClient, team_settings_of
from crisp_console.client.team_settings import (
    InvalidSettingsError,
    TeamSettings,
    WebsiteSettings,
    canned_item,
    load_validator,
    parse_settings,
)
from crisp_console.errors import ValidationError
from crisp_console.sandbox.dataset import plugin_schema
from crisp_console.sandbox.server import Sandbox
from tests.client.conftest import make_client, until

HELLO = {"shortcut": "hello", "title": "Greeting", "text": "Hi! How can I help?"}
BYE = {"shortcut": "bye-fr", "title": "Au revoir", "text": "Bonne journée !", "locale": "fr"}


def first_website(sb: Sandbox) -> str:
    return sb.state.subscribed_website_ids()[0]


@pytest.mark.asyncio
async def test_round_trip_keeps_the_plugins_other_keys(sandbox: Sandbox,
                                                       client: ConsoleClient) -> None:
    wid = first_website(sandbox)
    before = copy.deepcopy(sandbox.state.websites[wid].settings)
    team = TeamSettings(client)
    seen: list[WebsiteSettings] = []
    team.add_listener(seen.append)
    assert (await team.load(wid)).canned == ()
    # The UI hands over asdict(CannedResponse): locale None must not reach the server.
    saved = await team.save_canned(wid, [{**HELLO, "locale": None}, BYE])
    assert list(saved.canned) == [HELLO, BYE] and saved.problems == ()
    assert sandbox.state.websites[wid].settings == {**before, "canned_responses": [HELLO, BYE]}
    fresh = TeamSettings(client)
    loaded = await fresh.load(wid)
    assert fresh.canned(wid) == [HELLO, BYE] and loaded == saved
    assert seen[-1] == saved
    team.close()
    fresh.close()


@pytest.mark.asyncio
async def test_server_rejection_keeps_the_cache(sandbox: Sandbox, client: ConsoleClient) -> None:
    """A plugin whose schema does not know the console's keys answers invalid_data."""
    wid = first_website(sandbox)
    team = TeamSettings(client)
    await team.save_canned(wid, [HELLO])
    schema = plugin_schema()
    del schema["properties"]["canned_responses"]
    sandbox.state.plugin_schema = schema
    with pytest.raises(ValidationError) as caught:
        await team.save_canned(wid, [HELLO, BYE])
    assert caught.value.reason == "invalid_data"
    assert team.canned(wid) == [HELLO]
    assert sandbox.state.websites[wid].settings["canned_responses"] == [HELLO]
    team.close()


@pytest.mark.asyncio
async def test_local_validation_sends_nothing(sandbox: Sandbox, client: ConsoleClient) -> None:
    wid = first_website(sandbox)
    team = TeamSettings(client)
    await team.load(wid)
    updated = sandbox.state.websites[wid].updated_at
    with pytest.raises(InvalidSettingsError) as caught:
        await team.save_canned(wid, [HELLO, {**BYE, "shortcut": "Bad Shortcut"}, HELLO])
    assert any("[2].shortcut" in p for p in caught.value.problems)
    assert any("!hello is defined twice" in p for p in caught.value.problems)
    assert sandbox.state.websites[wid].updated_at == updated
    assert "canned_responses" not in sandbox.state.websites[wid].settings
    team.close()


@pytest.mark.asyncio
async def test_invalid_server_settings_are_reported(sandbox: Sandbox,
                                                    client: ConsoleClient) -> None:
    wid = first_website(sandbox)
    # Planted behind the schema's back, as a buggy plugin back end could.
    sandbox.state.websites[wid].settings = {
        "canned_responses": "not a list", "default_reply_mode": "shout"}
    team = TeamSettings(client)
    got = await team.load(wid)
    assert got.canned == () and team.canned(wid) == []
    assert got.default_reply_mode == "reply"
    assert any(p.startswith("canned_responses:") for p in got.problems)
    assert any(p.startswith("default_reply_mode:") for p in got.problems)
    # One bad row and a repeated shortcut are dropped on their own; the rest is kept.
    sandbox.state.websites[wid].settings = {
        "canned_responses": [HELLO, {"shortcut": "x" * 40, "title": "t", "text": "t"},
                             {**HELLO, "title": "again"}, BYE],
        "default_reply_mode": "note"}
    got = await team.load(wid)
    assert list(got.canned) == [HELLO, BYE] and got.default_reply_mode == "note"
    assert [p.split(":")[0] for p in got.problems] == ["canned_responses[2].shortcut",
                                                       "canned_responses[3]"]
    sandbox.state.websites[wid].settings = ["not", "an", "object"]  # type: ignore[assignment]
    got = await team.load(wid)
    assert got == WebsiteSettings(wid, problems=got.problems) and got.problems
    team.close()


@pytest.mark.asyncio
async def test_a_save_in_console_a_reaches_console_b(sandbox: Sandbox) -> None:
    wid = first_website(sandbox)
    a, b = make_client(sandbox), make_client(sandbox)
    await a.start()
    await b.start()
    try:
        team_a, team_b = TeamSettings(a), TeamSettings(b)
        await team_a.load(wid)
        await team_b.load(wid)
        heard: list[WebsiteSettings] = []
        team_b.add_listener(heard.append)
        await team_a.save_canned(wid, [HELLO])
        await until(lambda: team_b.canned(wid) == [HELLO], what="B's canned responses")
        assert heard and list(heard[-1].canned) == [HELLO]
        await team_a.save_canned(wid, [BYE, HELLO])  # an edit, then a delete, in a row
        await team_a.save_canned(wid, [BYE])
        await until(lambda: team_b.canned(wid) == [BYE], what="B after the delete")
        team_a.close()  # saving needs no listener; now any reload would be B's
        team_b.close()  # detached: B no longer follows
        refreshing: list[bool] = []

        def after_team_b(name: str, payload: Any) -> None:
            # Listeners run in order: an attached team_b would have spawned its reload already.
            if name == "plugin:settings:saved":
                refreshing.append(any(t.get_name().startswith("team-settings")
                                      for t in asyncio.all_tasks()))

        b.add_event_listener(after_team_b)
        await team_a.save_canned(wid, [HELLO])
        await until(lambda: refreshing, what="B's settings event")
        assert refreshing == [False] and team_b.canned(wid) == [BYE]
    finally:
        await a.aclose()
        await b.aclose()


def settings_reads(sb: Sandbox, mark: int) -> list[str]:
    """The Get Subscription Settings requests the sandbox served since ``mark``."""
    return [r.path for r in sb.requests.since(mark)
            if r.method == "GET" and r.path.startswith("plugins/subscription/")]


@pytest.mark.asyncio
async def test_load_all_takes_the_stores_settings_without_a_request(
        sandbox: Sandbox, client: ConsoleClient) -> None:
    """Start-up read every website's settings into the store moments earlier: load_all
    shows them and spends nothing, then follows what a websites refresh puts there."""
    ids = client.websites.ids()
    validator = load_validator()
    team = TeamSettings(client)
    mark = sandbox.requests.total
    loaded = await team.load_all()
    assert settings_reads(sandbox, mark) == []
    assert set(loaded) == set(ids)
    for wid in ids:
        assert client.store.websites[wid].settings == sandbox.state.websites[wid].settings
        assert loaded[wid] == parse_settings(wid, sandbox.state.websites[wid].settings,
                                             validator)
    heard: list[WebsiteSettings] = []
    team.add_listener(heard.append)
    wid = ids[0]
    client.store.update_website(wid, {"settings": {"canned_responses": [HELLO]}})  # a refresh
    assert team.canned(wid) == [HELLO] and heard[-1].website_id == wid
    await team.load(wid)  # REST again: what it read is in the store (and the local cache)
    assert client.store.websites[wid].settings == sandbox.state.websites[wid].settings
    assert team.canned(wid) == [] and settings_reads(sandbox, mark) == [
        f"plugins/subscription/{wid}/{client.websites.plugin_id}/settings"]
    team.close()


@pytest.mark.asyncio
async def test_load_all_leaves_a_refused_website_out_and_its_event_reloads_it(
        sandbox: Sandbox, client: ConsoleClient) -> None:
    wid = first_website(sandbox)
    client.monitor.deny(team_settings_of(wid), "refused at start-up")
    team = TeamSettings(client)
    mark = sandbox.requests.total
    loaded = await team.load_all()
    assert wid not in loaded and team.get(wid) is None and settings_reads(sandbox, mark) == []
    assert client.health.denied_for(team_settings_of(wid)) == "refused at start-up"
    client.store.update_website(wid, {"settings": {"canned_responses": [HELLO]}})
    assert team.get(wid) is None  # still refused: the store's copy is not shown
    site = sandbox.state.websites[wid]
    sandbox.state.save_settings(site, {**site.settings, "canned_responses": [BYE]})
    await until(lambda: team.canned(wid) == [BYE], what="the reload its event asked for")
    assert client.health.denied_for(team_settings_of(wid)) is None  # allowed now
    team.close()


def test_console_schema_and_sandbox_schema_agree() -> None:
    """The seeded plugin's schema accepts and refuses what the console's own schema does."""
    console, sandbox = load_validator(), jsonschema.Draft202012Validator(plugin_schema())
    samples: list[dict[str, Any]] = [
        {}, {"canned_responses": [HELLO, BYE]}, {"default_reply_mode": "note"},
        {"canned_responses": []},
        {"canned_responses": [{**HELLO, "shortcut": "Hello"}]},
        {"canned_responses": [{**HELLO, "text": ""}]},
        {"canned_responses": [{**HELLO, "extra": 1}]},
        {"canned_responses": [{"shortcut": "a", "title": "b"}]},
        {"canned_responses": [{**BYE, "locale": "French"}]},
        {"canned_responses": [HELLO] * 501}, {"canned_responses": {}},
        {"default_reply_mode": "shout"}, {"default_reply_mode": 3},
    ]
    verdicts = [(console.is_valid(s), sandbox.is_valid(s)) for s in samples]
    assert [c for c, _ in verdicts] == [True] * 4 + [False] * 9
    assert all(c == s for c, s in verdicts)


def test_parse_and_normalise_without_a_server() -> None:
    validator = load_validator()
    assert parse_settings("w", {}, validator) == WebsiteSettings("w")
    assert parse_settings("w", {"greeting": "kept by the plugin"}, validator).problems == ()
    long = parse_settings("w", {"default_reply_mode": "y" * 5000}, validator)
    assert long.default_reply_mode == "reply" and len(long.problems[0]) <= 160
    assert canned_item({**BYE, "extra": "dropped"}) == BYE
    assert canned_item({**HELLO, "locale": ""}) == HELLO
