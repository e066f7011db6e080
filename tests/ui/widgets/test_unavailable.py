"""Features Crisp refused (403: the token lacks a scope) say so where they live, in words a
keyboard user can reach: the list of a refused website, the people panel's sections, the
thread of refused messages, the team's canned responses (the `!` popup and the editor), the
assignment picker. The rest of each pane works as usual. Stores are built from payload
factories; the end-to-end tests (tests/e2e/test_denied.py) revoke real scopes."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from crisp_console.client import ConversationDetails
from crisp_console.client.tasks import TaskOwner
from crisp_console.core import Store
from crisp_console.errors import NotAllowedError
from crisp_console.present.canned import CannedResponse
from crisp_console.present.filters import Filter
from crisp_console.ui.widgets.canned_editor import CannedEditorDialog
from crisp_console.ui.widgets.command_palette import CommandPalette
from crisp_console.ui.widgets.list_pane import UNAVAILABLE_TEXT, ListPane
from crisp_console.ui.widgets.people_panel import PeoplePanel
from crisp_console.ui.widgets.thread_pane import ThreadPane
from crisp_console.ui.widgets.unavailable_note import UnavailableNote
from tests.core import factories as f
from tests.present.seeded import SITES, seeded_store
from tests.ui.hostile import HOSTILE
from tests.ui.widgets.composer_helpers import Make, composer_factory
from tests.ui.widgets.list_pane_helpers import make_pane
from tests.ui.widgets.test_command_palette import registry
from tests.ui.widgets.test_people_panel import SID, build_store
from tests.ui.widgets.test_thread_pane import pump, thread_store

REFUSED = "Crisp does not allow this token to list the conversations of Acme (not_allowed, 403)"
SECTIONS = ("messages", "pages", "events", "profile", "data", "person_events",
            "past_conversations")


def tab_chain(start: QWidget, steps: int = 30) -> list[QWidget]:
    """The widgets Tab reaches from ``start``, in order (Qt's own focus chain)."""
    chain: list[QWidget] = []
    widget = start.nextInFocusChain()
    while widget is not start and len(chain) < steps:
        if widget.isVisibleTo(start.window()) and widget.focusPolicy() & Qt.FocusPolicy.TabFocus \
                and widget.isEnabled():
            chain.append(widget)
        widget = widget.nextInFocusChain()
    return chain


def assert_readable(note: UnavailableNote, words: str) -> None:
    """Shown, plain text, and reachable and selectable from the keyboard."""
    assert note.isVisibleTo(note.window()) and note.text() == words
    assert note.textFormat() is Qt.TextFormat.PlainText
    assert note.focusPolicy() & Qt.FocusPolicy.TabFocus
    assert note.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByKeyboard
    assert note.accessibleDescription() == words


# ---- the list ----------------------------------------------------------------------------------


@pytest.fixture
def pane(qtbot: QtBot, store: Store) -> ListPane:
    """The pane lives as long as the test's store (the fixture's): Qt paints it until the
    test is torn down."""
    return make_pane(qtbot, store)


def test_a_refused_website_shows_the_words_instead_of_rows(pane: ListPane,
                                                           store: Store) -> None:
    pane.set_filter(Filter.ALL)
    listed = len(store.conversations)
    refused, allowed = SITES
    assert not pane.notice.isVisibleTo(pane) and pane.unavailable() == ""
    pane.set_unavailable({refused: REFUSED})
    # The unified inbox: the words above the rows of the websites that are allowed.
    assert_readable(pane.notice, REFUSED)
    assert pane.unavailable() == REFUSED and pane.model.rowCount() == listed
    # The note sits between the filter bar and the list in the tab chain.
    chain = tab_chain(pane.filter_bar.search)
    assert pane.notice in chain and chain.index(pane.notice) < chain.index(pane.view)
    pane.set_website(allowed)
    assert pane.unavailable() == "" and pane.view.empty_text() != UNAVAILABLE_TEXT
    pane.set_website(refused)
    assert pane.unavailable() == REFUSED
    # The client loaded nothing of it (here: the store's rows of it are gone).
    for sid in [s for s in store.conversation_ids()
                if store.conversations[s].website_id == refused]:
        store.remove_conversation(sid)
    pane.flush()
    assert pane.model.rowCount() == 0 and pane.view.empty_text() == UNAVAILABLE_TEXT
    pane.set_unavailable({})  # allowed again
    assert pane.unavailable() == "" and pane.view.empty_text() != UNAVAILABLE_TEXT


def test_a_failed_start_is_said_above_the_list(pane: ListPane) -> None:
    pane.set_problem("Could not list the websites: Crisp could not be reached.")
    pane.set_unavailable({SITES[0]: REFUSED})
    assert pane.unavailable() == ("Could not list the websites: Crisp could not be reached.\n"
                                  + REFUSED)


@pytest.mark.parametrize("hostile", HOSTILE)
def test_the_words_are_plain_text(pane: ListPane, hostile: str) -> None:
    """The words may quote the server: shown as typed, never read as markup."""
    pane.set_unavailable({SITES[0]: hostile})
    assert pane.notice.textFormat() is Qt.TextFormat.PlainText
    assert pane.notice.text() == hostile


# ---- the people panel -------------------------------------------------------------------------


@pytest.fixture
def panel(qtbot: QtBot) -> PeoplePanel:
    widget = PeoplePanel(build_store(), clock=lambda: f.BASE_TIME)
    qtbot.addWidget(widget)
    widget.resize(340, 1600)
    widget.bind(SID)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def words_for(section: str) -> str:
    return f"Crisp does not allow this token to read the {section} (not_allowed, 403)"


def test_each_refused_section_shows_its_words_in_its_place(panel: PeoplePanel) -> None:
    details = ConversationDetails(pages=[], past_conversations=[],
                                  denied={s: words_for(s) for s in SECTIONS})
    panel.set_details(SID, details)
    for section, note in panel.denied.items():
        assert_readable(note, words_for(section))
    # In place: the section's own list (and its "None yet") is replaced by the words.
    for hidden in (panel.pages, panel.placeholders["pages"], panel.notepad, panel.past,
                   panel.placeholders["past"]):
        assert not hidden.isVisibleTo(panel)
    # The rest of the panel goes on: identity, segments, custom data.
    assert panel.header.isVisibleTo(panel) and panel.chips.isVisibleTo(panel)
    assert panel.data_editor.isVisibleTo(panel)
    assert "Grace" in panel.header.text("name")
    # Keyboard order: each note right where its section is.
    chain = tab_chain(panel.chips.add_edit, 60)
    assert chain.index(panel.denied["profile"]) > chain.index(panel.data_editor.add_button)
    assert chain.index(panel.denied["past_conversations"]) > chain.index(
        panel.denied["profile"])


def test_one_refused_section_leaves_the_others_shown(panel: PeoplePanel) -> None:
    page = {"page_title": "Pricing", "page_url": "https://example.com/pricing",
            "timestamp": f.BASE_TIME - 60_000}
    panel.set_details(SID, ConversationDetails(
        pages=[page], denied={"past_conversations": words_for("past")}))
    assert panel.pages.isVisibleTo(panel) and panel.pages.count() == 1
    assert not panel.placeholders["past"].isVisibleTo(panel)
    assert_readable(panel.denied["past_conversations"], words_for("past"))
    assert [s for s, n in panel.denied.items() if n.isVisibleTo(panel)] == ["past_conversations"]
    panel.bind(None)
    panel.bind(SID)  # another opening: nothing refused until its details say so
    assert not any(n.isVisibleTo(panel) for n in panel.denied.values())
    assert panel.placeholders["past"].isVisibleTo(panel) and panel.notepad.isVisibleTo(panel)


# ---- the thread -------------------------------------------------------------------------------


def test_refused_messages_show_the_words_over_the_thread(qtbot: QtBot) -> None:
    store, sid = thread_store(3)
    other = store.conversation_ids()[1]
    pane = ThreadPane(store)
    qtbot.addWidget(pane)
    pane.resize(520, 360)
    pane.show()
    pane.bind(sid)
    pane.set_denied(sid, words_for("messages"))
    assert_readable(pane.denied, words_for("messages"))
    pane.bind(other)
    assert not pane.denied.isVisibleTo(pane)
    pane.bind(sid)
    assert pane.denied.text() == words_for("messages") and pane.denied.isVisibleTo(pane)
    pane.set_denied(sid, "")
    assert not pane.denied.isVisibleTo(pane)


@pytest.mark.asyncio
async def test_a_refused_older_page_is_said_and_not_asked_again(qtbot: QtBot) -> None:
    store, sid = thread_store(3)  # short: the top is in view at once
    calls: list[str] = []

    async def load_older(session_id: str) -> int:
        calls.append(session_id)
        raise NotAllowedError(403, "not_allowed", "")

    pane = ThreadPane(store, load_older=load_older, tasks=TaskOwner())
    qtbot.addWidget(pane)
    pane.resize(520, 360)
    pane.show()
    pane.bind(sid)
    await pump(lambda: pane.denied.isVisibleTo(pane), "the refusal")
    assert "not allow this token to read the messages" in pane.denied.text()
    assert calls == [sid] and not pane._retry_timer.isActive()  # noqa: SLF001 - none due
    pane.view.verticalScrollBar().valueChanged.emit(0)  # a scroll to the top: nothing to ask
    assert calls == [sid] and not pane.is_loading_older()


# ---- the team's canned responses --------------------------------------------------------------


TEAM_REFUSED = ("Crisp does not allow this token to read the plugin settings of Acme: the "
                "team's canned responses and default reply mode are unavailable")
BUNDLED = [CannedResponse("hello", "Greeting", "Hello!")]


@pytest.fixture
def make(qtbot: QtBot) -> Make:
    return composer_factory(qtbot, registry())


def test_the_canned_popup_says_the_team_settings_are_unavailable(make: Make) -> None:
    composer, _ = make(canned=BUNDLED)
    popup = composer.editor.popup
    composer.set_canned(BUNDLED, TEAM_REFUSED)
    QTest.keyClicks(composer.editor, "!")
    assert popup.isVisible() and popup.notice.text() == TEAM_REFUSED
    assert popup.notice.isVisibleTo(popup) and popup.notice.textFormat() is \
        Qt.TextFormat.PlainText
    assert [c.label for c in popup.items()] == ["!hello"]  # the bundled ones still work
    QTest.keyClick(composer.editor, Qt.Key.Key_Tab)
    assert composer.editor.toPlainText() == "Hello!"
    # Nothing bundled either: with only the trigger typed, the words still show.
    composer.editor.set_plain("")
    composer.set_canned([], TEAM_REFUSED)
    QTest.keyClicks(composer.editor, "!")
    assert popup.isVisible() and popup.items() == [] and not popup.view.isVisibleTo(popup)
    QTest.keyClicks(composer.editor, "zz")  # a query nothing matches: closed, as always
    assert not popup.isVisible()
    composer.editor.set_plain("")
    composer.set_canned(BUNDLED)  # allowed again
    QTest.keyClicks(composer.editor, "!")
    assert popup.isVisible() and not popup.notice.isVisibleTo(popup)


def test_the_editor_shows_the_words_and_saves_nothing(qtbot: QtBot) -> None:
    saved: list[object] = []

    async def save(items: list[CannedResponse]) -> None:
        saved.append(items)

    dialog = CannedEditorDialog([], save, tasks=TaskOwner(), unavailable=TEAM_REFUSED)
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    assert_readable(dialog.unavailable, TEAM_REFUSED)
    assert not dialog.save_button.isEnabled() and not dialog.table.isEnabled()
    assert not dialog.add_button.isEnabled()
    QTest.keyClick(dialog, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    dialog.add_row()
    dialog.save()
    assert dialog.table.rowCount() == 0 and saved == []


# ---- the assignment picker --------------------------------------------------------------------


@pytest.mark.asyncio
async def test_the_picker_says_why_choices_are_missing(qtbot: QtBot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    window.resize(800, 600)
    window.show()
    store = seeded_store(2)
    palette = CommandPalette(registry(), store, window)
    words = "Crisp does not allow this token to list the operators (not_allowed, 403)"
    task = asyncio.ensure_future(palette.pick("Assign to…", [], notice=words))
    await pump(palette.isVisible, "the picker")
    assert palette.notice_label.isVisibleTo(palette) and palette.notice_label.text() == words
    assert palette.notice_label.textFormat() is Qt.TextFormat.PlainText
    assert palette.line_edit.accessibleDescription() == words  # read with the focused input
    QTest.keyClick(palette.line_edit, Qt.Key.Key_Escape)
    assert await task is None
    task = asyncio.ensure_future(palette.pick("Toggle a segment", []))
    await pump(palette.isVisible, "the next picker")
    assert not palette.notice_label.isVisibleTo(palette)
    QTest.keyClick(palette.line_edit, Qt.Key.Key_Escape)
    await task

