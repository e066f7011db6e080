"""A new visitor shows in the list from their first message, while Crisp's REST API is down:
the row, the thread and the keyboard work before the conversation could be fetched, and
Crisp's own copy takes over once REST is back."""

from __future__ import annotations

from PySide6.QtCore import Qt

from crisp_console.sandbox.server import Sandbox
from crisp_console.ui.console import Console
from crisp_console.ui.models import ConversationRole, MessageRole
from tests.e2e.conftest import e2e, focused, press, until

ALT = Qt.KeyboardModifier.AltModifier


@e2e()
async def test_a_new_visitor_shows_and_opens_while_rest_is_down(
        console: Console, sandbox: Sandbox) -> None:
    client, list_pane = console.client, console.panes.list_pane
    model = list_pane.model
    await until(lambda: model.rowCount() > 0 and not client.health.catching_up,
                what="the list")
    mark = sandbox.requests.total
    sandbox.faults.update({"error_rate": 1.0})  # every REST request answers 503
    st = sandbox.state
    conv = st.create_conversation(st.subscribed_website_ids()[0],
                                  meta={"nickname": "Ada Lovelace",
                                        "email": "ada@example.org"})
    sid = conv.session_id
    st.add_message(conv, type="text", from_="user", origin="chat",
                   content="Is anyone there?", user=conv.visitor)
    await until(lambda: model.row_of(sid) >= 0, what="the new visitor's row")
    row = model.index(model.row_of(sid))
    assert row.data(ConversationRole.EXCERPT) == "Is anyone there?"
    assert row.data(ConversationRole.UNREAD) == 1
    assert row.data(ConversationRole.STATE) == "pending"
    assert client.store.is_provisional(sid)
    await until(lambda: any(r.path.endswith(f"/conversation/{sid}")
                            for r in sandbox.requests.since(mark)),
                what="its fetch, failing")
    assert client.store.is_provisional(sid)  # still shown, still owed

    # The keyboard reaches it as any row: the top one, opened with Alt+Down.
    assert model.row_of(sid) == 0
    list_pane.view.setFocus()
    press(focused(), Qt.Key.Key_Down, ALT)
    await until(lambda: console.controller.session_id == sid, what="Alt+Down to open it")
    timeline = console.panes.thread.model
    await until(lambda: timeline.rowCount() == 1, what="its message in the thread")
    assert timeline.index(0).data(MessageRole.TEXT) == "Is anyone there?"

    sandbox.faults.reset()  # REST is back: Crisp's own copy replaces the guesses
    await until(lambda: not client.store.is_provisional(sid), what="Crisp's copy")
    kept = client.store.conversations[sid]
    assert (kept.nickname, kept.email, kept.people_id) == (
        "Ada Lovelace", "ada@example.org", conv.people_id)
    assert model.index(model.row_of(sid)).data(ConversationRole.NAME) == "Ada Lovelace"
