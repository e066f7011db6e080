"""Preferences and paths: what the operator chose, read from an INI file that never crashes us.

The file is ``preferences.ini`` under the platform's config directory (QSettings' INI dialect,
written by ``configparser``, so it stays hand-editable). A missing file gives the defaults; a
corrupt file or a bad value gives the defaults for what could not be read, plus a warning the
UI shows. Unknown keys are kept out of the way (ignored), never an error.
"""

from __future__ import annotations

import configparser
import logging
import os
import sys
import tempfile
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import platformdirs

from crisp_console.log import default_log_dir

log = logging.getLogger(__name__)

APP_NAME = "crisp-console"
FILE_NAME = "preferences.ini"

AFTER_RESOLVE = ("stay", "next", "previous")
THEMES = ("system", "light", "dark")
IMAGE_LOADING = ("trusted", "always", "never")


def resource_dir() -> Path:
    """``resources/``: beside the package in a checkout, or inside a frozen bundle."""
    override = os.environ.get("CRISP_CONSOLE_RESOURCES")
    if override:
        return Path(override)
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[1] / "resources"


def resource_path(*parts: str) -> Path:
    return resource_dir().joinpath(*parts)


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME))


def state_dir() -> Path:
    """Drafts, window state: things the console writes for itself."""
    return Path(platformdirs.user_state_dir(APP_NAME))


def log_dir() -> Path:
    """The rotating log and crash reports (the platform's user log directory)."""
    return default_log_dir()


def preferences_path() -> Path:
    return config_dir() / FILE_NAME


# (section, key) of every field, so the file groups related preferences.
_SECTIONS = {
    "send_on_enter": "compose",
    "edit_last_with_up": "compose",
    "after_resolve": "conversation",
    "single_key": "keyboard",
    "notify_new_conversation": "notifications",
    "notify_visitor_message": "notifications",
    "notify_sound": "notifications",
    "theme": "appearance",
    "font_size": "appearance",
    "load_images": "privacy",
}
_CHOICES = {"after_resolve": AFTER_RESOLVE, "theme": THEMES, "load_images": IMAGE_LOADING}


@dataclass(frozen=True)
class Preferences:
    send_on_enter: bool = True  # False: Ctrl+Enter sends and Enter is a newline
    edit_last_with_up: bool = True  # Up in an empty reply box edits my last message
    after_resolve: str = "next"  # stay | next | previous
    single_key: bool = True  # J/K/E/R… while the list has focus
    notify_new_conversation: bool = True
    notify_visitor_message: bool = True
    notify_sound: bool = False
    theme: str = "system"  # system | light | dark
    font_size: int = 0  # points; 0 follows the system
    load_images: str = "trusted"  # trusted (Crisp storage, the connected host) | always | never
    warnings: tuple[str, ...] = field(default=(), compare=False)  # what could not be read

    def notify_events(self) -> tuple[str, ...]:
        events = []
        if self.notify_new_conversation:
            events.append("new_conversation")
        if self.notify_visitor_message:
            events.append("visitor_message")
        return tuple(events)


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
        return number
    choice = raw.strip().lower()
    if choice not in _CHOICES[name]:
        raise ValueError(f"expected one of {', '.join(_CHOICES[name])}, not {raw!r}")
    return choice


def load_preferences(path: Path | None = None) -> Preferences:
    """Read the preferences; never raises. Problems become ``Preferences.warnings``."""
    path = preferences_path() if path is None else path
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
        if section is None or not parser.has_option(section, f.name):
            continue
        try:
            values[f.name] = _parse(f.name, f.type, parser.get(section, f.name))
        except ValueError as exc:
            warnings.append(f"{section}.{f.name}: {exc}; using the default")
    for warning in warnings:
        log.warning("%s: %s", path, warning)
    return Preferences(**values, warnings=tuple(warnings))


def save_preferences(prefs: Preferences, path: Path | None = None) -> None:
    """Write atomically (temp file + rename) so a crash never leaves half a file."""
    path = preferences_path() if path is None else path
    parser = configparser.ConfigParser(interpolation=None)
    for f in fields(Preferences):
        section = _SECTIONS.get(f.name)
        if section is None:
            continue
        if not parser.has_section(section):
            parser.add_section(section)
        value = getattr(prefs, f.name)
        parser.set(section, f.name, str(value).lower() if isinstance(value, bool) else str(value))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".preferences-", suffix=".ini", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            parser.write(fh)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def with_changes(prefs: Preferences, **changes: Any) -> Preferences:
    return replace(prefs, warnings=(), **changes)
