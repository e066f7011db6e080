"""Which way a notification goes on a given desktop, and what Preferences says about it."""

from __future__ import annotations

from crisp_console.present.notify_support import (
    CHECKING,
    NONE,
    SERVICE,
    TRAY,
    DesktopSupport,
    ServiceInfo,
    channel_for,
    sound_problem,
    summary_lines,
    via_problems,
)

DUNST = ServiceInfo("dunst", "1.9.0 (2022-06-27)", sound=False)
GNOME = ServiceInfo("gnome-shell", "46.0", sound=True)
NO_SERVICE = "No notification service on the session bus"
QUIET = "No sound device: no PipeWire or PulseAudio server is running"


def desktop(service: ServiceInfo | None = None, *, tray: bool = False, player: str = "",
            checking: bool = False) -> DesktopSupport:
    return DesktopSupport(service=service, service_problem="" if service else NO_SERVICE,
                          checking=checking, tray=tray, sound_player=player,
                          sound_problem="" if player else QUIET)


def test_the_service_first_then_the_tray_then_nothing() -> None:
    gnome_without_tray = desktop(GNOME)
    kde = desktop(DUNST, tray=True)
    tray_only = desktop(tray=True)
    bare = desktop()
    assert [channel_for(v, gnome_without_tray) for v in ("auto", "system", "tray")] == [
        SERVICE, SERVICE, SERVICE]  # "tray" saved elsewhere: the service rather than nothing
    assert [channel_for(v, kde) for v in ("auto", "system", "tray")] == [SERVICE, SERVICE, TRAY]
    assert [channel_for(v, tray_only) for v in ("auto", "system", "tray")] == [TRAY, TRAY, TRAY]
    assert {channel_for(v, bare) for v in ("auto", "system", "tray")} == {NONE}


def test_options_that_cannot_work_say_why() -> None:
    assert via_problems(desktop(GNOME)) == {"auto": "", "system": "",
                                            "tray": "No system tray on this desktop"}
    assert via_problems(desktop(tray=True)) == {"auto": "", "system": NO_SERVICE, "tray": ""}
    assert via_problems(desktop(checking=True)) == {
        "auto": "", "system": "", "tray": "No system tray on this desktop"}


def test_sound_from_the_service_or_our_player_else_why_not() -> None:
    assert sound_problem("auto", desktop(GNOME)) == ""  # GNOME Shell plays it
    assert sound_problem("auto", desktop(DUNST)) == QUIET  # dunst plays none, no device
    assert sound_problem("auto", desktop(DUNST, player="through PipeWire (pw-play)")) == ""
    assert sound_problem("tray", desktop(GNOME, tray=True)) == QUIET  # the tray plays none


def test_the_words_for_preferences() -> None:
    assert summary_lines("auto", desktop(checking=True)) == [CHECKING]
    assert summary_lines("auto", desktop(DUNST)) == [
        "Desktop notifications: dunst 1.9.0 via the notification service",
        "No system tray on this desktop",
        "In use: dunst 1.9.0 via the notification service",
        QUIET]
    lines = summary_lines("auto", DesktopSupport(
        service=GNOME, service_problem="", checking=False, tray=False,
        badge="sent to docks that show one (KDE Plasma, Ubuntu Dock, Plank)"))
    assert "Sound: played by gnome-shell" in lines
    assert lines[-1].startswith("Unread badge: sent to docks")
    bare = summary_lines("tray", desktop())
    assert bare[0] == f"Desktop notifications: {NO_SERVICE}"
    assert bare[2].startswith("In use: no desktop notifications; the window's title counts")
    mac = ServiceInfo("the macOS Notification Center", on_bus=False, sound=True)
    assert mac.label() == "the macOS Notification Center"
    assert ServiceInfo("", "").label() == "a notification server via the notification service"
