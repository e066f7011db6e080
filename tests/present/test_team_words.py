"""The team controls' words: the two availabilities said apart, and "Signed in as …"."""

from __future__ import annotations

from datetime import UTC, datetime

from crisp_console.present.team_words import (
    AWAY,
    ONLINE,
    SignedIn,
    crisp_text,
    crisp_tip,
    mode_changed,
    mode_text,
    signed_in_lines,
    signed_in_text,
    signed_in_tip,
    websites_line,
)

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def test_the_console_modes() -> None:
    assert mode_text(ONLINE) == "You: Online" and mode_text(AWAY) == "You: Away"
    assert "assigned to you or mentioning you" in mode_changed(AWAY)
    assert "every conversation" in mode_changed(ONLINE)


def test_crisps_availability_and_why_it_is_read_only() -> None:
    assert crisp_text(None) == "Crisp: ?"
    assert crisp_text("away") == "Crisp: away"
    assert crisp_text("busy\u202e") == "Crisp: busy"  # unknown word, no bidi control
    since = int(datetime(2026, 3, 2, 9, 30, tzinfo=UTC).timestamp() * 1000)
    tip = crisp_tip("Ada Lovelace", "away", since_ms=since, problem="", now=NOW, tz=UTC)
    assert tip.startswith("In Crisp, Ada Lovelace is away since 09:30.")
    assert "change it in Crisp's app" in tip
    tip = crisp_tip("", None, since_ms=None, problem="Crisp does not allow this token",
                    now=NOW, tz=UTC)
    assert "not known yet" in tip and "could not be read: Crisp does not allow" in tip


def test_signed_in() -> None:
    facts = SignedIn("Ada's shop", "plugin-1", "Ada Lovelace", guessed=True,
                     websites=("Acme", "Beta", "Gamma", "Delta\nEvil"))
    assert signed_in_text(facts) == "Signed in as Ada's shop"
    assert signed_in_text(SignedIn("")) == "Signed in as a plugin token"
    assert signed_in_lines(facts) == [
        "Signed in as Ada's shop", "Plugin plugin-1",
        "Acting as Ada Lovelace (the first operator listed)",
        "Websites: Acme, Beta, Gamma and 1 more"]
    assert signed_in_lines(SignedIn("x", websites=("Solo",)))[1:] == [
        "Plugin: not known yet", "Acting as: no operator known", "Website: Solo"]
    tip = signed_in_tip(facts)
    assert "  Delta Evil" in tip and "Websites (4):" in tip and "no plugin name" in tip
    assert websites_line(()) == "no website subscribed"
