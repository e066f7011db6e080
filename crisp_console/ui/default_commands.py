"""The default command table, from the keymap in console-ux.md (b).

Departures from (b), each for a reason:
- (b) binds resolve and reopen both to Ctrl+Shift+E ("toggles"). Two commands on one chord is
  ambiguous in Qt, so `conversation.resolve` carries the chord and its handler reopens a resolved
  conversation; `conversation.reopen` stays in the palette and menus without a key.
- Ctrl+. (people panel) also gets Ctrl+Shift+P, because Windows Chinese input methods take
  Ctrl+. (rule 6 asks for an alternate).
- Next/previous on Ctrl+Tab become Meta+Tab on macOS, where Ctrl is ⌘ and ⌘Tab is the app
  switcher (rule 2, as Telegram does).
- Views Ctrl+1…8 follow the issue's filter order (Pending, Unresolved, Mine, Unassigned,
  Mentions, Unread, Resolved, All).
- Ctrl+Shift+F is (b)'s global search: `search.messages` shows the search pane in the list's
  place (ui/search_flow.py). `/` in the list still focuses the list's text filter
  (`search.conversations`, which has no global chord since issue 14).
- Rows of (b) for features not built yet are left out rather than shown dead: LiveTranslate
  (Ctrl+Shift+T), undo send, bulk select (X), transcript, participants and co-browse.
- Ctrl+Z undoes the last destructive conversation action (resolve, reopen, assign, mark
  unread) for a few seconds (ui/undo.py); in the reply box, typing done since then wins.
- Next/previous unread (Alt+Shift+Down/Up) also have Ctrl+Shift+PgDown/PgUp, beside Ctrl+PgDown/
  PgUp for next/previous: some window managers take Alt+Shift+arrows (Xfce, Cinnamon…).
- Find in the conversation (Ctrl+F, `QKeySequence::Find`) works from anywhere, as (b) lists it
  among the global keys; its next/previous match are F3/Shift+F3 (`FindNext`/`FindPrevious`
  on Windows and KDE), plus ⌘G/⌘⇧G on macOS. Enter/Shift+Enter in the find box do the same
  (the box's own keys, not commands: Return belongs to the composer and the list).
- Switch workspace (Ctrl+Shift+K) picks a Crisp website; Ctrl+0 goes back to every website
  (the unified inbox), next to the Ctrl+1…8 views.
The `!`, `/` and `@` composer triggers are typed text, not shortcuts; the cheat sheet lists them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from crisp_console.client.tasks import TaskOwner
from crisp_console.ui.commands import Command, CommandRegistry, Context

APPLICATION = "Application"
NAVIGATION = "Navigation"
VIEWS = "Views"
CONVERSATION = "Conversation"
COMPOSER = "Reply box"
THREAD = "Thread"
SINGLE_KEY = "Single-key mode (conversation list focused)"
HELP = "Help"
ACCOUNT = "Account"

Row = Callable[[str], Command]  # a command of the category it is given

# The list filters in the order; Ctrl+<n> selects the n-th.
VIEW_FILTERS: tuple[tuple[str, str], ...] = (
    ("pending", "Pending"), ("unresolved", "Unresolved"), ("mine", "Mine"),
    ("unassigned", "Unassigned"), ("mentions", "Mentions"), ("unread", "Unread"),
    ("resolved", "Resolved"), ("all", "All"),
)


def _cmd(cid: str, title: str, *keys: str, context: Context = "global",
         widget_handled: bool = False, in_palette: bool = True) -> Row:
    return lambda category: Command(cid, title, category, keys, context,
                                    widget_handled=widget_handled, in_palette=in_palette)


def _alias(cid: str, target: str, title: str, *keys: str) -> Row:
    """A single-key twin of ``target`` (list context)."""
    return lambda category: Command(cid, title, category, keys, "list", alias_of=target)


def _in(category: str, *rows: Row) -> tuple[Command, ...]:
    return tuple(row(category) for row in rows)


def default_commands(platform: str = sys.platform) -> tuple[Command, ...]:
    """The table, in cheat-sheet order (categories appear in the order of their first row)."""
    tab = "Meta" if platform == "darwin" else "Ctrl"
    mac = platform == "darwin"
    views = tuple(_cmd(f"view.{name}", f"Show {label}", f"Ctrl+{n}")
                  for n, (name, label) in enumerate(VIEW_FILTERS, start=1))
    return (
        *_in(APPLICATION,
             _cmd("app.palette", "Command palette and quick switcher", "Ctrl+K"),
             _cmd("app.cheat_sheet", "Keyboard shortcuts", "Ctrl+/", "F1"),
             _cmd("app.settings", "Settings", "Ctrl+,"),
             _cmd("app.hide", "Hide to tray", "Ctrl+W"),
             _cmd("app.minimize", "Minimize", "Ctrl+M"),
             _cmd("app.quit", "Quit", "Ctrl+Q"),
             _cmd("team.canned", "Edit the team's canned responses…")),
        *_in(VIEWS,
             _cmd("websites.switch", "Switch website…", "Ctrl+Shift+K"),
             _cmd("websites.all", "Show every website (unified inbox)", "Ctrl+0"),
             _cmd("views.saved", "Saved views…", "Ctrl+9"),
             _cmd("views.new", "New saved view (a segment or a custom filter)…"),
             _cmd("views.remove", "Remove a saved view…")),
        *_in(ACCOUNT,
             # The console's own availability (ui/availability.py): Crisp's cannot be set
             # with a plugin token.
             _cmd("availability.online", "Availability: Online (notify for everything)"),
             _cmd("availability.away",
                  "Availability: Away (notify only for my conversations and mentions)"),
             _cmd("account.switch", "Switch account…"),
             _cmd("account.add", "Add an account…"),
             _cmd("account.sign_out", "Sign out")),
        *_in(NAVIGATION,
             _cmd("conversation.next", "Next conversation",
                  "Alt+Down", f"{tab}+Tab", "Ctrl+PgDown"),
             _cmd("conversation.previous", "Previous conversation",
                  "Alt+Up", f"{tab}+Shift+Tab", "Ctrl+PgUp"),
             _cmd("conversation.next_unread", "Next unread or waiting conversation",
                  "Alt+Shift+Down", "Ctrl+Shift+PgDown"),
             _cmd("conversation.previous_unread", "Previous unread or waiting conversation",
                  "Alt+Shift+Up", "Ctrl+Shift+PgUp"),
             _cmd("conversation.first", "Top of the queue", "Ctrl+Alt+Home"),
             _cmd("conversation.last", "Bottom of the list", "Ctrl+Alt+End"),
             _cmd("list.newest", "Scroll the list to the newest conversations", "Alt+Home"),
             _cmd("search.messages", "Search messages…", "Ctrl+Shift+F"),
             _cmd("search.conversations", "Filter the conversation list"),
             _cmd("focus.next_pane", "Next pane", "F6"),
             _cmd("focus.previous_pane", "Previous pane", "Shift+F6"),
             _cmd("view.people_panel", "Show or hide the people panel",
                  "Ctrl+.", "Ctrl+Shift+P")),
        *_in(VIEWS, *views),
        *_in(CONVERSATION,
             _cmd("conversation.resolve", "Resolve (reopen if resolved)", "Ctrl+Shift+E"),
             _cmd("conversation.reopen", "Reopen"),
             _cmd("conversation.send_and_resolve", "Send and resolve",
                  "Ctrl+Shift+Return", "Ctrl+Shift+Enter"),
             _cmd("conversation.assign", "Assign…", "Ctrl+Shift+A"),
             _cmd("conversation.assign_to_me", "Assign to me"),
             _cmd("conversation.unassign", "Unassign (nobody)"),
             _cmd("conversation.segments", "Segments…", "Ctrl+Shift+L"),
             _cmd("conversation.remind", "Remind me…", "Ctrl+Shift+M"),
             _cmd("conversation.mark_read", "Mark as read", "Ctrl+R"),
             _cmd("conversation.mark_unread", "Mark as unread", "Ctrl+U"),
             _cmd("conversation.undo", "Undo the last action (resolve, assign, unread)",
                  "Ctrl+Z"),
             # Kept off direct keys so it cannot fire by accident (Chatwoot #2847).
             _cmd("conversation.block", "Block the visitor")),
        *_in(COMPOSER,
             _cmd("composer.reply", "Reply (focus the reply box)"),
             _cmd("composer.note", "Write a private note"),
             _cmd("composer.toggle_note", "Switch between reply and private note",
                  "Ctrl+Shift+N"),
             _cmd("composer.send", "Send", "Return", "Ctrl+Return",
                  context="composer", widget_handled=True),
             _cmd("composer.newline", "New line", "Shift+Return",
                  context="composer", widget_handled=True, in_palette=False),
             _cmd("composer.edit_last", "Edit my last message (in an empty reply box)", "Up",
                  context="composer", widget_handled=True),
             _cmd("composer.cancel", "Cancel editing, close the popup, or leave the reply box",
                  "Esc", context="composer", widget_handled=True, in_palette=False),
             _cmd("composer.attach", "Attach a file…", "Ctrl+O", context="composer")),
        *_in(THREAD,
             _cmd("thread.first", "First message", "Ctrl+Home", context="thread"),
             _cmd("thread.latest", "Latest message", "Ctrl+End", context="thread"),
             _cmd("thread.oldest_unread", "Oldest unread message", "Shift+PgUp",
                  context="thread"),
             _cmd("thread.find", "Find in this conversation", "Ctrl+F"),
             _cmd("thread.find_next", "Next match (older)", "F3", *(("Ctrl+G",) if mac else ())),
             _cmd("thread.find_previous", "Previous match (newer)", "Shift+F3",
                  *(("Ctrl+Shift+G",) if mac else ()))),
        *_in(HELP,
             _cmd("help.log_folder", "Open the log folder"),
             _cmd("help.about", "About crisp-console")),
        *_in(SINGLE_KEY,
             _alias("list.next", "conversation.next", "Next conversation", "J"),
             _alias("list.previous", "conversation.previous", "Previous conversation", "K"),
             _alias("list.reply", "composer.reply", "Open and reply", "R", "Return"),
             _alias("list.note", "composer.note", "Open in note mode", "N"),
             _alias("list.resolve", "conversation.resolve", "Resolve (reopen if resolved)", "E"),
             _alias("list.assign", "conversation.assign", "Assign…", "A"),
             _alias("list.segments", "conversation.segments", "Segments…", "L"),
             _alias("list.remind", "conversation.remind", "Remind me…", "M"),
             _alias("list.mark_unread", "conversation.mark_unread", "Mark as unread", "U"),
             _alias("list.search", "search.conversations", "Filter the list", "/"),
             _alias("list.cheat_sheet", "app.cheat_sheet", "Keyboard shortcuts", "?")),
    )


def build_registry(*, platform: str = sys.platform, single_key: bool = True,
                   tasks: TaskOwner | None = None) -> CommandRegistry:
    """A fresh registry holding the default table (app.py then loads the user keymap);
    ``tasks`` runs its async handlers (the ui's TaskOwner)."""
    return CommandRegistry(default_commands(platform), single_key=single_key, tasks=tasks)
