"""The fidelity profile: strict by default, lenient on request, one behaviour at a time."""

from __future__ import annotations

import httpx
import pytest

from crisp_console.sandbox.cli import build_parser, config_from_args
from crisp_console.sandbox.profile import BEHAVIOURS, Behaviours, parse_switch
from crisp_console.sandbox.scopes import SCOPES, all_grants, event_scope, parse_grant, revoke
from crisp_console.sandbox.server import Sandbox


def test_every_row_of_section_10_has_one_behaviour() -> None:
    assert sorted(b.row for b in BEHAVIOURS.values()) == list(range(1, 11))
    assert set(Behaviours().to_dict()) == set(BEHAVIOURS)


def test_profiles() -> None:
    assert Behaviours().profile == "strict"
    lenient = Behaviours.of("lenient")
    assert lenient.profile == "lenient" and not any(lenient.to_dict().values())
    lenient.update({"strict_rooms": True})
    assert lenient.profile == "custom"
    lenient.use("strict")
    assert lenient.profile == "strict"
    with pytest.raises(ValueError, match="unknown behaviour"):
        lenient.update({"kind": True})


@pytest.mark.parametrize(("raw", "expected"), [
    ("strict_rooms", ("strict_rooms", True)), ("strict-rooms=off", ("strict_rooms", False)),
    ("rtm_root=ON", ("rtm_root", True)), ("scopes=0", ("scopes", False))])
def test_parse_switch(raw: str, expected: tuple[str, bool]) -> None:
    assert parse_switch(raw) == expected


@pytest.mark.parametrize("raw", ["nope=on", "scopes=maybe"])
def test_parse_switch_refuses(raw: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the message is checked by the CLI test
        parse_switch(raw)


def test_cli_profile_then_switches() -> None:
    args = build_parser().parse_args(["--profile", "lenient", "--behaviour", "strict_rooms=on"])
    behaviours = config_from_args(args).behaviours
    assert behaviours.strict_rooms and not behaviours.scopes
    assert config_from_args(build_parser().parse_args([])).behaviours.profile == "strict"
    with pytest.raises(SystemExit, match="unknown behaviour"):
        config_from_args(build_parser().parse_args(["--behaviour", "nope"]))


def test_scopes_vocabulary() -> None:
    grants = all_grants()
    assert set(grants) == set(SCOPES)
    assert parse_grant("website:people:data:read") == ("website:people:data",
                                                       frozenset({"read"}))
    less = revoke(grants, ["website:people:profiles", "website:operators:write"])
    assert "website:people:profiles" not in less
    assert less["website:operators"] == frozenset({"read"})
    assert event_scope("message:send") == ("website:conversation:messages", "read")
    assert event_scope("session:set_state") == ("website:conversation:states", "read")
    assert event_scope("session:set_email") == ("website:conversation:sessions", "read")
    assert event_scope("plugin:settings:saved") is None
    with pytest.raises(ValueError, match="unknown scope"):
        parse_grant("website:everything")


@pytest.mark.asyncio
async def test_admin_profile_route(sandbox: Sandbox, admin: httpx.AsyncClient) -> None:
    data = (await admin.get("profile")).json()["data"]
    assert data == {"profile": "strict", "behaviours": Behaviours().to_dict()}
    assert sandbox.info()["profile"] == "strict"
    resp = await admin.patch("profile", json={"profile": "lenient",
                                               "behaviours": {"after_newest": True}})
    assert resp.status_code == 200, resp.text
    data = resp.json()["data"]
    assert data["profile"] == "custom" and data["behaviours"]["after_newest"]
    assert sandbox.config.behaviours.after_newest and not sandbox.config.behaviours.scopes
    bad = await admin.patch("profile", json={"behaviours": {"kindness": True}})
    assert bad.status_code == 400
