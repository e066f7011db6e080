"""Conversation actions: resolve (and advance), reopen, send-and-resolve, assign, segments,
remind, read/unread and block. Pickers are the palette's ``pick()``, so every choice is made
from the keyboard; the commands are optimistic in the client and undone if Crisp refuses.
When Crisp refused the operators list (``health.denied[OPERATORS]``), the assignment picker
says so, and "assign to me" says why there is no "me".

What they use is named here: the client's ``ConversationCommands`` and ``Operator`` (who
"me" is), the controller's ``OpenConversation`` (which one is open, moving on from it), the
palette's ``Pick``; the console wires them, their command handlers and the composer's slash
commands."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import QTimeZone

from crisp_console.client import OPERATORS, Health
from crisp_console.client.tasks import TaskOwner
from crisp_console.core import Conversation, Store
from crisp_console.present.fuzzy import score
from crisp_console.present.labels import operator_name
from crisp_console.present.palette_sources import PaletteItem
from crisp_console.present.plain import one_line
from crisp_console.present.reminders import parse_when, remind_presets
from crisp_console.ui.feedback import Feedback
from crisp_console.ui.ports import Pick

UNASSIGN = "\x00unassign"

def local_now() -> datetime:
    """Now in the system's zone: its ZoneInfo when Qt names one (so "tomorrow at 9:00" stays
    9:00 across a daylight-saving change), else the current offset."""
    name = bytes(QTimeZone.systemTimeZoneId().data()).decode("ascii", "replace")
    try:
        return datetime.now(ZoneInfo(name))
    except (ValueError, ZoneInfoNotFoundError):
        return datetime.now().astimezone()


class ConversationCommands(Protocol):
    """The client's commands on a conversation."""

    async def resolve(self, session_id: str) -> object: ...

    async def reopen(self, session_id: str) -> object: ...

    async def mark_read(self, session_id: str) -> object: ...

    async def mark_unread(self, session_id: str) -> object: ...

    async def assign(self, session_id: str, user_id: str | None) -> object: ...

    async def update_meta(self, session_id: str, patch: dict[str, Any]) -> object: ...

    async def remind(self, session_id: str, when: datetime, note: str) -> object: ...

    async def block(self, session_id: str, blocked: bool = True) -> object: ...


class Operator(Protocol):
    """Who "me" is, and what Crisp refused (the operators list, when there is no "me")."""

    @property
    def me(self) -> str | None: ...

    @property
    def health(self) -> Health: ...


class OpenConversation(Protocol):
    """The controller's part: the conversation the thread shows, and moving through the list."""

    @property
    def session_id(self) -> str | None: ...

    def step(self, step: int, *, keep_unread: bool = False) -> object: ...

    def keep_unread(self, session_id: str, keep: bool = True) -> object: ...

    def focus_composer(self, mode: str) -> object: ...


