"""The reply box's text logic, without Qt: which completion trigger is active at the cursor,
slash commands, candidate ranking, mentions and the text that actually goes out.

Triggers (console-ux.md (b), composer table), kept apart as Crisp does:
- ``!`` at the start of a word: canned responses;
- ``/`` at the very start of the message: commands (``//`` sends a literal slash);
- ``@`` at the start of a word: operators (the composer offers them in note mode only).

Indices are Python string indices (code points). Qt counts UTF-16 units; ``to_utf16`` and
``from_utf16`` convert, so an emoji before the trigger does not shift the replacement.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar

from crisp_console.present.canned import CannedResponse

TriggerKind = Literal["canned", "command", "mention"]
T = TypeVar("T")

_TRIGGERS: dict[str, TriggerKind] = {"!": "canned", "/": "command", "@": "mention"}
# What may follow a trigger character while it is still being completed: one word.
_QUERY = re.compile(r"[\w.'-]*")
_COMMAND = re.compile(r"/([^\s/]+)(.*)\Z", re.S)
_LEADING_BLANK_LINES = re.compile(r"\A(?:[ \t]*\n)+")
EXCERPT_CHARS = 200  # how much of the draft a typing ("compose") event carries


@dataclass(frozen=True, slots=True)
class Trigger:
    """A completion trigger under the cursor.

    Attributes:
        kind: which popup it opens.
        start: index of the trigger character.
        end: end of the word being completed (at or after the cursor); a completion replaces
            ``text[start:end]``.
        query: what was typed between the trigger character and the cursor.
    """

    kind: TriggerKind
    start: int
    end: int
    query: str


def active_trigger(text: str, cursor: int) -> Trigger | None:
    """The trigger whose word contains the cursor, if any."""
    cursor = max(0, min(cursor, len(text)))
    start = cursor
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    if start == cursor:
        return None
    kind = _TRIGGERS.get(text[start])
    if kind is None or (kind == "command" and start != 0):
        return None
    query = text[start + 1:cursor]
    if not _QUERY.fullmatch(query):
        return None
    end = cursor
    while end < len(text) and not text[end].isspace():
        end += 1
    return Trigger(kind, start, end, query)


# ---- slash commands ------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class CommandSpec:
    name: str
    usage: str
    description: str
    takes_argument: bool


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("note", "/note [text]", "Write a private note (only operators see it)", True),
    CommandSpec("resolve", "/resolve", "Resolve this conversation", False),
    CommandSpec("assign", "/assign [name]", "Assign to an operator (no name: pick one)", True),
    CommandSpec("unassign", "/unassign", "Unassign: back to nobody", False),
    CommandSpec("remind", "/remind [when]", "Remind me later: 30m, 2h, tomorrow…", True),
)
COMMANDS_BY_NAME: dict[str, CommandSpec] = {c.name: c for c in COMMANDS}


@dataclass(frozen=True, slots=True)
class SlashCommand:
    """A message that is a command: ``/name argument``. ``known`` is False for a name that is
    not one of COMMANDS (the composer refuses it rather than sending it to the visitor)."""

    name: str
    argument: str
    known: bool


def parse_command(text: str) -> SlashCommand | None:
    """``/resolve``, ``/assign bob``, ``/note multi-line text``: the command and its argument
    (stripped, inner newlines kept). None when the text is not a command: no leading slash,
    ``//`` (an escaped slash), or a path such as ``/etc/hosts``."""
    if not text.startswith("/") or text.startswith("//"):
        return None
    match = _COMMAND.match(text)
    if match is None:
        return None
    name, rest = match.group(1), match.group(2)
    if rest and not rest[0].isspace():
        return None
    name = name.casefold()
    return SlashCommand(name, rest.strip(), name in COMMANDS_BY_NAME)


