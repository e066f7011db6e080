"""Avatar colours: one pure function, stable, readable under white initials."""

from __future__ import annotations

import pytest

from crisp_console.present import avatars


def test_the_visitor_is_keyed_by_contact_then_by_session() -> None:
    assert avatars.visitor_key("people-1", "session_1") == "people-1"
    assert avatars.visitor_key("", "session_1") == "session_1"


def test_a_key_always_gets_the_same_colour() -> None:
    # Fixed values: the colour must not depend on the run (hash randomisation) or machine.
    assert avatars.avatar_hue("session_1") == avatars.avatar_hue("session_1")
    assert avatars.avatar_hex("session_1") == avatars.avatar_hex("session_1")
    assert avatars.avatar_hue("abc") == 0x352441C2 % 360  # CRC-32 of "abc"
    assert avatars.avatar_hex("abc") == "#278644"


def test_different_keys_spread_over_the_hues() -> None:
    hues = {avatars.avatar_hue(f"session_{n}") for n in range(200)}
    assert len(hues) > 120  # not a handful of colours for everyone


@pytest.mark.parametrize("key", [f"key-{n}" for n in range(0, 720, 7)] + ["", "é", "🙂"])
def test_white_initials_read_well_on_every_colour(key: str) -> None:
    rgb = avatars.avatar_rgb(key)
    assert avatars.contrast_with_white(rgb) >= avatars.MIN_CONTRAST
    assert max(rgb) - min(rgb) > 40  # a colour, not a grey


def test_contrast_follows_wcag() -> None:
    assert avatars.contrast_with_white((255, 255, 255)) == pytest.approx(1.0)
    assert avatars.contrast_with_white((0, 0, 0)) == pytest.approx(21.0)
    # WCAG's own example: #767676 is the lightest grey passing 4.5:1 on white.
    assert avatars.contrast_with_white((0x76, 0x76, 0x76)) >= 4.5
    assert avatars.contrast_with_white((0x77, 0x77, 0x77)) < 4.5
