"""The stale-reply guard's rule: what arrived in a conversation since the operator started the
reply they are about to send (ui/stale_guard.py says when a reply starts and asks).

A start is what the timeline held then (``ReplyStart``): the fingerprints it held, and the
oldest timestamp among them. A message *arrived* when it is not one of those, is newer than
that oldest one (an older page loaded by scrolling up is history, not news), and is one of:

- the visitor's message;
- a colleague's message or private note: another operator's note may say "I'm on it" or hold
  the answer, so it counts as "someone wrote";
- my own message sent from somewhere else (Crisp's app, my phone, another console): I may have
  answered already, so it counts too, said as "You, elsewhere".

Never: this console's own sends (local echoes: PENDING, FAILED or QUEUED, and once confirmed
the fingerprints the guard saw as echoes, ``ReplyStart.own``), system events
(``type: event``, e.g. a state change), automated operator messages (bots, triggers), and
edits or removals of messages (an edit changes no fingerprint; a removed one is gone).

Messages that arrive while the operator is away (a reconnect's catch-up, the pages a warm
start fetches) count like live ones: missing a colleague's answer after a reconnect is
exactly how agents reply twice (chatwoot#14934). Pure: tested without Qt.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from crisp_console.core import Message
from crisp_console.present.plain import one_line
from crisp_console.present.previews import message_preview

TEXT_LIMIT = 280  # a prompt line is a reminder of the message, the thread has all of it
VISITOR, COLLEAGUE, ME = "visitor", "colleague", "me"


@dataclass(slots=True)
class ReplyStart:
    """Where a reply started: ``seen`` fingerprints (the timeline then, and this console's
    sends since), ``since`` the oldest timestamp it held (0: an empty timeline; None: nothing
    was loaded yet, see ``settle``), ``at`` the wall clock then (epoch ms)."""

    at: int
    seen: set[int] = field(default_factory=set)
    since: int | None = None

    @classmethod
    def of(cls, messages: Sequence[Message], loaded: bool, at: int) -> ReplyStart:
        """The start now (``at``): ``messages`` the timeline (oldest first), ``loaded``
        whether its newest page was read (an empty loaded timeline is a start; an empty
        unloaded one is not yet)."""
        if not messages and not loaded:
            return cls(at)
        return cls(at, {m.fingerprint for m in messages},
                   min((m.timestamp for m in messages), default=0))

    @property
    def settled(self) -> bool:
        return self.since is not None

    def settle(self, messages: Sequence[Message]) -> bool:
        """A start taken before the timeline had anything takes in its first messages: the
        operator could not have seen what was not there yet. Only those written by the
        start (the server's clock against ours: the one place a clock decides); later ones
        are news. True if it settled now."""
        if self.since is not None or not messages:
            return False
        old = [m for m in messages if m.is_pending or m.timestamp <= self.at]
        self.seen |= {m.fingerprint for m in old}
        self.since = min((m.timestamp for m in old), default=self.at)
        return True

    def own(self, fingerprint: int) -> None:
        """A message this console sends (seen as a local echo): never news."""
        self.seen.add(fingerprint)


@dataclass(frozen=True, slots=True)
class Arrival:
    """A message that arrived since the start. ``sender``: VISITOR, COLLEAGUE or ME (mine,
    from elsewhere); ``text``: one line of plain text."""

    fingerprint: int
    sender: str
    user_id: str
    nickname: str
    note: bool
    text: str
    timestamp: int


def arrived_since(start: ReplyStart, messages: Sequence[Message],
                  me: str | None) -> list[Arrival]:
    """What arrived since ``start`` in ``messages`` (the timeline, oldest first, local echoes
    last), oldest first; ``me``: my user id (None: unknown, every operator is a colleague)."""
    since = start.since
    if since is None:
        return []
    found: list[Arrival] = []
    for msg in reversed(messages):
        if msg.is_pending:
            continue  # a send of this console, not yet confirmed
        if msg.timestamp <= since:
            break  # sorted: everything before is as old
        if msg.fingerprint in start.seen or msg.type == "event":
            continue
        if msg.from_ == "operator" and msg.automated:
            continue
        found.append(_arrival(msg, me))
    found.reverse()
    return found


def _arrival(msg: Message, me: str | None) -> Arrival:
    if msg.from_ != "operator":
        sender = VISITOR
    else:
        sender = ME if me is not None and msg.user_id == me else COLLEAGUE
    content = msg.content
    if isinstance(content, str):
        text = one_line(content, TEXT_LIMIT + 1)
        if len(text) > TEXT_LIMIT:
            text = text[:TEXT_LIMIT - 1].rstrip() + "…"
    else:
        text = one_line(message_preview(msg.type, content), TEXT_LIMIT)
    return Arrival(msg.fingerprint, sender, msg.user_id, msg.nickname, msg.type == "note",
                   text or f"[{one_line(msg.type, 40)}]", msg.timestamp)


def sender_label(arrival: Arrival, visitor: str, operators: Mapping[str, str]) -> str:
    """Who wrote it, for the prompt: the visitor's name (``visitor``), a colleague's
    (``operators``: user id -> name, else the message's nickname), "You, elsewhere"; a
    private note says so."""
    if arrival.sender == VISITOR:
        name = one_line(visitor, 120) or one_line(arrival.nickname, 120) or "Visitor"
    elif arrival.sender == ME:
        name = "You, elsewhere"
    else:
        name = (one_line(operators.get(arrival.user_id, ""), 120)
                or one_line(arrival.nickname, 120) or "Another operator")
    return f"{name}, private note" if arrival.note else name


def headline(arrivals: Sequence[Arrival]) -> str:
    """The prompt's first line: how many messages arrived (and that it is since the reply
    started)."""
    count = len(arrivals)
    noun = "message" if count == 1 else "messages"
    return f"{count} new {noun} since you started this reply"


def shown(arrivals: Sequence[Arrival], limit: int) -> tuple[list[Arrival], int]:
    """The arrivals a prompt lists (the newest ``limit``) and how many earlier ones it
    leaves out."""
    if len(arrivals) <= limit:
        return list(arrivals), 0
    return list(arrivals[-limit:]), len(arrivals) - limit
