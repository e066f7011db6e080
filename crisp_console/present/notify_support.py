"""What this desktop offers for notifications, and which way the console notifies, in words.

The ui probes the desktop (ui/desktop_notify.py: the notification service; the tray; the
sound player; the launcher badge) and keeps the answer in a ``DesktopSupport``. From it and
the ``notify_via`` preference (auto | system | tray) this module decides the channel a
notification takes and says, in words, what works here and why an option cannot work, for
Preferences. Pure: tested without Qt or D-Bus.
"""

from __future__ import annotations

from dataclasses import dataclass

SERVICE = "service"  # the platform's notification service (freedesktop D-Bus, macOS, Windows)
TRAY = "tray"  # the system tray icon's balloon messages
NONE = "none"  # no desktop notification: the window's title, attention hint and badge only

CHECKING = "Checking this desktop…"


@dataclass(frozen=True)
class ServiceInfo:
    """A notification service that answered. ``name`` and ``version`` as it gives them
    (freedesktop GetServerInformation: "dunst", "1.9.0 (2022-06-27)"); ``on_bus``: a
    freedesktop service on the session bus (else the platform's own centre, whose ``name``
    is the words: "the macOS Notification Center"); ``sound``: it plays a sound given with
    the notification; ``click``: clicking a notification reaches the console."""

    name: str
    version: str = ""
    on_bus: bool = True
    sound: bool = False
    click: bool = True

    def label(self) -> str:
        """ "dunst 1.9.0 via the notification service" (the version's first word only)."""
        if not self.on_bus:
            return self.name
        version = self.version.split()[0] if self.version.split() else ""
        name = f"{self.name} {version}".strip() or "a notification server"
        return f"{name} via the notification service"


@dataclass(frozen=True)
class DesktopSupport:
    """What the last probe found. ``service`` is None while ``checking`` or when there is
    none (``service_problem`` says why); ``sound_player`` names what plays the console's own
    sound ("" when nothing can: ``sound_problem`` says why); ``badge`` says where the unread
    count goes besides the title ("" when nowhere)."""

    service: ServiceInfo | None = None
    service_problem: str = CHECKING
    checking: bool = True
    tray: bool = False
    sound_player: str = ""
    sound_problem: str = ""
    badge: str = ""


def channel_for(via: str, support: DesktopSupport) -> str:
    """The channel a notification takes: the chosen one when it works here, else the other,
    else none. "auto" and "system" prefer the service ("auto" is "system" that never says
    it cannot); a preference saved on another desktop never leaves the operator with
    nothing when something works."""
    order = (TRAY, SERVICE) if via == "tray" else (SERVICE, TRAY)
    for channel in order:
        if channel == SERVICE and support.service is not None:
            return SERVICE
        if channel == TRAY and support.tray:
            return TRAY
    return NONE


def via_problems(support: DesktopSupport) -> dict[str, str]:
    """Why each ``notify_via`` choice cannot work here ("" when it can). While the probe
    runs nothing is refused yet."""
    service = "" if support.service is not None or support.checking else (
        support.service_problem or "No notification service on this desktop")
    tray = "" if support.tray else "No system tray on this desktop"
    return {"auto": "", "system": service, "tray": tray}


def sound_problem(via: str, support: DesktopSupport) -> str:
    """Why "Play a sound" cannot work ("" when it can): the notification service plays it
    when it can, else the console's own player does."""
    service_sound = (channel_for(via, support) == SERVICE and support.service is not None
                     and support.service.sound)
    if service_sound or support.sound_player:
        return ""
    return support.sound_problem or "No sound device"


def channel_words(channel: str, support: DesktopSupport) -> str:
    if channel == SERVICE and support.service is not None:
        return f"In use: {support.service.label()}"
    if channel == TRAY:
        return "In use: the system tray's notifications"
    return ("In use: no desktop notifications; the window's title counts unread messages "
            "and its taskbar entry asks for attention")


def summary_lines(via: str, support: DesktopSupport) -> list[str]:
    """What works on this desktop, one fact a line, for Preferences."""
    if support.checking:
        return [CHECKING]
    lines = []
    if support.service is not None:
        lines.append(f"Desktop notifications: {support.service.label()}")
        if not support.service.click:
            lines.append("Clicking a notification does not reach the console on this desktop")
    else:
        lines.append(f"Desktop notifications: {support.service_problem or 'none'}")
    lines.append("System tray: yes" if support.tray else "No system tray on this desktop")
    channel = channel_for(via, support)
    lines.append(channel_words(channel, support))
    if channel == SERVICE and support.service is not None and support.service.sound:
        lines.append(f"Sound: played by {support.service.name}")
    elif support.sound_player:
        lines.append(f"Sound: {support.sound_player}")
    else:
        lines.append(support.sound_problem or "No sound device")
    if support.badge:
        lines.append(f"Unread badge: {support.badge}")
    return lines
