"""The words of the team controls: the console's availability (its own Online/Away),
Crisp's availability of "me", and "Signed in as …". Pure text, tested without Qt.

Two availabilities, said apart so neither is mistaken for the other:
- the console's: what the operator chose here; Away mutes this console's notifications
  except for conversations assigned to them or mentioning them (ui/availability.py);
- Crisp's: what Crisp tells visitors and teammates. A plugin token can read it but not set
  it (client/availability.py), so it is shown, with where to change it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from crisp_console.present.plain import one_line
from crisp_console.present.timefmt import moment

ONLINE = "online"
AWAY = "away"
MODES = (ONLINE, AWAY)

MODE_TITLES = {ONLINE: "Online", AWAY: "Away"}
MODE_HINTS = {
    ONLINE: "notify for every conversation",
    AWAY: "notify only for conversations assigned to me or mentioning me",
}
WEBSITES_SHOWN = 3  # named in one line; the rest are counted


def mode_text(mode: str) -> str:
    """The switch's face: "You: Online", "You: Away" (no dot: the connection state's dot sits
    beside it, and the two must not read as one)."""
    return f"You: {MODE_TITLES.get(mode, 'Online')}"


def mode_tip(mode: str) -> str:
    if mode == AWAY:
        return ("Away in this console: no sound, pop-up or attention hint, except for "
                "conversations assigned to you or mentioning you. The unread counts still "
                "count. Crisp's own availability is unchanged (see the Crisp label).")
    return "Online in this console: every new conversation and visitor message notifies."


def mode_changed(mode: str) -> str:
    """The status-bar message after a switch."""
    if mode == AWAY:
        return ("Away: this console notifies only for conversations assigned to you or "
                "mentioning you")
    return "Online: this console notifies for every conversation again"


def crisp_text(availability: str | None) -> str:
    """The Crisp label: "Crisp: online"; "Crisp: ?" while not known."""
    if not availability:
        return "Crisp: ?"
    return f"Crisp: {one_line(availability, 20)}"


def crisp_tip(name: str, availability: str | None, *, since_ms: int | None, problem: str,
              now: datetime, tz: tzinfo | None = None) -> str:
    """What Crisp says of "me", since when, and why the console cannot change it."""
    who = one_line(name, 80) or "the operator this console acts as"
    if availability:
        line = f"In Crisp, {who} is {one_line(availability, 20)}"
        if since_ms is not None:
            then = datetime.fromtimestamp(since_ms / 1000, UTC)
            line += f" since {moment(then, now, tz)}"
        line += "."
    else:
        line = f"Crisp's availability of {who} is not known yet."
    if problem:
        line += f"\nIt could not be read: {one_line(problem, 200)}"
    return (line + "\nCrisp's plugin API lets this console read it, not set it: change it in "
            "Crisp's app. The switch beside this sets this console's notifications only.")


@dataclass(frozen=True, slots=True)
class SignedIn:
    """Who the console runs as. ``label``: what the operator named the account at sign-in
    (Crisp's plugin API gives no plugin name, only its id); ``operator``: the name of
    "me", ``guessed`` when no operator is configured (the first operator listed);
    ``websites``: the subscribed websites' names."""

    label: str
    plugin_id: str = ""
    operator: str = ""
    guessed: bool = False
    websites: tuple[str, ...] = ()


def signed_in_text(facts: SignedIn) -> str:
    """The status bar's compact line (the widget elides it)."""
    return f"Signed in as {one_line(facts.label, 100) or 'a plugin token'}"


def websites_line(websites: tuple[str, ...]) -> str:
    """"Acme, Beta and 3 more" ("no website" when there is none)."""
    if not websites:
        return "no website subscribed"
    names = [one_line(w, 60) for w in websites]
    shown = ", ".join(names[:WEBSITES_SHOWN])
    rest = len(names) - WEBSITES_SHOWN
    return f"{shown} and {rest} more" if rest > 0 else shown


def signed_in_lines(facts: SignedIn) -> list[str]:
    """The Console menu's info lines, first the one the status bar shows."""
    operator = one_line(facts.operator, 80)
    lines = [signed_in_text(facts),
             f"Plugin {one_line(facts.plugin_id, 80)}" if facts.plugin_id
             else "Plugin: not known yet"]
    if operator:
        lines.append(f"Acting as {operator}" + (" (the first operator listed)"
                                                 if facts.guessed else ""))
    else:
        lines.append("Acting as: no operator known")
    count = len(facts.websites)
    lines.append(f"Website{'s' if count != 1 else ''}: {websites_line(facts.websites)}")
    return lines


def signed_in_tip(facts: SignedIn) -> str:
    """The status bar line's tooltip: every fact, each website on its own line."""
    head = signed_in_lines(facts)[:3]
    sites = [f"  {one_line(w, 100)}" for w in facts.websites] or ["  none"]
    return "\n".join([*head, f"Websites ({len(facts.websites)}):", *sites,
                      "(The account's name is the one given at sign-in: Crisp's plugin API "
                      "gives no plugin name.)"])
