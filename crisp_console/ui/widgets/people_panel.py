"""The people panel: the visitor's profile next to the thread, fed by the store.

``bind(session_id)`` shows what the store has (identity, context, segments, data, notepad);
``set_details`` adds what the shown panel loaded (people_loads.py: pages, past conversations,
the profile), live events the pages browsed. Store changes of the bound conversation or its
contact re-render only their sections. Edits are requests: the store's answer is shown.
Past conversations are a section of their own (past_conversations.py): the ones the store
lacks are asked for with ``past_wanted``; ``set_lookups`` and ``past_looked_up`` show how
those lookups stand.

A section Crisp refused (``ConversationDetails.denied``) shows the words in its place (the
notepad stands for the profile); parts without a section of their own, under the header.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Mapping
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import QLabel, QScrollArea, QStackedWidget, QVBoxLayout, QWidget

from crisp_console.client import ConversationDetails
from crisp_console.core import CONVERSATIONS, PEOPLE, Change, ChangeKind, Conversation, Store
from crisp_console.core.live import LiveEvent
from crisp_console.present import people_info as info
from crisp_console.present.people_info import DENIED_NAMES, IN_PLACE
from crisp_console.present.plain import one_line, tooltip_html
from crisp_console.present.richtext import allowed_link
from crisp_console.present.timefmt import Clock, system_clock
from crisp_console.ui.fonts import RelativeFonts
from crisp_console.ui.timers import single_shot
from crisp_console.ui.widgets.compact_list import CompactList, Row
from crisp_console.ui.widgets.custom_data_editor import CustomDataEditor
from crisp_console.ui.widgets.elided_label import ElidedLabel
from crisp_console.ui.widgets.notepad_editor import NotepadEditor
from crisp_console.ui.widgets.past_conversations import LookupSource, PastConversations
from crisp_console.ui.widgets.people_contact import ContactParts
from crisp_console.ui.widgets.profile_header import ProfileHeader
from crisp_console.ui.widgets.segment_chips import SegmentChips
from crisp_console.ui.widgets.unavailable_note import UnavailableNote

HEADER_FIELDS = frozenset(("nickname", "email", "avatar", "meta", "people_id", "availability"))
STYLE = """
QLabel[copyable="true"] { border: 1px solid transparent; border-radius: 3px; padding: 0 2px; }
QLabel[copyable="true"]:focus { border-color: palette(highlight); }
QLabel#sectionTitle { color: palette(placeholder-text); }
"""


class PeoplePanel(QWidget):
    """Signals:
    conversation_requested(session_id, website_id): a past conversation was activated.
    past_wanted(website_id, session_ids): past conversations shown that the store lacks.
    segments_edited(session_id, segments): the full new segment list.
    data_edited(session_id, data): the full new custom data.
    notepad_edited(website_id, people_id, text): the contact's notepad.
    link_activated(url): a browsed page to open (http/https only).
    contact_changed(): the bound conversation names another contact (its people_id), or
        Crisp's copy of a new conversation came (its details may be loaded now).
    """

    conversation_requested = Signal(str, str)
    past_wanted = Signal(str, list)
    segments_edited = Signal(str, list)
    data_edited = Signal(str, object)  # a dict; object keeps its key order (not a QVariantMap)
    notepad_edited = Signal(str, str, str)
    link_activated = Signal(str)
    contact_changed = Signal()

    def __init__(self, store: Store, *, clock: Clock = system_clock,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store, self._clock = store, clock
        self._sid: str | None = None
        self._details: ConversationDetails | None = None
        self._loading_now = False  # the extras are being asked for (people_loads.py)
        self._pages: list[info.Page] = []
        self.setStyleSheet(STYLE)
        self._fonts = RelativeFonts(self)
        self._build()
        self._contact = ContactParts(store, self.header, self.notepad, clock)  # its header, notes
        self._minute = single_shot(self, 60_000, self.refresh_clock)
        offs = (store.subscribe(self._on_change), store.subscribe_live(self._on_live))

        def unsubscribe() -> None:
            for off in offs:
                off()

        self._unsubscribe = unsubscribe
        self.destroyed.connect(lambda *_: unsubscribe())
        self._render()

    # ---- API ------------------------------------------------------------------------------

    def bind(self, session_id: str | None) -> None:
        """Show ``session_id``'s visitor (None: the empty state)."""
        if session_id == self._sid:
            self._render()
            return
        self.notepad.save()  # the previous contact's unsaved notes
        self._sid = session_id
        self._details, self._pages = None, []
        self.past_section.bind(session_id)
        self.chips.reset()
        self.data_editor.reset()
        self.set_loading(False)
        self._render()

    def session_id(self) -> str | None:
        return self._sid

    def set_details(self, session_id: str, details: ConversationDetails) -> None:
        if session_id != self._sid:
            return
        self._details = details
        self.loading.hide()
        self._pages = info.merge_pages(self._pages, info.pages_from(details.pages))
        self.past_section.set_ids(details.past_conversations)
        self._render()

    def set_loading(self, loading: bool) -> None:
        self._loading_now = loading and self._sid is not None
        self.loading.setVisible(self._loading_now)
        self._render_notepad()  # "loading" only while it is: offline it says so instead

    def set_lookups(self, source: LookupSource) -> None:
        """Where the past conversations the store lacks read their lookups (client.past)."""
        self.past_section.set_lookups(source)

    def past_looked_up(self, session_ids: Collection[str]) -> None:
        """The lookups of those past conversations changed."""
        self.past_section.looked_up(session_ids)

    def refresh_clock(self) -> None:
        """Local time and relative dates (the minute timer calls it)."""
        self._render_context()
        self._render_pages()
        self.past_section.refresh()
        self._past_title()
        if self._sid is not None:
            self._minute.start(60_000 - self._clock() % 60_000 + 50)

    def detach(self) -> None:
        """Stop listening to the store (before it goes away)."""
        self._unsubscribe()
        self._minute.stop()

    # ---- building -------------------------------------------------------------------------

    def _build(self) -> None:
        self.empty = QLabel("No conversation selected", self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(6)
        self.loading = QLabel("Loading profile…", body)
        self.loading.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.loading.hide()
        self.header = ProfileHeader(body)
        self.pages = CompactList("pages", parent=body, actions=(
            ("Open page", self._open_page), ("Copy link", self._copy_link)))
        self.pages.item_requested.connect(self._open_page)
        self.chips = SegmentChips(body)
        self.chips.set_completion_source(lambda: info.known_segments(
            self._store.conversations.values(), self._store.people.values()))
        self.chips.segments_edited.connect(self._segments_edited)
        self.data_editor = CustomDataEditor(body)
        self.data_editor.data_edited.connect(self._data_edited)
        self.notepad = NotepadEditor(body)
        self.notepad.save_requested.connect(self._notepad_saved)
        self.past_section = PastConversations(self._store, clock=self._clock, parent=body)
        self.past_section.conversation_requested.connect(self.conversation_requested)
        self.past_section.wanted.connect(self.past_wanted)
        self.past = self.past_section.list
        self.titles: dict[str, QLabel] = {}
        self.placeholders: dict[str, QLabel] = {"past": self.past_section.placeholder}
        self.denied = {section: UnavailableNote(name, body)
                       for section, name in DENIED_NAMES.items()}
        layout.addWidget(self.loading)
        layout.addWidget(self.header)
        for section in ("events", "data", "person_events"):
            layout.addWidget(self.denied[section])
        for key, title, widget in (
                ("pages", "Pages browsed", self.pages), ("segments", "Segments", self.chips),
                ("data", "Custom data", self.data_editor), ("notepad", "Notepad", self.notepad),
                ("past", "Past conversations", self.past)):
            widget.setAccessibleName(title)
            self.titles[key] = heading = ElidedLabel(title.upper(), body)  # a narrow panel
            heading.setObjectName("sectionTitle")
            self._fonts.set(heading, 0.8, bold=True)
            layout.addSpacing(8)
            layout.addWidget(heading)
            layout.addWidget(self.past_section if key == "past" else widget)
            if key == "pages":
                self.placeholders[key] = none = QLabel("None yet", body)
                none.setForegroundRole(QPalette.ColorRole.PlaceholderText)
                layout.addWidget(none)
            if key in IN_PLACE:
                layout.addWidget(self.denied[IN_PLACE[key]])
        layout.addStretch(1)
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setWidget(body)
        self.scroll_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # it follows the focused field
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.scroll_area)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)
        # Top to bottom, whatever order the widgets were made in (the chips slot in before
        # the add field as they come and go).
        editor, d = self.data_editor, self.denied
        order = [*self.header.focus_order(), d["events"], d["data"], d["person_events"],
                 self.pages, d["pages"], self.chips.add_edit, editor.table, editor.key_edit,
                 editor.value_edit, editor.add_button, self.notepad.editor, d["profile"],
                 self.past, self.past_section.more, d["past_conversations"]]
        for first, second in itertools.pairwise(order):
            QWidget.setTabOrder(first, second)

    # ---- rendering ------------------------------------------------------------------------

    def _conv(self) -> Conversation | None:
        return self._store.conversations.get(self._sid) if self._sid else None

    def _render(self) -> None:
        conv = self._conv()
        if conv is None:
            self.empty.setText("No conversation selected" if self._sid is None
                               else "This conversation is no longer available")
            self.stack.setCurrentWidget(self.empty)
            self._minute.stop()
            return
        self.stack.setCurrentWidget(self.scroll_area)
        self._render_denied()
        self._render_header()
        self.chips.set_segments(conv.segments)
        self.data_editor.set_data(conv.data)
        self._render_notepad()
        self.refresh_clock()

    def _refused(self) -> Mapping[str, str]:
        return self._details.denied if self._details is not None else {}

    def _render_denied(self) -> None:
        refused = self._refused()
        for section, note in self.denied.items():
            note.say(refused.get(section, ""))
        for key, widget in (("pages", self.pages), ("notepad", self.notepad),
                            ("past", self.past_section)):
            widget.setVisible(IN_PLACE[key] not in refused)

    def _render_header(self) -> None:
        conv = self._conv()
        if conv is None:
            return
        self._contact.show_identity(conv, self._details)
        self._render_context()

    def _render_context(self) -> None:
        conv = self._conv()
        if conv is not None:
            self._contact.show_context(conv, self._details)

    def _render_pages(self) -> None:
        now = self._clock()
        rows: list[Row] = []
        for page in self._pages:
            title, line = info.page_lines(page, now)
            tip = [title, one_line(page.url, 2000)]
            if page.referrer:
                tip.append(f"From {one_line(page.referrer, 2000)}")
            rows.append((f"{title}\n{line}", page.url, tooltip_html("\n".join(tip))))
        self.pages.set_rows(rows)
        self.placeholders["pages"].setVisible(not rows and "pages" not in self._refused())
        self.titles["pages"].setText(f"PAGES BROWSED ({len(rows)})" if rows else "PAGES BROWSED")

    def _past_title(self) -> None:
        count = self.past_section.total()
        self.titles["past"].setText(f"PAST CONVERSATIONS ({count})" if count
                                    else "PAST CONVERSATIONS")

    def _render_notepad(self) -> None:
        self._contact.show_notepad(self._conv(), self._loading_now)

    # ---- reactions ------------------------------------------------------------------------

    def _on_change(self, change: Change) -> None:
        if self._sid is None:
            return
        self.past_section.on_change(change)
        if change.collection == PEOPLE:
            conv = self._conv()
            # Its contact, and something the panel shows of it.
            if conv is not None and conv.people_id and change.concerns(conv.people_id) \
                    and self._contact.changed(conv):
                self._render_header()
                self._render_notepad()
        elif change.collection != CONVERSATIONS:
            return
        elif change.kind is ChangeKind.CHANGED:
            if change.concerns(self._sid):
                self._conversation_changed(change.fields)
        elif change.kind in (ChangeKind.INSERTED, ChangeKind.REMOVED, ChangeKind.RESET) \
                and change.concerns(self._sid):  # a RESET concerns it too
            self._render()  # the bound conversation came or went

    def _on_live(self, event: LiveEvent) -> None:
        """Pages the bound visitor browses, live (the store does not keep them)."""
        if event.pages and event.session_id == self._sid:
            pages = [info.Page(p.title, p.url, p.referrer, p.timestamp) for p in event.pages]
            self._pages = info.merge_pages(self._pages, pages)
            self._render_pages()

    def _conversation_changed(self, fields: frozenset[str]) -> None:
        conv = self._conv()
        if conv is None:
            return
        if fields & HEADER_FIELDS:
            self._render_header()
        described = self._contact.shown_new and not self._store.is_provisional(conv.session_id)
        if "people_id" in fields or described:  # described: Crisp's copy of a new one came
            self._render_notepad()
            self.contact_changed.emit()
        if "segments" in fields:
            self.chips.set_segments(conv.segments)
        if "data" in fields:
            self.data_editor.set_data(conv.data)

    def _segments_edited(self, segments: list[str]) -> None:
        if self._sid is not None:
            self.segments_edited.emit(self._sid, segments)

    def _data_edited(self, data: dict[str, Any]) -> None:
        if self._sid is not None:
            self.data_edited.emit(self._sid, data)

    def _notepad_saved(self, text: str) -> None:
        target = self._contact.note_target
        if target is not None:
            self.notepad_edited.emit(*target, text)

    def _open_page(self, url: str) -> None:
        if allowed_link(url) and url.lower().startswith(("http://", "https://")):
            self.link_activated.emit(url)

    def _copy_link(self, url: str) -> None:
        QGuiApplication.clipboard().setText(url)

    # ---- Qt overrides ---------------------------------------------------------------------

    def minimumSizeHint(self) -> QSize:
        # The content's minimum beside the scroll bar: else the splitter may cut its edge off.
        hint, body = super().minimumSizeHint(), self.scroll_area.widget()
        bar = self.scroll_area.verticalScrollBar().sizeHint().width()
        least = (body.minimumSizeHint().width() if body is not None else 0) + bar + 2
        return QSize(max(hint.width(), least), hint.height())
