"""The keymap editor: every command with its shortcuts; record, unbind or reset one, with the
conflicts shown before anything is applied.

Edits are pending until ``apply()`` (the preferences dialog's Save) writes them into the
registry, so Cancel leaves the bindings as they were.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QKeySequenceEdit,
    QLabel,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crisp_console.ui.commands import CommandRegistry
from crisp_console.ui.shortcuts import (
    ShortcutError,
    chords_collide,
    contexts_overlap,
    sequence_chords,
)
from crisp_console.ui.widgets.tables import row_table

_PORTABLE = QKeySequence.SequenceFormat.PortableText
_NATIVE = QKeySequence.SequenceFormat.NativeText
ID_ROLE = Qt.ItemDataRole.UserRole + 1
RESET = None  # pending value meaning "back to the defaults"


class KeymapEditor(QWidget):
    def __init__(self, registry: CommandRegistry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.registry = registry
        self._pending: dict[str, tuple[str, ...] | None] = {}
        self.table = row_table(self, ["Command", "Shortcuts"], name="Keyboard shortcuts")
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.recorder = QKeySequenceEdit(self)
        self.recorder.setMaximumSequenceLength(1)
        self.recorder.setAccessibleName("New shortcut")
        self.recorder.setToolTip("Focus here and press the new shortcut, then Set")
        self.set_button = QPushButton("&Set", self)
        self.unbind_button = QPushButton("&Unbind", self)
        self.reset_button = QPushButton("&Reset", self)
        self.reset_all_button = QPushButton("Reset &all", self)
        self.message = QLabel(self)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.recorder, 1)
        for button in (self.set_button, self.unbind_button, self.reset_button,
                       self.reset_all_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        self.set_button.clicked.connect(self._set_recorded)
        self.unbind_button.clicked.connect(lambda: self._change(()))
        self.reset_button.clicked.connect(lambda: self._change(RESET))
        self.reset_all_button.clicked.connect(self.reset_all)
        self._fill()
        if self.table.rowCount():
            self.table.selectRow(0)

    # ---- reading -----------------------------------------------------------------------------

    def effective(self, command_id: str) -> tuple[str, ...]:
        if command_id in self._pending:
            pending = self._pending[command_id]
            return self.registry.get(command_id).default_shortcuts if pending is None \
                else pending
        return self.registry.shortcuts(command_id)

    def pending(self) -> dict[str, tuple[str, ...] | None]:
        return dict(self._pending)

    def current_id(self) -> str | None:
        item = self.table.item(self.table.currentRow(), 0)
        return None if item is None else str(item.data(ID_ROLE))

    def conflicts_for(self, command_id: str, sequence: str) -> list[str]:
        """Titles of the commands that already use ``sequence`` where it would also act."""
        context = self.registry.get(command_id).context
        chords = sequence_chords(sequence)
        return [other.title for other in self.registry.all()
                if other.id != command_id and contexts_overlap(context, other.context)
                and any(chords_collide(chords, sequence_chords(bound))
                        for bound in self.effective(other.id))]

    # ---- editing -----------------------------------------------------------------------------

    def select(self, command_id: str) -> None:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None and item.data(ID_ROLE) == command_id:
                self.table.selectRow(row)
                return

    def record(self, sequence: str) -> bool:
        """Bind the selected command to ``sequence`` (as Set does); False if refused."""
        cid = self.current_id()
        if cid is None:
            return False
        try:
            canonical = self.registry.validate_shortcut(cid, sequence)
        except ShortcutError as exc:
            self.message.setText(f"Not allowed: {exc}")
            return False
        clashes = self.conflicts_for(cid, canonical)
        if clashes:
            self.message.setText(f"{canonical} is already used by: {', '.join(clashes)}. "
                                 "Unbind it there first.")
            return False
        self._change((canonical,))
        return True

    def reset_all(self) -> None:
        for command in self.registry.all():
            if self.registry.is_overridden(command.id) or command.id in self._pending:
                self._pending[command.id] = RESET
        self._fill()
        self.message.setText("Every shortcut is back to its default (Save to keep it).")

    def apply(self) -> None:
        """Write the pending edits into the registry (Save)."""
        for cid, value in self._pending.items():
            if value is RESET:
                self.registry.reset_shortcuts(cid)
            else:
                self.registry.set_shortcuts(cid, value)
        self._pending.clear()

    def _set_recorded(self) -> None:
        sequence = self.recorder.keySequence().toString(_PORTABLE)
        if not sequence:
            self.message.setText("Press the new shortcut in the box first.")
            return
        if self.record(sequence):
            self.recorder.clear()

    def _change(self, value: tuple[str, ...] | None) -> None:
        cid = self.current_id()
        if cid is None:
            return
        self._pending[cid] = value
        row = self.table.currentRow()
        self._fill()
        self.table.selectRow(row)
        title = self.registry.get(cid).title
        shown = self._shown(cid) or "no shortcut"
        self.message.setText(f"{title}: {shown} (Save to keep it).")

    def _shown(self, command_id: str) -> str:
        return ", ".join(QKeySequence.fromString(k, _PORTABLE).toString(_NATIVE)
                         for k in self.effective(command_id))

    def _fill(self) -> None:
        commands = [c for c in self.registry.all() if c.alias_of is None or c.context == "list"]
        self.table.setRowCount(len(commands))
        for row, command in enumerate(commands):
            title = QTableWidgetItem(command.title)
            title.setData(ID_ROLE, command.id)
            title.setToolTip(command.id)
            keys = QTableWidgetItem(self._shown(command.id))
            changed = command.id in self._pending or self.registry.is_overridden(command.id)
            font = keys.font()
            font.setBold(changed)
            keys.setFont(font)
            self.table.setItem(row, 0, title)
            self.table.setItem(row, 1, keys)
