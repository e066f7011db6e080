"""Where the focus goes after a command is picked in the palette (Ctrl+K).

The palette gives the focus back to where it was when it closes; a pick says where the
operator is going next, so the focus follows the pick instead: a conversation to its reply
box (the controller's ``jump_to``), a view to the list, a conversation action to the reply
box of the conversation it acted on. A command that opens a dialog, a picker or a box places
the focus itself ("self"); for a picker the target below is where the focus is once the
pick is made. Keys typed as shortcuts do not move the focus: the operator is already where
they want to be.

Every command listed in the palette has an entry (tests/ui/test_focus_targets.py checks
it): a command added to the table needs one here. (An entry may name a command another
branch adds: availability, unassign.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from crisp_console.ui.panes import Panes

FocusTarget = Literal["composer", "list", "thread", "self"]

_SELF = (
    "app.palette", "app.cheat_sheet", "app.settings", "app.hide", "app.minimize", "app.quit",
    "team.canned", "account.switch", "account.add", "account.sign_out",
    "search.messages", "search.conversations", "focus.next_pane", "focus.previous_pane",
    "view.people_panel", "composer.reply", "composer.note", "thread.find",
    "thread.find_next", "thread.find_previous", "help.log_folder", "help.about",
    "conversation.undo", "availability.online", "availability.away",
)
_LIST = (
    "websites.switch", "websites.all", "views.saved", "views.new", "views.remove",
    "view.pending", "view.unresolved", "view.mine", "view.unassigned", "view.mentions",
    "view.unread", "view.resolved", "view.all", "list.newest",
    # Marked unread to come back to later: the operator moves on from the list (typing
    # there goes to the reply box, and reads it again).
    "conversation.mark_unread",
)
_COMPOSER = (
    "conversation.next", "conversation.previous", "conversation.next_unread",
    "conversation.previous_unread", "conversation.first", "conversation.last",
    "conversation.resolve", "conversation.reopen", "conversation.send_and_resolve",
    "conversation.assign", "conversation.assign_to_me", "conversation.unassign",
    "conversation.segments",
    "conversation.remind", "conversation.mark_read", "conversation.block",
    "composer.toggle_note", "composer.send", "composer.edit_last", "composer.attach",
)
_THREAD = ("thread.first", "thread.latest", "thread.oldest_unread")

FOCUS_TARGETS: dict[str, FocusTarget] = {
    **dict.fromkeys(_SELF, "self"), **dict.fromkeys(_LIST, "list"),
    **dict.fromkeys(_COMPOSER, "composer"), **dict.fromkeys(_THREAD, "thread"),
}


def focus_target(command_id: str) -> FocusTarget:
    """The command's target; one without an entry leaves the focus to itself."""
    return FOCUS_TARGETS.get(command_id, "self")


def place_focus(panes: Panes, target: FocusTarget, *, open_conversation: bool) -> None:
    """Focus ``target``: the reply box (the list when no conversation is open), the list
    (back in place of the search pane), the thread; "self" moves nothing."""
    if target == "self":
        return
    widget: QWidget
    if target == "composer" and open_conversation:
        widget = panes.composer.editor
    elif target == "thread" and open_conversation:
        widget = panes.thread.view
    else:
        panes.left.show_list()
        widget = panes.list_pane.view
    widget.setFocus(Qt.FocusReason.OtherFocusReason)
