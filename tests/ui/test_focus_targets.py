"""Where a palette pick puts the focus: every command the palette lists says where."""

from __future__ import annotations

import pytest

from crisp_console.ui.default_commands import build_registry
from crisp_console.ui.focus_targets import FOCUS_TARGETS, focus_target


@pytest.mark.parametrize("platform", ["linux", "darwin"])
def test_every_palette_command_says_where_the_focus_goes(platform: str) -> None:
    registry = build_registry(platform=platform)
    listed = {c.id for c in registry.all() if c.listed_in_palette}
    assert sorted(listed - FOCUS_TARGETS.keys()) == []  # a new command needs an entry


def test_the_targets_follow_what_the_pick_implies() -> None:
    assert focus_target("view.mine") == "list"  # a view: the list
    assert focus_target("websites.all") == "list"
    assert focus_target("conversation.next") == "composer"  # a conversation: its reply box
    assert focus_target("conversation.resolve") == "composer"
    assert focus_target("conversation.mark_unread") == "list"  # read later: move on
    assert focus_target("thread.latest") == "thread"
    for itself in ("search.messages", "search.conversations", "app.settings", "composer.note",
                   "conversation.undo"):  # a box, a dialog, a mode it focuses itself
        assert focus_target(itself) == "self"
    assert focus_target("no.such.command") == "self"
