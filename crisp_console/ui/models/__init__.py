"""Qt item models over the core Store: the conversation list, the timeline of one conversation
and the filter bar's counts. They map the store's Change notifications onto Qt's row
signals, coalesced on a timer of at most 16 ms (coalesce.py). The filters themselves are
present/filters.py's predicates."""

from crisp_console.ui.models.coalesce import MAX_INTERVAL_MS, Coalescer
from crisp_console.ui.models.conversations import ConversationListModel, display_name
from crisp_console.ui.models.filter_counts import FilterCounts
from crisp_console.ui.models.roles import ITEM_ROLE, ConversationRole, MessageRole
from crisp_console.ui.models.timeline import TimelineModel

__all__ = [
    "ITEM_ROLE",
    "MAX_INTERVAL_MS",
    "Coalescer",
    "ConversationListModel",
    "ConversationRole",
    "FilterCounts",
    "MessageRole",
    "TimelineModel",
    "display_name",
]
