"""Snapshots: lossless round trips, atomic writes, clear errors, and serving a loaded world."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from crisp_console.sandbox import snapshot
from crisp_console.sandbox.config import FaultConfig, SandboxConfig, Sizes
from crisp_console.sandbox.server import Sandbox
from crisp_console.sandbox.state import SandboxState
from tests.sandbox.conftest import auth_headers
from tests.sandbox.test_dataset import build, canonical


def lived_in() -> SandboxState:
    """A tiny world changed through the state's own mutations, touching every kind of field."""
    state = build(seed=9)
    state.clock = lambda: 1_750_000_100_000
    conv = next(c for c in state.conversations.values() if c.people_id and c.messages)
    op = state.operators[0]
    msg = state.add_message(conv, type="text", from_="operator", origin="chat",
                            content="Edited soon", user=op.user(), mentions=[op.user_id],
                            references=[{"type": "url", "name": "doc", "target": "https://x"}],
                            properties={"k": 1, "ok": True}, translated=True)
    state.update_message(conv, msg, "Edited now ✓")
    state.client_fingerprints.add((conv.session_id, 123_456_789_012_345))
    state.compose(conv, kind="start", from_="user", excerpt="typing…")
    state.acknowledge(conv, kind="delivered", from_="user", origin="urn:sandbox", fingerprints=None)
    state.set_block(conv, True)
    state.set_inbox(conv, "inbox-1")
    state.update_meta(conv, {"nickname": "Renamed", "data": {"vip": True, "n": 2.5}})
    person = state.people[conv.people_id]
    state.set_person_data(person, {"plan": "pro"}, replace=False)
    person.events.append({"text": "Custom", "data": {"a": [1, 2]}, "color": "red",
                          "timestamp": 1_750_000_050_000})
    unbound = next(w for w in state.websites.values() if not w.subscribed)
    state.set_subscribed(next(w for w in state.websites.values() if w.subscribed), False)
    state.set_subscribed(unbound, True)  # re-bound: "added" in websites/since after a reload
    state.uuid()  # advance the runtime generator: its position is saved too
    return state


@pytest.mark.parametrize("name", ["world.json", "world.json.gz"])
def test_round_trip_keeps_everything(tmp_path: Path, name: str) -> None:
    state = lived_in()
    path = tmp_path / name
    snapshot.dump(state, path)
    loaded = snapshot.load(path)
    assert canonical(loaded) == canonical(state)
    assert loaded.uuid() == state.uuid()  # runtime ids continue the same sequence
    assert (path.read_bytes()[:2] == b"\x1f\x8b") == name.endswith(".gz")
    assert [p.name for p in tmp_path.iterdir()] == [name]  # no temporary file left behind


def test_snapshot_is_versioned_json(tmp_path: Path) -> None:
    path = tmp_path / "w.json"
    snapshot.dump(build(), path)
    doc = json.loads(path.read_text())
    assert doc["version"] == 1
    assert len(doc["conversations"]) == 60


def test_loading_restores_shared_user_dicts(tmp_path: Path) -> None:
    path = tmp_path / "w.json.gz"
    snapshot.dump(build(), path)
    loaded = snapshot.load(path)
    by_operator: dict[str, set[int]] = {}
    for conv in loaded.conversations.values():
        for m in conv.messages:
            if m.from_ == "user":
                assert m.user is conv.visitor
            else:
                by_operator.setdefault(m.user["user_id"], set()).add(id(m.user))
    assert by_operator and all(len(ids) == 1 for ids in by_operator.values())
    # Read-only nested parts are shared again (one object per distinct value).
    geos = [c.meta["device"]["geolocation"] for c in loaded.conversations.values()]
    assert len({id(g) for g in geos}) == len({repr(g) for g in geos}) < len(geos)


def test_reformatted_snapshot_still_loads(tmp_path: Path) -> None:
    """Any valid JSON layout loads: indented, and with the tables after the conversations."""
    state = lived_in()
    path = tmp_path / "w.json"
    snapshot.dump(state, path)
    doc = json.loads(path.read_text())
    reordered = {"conversations": doc.pop("conversations"), **doc}
    path.write_text(json.dumps(reordered, indent=2, ensure_ascii=False) + "\n\n")
    assert canonical(snapshot.load(path)) == canonical(state)
    empty = dict(doc, conversations=[])
    path.write_text(json.dumps(empty, indent=1))
    assert snapshot.load(path).conversations == {}


