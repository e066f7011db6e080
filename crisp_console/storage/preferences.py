"""``preferences.ini``: the operator's Preferences (settings.py) on disk, in a file that never
crashes us.

QSettings' INI dialect, written by ``configparser``, so it stays hand-editable. A missing file
gives the defaults; a corrupt file or a bad value gives the defaults for what could not be
read, plus a warning the UI shows. Unknown keys are kept out of the way (ignored), never an
error.

Two preferences changed their default in issue 15 (single-key mode off, stay after
resolving), and every saved file holds every field, chosen or not. So they moved to new keys
(``_KEYS``): a file written before has only the old key, and its value counts only where it
differs from the old default, i.e. where the operator chose it (``_RETIRED``).
"""

from __future__ import annotations

import configparser
import io
import logging
from dataclasses import fields
from pathlib import Path
from typing import Any

from crisp_console.settings import (
    AFTER_RESOLVE,
    CACHE_CAP_MB,
    IMAGE_LOADING,
    NOTIFY_VIA,
    THEMES,
    Preferences,
)
from crisp_console.storage.atomic import write_atomic

log = logging.getLogger(__name__)

# (section, key) of every field, so the file groups related preferences.
_SECTIONS = {
    "send_on_enter": "compose",
    "edit_last_with_up": "compose",
    "after_resolve": "conversation",
    "stale_guard": "compose",
    "single_key": "keyboard",
    "notify_new_conversation": "notifications",
    "notify_visitor_message": "notifications",
    "notify_sound": "notifications",
    "notify_via": "notifications",
    "notify_alert": "notifications",
    "theme": "appearance",
    "font_size": "appearance",
    "load_images": "privacy",
    "cache_cap_mb": "local_data",
}
# Fields kept under another key than their name (see the module docstring).
_KEYS = {"single_key": "single_key_mode", "after_resolve": "after_resolving"}
# field -> (its key before issue 15, the default then): that value was written whether the
# operator chose it or not, so it is ignored; any other value was a choice, and stays.
_RETIRED: dict[str, tuple[str, str]] = {"single_key": ("single_key", "true"),
                                        "after_resolve": ("after_resolve", "next")}
_CHOICES = {"after_resolve": AFTER_RESOLVE, "theme": THEMES, "load_images": IMAGE_LOADING,
            "notify_via": NOTIFY_VIA}


def _parse(name: str, kind: Any, raw: str) -> Any:
    if kind is bool or kind == "bool":
        lowered = raw.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise ValueError(f"expected true or false, not {raw!r}")
    if kind is int or kind == "int":
        number = int(raw.strip())
        if name == "font_size" and not (number == 0 or 6 <= number <= 48):
            raise ValueError("expected 0 (system) or 6 to 48")
        low, high = CACHE_CAP_MB
        if name == "cache_cap_mb" and not low <= number <= high:
            raise ValueError(f"expected {low} to {high:,} (MB), not {number}")
        return number
    choice = raw.strip().lower()
    if choice not in _CHOICES[name]:
        raise ValueError(f"expected one of {', '.join(_CHOICES[name])}, not {raw!r}")
    return choice


def load_preferences(path: Path) -> Preferences:
    """Read the preferences; never raises. Problems become ``Preferences.warnings``."""
    parser = configparser.ConfigParser(interpolation=None)
    try:
        with path.open(encoding="utf-8") as fh:
            parser.read_file(fh)
    except FileNotFoundError:
        return Preferences()
    except (OSError, UnicodeDecodeError, configparser.Error) as exc:
        warning = f"{path} could not be read ({type(exc).__name__}); using the defaults"
        log.warning("%s: %s", warning, exc)
        return Preferences(warnings=(warning,))
    values: dict[str, Any] = {}
    warnings: list[str] = []
    for f in fields(Preferences):
        section = _SECTIONS.get(f.name)
        if section is None:
            continue
        key = _stored_key(parser, section, f.name)
        if key is None:
            continue
        try:
            values[f.name] = _parse(f.name, f.type, parser.get(section, key))
        except ValueError as exc:
            warnings.append(f"{section}.{key}: {exc}; using the default")
    for warning in warnings:
        log.warning("%s: %s", path, warning)
    return Preferences(**values, warnings=tuple(warnings))


def _stored_key(parser: configparser.ConfigParser, section: str, name: str) -> str | None:
    """The key holding the field's value in this file, or None (the default then)."""
    key = _KEYS.get(name, name)
    if parser.has_option(section, key):
        return key
    retired = _RETIRED.get(name)
    if retired is not None and parser.has_option(section, retired[0]):
        old_key, old_default = retired
        if parser.get(section, old_key).strip().lower() != old_default:
            return old_key  # chosen by the operator: it carries over
    return None


def save_preferences(prefs: Preferences, path: Path) -> None:
    """Write the file atomically (owner-only); raises OSError for the caller to report."""
    parser = configparser.ConfigParser(interpolation=None)
    for f in fields(Preferences):
        section = _SECTIONS.get(f.name)
        if section is None:
            continue
        if not parser.has_section(section):
            parser.add_section(section)
        value = getattr(prefs, f.name)
        text = str(value).lower() if isinstance(value, bool) else str(value)
        parser.set(section, _KEYS.get(f.name, f.name), text)
    out = io.StringIO()
    parser.write(out)
    write_atomic(path, out.getvalue().encode("utf-8"))
