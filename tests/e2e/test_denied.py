"""A token Crisp refuses some things, end to end against the strict sandbox: scopes revoked
with the admin API before the console starts (the two plugin routes no scope governs are
refused by replacing the client's route method with one that raises what Crisp's 403
becomes). Each refused feature says so where it lives; start-up, the people panel and the
rest of the console go on. A spent daily quota and an answer the console cannot read are
said in words too."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from crisp_console.client import (
    LIVE_FEED,
    OPERATORS,
    conversations_of,
    team_settings_of,
    website_details_of,
)
from crisp_console.core import MessageStatus
from crisp_console.errors import NotAllowedError, ProtocolError
from crisp_console.present.filters import Filter
from crisp_console.sandbox.server import Sandbox
from crisp_console.ui.console import Console
from crisp_console.ui.widgets.list_pane import UNAVAILABLE_TEXT
from tests.e2e.conftest import admin_of, e2e, focused, press, revoking, until
from tests.e2e.test_actions import picker_open

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
# People-panel section (and the thread's messages) -> the scope that refuses it.
SECTION_SCOPES = {
    "messages": "website:conversation:messages:read",  # replies (write) still go out
    "pages": "website:conversation:pages",
    "events": "website:conversation:events",
    "profile": "website:people:profiles",
    "data": "website:people:data",
    "person_events": "website:people:events",
    "past_conversations": "website:people:conversations",
}


def status(console: Console) -> str:
    return console.window.statusBar().currentMessage()


def open_contact(console: Console, sandbox: Sandbox) -> str:
    """Open a loaded conversation whose visitor is a contact (every section applies)."""
    sid = next(s for s in console.client.store.conversations
               if sandbox.state.conversations[s].people_id)
    console.controller.jump_to(sid)
    return sid


def refusing(method: str, refusal: Exception) -> Any:
    async def prepare(console: Console, _sandbox: Sandbox) -> None:
        def refuse(*_: Any, **__: Any) -> Any:
            async def raise_it() -> Any:
                raise refusal
            return raise_it()
        setattr(console.client.api, method, refuse)
    return prepare


@e2e(prepare=revoking(*SECTION_SCOPES.values()))
async def test_refused_sections_say_so_and_the_rest_works(console: Console,
                                                          sandbox: Sandbox) -> None:
    people, thread = console.panes.people, console.panes.thread
    window = console.window
    sid = open_contact(console, sandbox)
    await until(lambda: people.denied["profile"].isVisibleTo(window), what="the details")
    for section, note in people.denied.items():
        assert note.isVisibleTo(window), section
        assert note.text().startswith("Crisp does not allow this token to read"), section
    assert not people.pages.isVisibleTo(window) and not people.past.isVisibleTo(window)
    assert thread.denied.isVisibleTo(window)
    assert "the messages of this conversation" in thread.denied.text()
    conv = sandbox.state.conversations[sid]
    assert people.header.text("name") and people.chips.isVisibleTo(window)
    # The rest works: a reply goes out (writing messages is still allowed).
    console.controller.focus_composer("reply")
    QTest.keyClicks(focused(), "Still here to help")
    press(focused(), Qt.Key.Key_Return)
    await until(lambda: any(m.content == "Still here to help" for m in conv.messages),
                what="the reply on the server")
    assert not status(console).startswith("Could not load")


@e2e(prepare=revoking("website:operators", "website:settings"))
async def test_no_operators_and_no_website_details(console: Console, sandbox: Sandbox) -> None:
    health = console.client.health
    operators = health.denied_for(OPERATORS)
    assert operators is not None
    # Website names fall back to their ids; the switcher's tooltip says why.
    switcher = console.panes.list_pane.switcher
    for entry in switcher.entries():
        assert entry.name == entry.website_id
        assert entry.note == health.denied_for(website_details_of(entry.website_id))
        assert "shown by its id" in entry.note
    assert console.panes.list_pane.model.rowCount() > 0  # conversations load as usual
    open_contact(console, sandbox)
    await until(lambda: console.panes.people.session_id() is not None, what="open")
    # The assignment picker says why nobody is listed.
    press(focused(), Qt.Key.Key_A, CTRL | SHIFT)
    await picker_open(console)
    palette = console.panes.palette
    assert palette.notice_label.isVisible() and palette.notice_label.text() == operators
    press(focused(), Qt.Key.Key_Escape)
    await until(lambda: not palette.isVisible(), what="the picker to close")
    # Assign to me: there is no "me", and the words say why.
    console.registry.run("conversation.assign_to_me")
    assert status(console).startswith("Not assigned: the console does not know which "
                                      "operator you are; " + operators)


@e2e(prepare=revoking("website:conversation:sessions"))
async def test_refused_conversations_show_words_instead_of_rows(console: Console,
                                                                sandbox: Sandbox) -> None:
    lp = console.panes.list_pane
    health = console.client.health
    subscribed = sandbox.state.subscribed_website_ids()
    words = [health.denied_for(conversations_of(w)) for w in subscribed]
    assert all(w is not None and "conversations" in w for w in words)
    lp.set_filter(Filter.ALL)
    lp.flush()
    assert lp.model.rowCount() == 0
    # The unified inbox: one line per refused website, above the (empty) list.
    assert set(lp.unavailable().split("\n")) == set(words)
    # Reached from the keyboard: Tab from the search field (then its filter tab) lands on
    # the note before the list.
    lp.focus_search()
    await until(lambda: focused() is lp.filter_bar.search, what="the search field")
    reached = []
    while focused() not in (lp.notice, lp.view) and len(reached) < 5:
        press(focused(), Qt.Key.Key_Tab)
        reached.append(focused())
    assert focused() is lp.notice, reached
    # One website shown: its words, and the list says its rows are unavailable.
    console.websites.show(subscribed[0])
    assert lp.unavailable() == words[0] and lp.view.empty_text() == UNAVAILABLE_TEXT
    # Start-up went on: the live feed is up, nothing is owed for ever.
    await until(lambda: not console.client.health.catching_up, what="the catch-up")
    assert console.panes.status_bar.state_label.text() == "● Connected"


@e2e(prepare=refusing("subscription_settings",
                      NotAllowedError(403, "not_allowed", "the token may not do that")))
async def test_refused_team_settings_in_the_popup_and_the_editor(console: Console,
                                                                 sandbox: Sandbox) -> None:
    sid = open_contact(console, sandbox)
    website_id = console.client.store.conversations[sid].website_id
    words = console.client.health.denied_for(team_settings_of(website_id))
    assert words is not None and "canned responses" in words
    console.controller.focus_composer("reply")
    await until(lambda: focused() is console.panes.composer.editor, what="the reply box")
    QTest.keyClicks(focused(), "!")
    popup = console.panes.composer.editor.popup
    await until(popup.isVisible, what="the ! popup")
    assert popup.notice.text() == words
    assert [c.label for c in popup.items()] == ["!hello"]  # the bundled responses still work
    press(focused(), Qt.Key.Key_Escape)
    console.registry.run("team.canned")
    dialog = console.team_canned.dialog
    assert dialog is not None
    await until(dialog.isVisible, what="the editor")
    assert dialog.unavailable.text() == words and not dialog.save_button.isEnabled()
    dialog.reject()


@e2e()
async def test_a_spent_quota_in_the_status_bar_and_in_a_failed_action(
        console: Console, sandbox: Sandbox) -> None:
    bar = console.panes.status_bar
    sid = open_contact(console, sandbox)
    await until(lambda: console.panes.people.session_id() == sid, what="open")
    async with admin_of(sandbox) as admin:
        await admin.patch("faults", json={"daily_quota": 1})  # far less than start-up used
        resets = (await admin.get("quota")).json()["data"]["resets_at"]
    local = datetime.fromtimestamp(resets / 1000, UTC).astimezone().strftime("%H:%M")
    spent = f"daily API quota spent, resets at {local}"
    console.registry.run("conversation.resolve")
    await until(lambda: status(console).startswith("Not resolved"), what="the refusal")
    assert status(console) == f"Not resolved: {spent}"
    assert bar.quota_label.text() == spent
    # Kept, not undone: the outbox sends it when the quota resets (issue 13).
    assert console.client.store.conversations[sid].state == "resolved"
    assert "state" in [item.kind for item in console.client.outbox.unsent()]


@e2e(prepare=refusing("set_state", ProtocolError("expected an object, got a list",
                                                 where="PATCH website/W/conversation/S/state")))
async def test_an_unreadable_answer_to_an_action_is_said(console: Console,
                                                         sandbox: Sandbox) -> None:
    sid = open_contact(console, sandbox)
    await until(lambda: console.panes.people.session_id() is not None, what="open")
    console.registry.run("conversation.resolve")
    await until(lambda: status(console).startswith("Not resolved"), what="the failure")
    assert status(console).startswith(
        "Not resolved: Crisp answered something this console cannot read")
    assert "PATCH website/W/conversation/S/state" in status(console)
    assert console.client.store.conversations[sid].state != "resolved"  # undone on screen


@e2e(prepare=refusing("set_state", AttributeError("'NoneType' object has no attribute 'get'")))
async def test_a_bug_in_an_action_is_said_not_silent(console: Console, sandbox: Sandbox) -> None:
    open_contact(console, sandbox)
    await until(lambda: console.panes.people.session_id() is not None, what="open")
    console.registry.run("conversation.resolve")
    await until(lambda: status(console).startswith("Not resolved"), what="the failure")
    assert status(console) == ("Not resolved: an unexpected error (AttributeError; the log "
                               "has the details)")


@e2e(prepare=refusing("connect_endpoints",
                      NotAllowedError(403, "not_allowed", "the token may not do that")))
async def test_no_live_feed_is_said_in_the_status_bar(console: Console,
                                                      sandbox: Sandbox) -> None:
    bar = console.panes.status_bar
    words = console.client.health.denied_for(LIVE_FEED)
    assert words is not None
    assert bar.state_label.text() == f"✕ no live feed: {words}"
    assert not bar.sync_label.isVisibleTo(console.window)  # nothing is "in sync" live
    assert console.panes.list_pane.model.rowCount() > 0  # what was loaded is listed


@e2e(prepare=revoking("website:conversation:states:write"))
async def test_a_refused_command_names_the_action(console: Console, sandbox: Sandbox) -> None:
    sid = open_contact(console, sandbox)
    await until(lambda: console.panes.people.session_id() == sid, what="open")
    console.registry.run("conversation.resolve")
    await until(lambda: status(console).startswith("Not resolved"), what="the refusal")
    assert status(console).startswith("Not resolved: This plugin token is not allowed to "
                                      "resolve or reopen conversations")
    assert console.client.store.conversations[sid].state != "resolved"  # undone on screen
    assert sandbox.state.conversations[sid].state != "resolved"


@e2e()
async def test_a_reply_while_the_quota_is_spent_waits_in_the_thread(
        console: Console, sandbox: Sandbox) -> None:
    sid = open_contact(console, sandbox)
    await until(lambda: console.panes.people.session_id() == sid, what="open")
    async with admin_of(sandbox) as admin:
        await admin.patch("faults", json={"daily_quota": 1})
        resets = (await admin.get("quota")).json()["data"]["resets_at"]
    local = datetime.fromtimestamp(resets / 1000, UTC).astimezone().strftime("%H:%M")
    console.controller.focus_composer("reply")
    QTest.keyClicks(focused(), "Back in a moment")
    press(focused(), Qt.Key.Key_Return)
    await until(lambda: status(console).startswith("Reply not sent"), what="the refusal")
    assert status(console) == (f"Reply not sent yet: daily API quota spent, resets at "
                               f"{local}; it goes out by itself then")
    # The thread shows what the store says: the reply, QUEUED (the client's words in its
    # tooltip), kept in the outbox until the reset (issue 13).
    model = console.panes.thread.model
    row = next(r for r in range(model.rowCount())
               if model.message_at(r).content == "Back in a moment")
    queued = model.message_at(row)
    assert queued.status is MessageStatus.QUEUED and queued.error is not None
    assert queued.error.startswith("Queued:") and f"resets at {local}" in queued.error
    assert not any(m.content == "Back in a moment"
                   for m in sandbox.state.conversations[sid].messages)