def outgoing_text(text: str, *, commands: bool = True) -> str:
    """What is sent: trailing whitespace and leading blank lines trimmed, inner newlines and
    the first line's indentation kept; with ``commands``, a leading ``//`` becomes ``/``."""
    text = _LEADING_BLANK_LINES.sub("", text.rstrip())
    if commands and text.startswith("//"):
        text = text[1:]
    return text


def typing_excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    return text.strip()[:limit]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What Enter means for the text in the box.

    kind:
        "send": send ``text``; "command": run ``name`` with ``text`` as its argument;
        "note": switch to note mode with ``text``; "edit": save the edited message as
        ``text``; "unchanged": leave the edit, nothing changed; "refuse": do nothing and
        show ``text``; "nothing": empty box, do nothing.
    """

    kind: Literal["send", "command", "note", "edit", "unchanged", "refuse", "nothing"]
    text: str = ""
    name: str = ""


def interpret(raw: str, *, editing: str | None = None) -> Outcome:
    """Decide what Enter does with ``raw``; ``editing`` is the original text of a message
    being edited (commands do not apply then)."""
    if editing is not None:
        text = outgoing_text(raw, commands=False)
        if not text.strip():
            return Outcome("refuse", "A message cannot be emptied: change it, or press Esc "
                                     "to cancel")
        return Outcome("unchanged" if text == editing else "edit", text)
    command = parse_command(raw)
    if command is None:
        text = outgoing_text(raw)
        return Outcome("send", text) if text.strip() else Outcome("nothing")
    if not command.known:
        names = ", ".join(f"/{c.name}" for c in COMMANDS)
        return Outcome("refuse", f"Unknown command /{command.name} (commands: {names}). "
                                 "Start with // to send a message beginning with /.")
    if command.name == "note":
        return Outcome("note", command.argument, "note")
    if command.argument and not COMMANDS_BY_NAME[command.name].takes_argument:
        return Outcome("refuse", f"/{command.name} takes no argument")
    return Outcome("command", command.argument, command.name)


# ---- popup entries ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Completion:
    """One popup entry.

    Attributes:
        kind: the trigger that listed it.
        label: the main text ("!refund", "/assign [name]", "Alice Martin").
        detail: the dimmer text after it (title and preview, description).
        replacement: what replaces the trigger word when accepted.
        value: what the composer acts on: canned shortcut, command name, operator user id.
        tooltip: the full text, shown on hover.
    """

    kind: TriggerKind
    label: str
    detail: str
    replacement: str
    value: str = ""
    tooltip: str = ""


# Accepting /note switches mode (the word goes); /resolve and /unassign are complete; the
# others want more.
_COMMAND_REPLACEMENTS = {"note": "", "resolve": "/resolve", "assign": "/assign ",
                         "unassign": "/unassign", "remind": "/remind "}


def canned_completions(query: str, canned: Iterable[CannedResponse]) -> list[Completion]:
    def detail(c: CannedResponse) -> str:
        return f"{c.title}{f' [{c.locale}]' if c.locale else ''} — {c.text}"

    return [Completion("canned", f"!{c.shortcut}", detail(c), c.text, c.shortcut, c.text)
            for c in rank(query, canned, lambda c: (c.shortcut, c.title))]


def command_completions(query: str) -> list[Completion]:
    return [Completion("command", spec.usage, spec.description,
                       _COMMAND_REPLACEMENTS[spec.name], spec.name)
            for spec in rank(query, COMMANDS, lambda s: (s.name,))]


def mention_completions(query: str, operators: Iterable[tuple[str, str]]) -> list[Completion]:
    """Operators as (user id, display name); accepting inserts "@Name "."""
    return [Completion("mention", name, "Operator", f"@{name} ", uid)
            for uid, name in rank(query, operators, lambda o: (o[1],))]


class Completer:
    """What the popup offers for a trigger, and the operators picked from it.

    Attributes:
        canned: the canned responses (``!``).
        operators: (user id, display name) of the operators ``@`` can mention.
    """

    def __init__(self) -> None:
        self.canned: list[CannedResponse] = []
        self.operators: list[tuple[str, str]] = []
        self._picked: dict[str, str] = {}  # display name -> user id

    def entries(self, trigger: Trigger, *, note: bool, editing: bool) -> list[Completion]:
        """Commands only when writing something new, mentions only in notes (they notify
        teammates)."""
        if trigger.kind == "canned":
            return canned_completions(trigger.query, self.canned)
        if trigger.kind == "command":
            return [] if editing else command_completions(trigger.query)
        return mention_completions(trigger.query, self.operators) if note else []

    def picked(self, completion: Completion) -> None:
        if completion.kind == "mention":
            self._picked[completion.label] = completion.value

    def forget(self) -> None:
        self._picked.clear()

    def mentions(self, text: str) -> list[str]:
        """Operators picked whose @Name is still in ``text``, and any operator with a unique
        name typed by hand (or restored from a draft)."""
        counts = Counter(name for _, name in self.operators)
        names = {name: uid for uid, name in self.operators if counts[name] == 1}
        names.update(self._picked)
        return mentioned(text, names)


# ---- ranking ---------------------------------------------------------------------------------

def fold(text: str) -> str:
    """Case- and accent-insensitive form for matching ("José" matches "jose")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def rank(query: str, candidates: Iterable[T], keys: Callable[[T], Sequence[str]]) -> list[T]:
    """Candidates matching ``query``, best first: a prefix of the first key (a shortcut), then
    a prefix of any key or of a word in it (a title), then a substring anywhere. Ties keep
    the candidates' order. An empty query keeps them all, in order."""
    items = list(candidates)
    q = fold(query)
    if not q:
        return items
    scored: list[tuple[int, int, T]] = []
    for i, item in enumerate(items):
        tiers = [_tier(q, fold(key), first=k == 0) for k, key in enumerate(keys(item))]
        best = min((t for t in tiers if t is not None), default=None)
        if best is not None:
            scored.append((best, i, item))
    scored.sort(key=lambda s: (s[0], s[1]))
    return [item for _, _, item in scored]


