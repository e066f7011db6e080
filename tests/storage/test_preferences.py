"""Preferences: defaults, a round trip, and broken files that give defaults plus a warning."""

from __future__ import annotations

from pathlib import Path

from crisp_console.settings import Preferences, with_changes
from crisp_console.storage.preferences import load_preferences, save_preferences


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    prefs = load_preferences(tmp_path / "none.ini")
    assert prefs == Preferences()
    assert prefs.warnings == ()
    assert prefs.notify_events() == ("new_conversation", "visitor_message")


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "preferences.ini"
    prefs = with_changes(Preferences(), send_on_enter=False, after_resolve="stay",
                         font_size=13, theme="dark", notify_sound=True)
    save_preferences(prefs, path)
    assert load_preferences(path) == prefs
    assert "send_on_enter = false" in path.read_text()
    assert list(path.parent.iterdir()) == [path]  # no temp file left behind


def test_corrupt_file_gives_defaults_and_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "preferences.ini"
    path.write_bytes(b"\xff\xfe not ini [[[\n= =\n")
    prefs = load_preferences(path)
    assert prefs == Preferences()
    assert len(prefs.warnings) == 1 and "using the defaults" in prefs.warnings[0]


def test_bad_values_fall_back_one_by_one(tmp_path: Path) -> None:
    path = tmp_path / "preferences.ini"
    path.write_text("[compose]\nsend_on_enter = perhaps\nedit_last_with_up = no\n"
                    "[conversation]\nafter_resolve = sideways\n[appearance]\nfont_size = 200\n"
                    "theme = Light\n[unknown]\nx = 1\n")
    prefs = load_preferences(path)
    assert prefs.send_on_enter is True and prefs.after_resolve == "stay"
    assert prefs.font_size == 0
    assert prefs.edit_last_with_up is False and prefs.theme == "light"
    assert len(prefs.warnings) == 3
    assert any("after_resolve" in w and "sideways" in w for w in prefs.warnings)


def test_the_cache_cap_round_trips_and_stays_in_bounds(tmp_path: Path) -> None:
    assert Preferences().cache_cap_mb == 500
    path = tmp_path / "preferences.ini"
    save_preferences(with_changes(Preferences(), cache_cap_mb=2000), path)
    assert "[local_data]\ncache_cap_mb = 2000" in path.read_text()
    assert load_preferences(path).cache_cap_mb == 2000
    for bad in ("49", "10001", "-5", "lots", "1e3"):
        path.write_text(f"[local_data]\ncache_cap_mb = {bad}\n")
        prefs = load_preferences(path)
        assert prefs.cache_cap_mb == 500
        (warning,) = prefs.warnings
        assert warning.startswith("local_data.cache_cap_mb:") and "using the default" in warning
    path.write_text("[local_data]\ncache_cap_mb = 50\n[other]\ncache_cap_mb = 9\n")
    assert load_preferences(path) == with_changes(Preferences(), cache_cap_mb=50)


def test_the_old_defaults_saved_before_issue_15_give_way_to_the_new_ones(tmp_path: Path) -> None:
    """Every save wrote every field, so ``single_key = true`` and ``after_resolve = next``
    (the defaults then) say nothing about a choice: single-key mode is off and resolving
    stays. A value that differed from the old default was chosen, and carries over."""
    path = tmp_path / "preferences.ini"
    path.write_text("[conversation]\nafter_resolve = next\n[keyboard]\nsingle_key = true\n")
    prefs = load_preferences(path)
    assert (prefs.single_key, prefs.after_resolve, prefs.warnings) == (False, "stay", ())
    path.write_text("[conversation]\nafter_resolve = previous\n[keyboard]\nsingle_key = false\n")
    prefs = load_preferences(path)
    assert (prefs.single_key, prefs.after_resolve) == (False, "previous")
    # Saved now, under the new keys: a choice of single-key mode is kept from then on.
    save_preferences(with_changes(prefs, single_key=True, after_resolve="next"), path)
    text = path.read_text()
    assert "single_key_mode = true" in text and "after_resolving = next" in text
    assert "single_key =" not in text and "after_resolve =" not in text
    prefs = load_preferences(path)
    assert (prefs.single_key, prefs.after_resolve) == (True, "next")
    # The new key wins over an old one left in a hand-edited file.
    path.write_text("[keyboard]\nsingle_key = false\nsingle_key_mode = true\n")
    assert load_preferences(path).single_key is True
    path.write_text("[conversation]\nafter_resolving = sideways\n")
    (warning,) = load_preferences(path).warnings
    assert warning.startswith("conversation.after_resolving:") and "sideways" in warning
