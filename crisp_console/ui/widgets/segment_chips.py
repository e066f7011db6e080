"""Segments as chips that wrap over lines, plus an "Add segment" field with completion.

The widget never changes its own list: it asks (``segments_edited`` with the full new list)
and re-renders when the store answers (``set_segments``). Edits made before the answer
arrives build on the list last asked for (people_info.Pending), so quick successive removals
don't undo each other.

Keyboard: each chip is a Tab stop; Delete or Backspace removes the focused chip, Left/Right
move between chips, Backspace in the empty add field goes to the last chip. Enter in the add
field adds what it holds (comma-separated names add several).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QObject, QPoint, QSize, QStringListModel, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QKeyEvent, QMouseEvent, QPalette
from PySide6.QtWidgets import (
    QCompleter,
    QLineEdit,
    QMenu,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
    QWidgetItem,
)

from crisp_console.present.people_info import (
    MAX_SEGMENT,
    Pending,
    split_segments,
    with_segments,
)
from crisp_console.present.plain import no_mnemonic, one_line, tooltip_html
from crisp_console.ui.widgets.flow_layout import FlowLayout
from crisp_console.ui.widgets.profile_header import icon_pixmap

CHIP_CHARS = 32  # of a segment's name on its chip; the tooltip has it all
REMOVE_KEYS = (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)
SEGMENT = "segment"  # chip property: its segment's name

STYLE = """
QToolButton#segmentChip {
    border: 1px solid palette(mid);
    border-radius: 10px;
    padding: 1px 4px 1px 8px;
    background: palette(alternate-base);
}
QToolButton#segmentChip:hover { border-color: palette(dark); }
QToolButton#segmentChip:focus { border: 1px solid palette(highlight); background: palette(base); }
"""


def close_icon(colour: QColor, ratio: float, size: int = 12) -> QIcon:
    """A small cross: the chip's remove mark."""
    pixmap, painter = icon_pixmap(size, ratio)
    pen = painter.pen()
    pen.setColor(colour)
    pen.setWidthF(1.4)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    inset = size * 0.25
    painter.drawLine(QPoint(round(inset), round(inset)),
                     QPoint(round(size - inset), round(size - inset)))
    painter.drawLine(QPoint(round(size - inset), round(inset)),
                     QPoint(round(inset), round(size - inset)))
    painter.end()
    return QIcon(pixmap)


