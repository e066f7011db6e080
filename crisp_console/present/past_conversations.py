"""The people panel's past conversations, computed without Qt: which of the contact's other
conversations show and in what order, which of those the store lacks (to be fetched), and
the two lines and tooltip of each.

The list (List People Conversations) names conversations by id. Those the store holds come
first, the most recently active first; the others follow in the server's order. ``limit``
rows show (``PAGE`` at first, ``PAGE`` more per "Show more"): the ones the store lacks
among them are the only ones worth a request, and once fetched they join the store and
sort among the known ones, so the rows shown stay the same ones. The open conversation is
never its own past.

A conversation the store holds shows its state (as the filters name it), its date and its
last message; one it lacks shows its short id and how its lookup stands, in a few words
(``LOOKUP_WORDS``, keyed by the client's lookup states, client/past.py), the whole reason
in the tooltip. Visitor text stays plain: every line goes through ``one_line()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import tzinfo

from crisp_console.core import Conversation
from crisp_console.present.people_info import SEPARATOR, STATE_LABELS
from crisp_console.present.plain import one_line
from crisp_console.present.previews import last_preview
from crisp_console.present.timefmt import clock_time, day_label, relative_time

PAGE = 5  # rows shown at first, and how many more "Show more" shows
EXCERPT = 200  # characters of the last message on its line
TIP_EXCERPT = 500  # and in the tooltip
LOOKUP_WORDS = {
    "loading": "Loading…",
    "done": "No longer available",  # fetched, then removed from the inbox
    "gone": "No longer available",
    "denied": "Not allowed for this token",
    "failed": "Could not be loaded",
    "quota": "Not loaded: the API quota is low",
}


@dataclass(frozen=True, slots=True)
class PastView:
    """What the section shows: ``shown`` ids in order; ``wanted``: the shown ones the store
    lacks whose lookup was never asked (or is over); ``more``: rows behind "Show more"."""

    shown: list[str]
    wanted: list[str]
    more: int

    @property
    def total(self) -> int:
        return len(self.shown) + self.more


@dataclass(frozen=True, slots=True)
class PastLine:
    head: str  # "Resolved · 12 Mar", or "Conversation 1a2b3c4d"
    body: str  # the last message, or how the lookup stands
    tip: str  # plain text, several lines

    @property
    def text(self) -> str:
        return f"{self.head}\n{self.body}" if self.body else self.head


def short_id(session_id: str) -> str:
    """"session_1a2b3c4d-…" -> "1a2b3c4d"."""
    return one_line(session_id.removeprefix("session_"), 8)


def _active(conv: Conversation) -> int:
    return conv.updated_at or conv.created_at


def past_view(ids: Iterable[str], current: str | None, convs: Mapping[str, Conversation],
              limit: int, looked_up: Callable[[str], bool]) -> PastView:
    """The rows of a contact's other conversations ``ids`` (the server's order), at most
    ``limit`` of them; ``looked_up(id)``: its lookup stands (no request for it now)."""
    others = [sid for sid in dict.fromkeys(ids) if sid != current]
    known = sorted((sid for sid in others if sid in convs), key=lambda sid: -_active(convs[sid]))
    ordered = known + [sid for sid in others if sid not in convs]
    shown = ordered[:max(0, limit)]
    wanted = [sid for sid in shown if sid not in convs and not looked_up(sid)]
    return PastView(shown, wanted, len(ordered) - len(shown))


def past_line(session_id: str, conv: Conversation | None, lookup: str | None, words: str,
              now_ms: int, tz: tzinfo | None = None) -> PastLine:
    """One row: ``conv`` when the store holds it, else the short id and ``lookup`` (a
    client lookup state, None: not asked) with its ``words`` (the whole reason)."""
    if conv is None:
        head = f"Conversation {short_id(session_id)}"
        body = LOOKUP_WORDS.get(lookup, "") if lookup is not None else ""
        reason = one_line(words, 300)
        tip = [head, f"{body}: {reason}" if body and reason else body or reason,
               one_line(session_id, 80)]
        return PastLine(head, body, "\n".join(part for part in tip if part))
    state = STATE_LABELS.get(conv.state, "")
    when = _active(conv)
    head = SEPARATOR.join(part for part in (state, relative_time(when, now_ms, tz)) if part)
    last = last_preview(conv.last_type, conv.last_message, EXCERPT) or "No messages"
    date = SEPARATOR.join(part for part in (day_label(when, now_ms, tz), clock_time(when, tz))
                          if part) if when > 0 else ""
    name = one_line(conv.nickname, 80) or one_line(conv.email, 80)
    tip = [SEPARATOR.join(part for part in (state, date) if part), name,
           last_preview(conv.last_type, conv.last_message, TIP_EXCERPT)]
    return PastLine(head or f"Conversation {short_id(session_id)}", last,
                    "\n".join(part for part in tip if part))
