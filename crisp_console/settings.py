"""Preferences and paths: what the operator chose, and where the console's files live.

The preferences are read from and written to ``preferences.ini`` under the platform's config
directory by storage/preferences.py; the other files' formats are in storage/ too, and each
takes its path from here.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import platformdirs

from crisp_console.log import default_log_dir

APP_NAME = "crisp-console"
PREFERENCES_FILE = "preferences.ini"
KEYMAP_FILE = "keymap.json"

AFTER_RESOLVE = ("stay", "next", "next_read", "previous")
FONT_SIZES = (8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 20, 22, 24)  # the size box's steps (0: system)
NOTIFY_VIA = ("auto", "system", "tray")  # auto: the notification service, else the tray
THEMES = ("system", "light", "dark")
IMAGE_LOADING = ("trusted", "always", "never")
CACHE_CAP_MB = (50, 10_000)  # the bounds of Preferences.cache_cap_mb


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


def databases_dir() -> Path:
    """One folder per signed-in account, each holding its encrypted database."""
    return state_dir() / "accounts"


def log_dir() -> Path:
    """The rotating log and crash reports (the platform's user log directory)."""
    return default_log_dir()


def preferences_path() -> Path:
    return config_dir() / PREFERENCES_FILE


def keymap_path() -> Path:
    """The user keymap: the per-user config directory (XDG, AppData, Library)."""
    return config_dir() / KEYMAP_FILE


@dataclass(frozen=True)
class Preferences:
    send_on_enter: bool = True  # False: Ctrl+Enter sends and Enter is a newline
    edit_last_with_up: bool = True  # Up in an empty reply box edits my last message
    after_resolve: str = "stay"  # stay | next | next_read | previous
    single_key: bool = False  # J/K/E/R… while the list has focus
    stale_guard: bool = True  # Enter asks first when someone wrote since I started typing
    notify_new_conversation: bool = True
    notify_visitor_message: bool = True
    notify_sound: bool = False
    notify_via: str = "auto"  # NOTIFY_VIA
    notify_alert: bool = True  # the taskbar's attention hint and unread badge
    theme: str = "system"  # system | light | dark
    font_size: int = 0  # points; 0 follows the system
    load_images: str = "trusted"  # trusted (Crisp storage, the connected host) | always | never
    cache_cap_mb: int = 500  # the local database's cache, in MB (CACHE_CAP_MB); oldest go first
    warnings: tuple[str, ...] = field(default=(), compare=False)  # what could not be read

    def notify_events(self) -> tuple[str, ...]:
        events = []
        if self.notify_new_conversation:
            events.append("new_conversation")
        if self.notify_visitor_message:
            events.append("visitor_message")
        return tuple(events)


def with_changes(prefs: Preferences, **changes: Any) -> Preferences:
    return replace(prefs, warnings=(), **changes)
