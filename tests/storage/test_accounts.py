"""AccountBook: saved accounts beside the preferences, never the key."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest

from crisp_console.storage.accounts import DEFAULT_HOST, PLUGIN_TIER, Account, AccountBook

PROD = Account("id-production", label="Support")
SANDBOX = Account("id-sandbox", tier="website", host="http://127.0.0.1:8765")


def test_round_trip_keeps_order_fields_and_active(tmp_path: Path) -> None:
    path = tmp_path / "cfg" / "accounts.json"
    book = AccountBook.load(path)
    assert book.accounts == () and book.active is None and book.warnings == ()
    book.add(PROD)
    book.add(SANDBOX, activate=False)
    book.save()
    again = AccountBook.load(path)
    assert again.accounts == (PROD, SANDBOX)
    assert again.active == PROD
    assert again.warnings == ()
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert [p.name for p in path.parent.iterdir()] == ["accounts.json"]  # no temp file left


def test_add_known_identifier_updates_in_place(tmp_path: Path) -> None:
    book = AccountBook(tmp_path / "accounts.json")
    book.add(PROD)
    book.add(SANDBOX)
    assert book.active == SANDBOX
    renamed = Account("id-production", label="Sales")
    book.add(renamed, activate=False)
    assert book.accounts == (renamed, SANDBOX)
    assert book.active == SANDBOX
    book.set_active("id-production")
    assert book.active == renamed
    with pytest.raises(KeyError):
        book.set_active("id-unknown")
    assert book.active == renamed


def test_removing_the_active_account_leaves_none_active(tmp_path: Path) -> None:
    book = AccountBook(tmp_path / "accounts.json", (PROD, SANDBOX), active="id-production")
    assert book.remove("id-production") == PROD
    assert book.remove("id-production") is None
    assert book.active is None
    assert book.accounts == (SANDBOX,)

    other = AccountBook(tmp_path / "accounts.json", (PROD, SANDBOX), active="id-sandbox")
    other.remove("id-production")  # removing another account keeps the active one
    assert other.active == SANDBOX


def test_account_validation_and_display_name() -> None:
    with pytest.raises(ValueError, match="identifier"):
        Account("")
    with pytest.raises(ValueError, match="tier"):
        Account("x", tier="user")
    with pytest.raises(ValueError, match="host"):
        Account("x", host="api.crisp.chat")
    assert PROD.host == DEFAULT_HOST and PROD.tier == "plugin"
    assert PROD.display_name == "Support"
    assert SANDBOX.display_name == "id-sandbox (127.0.0.1:8765)"


@pytest.mark.parametrize("content", [
    b"{not json", b"\xff\xfe\x00garbage", b"[]", b'{"accounts": 3}', b"",
])
def test_corrupt_file_gives_an_empty_book_and_a_warning(
        tmp_path: Path, content: bytes, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "accounts.json"
    path.write_bytes(content)
    with caplog.at_level(logging.WARNING):
        book = AccountBook.load(path)
    assert book.accounts == () and book.active is None
    assert len(book.warnings) == 1 and str(path) in book.warnings[0]
    assert caplog.records


def test_bad_entries_are_skipped_with_warnings(tmp_path: Path) -> None:
    path = tmp_path / "accounts.json"
    path.write_text(json.dumps({"version": 1, "active": "id-gone", "accounts": [
        PROD.to_json(),
        {"identifier": "id-x", "tier": "operator"},
        "not an object",
        {"tier": "plugin"},
        {**SANDBOX.to_json(), "future_field": True},
        {**PROD.to_json(), "label": "duplicate"},
    ]}))
    book = AccountBook.load(path)
    assert book.accounts == (PROD, SANDBOX)
    assert book.active is None
    text = "\n".join(book.warnings)
    assert "account 2: tier must be one of plugin, website" in text
    assert "account 3: not an object" in text
    assert "account 4:" in text
    assert "account 6: id-production is listed twice" in text
    assert "none is active" in text
    assert len(book.warnings) == 5


def test_unreadable_file_is_a_warning_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "accounts.json"
    path.mkdir()  # reading a directory raises IsADirectoryError
    book = AccountBook.load(path)
    assert book.accounts == () and book.warnings


def test_failed_save_leaves_the_old_file_and_no_temp_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "accounts.json"
    book = AccountBook(path, (PROD,), "id-production")
    book.save()
    before = path.read_bytes()
    book.add(SANDBOX)

    def refuse(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        book.save()
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["accounts.json"]


def test_a_file_from_an_earlier_version_with_a_website_account_still_loads(
        tmp_path: Path) -> None:
    """Website-tier accounts are no longer signed in with, but their file is not corrupt:
    they load (the start then asks for a plugin token, ui/accounts_flow.py)."""
    path = tmp_path / "accounts.json"
    path.write_text(json.dumps({"version": 1, "active": "id-website", "accounts": [
        {"identifier": "id-website", "tier": "website", "host": DEFAULT_HOST, "label": "Shop"},
        {"identifier": "id-plugin", "tier": "plugin", "host": DEFAULT_HOST, "label": ""},
    ]}))
    book = AccountBook.load(path)
    assert book.warnings == ()
    assert book.active == Account("id-website", "website", DEFAULT_HOST, "Shop")
    assert [a.tier for a in book.accounts] == ["website", PLUGIN_TIER]
    assert Account("id-new").tier == PLUGIN_TIER
