"""The collision warning's words: "Ana is typing…", "Ana and Leo are typing…", "Leo replied
30 s ago", from what the store's presence says (core/presence.py). Shown in the thread header
and in the stale-reply prompt. Names are whatever operators typed: one line, no bidi."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from crisp_console.core import Operator
from crisp_console.core.presence import Colleague
from crisp_console.present.plain import one_line
from crisp_console.present.timefmt import ago

NAMED = 3  # past this many, "Ana, Leo and 2 others"


def short_name(colleague: Colleague, operators: Mapping[str, Operator]) -> str:
    """How the warning names a colleague: their first name (the team's list of operators),
    else the name the event gave, else "A colleague"."""
    op = operators.get(colleague.user_id)
    first = one_line(op.first_name, 80) if op is not None else ""
    return first or one_line(colleague.nickname, 80) or (
        one_line(op.nickname, 80) if op is not None else "") or "A colleague"


def names_phrase(names: Sequence[str]) -> str:
    """"Ana", "Ana and Leo", "Ana, Leo and Sam", "Ana, Leo, Sam and 2 others"."""
    if len(names) <= 1:
        return names[0] if names else ""
    if len(names) > NAMED:
        rest = len(names) - NAMED
        return f"{', '.join(names[:NAMED])} and {rest} other{'s' if rest > 1 else ''}"
    return f"{', '.join(names[:-1])} and {names[-1]}"


def typing_text(names: Sequence[str]) -> str:
    """"Ana is typing…", "Ana and Leo are typing…"; "" for nobody."""
    if not names:
        return ""
    return f"{names_phrase(names)} {'is' if len(names) == 1 else 'are'} typing…"


def wrote_text(wrote: Sequence[Colleague], names: Sequence[str]) -> str:
    """"Leo replied 30 s ago", "Ana left a note just now", "Ana and Leo wrote 1 min ago":
    ``wrote`` latest first (presence.py), ``names`` theirs in the same order; the time is
    the latest one's, in steps of 10 s so the line does not tick every second."""
    if not wrote:
        return ""
    notes = sum(c.note for c in wrote)
    verb = "replied" if notes == 0 else "left a note" if notes == len(wrote) == 1 else \
        "left notes" if notes == len(wrote) else "wrote"
    seconds = min(c.seconds for c in wrote)
    return f"{names_phrase(names)} {verb} {ago(seconds // 10 * 10)}"


def collision_text(typing: Sequence[Colleague], wrote: Sequence[Colleague],
                   operators: Mapping[str, Operator]) -> str:
    """The whole warning: who is typing, then who has just written ("" when nobody)."""
    parts = (typing_text([short_name(c, operators) for c in typing]),
             wrote_text(wrote, [short_name(c, operators) for c in wrote]))
    return " · ".join(part for part in parts if part)