def _tier(query: str, key: str, *, first: bool) -> int | None:
    if key.startswith(query):
        return 0 if first else 1
    if any(word.startswith(query) for word in re.split(r"[\s_.-]+", key)):
        return 1
    if query in key:
        return 2
    return None


# ---- mentions --------------------------------------------------------------------------------

def mentioned(text: str, names: Mapping[str, str]) -> list[str]:
    """User ids whose ``@Name`` occurs in ``text`` as a whole name, in order of appearance.

    ``names`` maps a display name to a user id. Longer names are matched first so that
    "@Ann Lee" does not also mention an "Ann"."""
    taken = [False] * len(text)
    found: list[tuple[int, str]] = []
    for name in sorted(names, key=len, reverse=True):
        if not name:
            continue
        pattern = re.compile(re.escape("@" + name) + r"(?![\w])")
        for match in pattern.finditer(text):
            if any(taken[match.start():match.end()]):
                continue
            taken[match.start():match.end()] = [True] * (match.end() - match.start())
            found.append((match.start(), names[name]))
    found.sort()
    seen: list[str] = []
    for _, user_id in found:
        if user_id not in seen:
            seen.append(user_id)
    return seen


# ---- UTF-16 positions ------------------------------------------------------------------------

def to_utf16(text: str, index: int) -> int:
    """The Qt (UTF-16) position of a Python index into ``text``."""
    head = text[:index]
    return len(head) + sum(1 for ch in head if ord(ch) > 0xFFFF)


def from_utf16(text: str, position: int) -> int:
    """The Python index of a Qt (UTF-16) position in ``text``."""
    units = 0
    for i, ch in enumerate(text):
        if units >= position:
            return i
        units += 2 if ord(ch) > 0xFFFF else 1
    return len(text)
