"""Item delegates: conversation-list rows and thread bubbles, painted from one role
(``ui/models/roles.py`` ``ITEM_ROLE``: the row's core object)."""

from crisp_console.ui.delegates.bubble import MessageDelegate
from crisp_console.ui.delegates.conversation import ConversationDelegate

__all__ = ["ConversationDelegate", "MessageDelegate"]