class ConversationActions:
    # The stale-reply guard's ``then(session_id, action)`` (ui/stale_guard.py): True when it
    # holds the send to ask first, and runs ``action`` only if it is sent anyway.
    held: Callable[[str, Callable[[], None]], bool] | None = None

    def __init__(self, commands: ConversationCommands, operator: Operator, store: Store,
                 lead: OpenConversation, *, pick: Pick, send: Callable[[], object],
                 after_resolve: Callable[[], str], feedback: Feedback,
                 tasks: TaskOwner) -> None:
        """``send``: the composer's Enter path; ``after_resolve``: the preference as it is
        now ("stay", "next", "next_read" or "previous")."""
        self.commands, self.operator, self.store, self.lead = commands, operator, store, lead
        self._pick, self._send, self._after_resolve = pick, send, after_resolve
        self.feedback, self._tasks = feedback, tasks

    def handlers(self) -> dict[str, Callable[[], object]]:
        """The registry's handlers these actions provide, by command id."""
        return {
            "conversation.resolve": self.resolve_toggle,
            "conversation.reopen": self.reopen,
            "conversation.send_and_resolve": self.send_and_resolve,
            "conversation.assign": self.assign,
            "conversation.assign_to_me": self.assign_to_me,
            "conversation.unassign": self.unassign,
            "conversation.segments": self.segments,
            "conversation.remind": self.remind,
            "conversation.mark_read": self.mark_read,
            "conversation.mark_unread": self.mark_unread,
            "conversation.block": self.block,
        }

    def _current(self) -> Conversation | None:
        conv = self.store.conversations.get(self.lead.session_id or "")
        if conv is None:
            self.feedback.message("Open a conversation first")
        return conv

    def _on_current(self, command: Callable[[str], Coroutine[Any, Any, object]],
                    failure: str) -> None:
        """Run ``command(session_id)`` on the open conversation (if one is)."""
        conv = self._current()
        if conv is not None:
            self.feedback.run(command(conv.session_id), failure)

    # ---- state -------------------------------------------------------------------------------

    def resolve_toggle(self) -> None:
        conv = self._current()
        if conv is None:
            return
        if conv.state == "resolved":
            self.reopen()
            return
        sid = conv.session_id
        # Advance first: the resolved row may leave the current filter on the next flush.
        after = self._after_resolve()
        if after != "stay":  # the neighbour is read only if asked, or once acted in
            self.lead.step(-1 if after == "previous" else 1, keep_unread=after != "next_read")
        self.feedback.run(self.commands.resolve(sid), "Not resolved")  # the undo bar says so

    def reopen(self) -> None:
        self._on_current(self.commands.reopen, "Not reopened")

    def send_and_resolve(self) -> None:
        conv = self._current()
        if conv is None:
            return
        # The Enter path: mentions, slash commands and edits behave exactly as when typing.
        self._send()

        def resolve() -> None:
            if conv.state != "resolved":
                self.resolve_toggle()

        if self.held is None or not self.held(conv.session_id, resolve):
            resolve()  # else resolved only if the guard's question ends in "Send anyway"

    def mark_read(self) -> None:
        conv = self._current()
        if conv is not None:
            self.lead.keep_unread(conv.session_id, keep=False)
            self.feedback.run(self.commands.mark_read(conv.session_id), "Not marked read")

    def mark_unread(self) -> None:
        conv = self._current()
        if conv is not None:  # open, it would be read again at once
            self.lead.keep_unread(conv.session_id)
            self.feedback.run(self.commands.mark_unread(conv.session_id), "Not marked unread")

    # ---- pickers -----------------------------------------------------------------------------

    def _operators(self) -> list[tuple[str, str]]:
        me = self.operator.me
        ops = [(uid, operator_name(o), o.availability)
               for uid, o in self.store.operators.items()]
        ops.sort(key=lambda o: (o[0] != me, o[2] != "online", o[1].lower()))
        return [(uid, f"{name} (me)" if uid == me else name) for uid, name, _ in ops]

    def _availability(self, user_id: str) -> str:
        """What Crisp says of an operator ("away"), for the picker; "" when not known."""
        op = self.store.operators.get(user_id)
        return one_line(op.availability, 20) if op is not None else ""

    def assign_to_me(self) -> None:
        conv = self._current()
        if conv is None:
            return
        me = self.operator.me
        if me:
            self.feedback.run(self.commands.assign(conv.session_id, me), "Not assigned")
        else:
            why = self.operator.health.denied_for(OPERATORS) or "the operators are not loaded"
            self.feedback.message(f"Not assigned: the console does not know which operator "
                                  f"you are; {why}", 15_000)

    async def assign(self, name: str = "") -> None:
        conv = self._current()
        if conv is None:
            return
        operators = self._operators()
        chosen: str | None = None
        if name:
            ranked = sorted(((score(name, label), uid) for uid, label in operators
                             if score(name, label) is not None), reverse=True)
            chosen = ranked[0][1] if ranked else None
        if chosen is None:
            items = [PaletteItem("choice", uid, label, " · ".join(
                         w for w in ("assigned" if uid == conv.assigned else "",
                                     self._availability(uid)) if w))
                     for uid, label in operators]
            if conv.assigned:
                items.append(PaletteItem("choice", UNASSIGN, "Unassign (nobody)",
                                         "back to Unassigned"))
            item = await self._pick("Assign to…", items, placeholder="Operator name",
                                    notice=self.operator.health.denied_for(OPERATORS) or "")
            if item is None:
                return
            chosen = item.key
        await self.feedback.guard(self.commands.assign(conv.session_id,
                                                     None if chosen == UNASSIGN else chosen),
                                  "Not assigned")

    async def unassign(self) -> None:
        """Nobody: back to Unassigned (``/unassign``, the palette). The picker's "Unassign"
        sends the same client command."""
        conv = self._current()
        if conv is None:
            return
        if conv.assigned is None:
            self.feedback.message("This conversation is not assigned to anyone")
            return
        await self.feedback.guard(self.commands.assign(conv.session_id, None), "Not unassigned")

    async def segments(self) -> None:
        conv = self._current()
        if conv is None:
            return
        known: set[str] = set()
        for other in self.store.conversations.values():
            known.update(other.segments)
            if len(known) > 200:
                break
        current = list(conv.segments)
        items = [PaletteItem("choice", s, f"✓ {s}", "remove") for s in current]
        items += [PaletteItem("choice", s, s, "add") for s in sorted(known - set(current))]
        item = await self._pick("Toggle a segment", items, allow_free_text=True,
                                placeholder="Segment (type a new one to add it)")
        if item is None or not item.key.strip():
            return
        segment = item.key.strip()
        updated = [s for s in current if s != segment] if segment in current \
            else [*current, segment]
        await self.feedback.guard(self.commands.update_meta(conv.session_id,
                                                          {"segments": updated}),
                                  "Segments not saved")

    async def remind(self, when_text: str = "") -> None:
        conv = self._current()
        if conv is None:
            return
        now = local_now()
        when = parse_when(when_text, now) if when_text else None
        if when is None:
            when = await self._pick_when(now)
            if when is None:
                return
        note = await self._pick("Reminder note", [], allow_free_text=True,
                                placeholder="What to do then (Enter)")
        if note is None:
            return
        text = note.key.strip() or "Follow up"
        await self.feedback.guard(self.commands.remind(conv.session_id, when, text),
                                  "Reminder not set")
        self.feedback.message(f"Reminder set for {when.strftime('%a %d %b %H:%M')}", 4000)

    async def _pick_when(self, now: datetime) -> datetime | None:
        presets = remind_presets(now)
        items = [PaletteItem("choice", str(i), label, moment.strftime("%a %d %b %H:%M"))
                 for i, (label, moment) in enumerate(presets)]
        item = await self._pick("Remind me…", items, allow_free_text=True,
                                placeholder="When? (pick, or type 45m, 2h, 1d, tomorrow)")
        if item is None:
            return None
        if item.kind != "text":
            return presets[int(item.key)][1]
        when = parse_when(item.key, now)
        if when is None:
            self.feedback.message(f"Could not understand “{item.key}”; try 45m, 2h or 1d")
        return when

    async def block(self) -> None:
        conv = self._current()
        if conv is None:
            return
        blocking = not conv.is_blocked
        verb = "Block" if blocking else "Unblock"
        items = [PaletteItem("choice", "yes", f"{verb} this visitor"),
                 PaletteItem("choice", "no", "Cancel")]
        item = await self._pick(f"{verb} {conv.nickname or 'the visitor'}?", items)
        if item is not None and item.key == "yes":
            await self.feedback.guard(self.commands.block(conv.session_id, blocking),
                                      f"Not {verb.lower()}ed")

    # ---- the composer's slash commands -----------------------------------------------------------

    def slash_command(self, name: str, arg: str) -> None:
        runs: dict[str, Callable[[], object]] = {
            "resolve": self.resolve_toggle, "assign": lambda: self.assign(arg),
            "unassign": self.unassign,
            "remind": lambda: self.remind(arg), "note": lambda: self.lead.focus_composer("note")}
        run = runs.get(name)
        if run is None:
            self.feedback.message(f"Unknown command /{name}")
            return
        result = run()
        if inspect.iscoroutine(result):
            self._tasks.spawn(result, f"/{name}")
