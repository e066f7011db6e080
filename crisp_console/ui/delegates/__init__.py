"""Item delegates: conversation-list rows and thread bubbles, painted from one role
(``ui/models/roles.py`` ``ITEM_ROLE``: the row's core object).

The two are loaded when first named: the first frame paints the list's rows, and the thread's
bubbles (bubble*.py) load with the thread after it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crisp_console.ui.delegates.bubble import MessageDelegate
    from crisp_console.ui.delegates.conversation import ConversationDelegate

__all__ = ["ConversationDelegate", "MessageDelegate"]


def __getattr__(name: str) -> Any:
    if name == "MessageDelegate":
        from crisp_console.ui.delegates.bubble import MessageDelegate

        return MessageDelegate
    if name == "ConversationDelegate":
        from crisp_console.ui.delegates.conversation import ConversationDelegate

        return ConversationDelegate
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
