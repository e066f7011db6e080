"""The Ctrl+/ cheat sheet's content, generated from the registry so it never goes stale.

Pure data: no widgets. The dialog (widgets/cheat_sheet.py) only displays these rows.
"""

from __future__ import annotations

from PySide6.QtGui import QKeySequence

from crisp_console.ui.commands import CommandRegistry

Row = tuple[str, tuple[str, ...]]  # (title, shortcuts as displayed)
Group = tuple[str, list[Row]]  # (category, rows)

TYPED_CATEGORY = "Typing in the reply box"
# Triggers typed as text in the composer, not shortcuts (console-ux.md (b), Composer).
TYPED_TRIGGERS: tuple[Row, ...] = (
    ("Canned responses (type to filter, Tab or Enter inserts)", ("!",)),
    ("Commands: /note, /resolve, /assign, /unassign, /remind", ("/",)),
    ("Mention a teammate (in notes)", ("@",)),
    # The attachment tray above the reply box (widgets/attachment_tray.py).
    ("Go to the files waiting to be sent (←/→ between them)", ("Shift+Tab",)),
    ("Remove the selected file", ("Del", "Backspace")),
    ("Back from the files to the reply box", ("Esc", "Enter")),
)


def cheat_sheet_rows(registry: CommandRegistry, *, native: bool = True,
                     single_key: bool | None = None, typed: bool = True) -> list[Group]:
    """Every bound command as (category, [(title, shortcuts)]), in registry order.

    Categories come in the order of their first command. Unbound commands are left out (the
    palette lists them). Single-key rows are left out while single-key mode is off.
    `native` renders ⌘/⌥ on macOS; PortableText otherwise ("Ctrl+Shift+E").
    """
    fmt = (QKeySequence.SequenceFormat.NativeText if native
           else QKeySequence.SequenceFormat.PortableText)
    show_single = registry.single_key_enabled if single_key is None else single_key
    groups: dict[str, list[Row]] = {}
    for command in registry.all():
        keys = registry.shortcuts(command.id)
        if not keys or (command.context == "list" and not show_single):
            continue
        shown = tuple(QKeySequence.fromString(k, QKeySequence.SequenceFormat.PortableText)
                      .toString(fmt) for k in keys)
        groups.setdefault(command.category, []).append((command.title, shown))
    out = list(groups.items())
    if typed:
        out.append((TYPED_CATEGORY, list(TYPED_TRIGGERS)))
    return out
