"""``keymap.json``: the user's shortcut overrides on disk, as JSON the operator may edit.

    {"conversation.resolve": "Ctrl+Shift+R",          one sequence
     "conversation.next": ["Alt+Down", "Ctrl+J"],     several
     "app.hide": null}                                 unbind ([] too)

This module reads and writes the file; what the entries mean, and which of them are usable, is
decided by ui/keymap.py against the command registry. A file that cannot be read or is not
JSON is reported in words and never stops the console.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from crisp_console.storage.atomic import write_atomic

log = logging.getLogger(__name__)

# Not a secret, and shared between machines by hand: readable as a file made by an editor is.
MODE = 0o644


@dataclass(frozen=True, slots=True)
class KeymapFile:
    """What an existing file held: its parsed JSON (any shape: the caller checks it), or
    ``error``, why it could not be read."""

    data: object = None
    error: str | None = None


def read_keymap(path: Path) -> KeymapFile | None:
    """The file's JSON, or None when there is no file (normal: nothing to apply)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        log.debug("no user keymap at %s", path)
        return None
    except (OSError, UnicodeDecodeError) as exc:
        return KeymapFile(error=f"keymap {path}: cannot read it ({exc}); using the default "
                                "shortcuts")
    try:
        return KeymapFile(json.loads(text))
    except json.JSONDecodeError as exc:
        return KeymapFile(error=f"keymap {path}: not valid JSON ({exc}); using the default "
                                "shortcuts")


def write_keymap(path: Path, overrides: Mapping[str, Sequence[str] | None]) -> None:
    """Write the overrides (command id -> sequences, None or empty: unbound) atomically;
    raises OSError for the caller to report."""
    data = {cid: (list(keys) if keys else None) for cid, keys in overrides.items()}
    text = json.dumps(data, indent=2, sort_keys=True) + "\n"
    write_atomic(path, text.encode("utf-8"), mode=MODE)
