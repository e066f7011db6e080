"""Item delegates: conversation-list rows and thread bubbles, painted from one ``ITEM_ROLE``."""

from crisp_console.ui.delegates.bubble import MessageDelegate
from crisp_console.ui.delegates.conversation import ConversationDelegate
from crisp_console.ui.delegates.roles import ITEM_ROLE

__all__ = ["ITEM_ROLE", "ConversationDelegate", "MessageDelegate"]
