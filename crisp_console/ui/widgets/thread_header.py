"""The thread's header: who the visitor is and where the conversation stands.

Avatar initials, the visitor's name and email, the state pill (pending, unresolved,
resolved), a "Blocked" marker, the assignee and the website. Everything shown comes from the
store and follows it live for the bound conversation. Names and emails are visitor input:
plain-text labels with bidi controls removed. Avatar URLs are not fetched (initials only, as
in the list).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from crisp_console.core import CONVERSATIONS, OPERATORS, Change, ChangeKind, Conversation, Store
from crisp_console.present.avatars import visitor_key
from crisp_console.present.plain import one_line
from crisp_console.ui.delegates import painting as pt
from crisp_console.ui.delegates.conversation import STATE_COLOURS
from crisp_console.ui.fonts import RelativeFonts
from crisp_console.ui.models import display_name
from crisp_console.ui.widgets.collision_label import CollisionLabel
from crisp_console.ui.widgets.elided_label import ElidedLabel

WATCHED = frozenset(("nickname", "email", "state", "assigned", "is_blocked", "website_id",
                     "people_id"))  # people_id: the avatar's colour (present/avatars.py)
STATE_LABELS = {"pending": "Pending", "unresolved": "Unresolved", "resolved": "Resolved"}
BLOCKED_COLOUR = QColor("#d64545")
AVATAR_LINES = 2.1  # the avatar's side in lines of the header's font (36 px at 9 pt)
# Kinds after which the store is consistent (the -ING halves come before the change).
_DONE = frozenset((ChangeKind.CHANGED, ChangeKind.INSERTED, ChangeKind.REMOVED,
                   ChangeKind.RESET))
PAD = 12


def _pill(label: QLabel, text: str, colour: QColor) -> None:
    label.setText(text)
    # Fixed hues shared with the list's state strip; white text reads on all of them.
    sheet = (f"background: {colour.name()}; color: white; border-radius: 8px;"
             " padding: 1px 8px; font-weight: bold;")
    if label.styleSheet() != sheet:  # setting it again re-polishes and relays the header out
        label.setStyleSheet(sheet)
    label.setVisible(bool(text))


class ThreadHeader(QWidget):
    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._session_id: str | None = None
        self._operator_names: Mapping[str, str] = {}
        self._website_labels: Mapping[str, str] = {}
        self._avatar_key = ""
        self._avatar_name = ""
        self._fonts = RelativeFonts(self)

        self.name_label = self._plain(bold=True, scale=1.15, elide=True)
        self.email_label = self._plain(muted=True, elide=True)
        self.email_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.state_pill = self._plain(scale=0.85)
        self.blocked_pill = self._plain(scale=0.85)
        self.assignee_label = self._plain(muted=True, elide=True)
        self.website_label = self._plain(muted=True, elide=True)
        self.collision = CollisionLabel(store)  # "Ana is typing…" (collision_label.py)
        self._fonts.set(self.collision, 0.85, bold=True)  # as it sets itself, but following

        top = QHBoxLayout()
        top.setSpacing(8)
        top.addWidget(self.name_label, 1)
        top.addWidget(self.collision)
        top.addWidget(self.blocked_pill)
        top.addWidget(self.state_pill)
        bottom = QHBoxLayout()
        bottom.setSpacing(12)
        bottom.addWidget(self.email_label, 1)
        bottom.addWidget(self.website_label)
        bottom.addWidget(self.assignee_label)
        column = QVBoxLayout(self)
        self._fonts.on_change(self._sized)
        self._sized(self.font())
        column.setSpacing(2)
        column.addLayout(top)
        column.addLayout(bottom)
        self.setAccessibleName("Conversation header")
        self._unsubscribe: Callable[[], None] | None = store.subscribe(self._on_change)
        self._refresh()

    def bind(self, session_id: str | None) -> None:
        self._session_id = session_id
        self.collision.bind(session_id)
        self._refresh()

    def session_id(self) -> str | None:
        return self._session_id

    def set_operator_names(self, names: Mapping[str, str]) -> None:
        """user_id -> name for the assignee (the store's operators fill in the rest)."""
        self._operator_names = dict(names)
        self._refresh()

    def set_website_labels(self, labels: Mapping[str, str]) -> None:
        """website_id -> short label; a website without one shows nothing."""
        self._website_labels = dict(labels)
        self._refresh()

    def assignee_name(self, user_id: str) -> str:
        name = self._operator_names.get(user_id)
        if not name:
            operator = self._store.operators.get(user_id)
            name = operator.nickname if operator is not None else ""
        return one_line(name, 200) or "another operator"

    def detach(self) -> None:
        self.collision.detach()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def _plain(self, *, bold: bool = False, muted: bool = False, scale: float = 1.0,
               elide: bool = False) -> QLabel:
        label = ElidedLabel() if elide else QLabel()
        label.setTextFormat(Qt.TextFormat.PlainText)  # visitor input: never markup
        self._fonts.set(label, scale, bold=bold)
        if muted:
            label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        if not elide:  # an ElidedLabel takes what is left, elided rather than widening the pane
            label.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Preferred)
        return label

    def _avatar_side(self) -> int:
        return max(28, round(QFontMetrics(self.font()).height() * AVATAR_LINES))

    def _sized(self, _font: QFont) -> None:
        """Room on the left for the avatar, which grows with the font."""
        layout = self.layout()
        if layout is not None:
            layout.setContentsMargins(PAD + self._avatar_side() + 10, 8, PAD, 8)

    def _on_change(self, change: Change) -> None:
        if self._session_id is None or change.kind not in _DONE:
            return
        if change.collection == OPERATORS:
            self._refresh()
        elif change.collection == CONVERSATIONS and change.kind is not ChangeKind.MOVED:
            if not change.concerns(self._session_id) or (
                    change.kind is ChangeKind.CHANGED and not change.fields & WATCHED):
                return  # another conversation, or nothing the header shows
            self._refresh()

    def _refresh(self) -> None:
        conv = self._store.conversations.get(self._session_id or "")
        self._show(conv)
        self.update()

    def _show(self, conv: Conversation | None) -> None:
        if conv is None:
            self._avatar_key = self._avatar_name = ""
            for label in (self.name_label, self.email_label, self.assignee_label,
                          self.website_label):
                label.clear()
            self.name_label.setText("Conversation unavailable" if self._session_id else "")
            _pill(self.state_pill, "", QColor())
            _pill(self.blocked_pill, "", QColor())
            return
        name = one_line(display_name(conv), 200)
        self._avatar_key, self._avatar_name = visitor_key(conv.people_id, conv.session_id), name
        self.name_label.setText(name)
        email = one_line(conv.email, 320)
        self.email_label.setText(email if email != name else "")  # no nickname: name is email
        _pill(self.state_pill, STATE_LABELS.get(conv.state, conv.state.capitalize()),
              STATE_COLOURS.get(conv.state, STATE_COLOURS["resolved"]))
        _pill(self.blocked_pill, "Blocked" if conv.is_blocked else "", BLOCKED_COLOUR)
        self.assignee_label.setText(f"Assigned to {self.assignee_name(conv.assigned)}"
                                    if conv.assigned else "Unassigned")
        self.website_label.setText(one_line(self._website_labels.get(conv.website_id, ""), 80))
        self.setAccessibleDescription(" · ".join(
            part for part in (name, self.email_label.text(), self.state_pill.text(),
                              self.blocked_pill.text(), self.assignee_label.text(),
                              self.website_label.text()) if part))

    # ---- Qt overrides ------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        rule = pt.mix(self.palette().color(QPalette.ColorRole.Window),
                      self.palette().color(QPalette.ColorRole.WindowText), 0.15)
        painter.setPen(rule)
        painter.drawLine(0, self.height() - 1, self.width(), self.height() - 1)
        if self._avatar_key:
            side = self._avatar_side()
            rect = QRect(PAD, (self.height() - side) // 2, side, side)
            pt.draw_avatar(painter, rect, self._avatar_key, self._avatar_name,
                           pt.scaled_font(self.font(), 1.0, bold=True))
        painter.end()