class SegmentChips(QWidget):
    """Signals:
    segments_edited(list): the full new segment list the user asks for.
    """

    segments_edited = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(STYLE)
        self.chips: list[QToolButton] = []
        self._shown: list[str] = []
        self._pending: Pending[list[str]] = Pending()
        self._focus_after: int | None = None  # chip to focus once a removal shows
        self._completions: Callable[[], Sequence[str]] = list
        self._chip_box = QWidget(self)
        self._flow = FlowLayout(self._chip_box)
        self.add_edit = QLineEdit(self)
        self.add_edit.setObjectName("addSegment")
        self.add_edit.setPlaceholderText("Add segment…")
        self.add_edit.setAccessibleName("Add segment")
        self.add_edit.setMaxLength(MAX_SEGMENT * 8)
        self.add_edit.setClearButtonEnabled(True)
        self._model = QStringListModel(self)
        completer = QCompleter(self._model, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.add_edit.setCompleter(completer)
        self.add_edit.returnPressed.connect(self._add_typed)
        self.add_edit.installEventFilter(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self._chip_box)
        layout.addWidget(self.add_edit)
        self._close = close_icon(self.palette().color(QPalette.ColorRole.ButtonText),
                                 self.devicePixelRatioF())

    # ---- content --------------------------------------------------------------------------

    def set_segments(self, segments: Sequence[str]) -> None:
        """Show the store's list (rebuilt only when it differs)."""
        names = list(segments)
        self._pending.seen(names)
        if names == self._shown:
            return
        focused = next((i for i, chip in enumerate(self.chips) if chip.hasFocus()), None)
        focused_name = self._shown[focused] if focused is not None else None
        self._shown = names
        for chip in self.chips:
            self._flow.removeWidget(chip)
            chip.hide()
            chip.setParent(None)  # out of the focus chain now, not at the next event loop pass
            chip.deleteLater()
        self.chips = [self._make_chip(name) for name in names]
        self._chip_box.setVisible(bool(names))
        # New widgets join the end of the window's focus chain: put the chips where Tab
        # expects them, just before the add field.
        previous = self.add_edit.previousInFocusChain()
        while previous is not None and previous is not self.add_edit and not (
                previous.focusPolicy() & Qt.FocusPolicy.TabFocus):
            previous = previous.previousInFocusChain()  # Qt orders Tab stops only
        if previous is self.add_edit:
            previous = None  # nothing else takes Tab focus in this window
        for chip in self.chips:
            self._flow.addItem(QWidgetItem(chip))
            if previous is not None:
                QWidget.setTabOrder(previous, chip)
            previous = chip
            chip.show()  # children added to a shown parent stay hidden until shown
        self._chip_box.updateGeometry()
        if focused is not None:
            self._restore_focus(focused, focused_name)

    def segments(self) -> list[str]:
        return list(self._shown)

    def reset(self) -> None:
        """Forget edits in flight and the typed text (another conversation now)."""
        self._pending.clear()
        self._focus_after = None
        self.add_edit.clear()

    def set_completion_source(self, source: Callable[[], Sequence[str]]) -> None:
        """Where the add field's completions come from; read when it gets focus."""
        self._completions = source

    def remove(self, name: str) -> None:
        base = self._pending.base(self._shown)
        if name in base:
            self._ask([s for s in base if s != name])

    def add(self, names: Sequence[str]) -> None:
        base = self._pending.base(self._shown)
        wanted = with_segments(base, names)
        if wanted != base:
            self._ask(wanted)

    # ---- internals ------------------------------------------------------------------------

    def _ask(self, segments: list[str]) -> None:
        self._pending.sent(segments)
        self.segments_edited.emit(segments)

    def _add_typed(self) -> None:
        names = split_segments(self.add_edit.text())
        if names:
            self.add(names)
            self.add_edit.clear()

    def _make_chip(self, name: str) -> QToolButton:
        chip = QToolButton(self._chip_box)
        chip.setObjectName("segmentChip")
        chip.setProperty(SEGMENT, name)
        shown = one_line(name, CHIP_CHARS + 1)
        chip.setText(no_mnemonic(shown if len(shown) <= CHIP_CHARS
                                 else shown[:CHIP_CHARS - 1] + "…"))
        chip.setIcon(self._close)
        chip.setIconSize(QSize(12, 12))
        chip.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        # Right to left puts the remove mark after the name (the name keeps its own direction).
        chip.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        chip.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        chip.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        chip.setToolTip(tooltip_html(f"{name}\n\nDelete removes this segment."))
        chip.setAccessibleName(f"Segment {one_line(name, 100)}")
        chip.setAccessibleDescription("Press Delete to remove")
        # A QToolButton's own actions would turn into a drop-down menu: build the menu on demand.
        chip.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        chip.customContextMenuRequested.connect(lambda pos: self._chip_menu(chip, pos))
        chip.installEventFilter(self)
        return chip

    def _chip_menu(self, chip: QToolButton, pos: QPoint) -> None:
        name = str(chip.property(SEGMENT))
        menu = QMenu(chip)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.addAction("Remove segment", lambda: self._remove_chip(chip))
        menu.addAction("Copy", lambda: QGuiApplication.clipboard().setText(name))
        menu.popup(chip.mapToGlobal(pos))

    def _remove_chip(self, chip: QToolButton) -> None:
        if chip.hasFocus() and chip in self.chips:
            self._focus_after = self.chips.index(chip)
        self.remove(str(chip.property(SEGMENT)))

    def _restore_focus(self, focused: int, name: str | None) -> None:
        """Keep the keyboard where it was: on the neighbour of a chip just removed, else on
        the same segment (or the same place) in the new list."""
        index, self._focus_after = self._focus_after, None
        if index is None:
            index = self._shown.index(name) if name in self._shown else focused
        if self.chips:
            self.chips[min(index, len(self.chips) - 1)].setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.add_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _chip_key(self, chip: QToolButton, event: QKeyEvent) -> bool:
        key = event.key()
        if key in REMOVE_KEYS:
            self._remove_chip(chip)
            return True
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right) and chip in self.chips:
            step = 1 if key == Qt.Key.Key_Right else -1
            index = self.chips.index(chip) + step
            if 0 <= index < len(self.chips):
                self.chips[index].setFocus(Qt.FocusReason.TabFocusReason)
            elif index >= len(self.chips):
                self.add_edit.setFocus(Qt.FocusReason.TabFocusReason)
            return True
        return False

    def _on_close_mark(self, chip: QToolButton, pos: QPoint) -> bool:
        """Whether a click at ``pos`` hit the chip's remove mark (drawn at its right end)."""
        return pos.x() >= chip.width() - chip.iconSize().width() - 10

    # ---- Qt overrides ---------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if isinstance(watched, QToolButton) and watched in self.chips:
            if kind == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) \
                    and event.key() in REMOVE_KEYS:
                event.accept()  # our key while a chip has focus, whatever the window binds
                return True
            if kind == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
                return self._chip_key(watched, event)
            if kind == QEvent.Type.MouseButtonRelease and isinstance(event, QMouseEvent) \
                    and event.button() == Qt.MouseButton.LeftButton \
                    and self._on_close_mark(watched, event.position().toPoint()):
                self._remove_chip(watched)
                return True
        elif watched is self.add_edit:
            if kind == QEvent.Type.FocusIn:
                self._model.setStringList([s for s in self._completions()
                                           if s not in self._shown])
            elif kind == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                    and event.key() == Qt.Key.Key_Backspace and not self.add_edit.text() \
                    and self.chips:
                self.chips[-1].setFocus(Qt.FocusReason.BacktabFocusReason)
                return True
        return super().eventFilter(watched, event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self._close = close_icon(self.palette().color(QPalette.ColorRole.ButtonText),
                                     self.devicePixelRatioF())
            for chip in self.chips:
                chip.setIcon(self._close)
        super().changeEvent(event)
