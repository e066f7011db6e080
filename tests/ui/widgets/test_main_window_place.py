"""The two-stage start (ui/first_frame.py): the window is painted with stand-ins where the
thread, the reply box and the people panel go; placing the real panes keeps the splitters'
sizes (window.ini's) and the people panel's hidden state, and GapQuit (ui/gap_quit.py) keeps a close
asked for before the console exists."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from crisp_console.ui.first_frame import stand_in
from crisp_console.ui.gap_quit import GapQuit
from crisp_console.ui.widgets.main_window import MainWindow


def first_window(qtbot: QtBot, settings: QSettings | None = None) -> MainWindow:
    role = QPalette.ColorRole.Window
    window = MainWindow(list_pane=QLabel("list"), thread_pane=stand_in(role),
                        composer=stand_in(role), people_panel=stand_in(role),
                        settings=settings)
    qtbot.addWidget(window)
    return window


def test_placed_panes_take_the_stand_ins_places_and_sizes(qtbot: QtBot, tmp_path: Path) -> None:
    settings = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
    before = first_window(qtbot, settings)
    before.show()
    qtbot.waitExposed(before)
    before.splitter.setSizes([300, 700, 280])
    before.middle.setSizes([500, 200])
    before.people_panel.hide()
    before.save_state()

    window = first_window(qtbot, settings)  # the next start: window.ini's layout
    window.show()
    qtbot.waitExposed(window)
    sizes, middle = window.splitter.sizes(), window.middle.sizes()
    stand_ins = (window.thread_pane, window.composer, window.people_panel)
    thread, composer, people = QLabel("thread"), QLabel("composer"), QLabel("people")
    window.place(thread_pane=thread, composer=composer, people_panel=people)
    assert window.middle.widget(0) is thread and window.middle.widget(1) is composer
    assert window.splitter.widget(2) is people
    assert (window.thread_pane, window.composer, window.people_panel) == (thread, composer,
                                                                          people)
    assert all(w.parent() is None or w.isHidden() for w in stand_ins)
    assert window.splitter.sizes() == sizes and window.middle.sizes() == middle
    assert not window.people_visible()  # hidden as the operator left it
    window.toggle_people_panel()
    assert window.people_visible()


def test_a_close_asked_for_in_the_gap_reaches_the_console(qtbot: QtBot) -> None:
    window = first_window(qtbot)
    gap = GapQuit(window)
    window.close()  # the close button before the console exists: remembered, not lost
    asked: list[str] = []
    gap.hand_over(lambda: asked.append("quit"))
    assert asked == ["quit"]
    window.close()  # from now on the console's own connection hears it, not the gap
    assert asked == ["quit"]


def test_no_close_in_the_gap_asks_nothing(qtbot: QtBot) -> None:
    window = first_window(qtbot)
    gap = GapQuit(window)
    asked: list[str] = []
    gap.hand_over(lambda: asked.append("quit"))
    assert asked == []
    window.close()  # after the hand-over: not the gap's
    assert asked == []
