"""The command registry: every user action, its shortcuts, and the QActions that carry them.

Commands are data (console-ux.md (b), style-anchors.md §2): an id, a title, a category, default
key sequences and a context saying where the keys work. The handler is injected later by
whoever owns the behaviour, so the table, the palette, the cheat sheet and the user keymap all
read the same registry. The key rules themselves live in shortcuts.py.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QWidget

from crisp_console.client.tasks import TaskOwner
from crisp_console.ui.shortcuts import (
    CONTEXTS,
    Chord,
    Context,
    ShortcutError,
    chords_collide,
    contexts_overlap,
    event_chord,
    sequence_chords,
    validate_shortcut,
)

log = logging.getLogger(__name__)
_PORTABLE = QKeySequence.SequenceFormat.PortableText
Handler = Callable[[], object]


@dataclass(frozen=True, slots=True)
class Command:
    """One user action.

    Attributes:
        id: stable dotted name, the key of the user keymap ("conversation.resolve").
        title: what the palette, menus and cheat sheet show.
        category: the cheat-sheet group.
        default_shortcuts: PortableText key sequences ("Ctrl+Shift+E"); user keymap overrides.
        context: "global" (anywhere in the window), or the widget that must have focus:
            "list" (single-key mode), "composer", "thread".
        run: the handler, injected with CommandRegistry.set_handler().
        alias_of: a single-key twin that runs another command's handler; kept out of the palette.
        widget_handled: the focused widget matches these keys itself, because whether they act
            depends on its state (Enter while an input method composes, Up in a non-empty
            composer). No QAction shortcut is installed; the widget asks registry.matches().
        in_palette: listed in the command palette.
    """

    id: str
    title: str
    category: str
    default_shortcuts: tuple[str, ...] = ()
    context: Context = "global"
    run: Handler | None = None
    alias_of: str | None = None
    widget_handled: bool = False
    in_palette: bool = True

    @property
    def listed_in_palette(self) -> bool:
        return self.in_palette and self.alias_of is None


@dataclass(frozen=True, slots=True)
class Conflict:
    """Two commands whose bindings collide where both are active (equal, or one a prefix)."""

    command_ids: tuple[str, str]
    sequences: tuple[str, str]

    def __str__(self) -> str:
        (a, b), (sa, sb) = self.command_ids, self.sequences
        how = "both bind" if sa == sb else "clash on"
        return f"{a} and {b} {how} {sa}" + ("" if sa == sb else f" / {sb}")


class CommandRegistry:
    """All commands, their effective shortcuts (defaults + user overrides) and handlers.

    Built once by app.py (no module-level registry); one instance per window is fine. An
    async handler runs as a task of ``tasks`` (the ui's TaskOwner); a registry without one
    (the keymap editor's, a test's) refuses async handlers.
    """

    def __init__(self, commands: Iterable[Command] = (), *, single_key: bool = True,
                 tasks: TaskOwner | None = None) -> None:
        self._commands: dict[str, Command] = {}
        self._overrides: dict[str, tuple[str, ...]] = {}
        self.tasks = tasks
        self.single_key_enabled = single_key
        for command in commands:
            self.register(command)

    def register(self, command: Command) -> None:
        """Add a command; its defaults must pass validate_shortcut (a wrong table is a bug)."""
        if command.id in self._commands:
            raise ValueError(f"command {command.id!r} is already registered")
        if command.context not in CONTEXTS:
            raise ValueError(f"{command.id}: unknown context {command.context!r}")
        if command.alias_of is not None and command.alias_of not in self._commands:
            raise ValueError(f"{command.id}: alias of unknown command {command.alias_of!r}")
        defaults = self._canonical(command, command.default_shortcuts)
        self._commands[command.id] = replace(command, default_shortcuts=defaults)

    def get(self, command_id: str) -> Command:
        return self._commands[command_id]

    def all(self) -> list[Command]:
        return list(self._commands.values())

    def __contains__(self, command_id: object) -> bool:
        return command_id in self._commands

    def __len__(self) -> int:
        return len(self._commands)

    # -- handlers --

    def set_handler(self, command_id: str, run: Handler | None) -> None:
        self._commands[command_id] = replace(self.get(command_id), run=run)

    def handler(self, command_id: str) -> Handler | None:
        command = self.get(command_id)
        if command.run is None and command.alias_of is not None:
            return self.get(command.alias_of).run
        return command.run

    def available(self, command_id: str) -> bool:
        """Whether running the command would do anything (the palette hides the rest)."""
        return self.handler(command_id) is not None

    def run(self, command_id: str) -> bool:
        """Run the handler; True if one ran. A failing handler is logged, never raised into Qt.

        A handler may return an awaitable (an async action); it runs as a task of ``tasks``
        on the running loop (qasync) and its failure is logged too.
        """
        run = self.handler(command_id)
        if run is None:
            log.debug("command %s has no handler yet", command_id)
            return False
        try:
            result = run()
        except Exception:
            log.exception("command %s failed", command_id)
            return False
        if inspect.isawaitable(result):
            self._schedule(command_id, result)
        return True

    # -- bindings --

    def shortcuts(self, command_id: str) -> tuple[str, ...]:
        """Effective bindings: the user's if they set any (possibly none), else the defaults."""
        command = self.get(command_id)
        return self._overrides.get(command_id, command.default_shortcuts)

    def set_shortcuts(self, command_id: str, sequences: Sequence[str] | None) -> tuple[str, ...]:
        """Override a command's bindings; None or [] unbinds. Raises ShortcutError, KeyError."""
        command = self.get(command_id)
        canonical = self._canonical(command, sequences or ())
        self._overrides[command_id] = canonical
        return canonical

    def reset_shortcuts(self, command_id: str) -> None:
        self.get(command_id)
        self._overrides.pop(command_id, None)

    def validate_shortcut(self, command_id: str, text: object) -> str:
        """Canonical form of `text` if the command may be bound to it, else ShortcutError
        (no Alt/Ctrl+Alt with a typing key; single keys only for list-context commands)."""
        return validate_shortcut(text, self.get(command_id).context)

    def is_overridden(self, command_id: str) -> bool:
        return command_id in self._overrides

    def keymap(self) -> dict[str, tuple[str, ...]]:
        """Every command id to its effective bindings (empty tuple when unbound)."""
        return {cid: self.shortcuts(cid) for cid in self._commands}

    def clashes(self, sequence: str, context: Context,
                exclude: str | None = None) -> list[tuple[str, str]]:
        """(command id, bound sequence) pairs that would collide with `sequence` in `context`."""
        chords = sequence_chords(sequence)
        found = []
        for cid, command in self._commands.items():
            if cid == exclude or not contexts_overlap(context, command.context):
                continue
            for bound in self.shortcuts(cid):
                if chords_collide(chords, sequence_chords(bound)):
                    found.append((cid, bound))
        return found

    def conflicts(self) -> list[Conflict]:
        """Pairs of bindings that are equal, or one a prefix of the other, in overlapping
        contexts. Qt would call an equal pair ambiguous and fire neither; a prefix makes it
        wait for a second chord that never comes."""
        bound = [
            (cid, cmd.context, seq, sequence_chords(seq))
            for cid, cmd in self._commands.items() for seq in self.shortcuts(cid)
        ]
        found = []
        for i, (a, ctx_a, seq_a, ch_a) in enumerate(bound):
            for b, ctx_b, seq_b, ch_b in bound[i + 1:]:
                if a != b and contexts_overlap(ctx_a, ctx_b) and chords_collide(ch_a, ch_b):
                    found.append(Conflict((a, b), (seq_a, seq_b)))
        return found

    def matches(self, command_id: str, event: QKeyEvent) -> bool:
        """Whether a key event is one of the command's single-chord bindings (for
        widget-handled commands; keypad Enter counts as Return)."""
        chord = event_chord(event)
        enter, ret = Qt.Key.Key_Enter.value, Qt.Key.Key_Return.value
        return any(
            tuple((ret if k == enter else k, m) for k, m in sequence_chords(seq)) == (chord,)
            for seq in self.shortcuts(command_id)
        )

    # -- Qt actions --

    def create_actions(self, parent: QWidget,
                       widgets: Mapping[Context, QWidget] | None = None) -> dict[str, QAction]:
        """One QAction per command, triggering its handler through run().

        Global actions are added to `parent` (the window) with WindowShortcut. Pane actions get
        WidgetWithChildrenShortcut and are added to widgets[context] when given (attach later
        with attach_actions() otherwise). The pane widgets must not contain each other. A
        binding that collides with one already installed is skipped with a warning, so Qt
        never sees an ambiguous pair.
        """
        actions: dict[str, QAction] = {}
        installed: list[tuple[Context, tuple[Chord, ...]]] = []
        for cid, command in self._commands.items():
            action = QAction(command.title, parent)
            action.setObjectName(cid)
            action.setData(cid)
            action.triggered.connect(lambda _checked=False, cid=cid: self.run(cid))
            keys = [] if command.widget_handled else self._installable(cid, installed)
            action.setShortcuts(keys)
            action.setShortcutContext(
                Qt.ShortcutContext.WindowShortcut if command.context == "global"
                else Qt.ShortcutContext.WidgetWithChildrenShortcut
            )
            if keys:
                native = keys[0].toString(QKeySequence.SequenceFormat.NativeText)
                action.setToolTip(f"{command.title} ({native})")
            if command.context == "list":
                action.setEnabled(self.single_key_enabled)
            actions[cid] = action
        parent.addActions([a for cid, a in actions.items() if self.get(cid).context == "global"])
        for context, widget in (widgets or {}).items():
            attach_actions(self, actions, context, widget)
        return actions

    def rebind_actions(self, actions: Mapping[str, QAction]) -> None:
        """After the bindings changed (the keymap editor): give every action its keys again,
        with the same collision rule as create_actions()."""
        installed: list[tuple[Context, tuple[Chord, ...]]] = []
        for cid, action in actions.items():
            command = self.get(cid)
            keys = [] if command.widget_handled else self._installable(cid, installed)
            action.setShortcuts(keys)
            if keys:
                native = keys[0].toString(QKeySequence.SequenceFormat.NativeText)
                action.setToolTip(f"{command.title} ({native})")
            else:
                action.setToolTip(command.title)

    def set_single_key_enabled(self, enabled: bool,
                               actions: Mapping[str, QAction] | None = None) -> None:
        """Turn single-key mode on or off; list-context actions follow. A disabled action's
        key goes on to the list (type-to-search) instead."""
        self.single_key_enabled = enabled
        for cid, action in (actions or {}).items():
            if self.get(cid).context == "list":
                action.setEnabled(enabled)

    # -- internals --

    def _canonical(self, command: Command, sequences: Iterable[str]) -> tuple[str, ...]:
        out: list[str] = []
        for text in sequences:
            try:
                canonical = validate_shortcut(text, command.context)
            except ShortcutError as exc:
                raise ShortcutError(f"{command.id}: {exc}") from None
            if canonical not in out:
                out.append(canonical)
        return tuple(out)

    def _installable(self, cid: str,
                     installed: list[tuple[Context, tuple[Chord, ...]]]) -> list[QKeySequence]:
        context = self.get(cid).context
        keys = []
        for seq in self.shortcuts(cid):
            chords = sequence_chords(seq)
            if any(contexts_overlap(context, ctx) and chords_collide(chords, other)
                   for ctx, other in installed):
                log.warning("shortcut %s of %s collides with another command; not installed",
                            seq, cid)
                continue
            installed.append((context, chords))
            keys.append(QKeySequence.fromString(seq, _PORTABLE))
        return keys

    def _schedule(self, command_id: str, awaitable: Awaitable[object]) -> None:
        tasks = self.tasks
        if tasks is None or not _loop_running():
            why = "no task owner runs it" if tasks is None else "no event loop is running"
            log.error("command %s is async but %s", command_id, why)
            if inspect.iscoroutine(awaitable):
                awaitable.close()
            return

        async def guarded() -> None:
            try:
                await awaitable
            except Exception:
                log.exception("command %s failed", command_id)

        if tasks.spawn(guarded(), f"command {command_id}") is None \
                and inspect.iscoroutine(awaitable):
            awaitable.close()  # closing down: it never starts

def attach_actions(registry: CommandRegistry, actions: Mapping[str, QAction],
                   context: Context, widget: QWidget) -> None:
    """Add the actions of one pane context to the widget whose focus activates them."""
    widget.addActions([a for cid, a in actions.items() if registry.get(cid).context == context])


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True