def test_same_world_gives_the_same_bytes(tmp_path: Path) -> None:
    snapshot.dump(build(seed=3), tmp_path / "a.json.gz")
    snapshot.dump(build(seed=3), tmp_path / "b.json.gz")
    assert (tmp_path / "a.json.gz").read_bytes() == (tmp_path / "b.json.gz").read_bytes()


def test_failed_dump_leaves_the_previous_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "w.json"
    snapshot.dump(build(), path)
    before = path.read_bytes()
    broken = build()
    next(iter(broken.conversations.values())).meta["data"] = {"oops": object()}
    with pytest.raises(TypeError):
        snapshot.dump(broken, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["w.json"]


def valid_doc(tmp_path: Path) -> dict[str, Any]:
    path = tmp_path / "valid.json"
    snapshot.dump(build(), path)
    doc: dict[str, Any] = json.loads(path.read_text())
    return doc


def corrupt_cases(tmp_path: Path) -> dict[str, bytes]:
    good = (tmp_path / "good.json")
    snapshot.dump(build(), good)
    raw = good.read_bytes()
    doc = valid_doc(tmp_path)
    wrong_version = dict(doc, version=2)
    missing = {k: v for k, v in doc.items() if k != "websites"}
    bad_row = json.loads(json.dumps(doc))
    bad_row["conversations"][0]["messages"][0] = [1, 2]
    bad_ref = json.loads(json.dumps(doc))
    bad_ref["conversations"][0]["messages"][0][6] = 10**6  # no such user
    bad_conv = json.loads(json.dumps(doc))
    bad_conv["conversations"][0]["unknown_field"] = 1
    cases = {
        "truncated": raw[: len(raw) // 2],
        "garbage": b"\x00\xffnot json at all",
        "empty": b"",
        "not an object": b"[1, 2, 3]",
        "foreign json": b'{"hello": "world"}',
        "wrong version": json.dumps(wrong_version).encode(),
        "missing key": json.dumps(missing).encode(),
        "bad message row": json.dumps(bad_row).encode(),
        "bad user reference": json.dumps(bad_ref).encode(),
        "unknown field": json.dumps(bad_conv).encode(),
        "truncated gzip": gzip.compress(raw)[:200],
        "not utf-8": b'{"version": 1, "x": "\xff"}',
        "extra data": raw + b' {"more": 1}',
        "conversations not an array": json.dumps(dict(doc, conversations={})).encode(),
        "missing separator": raw.replace(b'],"conversations"', b']"conversations"', 1),
    }
    assert raw not in cases.values()
    return cases


def test_broken_files_raise_a_clear_value_error(tmp_path: Path) -> None:
    cases = corrupt_cases(tmp_path)
    for label, content in cases.items():
        path = tmp_path / f"broken-{label.replace(' ', '-')}.json"
        path.write_bytes(content)
        with pytest.raises(ValueError, match=str(path).replace(".", r"\.")) as info:
            snapshot.load(path)
        assert "snapshot" in str(info.value), label
    with pytest.raises(ValueError, match="version 2"):
        snapshot.load(tmp_path / "broken-wrong-version.json")


def test_missing_file_is_not_a_broken_one(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        snapshot.load(tmp_path / "absent.json")


@pytest.mark.asyncio
async def test_sandbox_started_from_a_snapshot_serves_it(tmp_path: Path) -> None:
    original = lived_in()
    path = tmp_path / "world.json.gz"
    snapshot.dump(original, path)
    # Another seed and sizes: what is served must come from the file, not a fresh build.
    config = SandboxConfig(seed=77, sizes=Sizes(conversations=5, messages=10), state_file=path,
                           faults=FaultConfig(daily_quota=0))
    sb = Sandbox(config)
    assert canonical(sb.state) == canonical(original)
    await sb.start()
    try:
        async with httpx.AsyncClient(base_url=sb.rest_url, headers=auth_headers(sb),
                                     timeout=10.0) as api:
            for website in original.websites.values():
                resp = await api.get(f"website/{website.website_id}")
                if website.subscribed:
                    assert resp.status_code == 200
                    assert resp.json()["data"] == website.to_payload()
                else:
                    assert resp.status_code == 404
                    assert resp.json()["reason"] == "not_subscribed"
            wid = original.subscribed_website_ids()[0]
            resp = await api.get(f"website/{wid}/operators/list")
            assert resp.json()["data"] == [op.to_payload() for op in original.operators]
        saved = tmp_path / "saved.json"
        assert sb.save_snapshot(saved) == str(saved)
        assert canonical(snapshot.load(saved)) == canonical(original)
    finally:
        await sb.stop()
