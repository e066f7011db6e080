"""The four files as the console wrote them before storage/ existed (bytes saved by that code):
they still load, and saving the same values writes the same bytes with the same permissions."""

from __future__ import annotations

import stat
from pathlib import Path

from crisp_console.settings import Preferences, with_changes
from crisp_console.storage.accounts import Account, AccountBook
from crisp_console.storage.drafts import Draft, DraftStore
from crisp_console.storage.keymap_file import KeymapFile, read_keymap, write_keymap
from crisp_console.storage.preferences import load_preferences, save_preferences

OLD_DRAFTS = (
    '{\n "version": 1,\n "drafts": {\n  "session_a": {\n   "text": "héllo «x»\\nline 2",\n'
    '   "mode": "reply"\n  },\n  "session_b": {\n   "text": "a note",\n   "mode": "note"\n'
    "  }\n }\n}"
).encode()
OLD_PREFERENCES = (
    b"[compose]\nsend_on_enter = false\nedit_last_with_up = true\n\n"
    b"[conversation]\nafter_resolve = next\n\n[keyboard]\nsingle_key = true\n\n"
    b"[notifications]\nnotify_new_conversation = true\nnotify_visitor_message = true\n"
    b"notify_sound = false\n\n[appearance]\ntheme = dark\nfont_size = 13\n\n"
    b"[privacy]\nload_images = trusted\n\n"
)
OLD_ACCOUNTS = (
    b'{\n  "version": 1,\n  "active": "id-1",\n  "accounts": [\n    {\n'
    b'      "identifier": "id-1",\n      "tier": "plugin",\n'
    b'      "host": "https://api.crisp.chat",\n      "label": "\\u00dcn\\u00efcode"\n    },\n'
    b'    {\n      "identifier": "id-2",\n      "tier": "website",\n'
    b'      "host": "http://127.0.0.1:8080",\n      "label": ""\n    }\n  ]\n}\n'
)
OLD_KEYMAP = (
    b'{\n  "app.hide": null,\n  "conversation.next": [\n    "Alt+Down",\n    "Ctrl+J"\n  ],\n'
    b'  "conversation.resolve": [\n    "Ctrl+Shift+D"\n  ]\n}\n'
)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_drafts(tmp_path: Path) -> None:
    old = tmp_path / "old" / "drafts.json"
    old.parent.mkdir()
    old.write_bytes(OLD_DRAFTS)
    loaded = DraftStore(old)
    assert loaded.get("session_a") == Draft("héllo «x»\nline 2", "reply")
    assert loaded.get("session_b") == Draft("a note", "note")
    new = DraftStore(tmp_path / "new" / "drafts.json")
    new.put("session_a", "héllo «x»\nline 2", "reply")
    new.put("session_b", "a note", "note")
    new.save()
    assert (tmp_path / "new" / "drafts.json").read_bytes() == OLD_DRAFTS
    assert mode(tmp_path / "new" / "drafts.json") == 0o600


def test_preferences(tmp_path: Path) -> None:
    prefs = with_changes(Preferences(), send_on_enter=False, theme="dark", font_size=13)
    old = tmp_path / "old.ini"
    old.write_bytes(OLD_PREFERENCES)
    # single_key = true and after_resolve = next were the defaults then, written by every
    # save: the new defaults (off, stay) win over them.
    assert load_preferences(old) == prefs
    save_preferences(prefs, tmp_path / "preferences.ini")
    # Issue 13 added the cache's size cap; issue 15 the stale-reply guard and how to notify,
    # and moved those two preferences to new keys. The rest is byte for byte the same.
    assert (tmp_path / "preferences.ini").read_bytes() == (
        OLD_PREFERENCES
        .replace(b"edit_last_with_up = true\n", b"edit_last_with_up = true\nstale_guard = true\n")
        .replace(b"after_resolve = next", b"after_resolving = stay")
        .replace(b"single_key = true", b"single_key_mode = false")
        .replace(b"notify_sound = false\n",
                 b"notify_sound = false\nnotify_via = auto\nnotify_alert = true\n")
        + b"[local_data]\ncache_cap_mb = 500\n\n")
    assert mode(tmp_path / "preferences.ini") == 0o600


def test_accounts(tmp_path: Path) -> None:
    one = Account("id-1", label="Ünïcode")
    two = Account("id-2", tier="website", host="http://127.0.0.1:8080")
    old = tmp_path / "old.json"
    old.write_bytes(OLD_ACCOUNTS)
    book = AccountBook.load(old)
    assert (book.accounts, book.active, book.warnings) == ((one, two), one, ())
    new = AccountBook(tmp_path / "accounts.json")
    new.add(one)
    new.add(two, activate=False)
    new.save()
    assert new.path.read_bytes() == OLD_ACCOUNTS
    assert mode(new.path) == 0o600


def test_keymap(tmp_path: Path) -> None:
    overrides = {"conversation.resolve": ("Ctrl+Shift+D",), "app.hide": (),
                 "conversation.next": ("Alt+Down", "Ctrl+J")}
    old = tmp_path / "old.json"
    old.write_bytes(OLD_KEYMAP)
    assert read_keymap(old) == KeymapFile({"app.hide": None, "conversation.next": [
        "Alt+Down", "Ctrl+J"], "conversation.resolve": ["Ctrl+Shift+D"]})
    write_keymap(tmp_path / "keymap.json", overrides)
    assert (tmp_path / "keymap.json").read_bytes() == OLD_KEYMAP
    assert mode(tmp_path / "keymap.json") == 0o644  # as an editor makes it (umask 022)
