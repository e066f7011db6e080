"""Preferences → Notifications: what works on this desktop in words, options that cannot work
disabled with the reason, the probe's answer arriving while the dialog is open, and the form
round-tripping the preferences."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QStandardItemModel
from pytestqt.qtbot import QtBot

from crisp_console.present.notify_support import DesktopSupport, ServiceInfo
from crisp_console.settings import Preferences
from crisp_console.ui.default_commands import build_registry
from crisp_console.ui.widgets.notify_section import NotifySection
from crisp_console.ui.widgets.preferences_dialog import PreferencesDialog

QUIET = "No sound device: no PipeWire or PulseAudio server is running"
DUNST = ServiceInfo("dunst", "1.9.0 (2022-06-27)")


class Desktop(QObject):
    """The Notifier's side the section reads: a probe still running at first."""

    desktop_changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.support = DesktopSupport()

    def desktop(self) -> DesktopSupport:
        return self.support

    def answer(self, support: DesktopSupport) -> None:
        self.support = support
        self.desktop_changed.emit()


def enabled(section: NotifySection) -> dict[str, bool]:
    model = section.via.model()
    assert isinstance(model, QStandardItemModel)
    return {str(section.via.itemData(r)): model.item(r).isEnabled()
            for r in range(section.via.count())}


def test_says_what_works_and_disables_what_cannot(qtbot: QtBot) -> None:
    desktop = Desktop()
    section = NotifySection(desktop)
    qtbot.addWidget(section)
    section.load(Preferences(notify_sound=True))
    assert section.facts.text() == "Checking this desktop…"  # the probe runs in the background
    # The service is not refused before the probe answers; the tray is known at once.
    assert enabled(section) == {"auto": True, "system": True, "tray": False}
    assert section.sound.isEnabled()
    desktop.answer(DesktopSupport(service=DUNST, service_problem="", checking=False,
                                  tray=False, sound_problem=QUIET,
                                  badge="sent to docks that show one"))
    assert section.facts.text().splitlines() == [
        "Desktop notifications: dunst 1.9.0 via the notification service",
        "No system tray on this desktop",
        "In use: dunst 1.9.0 via the notification service",
        QUIET,
        "Unread badge: sent to docks that show one"]
    assert enabled(section) == {"auto": True, "system": True, "tray": False}
    tray_row = section.via.findData("tray")
    assert section.via.itemText(tray_row) == "The system tray (no system tray on this desktop)"
    assert section.via.itemData(tray_row, Qt.ItemDataRole.ToolTipRole) == (
        "No system tray on this desktop")
    assert not section.sound.isEnabled() and section.sound_note.text() == QUIET
    assert section.sound.isChecked()  # kept: it may work on another desktop
    assert section.values()["notify_sound"] is True


def test_a_choice_saved_on_another_desktop_says_what_happens_instead(qtbot: QtBot) -> None:
    desktop = Desktop()
    desktop.support = DesktopSupport(service=DUNST, service_problem="", checking=False,
                                     tray=False)
    section = NotifySection(desktop)
    qtbot.addWidget(section)
    section.load(Preferences(notify_via="tray"))
    assert section.via_note.isVisibleTo(section)
    assert section.via_note.text() == ("No system tray on this desktop: dunst 1.9.0 via the "
                                       "notification service")
    desktop.answer(DesktopSupport(service=None, service_problem="No session bus (D-Bus) in "
                                  "this session", checking=False, tray=False))
    assert section.via_note.text().endswith("no desktop notifications; the window's title "
                                            "counts unread messages and its taskbar entry "
                                            "asks for attention")
    assert enabled(section) == {"auto": True, "system": False, "tray": False}


def test_the_dialog_round_trips_the_notification_preferences(qtbot: QtBot) -> None:
    prefs = Preferences(notify_via="system", notify_alert=False, notify_sound=True,
                        notify_visitor_message=False)
    dialog = PreferencesDialog(prefs, build_registry(), desktop=Desktop())
    qtbot.addWidget(dialog)
    assert dialog.preferences() == prefs
    tab = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    assert "&Notifications" in tab
    section = dialog.notifications
    section.via.setCurrentIndex(section.via.findData("auto"))
    section.alert.setChecked(True)
    with qtbot.waitSignal(dialog.saved) as saved:
        dialog.accept()
    assert saved.args[0] == Preferences(notify_via="auto", notify_alert=True, notify_sound=True,
                                        notify_visitor_message=False)
    bare = NotifySection()  # no desktop to ask: every option offered, nothing said
    qtbot.addWidget(bare)
    assert not bare.facts.isVisibleTo(bare) and all(enabled(bare).values())
