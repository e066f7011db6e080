"""Qt item models over the core Store: the conversation list (with its filters and counts)
and the timeline of one conversation. They map the store's Change notifications onto Qt's
row signals, coalesced on a timer of at most 16 ms (coalesce.py)."""

from crisp_console.ui.models.coalesce import MAX_INTERVAL_MS, Coalescer
from crisp_console.ui.models.conversations import ConversationListModel, display_name
from crisp_console.ui.models.filters import (
    FILTER_FIELDS,
    ConversationFilter,
    ConversationFilterProxy,
    Filter,
    FilterCounts,
    matches,
)
from crisp_console.ui.models.roles import ITEM_ROLE, ConversationRole, MessageRole
from crisp_console.ui.models.timeline import TimelineModel

__all__ = [
    "FILTER_FIELDS",
    "ITEM_ROLE",
    "MAX_INTERVAL_MS",
    "Coalescer",
    "ConversationFilter",
    "ConversationFilterProxy",
    "ConversationListModel",
    "ConversationRole",
    "Filter",
    "FilterCounts",
    "MessageRole",
    "TimelineModel",
    "display_name",
    "matches",
]
