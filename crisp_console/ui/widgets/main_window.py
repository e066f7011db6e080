"""The console window: list | thread over composer | people panel, with menus and a toolbar.

The window only lays the panes out and remembers their sizes; what the panes do is wired by
ui/controller.py. Menus and the toolbar carry the registry's QActions, so every action has one
title, one shortcut and one handler wherever it is shown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QByteArray, QEvent, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QFont, QFontMetrics, QIcon, QShowEvent
from PySide6.QtWidgets import (
    QMainWindow,
    QMenu,
    QSplitter,
    QStatusBar,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from crisp_console.present.labels import window_title
from crisp_console.present.pane_sizes import fit, in_lines
from crisp_console.ui.commands import CommandRegistry
from crisp_console.ui.default_commands import (
    ACCOUNT,
    APPLICATION,
    COMPOSER,
    CONVERSATION,
    HELP,
    NAVIGATION,
    THREAD,
    VIEWS,
)
from crisp_console.ui.fonts import RelativeFonts

TITLE = "crisp-console"
CONSOLE_MENU = "&Console"
# Menu bar: (menu title, registry categories it lists).
MENUS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (CONSOLE_MENU, (APPLICATION, ACCOUNT)),
    ("&Go", (NAVIGATION, THREAD)),
    ("&View", (VIEWS,)),
    ("C&onversation", (CONVERSATION,)),
    ("&Reply", (COMPOSER,)),
    ("&Help", (HELP,)),
)
# Short labels for the toolbar's buttons (menus and the palette keep the full titles).
TOOLBAR_LABELS = {"conversation.resolve": "Resolve", "conversation.assign": "Assign…",
                  "conversation.segments": "Segments…", "conversation.remind": "Remind…",
                  "conversation.mark_unread": "Unread", "composer.toggle_note": "Note",
                  "app.palette": "Search"}
TOOLBAR = ("conversation.resolve", "conversation.reopen", "conversation.assign",
           "conversation.assign_to_me", "conversation.segments", "conversation.remind",
           "conversation.mark_unread", "composer.toggle_note", "app.palette")
DEFAULT_SIZES = (340, 640, 300)
COMPOSER_HEIGHT = 170


class MainWindow(QMainWindow):
    """Signals:
    close_requested: the user asked to quit; the app runs its async teardown, then exits.
    active_changed(bool): the window gained or lost activation (mark-read, notifications).
    """

    close_requested = Signal()
    active_changed = Signal(bool)

    def __init__(self, *, list_pane: QWidget, thread_pane: QWidget, composer: QWidget,
                 people_panel: QWidget, status_bar: QStatusBar | None = None,
                 settings: QSettings | None = None, icon: QIcon | None = None,
                 banner: QWidget | None = None) -> None:
        """``banner``: a strip above the panes (the offline banner), hidden until it speaks."""
        super().__init__()
        self.setObjectName("ConsoleWindow")
        self.setWindowTitle(TITLE)
        if icon is not None:
            self.setWindowIcon(icon)
        self.list_pane, self.thread_pane = list_pane, thread_pane
        self.composer, self.people_panel = composer, people_panel
        self._settings = settings
        self.middle = QSplitter(Qt.Orientation.Vertical)
        self.middle.setObjectName("middleSplitter")
        self.middle.addWidget(thread_pane)
        self.middle.addWidget(composer)
        self.middle.setStretchFactor(0, 1)
        self.middle.setCollapsible(0, False)
        self.middle.setCollapsible(1, False)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        for pane in (list_pane, self.middle, people_panel):
            self.splitter.addWidget(pane)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setCollapsible(0, False)
        self.splitter.setCollapsible(1, False)
        self.splitter.setChildrenCollapsible(False)
        if banner is None:
            self.setCentralWidget(self.splitter)
        else:
            central = QWidget()
            column = QVBoxLayout(central)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(0)
            column.addWidget(banner)
            column.addWidget(self.splitter, 1)
            self.setCentralWidget(central)
        if status_bar is not None:
            self.setStatusBar(status_bar)
        self.menus: dict[str, QMenu] = {}  # by title (CONSOLE_MENU): others add their lines
        self.toolbar = QToolBar("Conversation actions")
        self.toolbar.setObjectName("actionsToolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)
        self.resize(1280, 800)
        self.splitter.setSizes(list(DEFAULT_SIZES))
        self._restored_middle = self._restored_sizes = False
        # The side panes' and the reply box's sizes in lines of text, so that they keep their
        # characters when the font size changes: known from the first show, then from each
        # drag of a splitter. The defaults are made for the font the window starts with.
        self._made_for = self._line_now = QFontMetrics(self.font()).height()
        self._lines: list[float] | None = None
        self._middle_lines: list[float] | None = None
        self.restore_state()
        self.splitter.splitterMoved.connect(self._remember_lines)
        self.middle.splitterMoved.connect(self._remember_lines)
        RelativeFonts(self).on_change(self._font_changed)

    # ---- actions ---------------------------------------------------------------------------

    def install_actions(self, registry: CommandRegistry, actions: Mapping[str, QAction],
                        toolbar: Sequence[str] = TOOLBAR) -> None:
        """Menus by registry category and the toolbar, from the registry's QActions."""
        bar = self.menuBar()
        bar.clear()
        self.menus = {}
        for title, categories in MENUS:
            menu = self.menus[title] = bar.addMenu(title)
            for cid, action in actions.items():
                command = registry.get(cid)
                if command.category in categories and command.listed_in_palette:
                    menu.addAction(action)
        self.toolbar.clear()
        for cid in toolbar:
            if cid in actions:
                action = actions[cid]
                action.setIconText(TOOLBAR_LABELS.get(cid, action.text()))
                self.toolbar.addAction(action)

    def conversation_menu(self, actions: Mapping[str, QAction], ids: Sequence[str]) -> QMenu:
        menu = QMenu(self)
        for cid in ids:
            if cid == "-":
                menu.addSeparator()
            elif cid in actions:
                menu.addAction(actions[cid])
        return menu

    # ---- panes -----------------------------------------------------------------------------

    def place(self, *, thread_pane: QWidget, composer: QWidget, people_panel: QWidget) -> None:
        """The panes built after the first frame, in the places their stand-ins held: the
        splitters keep their sizes (window.ini's), the people panel its hidden state."""
        hidden = self.people_panel.isHidden()
        for splitter, index, pane, old in ((self.middle, 0, thread_pane, self.thread_pane),
                                           (self.middle, 1, composer, self.composer),
                                           (self.splitter, 2, people_panel, self.people_panel)):
            if pane is not old:
                splitter.replaceWidget(index, pane)
                old.deleteLater()
        self.thread_pane, self.composer, self.people_panel = thread_pane, composer, people_panel
        people_panel.setHidden(hidden)

    def people_visible(self) -> bool:
        return not self.people_panel.isHidden()

    def toggle_people_panel(self) -> None:
        self.people_panel.setVisible(self.people_panel.isHidden())

    def set_unread(self, unread: int) -> None:
        self.setWindowTitle(window_title(TITLE, unread))

    # ---- state -----------------------------------------------------------------------------

    def save_state(self) -> None:
        s = self._settings
        if s is None:
            return
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/splitter", self.splitter.saveState())
        s.setValue("window/middle", self.middle.saveState())
        s.setValue("window/people", self.people_visible())
        s.sync()

    def restore_state(self) -> None:
        s = self._settings
        if s is None:
            return
        # Each value is checked: a corrupt or foreign settings file must not break the layout.
        geometry = s.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        for key, splitter in (("window/splitter", self.splitter), ("window/middle", self.middle)):
            value = s.value(key)
            if isinstance(value, QByteArray) and splitter.restoreState(value):
                self._restored_middle |= splitter is self.middle
                self._restored_sizes |= splitter is self.splitter
        people = s.value("window/people")
        if people in ("false", False):
            self.people_panel.hide()

    def _line(self) -> int:
        return QFontMetrics(self.font()).height()

    def _remember_lines(self) -> None:
        line = self._line_now = self._line()
        self._lines = in_lines(self.splitter.sizes(), line)
        self._middle_lines = in_lines(self.middle.sizes(), line)

    def _fit(self, splitter: QSplitter, lines: list[float], line: int, flexible: int,
             min_share: float) -> None:
        sizes = splitter.sizes()
        # A hidden pane stays at 0; one shown since the lines were taken counts as it is now.
        wanted = [0.0 if size == 0 else (n or size / self._line_now)
                  for n, size in zip(lines, sizes, strict=True)]
        splitter.setSizes(fit(sum(sizes), wanted, line, flexible=flexible,
                              min_share=min_share))

    def _font_changed(self, font: QFont) -> None:
        """The side panes and the reply box keep their characters and lines: they grow with
        the text, and the thread gives the room (present/pane_sizes.py). Before the first
        show, showEvent does it."""
        if self._lines is None or self._middle_lines is None:
            return
        line = QFontMetrics(font).height()
        self._fit(self.splitter, self._lines, line, 1, 0.4)
        self._fit(self.middle, self._middle_lines, line, 0, 0.6)
        self._line_now = line

    # ---- Qt overrides ----------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._lines is None:
            # The defaults were made for the font at start; a saved layout for this one.
            made_for = self._line() if self._restored_sizes else self._made_for
            self._lines = in_lines(self.splitter.sizes(), made_for)
            self.splitter.setSizes(fit(sum(self.splitter.sizes()), self._lines, self._line(),
                                       flexible=1))
        if not self._restored_middle:
            # First run: the reply box gets a few lines, the thread the rest. Done once the
            # window has its real height; the operator's own split is remembered after that.
            self._restored_middle = True
            height = self.middle.height()
            composer = max(round(COMPOSER_HEIGHT * self._line() / self._made_for),
                           self.composer.minimumSizeHint().height())
            self.middle.setSizes([max(height - composer, 1), composer])
        if self._middle_lines is None:
            self._middle_lines = in_lines(self.middle.sizes(), self._line())
        self._line_now = self._line()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.ActivationChange:
            self.active_changed.emit(self.isActiveWindow())
        super().changeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        # Quitting needs async teardown first (sockets, HTTP); app.py closes us afterwards.
        event.ignore()
        self.save_state()
        self.close_requested.emit()
