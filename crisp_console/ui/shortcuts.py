"""Key-sequence rules: what may be bound where, in the canonical PortableText form.

console-ux.md (b), rule 1: no Alt chord with a typing key (AltGr is Ctrl+Alt on Windows, Option
types characters on macOS; Chatwoot's Alt shortcuts eat Polish diacritics). Rule 6: some chords
belong to input methods or the desktop. Single keys only in single-key mode, where the focused
widget (the conversation list) never takes text.
"""

from __future__ import annotations

import re
import sys
from typing import Literal, get_args

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent, QKeySequence

Context = Literal["global", "list", "composer", "thread"]
CONTEXTS: tuple[Context, ...] = get_args(Context)
Chord = tuple[int, int]  # (Qt key, Qt modifier flags)

_PORTABLE = QKeySequence.SequenceFormat.PortableText
_ALT = Qt.KeyboardModifier.AltModifier.value
_CTRL = Qt.KeyboardModifier.ControlModifier.value
_SHIFT = Qt.KeyboardModifier.ShiftModifier.value
_KEYPAD = Qt.KeyboardModifier.KeypadModifier.value
_FIRST_SPECIAL_KEY = 0x01000000  # Qt keys below this are Unicode characters: they type text
_MODIFIER_KEYS = {
    Qt.Key.Key_Shift.value, Qt.Key.Key_Control.value, Qt.Key.Key_Alt.value,
    Qt.Key.Key_Meta.value, Qt.Key.Key_AltGr.value, Qt.Key.Key_CapsLock.value,
}
_CHORD_SEPARATOR = re.compile(r"(?<!\+),")  # "Ctrl+," is a key, "Ctrl+K, Ctrl+S" two chords
_MAX_CHORDS = 4  # QKeySequence silently drops anything past the fourth chord

# Chords an input method or the desktop may claim (console-ux.md (b), rule 6). Allowed, but a
# default bound to one must have an alternative, and a user binding gets a warning.
RESERVED: dict[str, str] = {
    "Ctrl+Shift+U": "IBus Unicode entry",
    "Ctrl+Shift+E": "emoji entry in older IBus versions",
    "Ctrl+.": "punctuation width in Windows Chinese input methods",
    "Ctrl+Space": "input-method switch on many desktops",
    "Ctrl+Alt+Left": "workspace switching", "Ctrl+Alt+Right": "workspace switching",
    "Ctrl+Alt+Up": "workspace switching", "Ctrl+Alt+Down": "workspace switching",
}


class ShortcutError(ValueError):
    """A key sequence that cannot or must not be bound; the message says why."""


def _is_typing_key(key: int) -> bool:
    return key < _FIRST_SPECIAL_KEY


def _chords(seq: QKeySequence) -> tuple[Chord, ...]:
    combos = [seq[i] for i in range(seq.count())]  # type: ignore[index]  # stubs lack __getitem__
    return tuple((c.key().value, c.keyboardModifiers().value) for c in combos)


def sequence_chords(text: str) -> tuple[Chord, ...]:
    """(key, modifiers) per chord of a PortableText sequence."""
    return _chords(QKeySequence.fromString(text, _PORTABLE))


def validate_shortcut(text: object, context: Context = "global") -> str:
    """Return the canonical PortableText form of `text`, or raise ShortcutError saying why not."""
    if not isinstance(text, str) or not text.strip():
        raise ShortcutError(f"{text!r} is not a key sequence (use null to unbind)")
    seq = QKeySequence.fromString(text.strip(), _PORTABLE)
    chords = _chords(seq)
    unknown = Qt.Key.Key_unknown.value
    if not chords or any(key == unknown for key, _ in chords):
        raise ShortcutError(f"{text!r} is not a key sequence Qt understands")
    if len(_CHORD_SEPARATOR.split(text.strip())) > _MAX_CHORDS:
        raise ShortcutError(f"{text!r} has more than {_MAX_CHORDS} chords")
    canonical = seq.toString(_PORTABLE)
    for key, mods in chords:
        if key in _MODIFIER_KEYS:
            raise ShortcutError(f"{canonical}: a modifier alone is not a shortcut")
        if mods & _ALT and _is_typing_key(key):
            which = "Ctrl+Alt is AltGr on Windows" if mods & _CTRL else "Alt is AltGr/Option"
            raise ShortcutError(
                f"{canonical}: no Alt or Ctrl+Alt chords with a letter, digit or symbol "
                f"({which} and types characters on many layouts); use Ctrl+Shift+letter, "
                "Alt+arrows, or a single key in list mode"
            )
        if not mods & ~(_SHIFT | _KEYPAD) and _is_typing_key(key) and context != "list":
            raise ShortcutError(
                f"{canonical}: single keys are for list-context commands (single-key mode), "
                f"not {context!r}, where they would fire while typing"
            )
    return canonical


def reserved_reason(sequence: str) -> str | None:
    """Why an input method or the desktop may swallow `sequence`, if it might."""
    return RESERVED.get(QKeySequence.fromString(sequence, _PORTABLE).toString(_PORTABLE))


def event_chord(event: QKeyEvent) -> Chord:
    """The chord a key event stands for; keypad Enter counts as Return."""
    key = int(event.key())  # an int in PySide6, not a Qt.Key
    mods = event.modifiers().value & ~_KEYPAD
    if key == Qt.Key.Key_Enter.value:
        key = Qt.Key.Key_Return.value
    if key == Qt.Key.Key_Backtab.value:  # Shift+Tab arrives as Backtab
        key, mods = Qt.Key.Key_Tab.value, mods | _SHIFT
    return key, mods


def contexts_overlap(a: Context, b: Context) -> bool:
    """Global shortcuts are live in every pane; the pane contexts are disjoint widgets."""
    return a == b or "global" in (a, b)


def chords_collide(a: tuple[Chord, ...], b: tuple[Chord, ...]) -> bool:
    """Equal, or one a prefix of the other: Qt would either call the pair ambiguous or wait
    for a second chord."""
    shorter = min(len(a), len(b))
    return a[:shorter] == b[:shorter]


_NOT_TYPING = (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
               | Qt.KeyboardModifier.MetaModifier).value


def typed_text(event: QKeyEvent, platform: str = sys.platform) -> str:
    """The text a key event types ("" for a chord, a control key or nothing printable).

    Shift and the keypad type; Ctrl, Alt or Meta make a chord, except Ctrl+Alt together,
    which is AltGr on Windows (``€`` on many layouts), and Option (Alt) on macOS.
    """
    text = event.text()
    if not text or not text.isprintable():
        return ""
    mods = event.modifiers().value & _NOT_TYPING
    if mods in (0, _CTRL | _ALT) or (platform == "darwin" and mods == _ALT):
        return text
    return ""
