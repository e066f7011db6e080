"""The user keymap: a JSON file of overrides (storage/keymap_file.py reads and writes it),
applied over the default table at start.

A bad file or entry must never stop the console: every problem is logged with the file and
the command id, and the rest is applied. A user binding wins over a default that held the same
keys (the default loses just those keys, with a warning); two user bindings that collide keep
the first, and the second is reported.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from crisp_console.settings import keymap_path
from crisp_console.storage.keymap_file import read_keymap, write_keymap
from crisp_console.ui.commands import CommandRegistry
from crisp_console.ui.shortcuts import (
    ShortcutError,
    chords_collide,
    reserved_reason,
    sequence_chords,
)

log = logging.getLogger(__name__)

@dataclass
class KeymapResult:
    """What loading did, for a settings page or a start-up notice (everything is logged too)."""

    applied: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def save_keymap(registry: CommandRegistry, path: Path | None = None) -> Path:
    """Write the user's overrides (only those: defaults stay in the code); an unbound command
    is written as null. Raises OSError for the caller to report."""
    path = keymap_path() if path is None else path
    write_keymap(path, {cid: keys for cid, keys in registry.keymap().items()
                        if registry.is_overridden(cid)})
    return path


def load_keymap(registry: CommandRegistry, path: Path | None = None) -> KeymapResult:
    """Read the user keymap (default: settings.keymap_path()) and apply it to the registry.

    A missing file is normal (nothing to apply). Unreadable or non-JSON files, a top level that
    is not an object, and bad entries are logged as errors and skipped.
    """
    path = keymap_path() if path is None else path
    result = KeymapResult()
    file = read_keymap(path)
    if file is None:
        return result
    if file.error is not None:
        _error(result, file.error)
        return result
    return apply_keymap(registry, file.data, source=str(path), result=result)


def apply_keymap(registry: CommandRegistry, data: object, *, source: str = "keymap",
                 result: KeymapResult | None = None) -> KeymapResult:
    """Apply parsed keymap JSON, entry by entry, in file order."""
    result = KeymapResult() if result is None else result
    if not isinstance(data, dict):
        _error(result, f"{source}: expected an object of command ids to shortcuts, "
                       f"got {type(data).__name__}; using the default shortcuts")
        return result
    user_set: set[str] = set()
    for command_id, value in data.items():
        where = f"{source}: {command_id!r}"
        if command_id not in registry:
            _error(result, f"{where}: unknown command id; skipped")
            continue
        sequences = _sequences(result, where, value)
        if sequences is None:
            continue
        kept = _valid(registry, result, where, command_id, sequences, user_set)
        if sequences and not kept:
            log.info("%s: nothing usable; it keeps its current shortcuts", where)
            continue
        _take_from_defaults(registry, result, command_id, kept, user_set)
        registry.set_shortcuts(command_id, kept)
        user_set.add(command_id)
        result.applied.append(command_id)
        log.info("%s: bound to %s", where, ", ".join(kept) or "nothing (unbound)")
    return result


def _sequences(result: KeymapResult, where: str, value: object) -> list[str] | None:
    """The entry's sequences ([] unbinds), or None when its shape is wrong."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return list(value)
    _error(result, f"{where}: expected a string, a list of strings or null, "
                   f"got {type(value).__name__}; skipped")
    return None


def _valid(registry: CommandRegistry, result: KeymapResult, where: str, command_id: str,
           sequences: list[str], user_set: set[str]) -> list[str]:
    """The sequences that pass validation and do not collide with another user binding."""
    context = registry.get(command_id).context
    kept: list[str] = []
    for text in sequences:
        try:
            canonical = registry.validate_shortcut(command_id, text)
        except ShortcutError as exc:
            _error(result, f"{where}: {exc}; skipped")
            continue
        taken = [cid for cid, _ in registry.clashes(canonical, context, exclude=command_id)
                 if cid in user_set]
        if taken:
            _error(result, f"{where}: {canonical} is already bound to {taken[0]} in this "
                           "keymap; skipped")
            continue
        if any(_prefix_clash(canonical, k) for k in kept):
            _error(result, f"{where}: {canonical} clashes with {kept[-1]} of the same entry; "
                           "skipped")
            continue
        reason = reserved_reason(canonical)
        if reason:
            _warn(result, f"{where}: {canonical} may be taken by {reason}")
        if canonical not in kept:
            kept.append(canonical)
    return kept


def _take_from_defaults(registry: CommandRegistry, result: KeymapResult, command_id: str,
                        sequences: list[str], user_set: set[str]) -> None:
    """Remove the new keys from commands still on their defaults, so the user's binding wins."""
    context = registry.get(command_id).context
    for sequence in sequences:
        for other, bound in registry.clashes(sequence, context, exclude=command_id):
            if other in user_set:
                continue  # cannot happen: _valid dropped those
            remaining = [s for s in registry.shortcuts(other) if s != bound]
            registry.set_shortcuts(other, remaining)
            _warn(result, f"{bound} no longer runs {other}: the keymap gives "
                          f"{sequence} to {command_id}")


def _prefix_clash(a: str, b: str) -> bool:
    return a != b and chords_collide(sequence_chords(a), sequence_chords(b))


def _error(result: KeymapResult, message: str) -> None:
    result.errors.append(message)
    log.error("%s", message)


def _warn(result: KeymapResult, message: str) -> None:
    result.warnings.append(message)
    log.warning("%s", message)
