"""The offline banner: above the list and the thread while Crisp cannot be reached, in words
(not colour alone) a keyboard or screen-reader user reaches; gone when Crisp answers again."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from crisp_console.ui.widgets.main_window import MainWindow
from crisp_console.ui.widgets.offline_banner import OFFLINE_TEXT, OfflineBanner


class FakeReachability:
    def __init__(self, offline: bool = False) -> None:
        self.down = offline
        self.silent = False
        self.observers: list[Callable[[bool], None]] = []

    def offline(self) -> bool:
        return self.down

    def not_responding(self) -> bool:
        return self.silent

    def add_reachability_observer(self, cb: Callable[[bool], None]) -> Callable[[], None]:
        self.observers.append(cb)
        return lambda: self.observers.remove(cb)

    def move(self, offline: bool, not_responding: bool = False) -> None:
        self.down, self.silent = offline, not_responding
        for cb in list(self.observers):
            cb(offline)


def test_the_banner_follows_reachability(qtbot: QtBot) -> None:
    source = FakeReachability()
    banner = OfflineBanner(source)
    qtbot.addWidget(banner)
    assert not banner.is_offline()
    source.move(True)
    assert banner.is_offline()
    assert banner.text() == ("Offline — you can read saved conversations; replies queue and "
                             "go out when the connection is back")
    assert banner.label.textFormat() is Qt.TextFormat.PlainText
    assert banner.label.accessibleDescription() == OFFLINE_TEXT
    # It only tells: it must not take the keys (shown at start it would be the first stop).
    assert banner.label.focusPolicy() is Qt.FocusPolicy.NoFocus
    assert banner.focusPolicy() is Qt.FocusPolicy.NoFocus
    source.move(False)
    assert not banner.is_offline()
    banner.detach()
    assert source.observers == []
    source.move(True)
    assert not banner.is_offline()


def test_an_offline_start_shows_it_at_once(qtbot: QtBot) -> None:
    banner = OfflineBanner(FakeReachability(offline=True))
    qtbot.addWidget(banner)
    assert banner.is_offline()


def test_it_stands_above_the_list_and_the_thread(qtbot: QtBot) -> None:
    source = FakeReachability(offline=True)
    banner = OfflineBanner(source)
    panes = [QLabel(name) for name in ("list", "thread", "composer", "people")]
    window = MainWindow(list_pane=panes[0], thread_pane=panes[1], composer=panes[2],
                        people_panel=panes[3], banner=banner)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert banner.isVisible()
    top = banner.mapTo(window, banner.rect().bottomLeft()).y()
    for pane in panes[:2]:
        assert isinstance(pane, QWidget)
        assert pane.mapTo(window, pane.rect().topLeft()).y() > top
    assert banner.width() >= panes[0].width() + panes[1].width()
    source.move(False)
    assert not banner.isVisible()
