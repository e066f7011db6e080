"""Conversation actions: resolve (and advance), reopen, send-and-resolve, assign, segments,
remind, read/unread and block. Pickers are the palette's ``pick()``, so every choice is made
from the keyboard; the commands are optimistic in the client and undone if Crisp refuses.
When Crisp refused the operators list (``health.denied[OPERATORS]``), the assignment picker
says so, and "assign to me" says why there is no "me"."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from datetime import datetime

from crisp_console.client import OPERATORS
from crisp_console.core import Conversation
from crisp_console.present.fuzzy import score
from crisp_console.present.labels import operator_name
from crisp_console.present.reminders import parse_when, remind_presets
from crisp_console.ui.controller import Controller
from crisp_console.ui.widgets.command_palette import PaletteItem

UNASSIGN = "\x00unassign"


class ConversationActions:
    def __init__(self, controller: Controller) -> None:
        self.c = controller
        self.client = controller.client
        registry = controller.registry
        handlers: dict[str, Callable[[], object]] = {
            "conversation.resolve": self.resolve_toggle,
            "conversation.reopen": self.reopen,
            "conversation.send_and_resolve": self.send_and_resolve,
            "conversation.assign": self.assign,
            "conversation.assign_to_me": self.assign_to_me,
            "conversation.segments": self.segments,
            "conversation.remind": self.remind,
            "conversation.mark_read": self.mark_read,
            "conversation.mark_unread": self.mark_unread,
            "conversation.block": self.block,
        }
        for cid, run in handlers.items():
            registry.set_handler(cid, run)
        controller.panes.composer.command_requested.connect(self.slash_command)

    def _current(self) -> Conversation | None:
        conv = self.c.store.conversations.get(self.c.session_id or "")
        if conv is None:
            self.c.message("Open a conversation first")
        return conv

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
        after = self.c.prefs.after_resolve
        if after != "stay":
            self.c.step(1 if after == "next" else -1)
        self.c.run(self.client.commands.resolve(sid), "Not resolved")
        self.c.message("Conversation resolved", 3000)

    def reopen(self) -> None:
        conv = self._current()
        if conv is not None:
            self.c.run(self.client.commands.reopen(conv.session_id), "Not reopened")

    def send_and_resolve(self) -> None:
        conv = self._current()
        if conv is None:
            return
        # The Enter path: mentions, slash commands and edits behave exactly as when typing.
        self.c.panes.composer.request_send()
        if conv.state != "resolved":
            self.resolve_toggle()

    def mark_read(self) -> None:
        conv = self._current()
        if conv is not None:
            self.c.run(self.client.commands.mark_read(conv.session_id), "Not marked read")

    def mark_unread(self) -> None:
        conv = self._current()
        if conv is not None:
            self.c.run(self.client.commands.mark_unread(conv.session_id), "Not marked unread")

    # ---- pickers -----------------------------------------------------------------------------

    def _operators(self) -> list[tuple[str, str]]:
        me = self.client.me
        ops = [(uid, operator_name(o), o.availability)
               for uid, o in self.c.store.operators.items()]
        ops.sort(key=lambda o: (o[0] != me, o[2] != "online", o[1].lower()))
        return [(uid, f"{name} (me)" if uid == me else name) for uid, name, _ in ops]

    def assign_to_me(self) -> None:
        conv = self._current()
        if conv is None:
            return
        if self.client.me:
            self.c.run(self.client.commands.assign(conv.session_id, self.client.me), "Not assigned")
        else:
            why = self.client.health.denied_for(OPERATORS) or "the operators are not loaded"
            self.c.message(f"Not assigned: the console does not know which operator you are; "
                           f"{why}", 15_000)

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
            items = [PaletteItem("choice", uid, label,
                                 "assigned" if uid == conv.assigned else "")
                     for uid, label in operators]
            if conv.assigned:
                items.append(PaletteItem("choice", UNASSIGN, "Unassign"))
            item = await self.c.panes.palette.pick(
                "Assign to…", items, placeholder="Operator name",
                notice=self.client.health.denied_for(OPERATORS) or "")
            if item is None:
                return
            chosen = item.key
        await self._guard(self.client.commands.assign(conv.session_id,
                                                      None if chosen == UNASSIGN else chosen),
                          "Not assigned")

    async def segments(self) -> None:
        conv = self._current()
        if conv is None:
            return
        known: set[str] = set()
        for other in self.c.store.conversations.values():
            known.update(other.segments)
            if len(known) > 200:
                break
        current = list(conv.segments)
        items = [PaletteItem("choice", s, f"✓ {s}", "remove") for s in current]
        items += [PaletteItem("choice", s, s, "add") for s in sorted(known - set(current))]
        item = await self.c.panes.palette.pick("Toggle a segment", items, allow_free_text=True,
                                               placeholder="Segment (type a new one to add it)")
        if item is None or not item.key.strip():
            return
        segment = item.key.strip()
        updated = [s for s in current if s != segment] if segment in current \
            else [*current, segment]
        await self._guard(self.client.commands.update_meta(conv.session_id, {"segments": updated}),
                          "Segments not saved")

    async def remind(self, when_text: str = "") -> None:
        conv = self._current()
        if conv is None:
            return
        now = datetime.now().astimezone()
        when = parse_when(when_text, now) if when_text else None
        if when is None:
            presets = remind_presets(now)
            items = [PaletteItem("choice", str(i), label, moment.strftime("%a %d %b %H:%M"))
                     for i, (label, moment) in enumerate(presets)]
            item = await self.c.panes.palette.pick(
                "Remind me…", items, allow_free_text=True,
                placeholder="When? (pick, or type 45m, 2h, 1d, tomorrow)")
            if item is None:
                return
            if item.kind == "text":
                when = parse_when(item.key, now)
                if when is None:
                    self.c.message(f"Could not understand “{item.key}”; try 45m, 2h or 1d")
                    return
            else:
                when = presets[int(item.key)][1]
        note = await self.c.panes.palette.pick("Reminder note", [], allow_free_text=True,
                                               placeholder="What to do then (Enter)")
        if note is None:
            return
        text = note.key.strip() or "Follow up"
        await self._guard(self.client.commands.remind(conv.session_id, when, text),
                          "Reminder not set")
        self.c.message(f"Reminder set for {when.strftime('%a %d %b %H:%M')}", 4000)

    async def block(self) -> None:
        conv = self._current()
        if conv is None:
            return
        blocking = not conv.is_blocked
        verb = "Block" if blocking else "Unblock"
        items = [PaletteItem("choice", "yes", f"{verb} this visitor"),
                 PaletteItem("choice", "no", "Cancel")]
        item = await self.c.panes.palette.pick(f"{verb} {conv.nickname or 'the visitor'}?", items)
        if item is not None and item.key == "yes":
            await self._guard(self.client.commands.block(conv.session_id, blocking),
                              f"Not {verb.lower()}ed")

    # ---- the composer's slash commands -----------------------------------------------------------

    def slash_command(self, name: str, arg: str) -> None:
        runs: dict[str, Callable[[], object]] = {
            "resolve": self.resolve_toggle, "assign": lambda: self.assign(arg),
            "remind": lambda: self.remind(arg), "note": lambda: self.c.focus_composer("note")}
        run = runs.get(name)
        if run is None:
            self.c.message(f"Unknown command /{name}")
            return
        result = run()
        if inspect.iscoroutine(result):
            self.c.tasks.spawn(result, f"/{name}")

    async def _guard(self, coro: Awaitable[object], failure: str) -> None:
        try:
            await coro
        except Exception as exc:  # noqa: BLE001 - said in words, whatever it is
            self.c.report(failure, exc)
