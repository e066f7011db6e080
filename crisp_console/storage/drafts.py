"""Per-conversation drafts: what the operator was writing, and in which mode, kept when they
switch conversations and across restarts (console-ux.md idea d4; Chatwoot #4876, #5301).

The store is plain Python: the composer puts on every change and debounces ``save()``; the
file is written by ``write_atomic``, so a crash leaves either the old drafts or the new ones.
A file that cannot be read never stops the console: it is set aside as ``<name>.corrupt`` for
recovery by hand, and the store starts empty.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

from crisp_console.storage.atomic import write_atomic

log = logging.getLogger(__name__)

Mode = Literal["reply", "note"]
MODES: tuple[Mode, ...] = ("reply", "note")
FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True)
class Draft:
    text: str
    mode: Mode = "reply"


class DraftStore:
    """Drafts by conversation (session id). ``path`` None keeps them in memory only.

    Attributes:
        on_change: called after every change of the drafts (not after saves).
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.on_change: Callable[[], None] | None = None
        self._drafts: dict[str, Draft] = {}
        self._dirty = False
        if path is not None:
            self._drafts = _load(path)

    def get(self, session_id: str) -> Draft | None:
        return self._drafts.get(session_id)

    def put(self, session_id: str, text: str, mode: str) -> None:
        """Remember a draft; text that is empty or only whitespace deletes it."""
        if mode not in MODES:
            raise ValueError(f"unknown composer mode {mode!r}")
        old = self._drafts.get(session_id)
        new = Draft(text, cast(Mode, mode)) if text.strip() else None
        if new is None:
            self._drafts.pop(session_id, None)
        else:
            self._drafts[session_id] = new
        if new != old:
            self._dirty = True
            if self.on_change is not None:
                self.on_change()

    def ids(self) -> set[str]:
        """Conversations that have a draft (the list marks them)."""
        return set(self._drafts)

    @property
    def dirty(self) -> bool:
        """Changed since the last successful save."""
        return self._dirty

    def save(self) -> None:
        """Write the file if anything changed; failures are logged and retried next time."""
        if self.path is None or not self._dirty:
            return
        data = {"version": FORMAT_VERSION,
                "drafts": {sid: {"text": d.text, "mode": d.mode}
                           for sid, d in self._drafts.items()}}
        try:
            write_atomic(self.path, json.dumps(data, ensure_ascii=False, indent=1).encode())
        except OSError as exc:
            log.warning("drafts not saved to %s: %s", self.path, exc)
            return
        self._dirty = False


def _load(path: Path) -> dict[str, Draft]:
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        log.debug("no drafts file at %s yet", path)
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        log.warning("drafts file %s cannot be read (%s); starting without drafts", path, exc)
        return {}
    try:
        data: Any = json.loads(raw)
    except json.JSONDecodeError as exc:
        _set_aside(path, f"not valid JSON ({exc})")
        return {}
    if (not isinstance(data, dict) or data.get("version") != FORMAT_VERSION
            or not isinstance(data.get("drafts"), dict)):
        _set_aside(path, f"not a version {FORMAT_VERSION} drafts file")
        return {}
    drafts: dict[str, Draft] = {}
    for sid, entry in data["drafts"].items():
        if (isinstance(entry, dict) and isinstance(entry.get("text"), str)
                and entry.get("mode") in MODES and entry["text"].strip()):
            drafts[sid] = Draft(entry["text"], entry["mode"])
        else:
            log.warning("drafts file %s: skipping a malformed draft for %s", path, sid)
    return drafts


def _set_aside(path: Path, why: str) -> None:
    backup = path.with_name(path.name + ".corrupt")
    try:
        os.replace(path, backup)
    except OSError as exc:
        log.warning("drafts file %s is %s and could not be set aside (%s); starting without "
                    "drafts", path, why, exc)
        return
    log.warning("drafts file %s is %s; kept as %s, starting without drafts", path, why, backup)
