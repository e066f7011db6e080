"""Qt item models over the core Store: the conversation list, the timeline of one conversation
and the filter bar's counts. They map the store's Change notifications onto Qt's row
signals, coalesced on a timer of at most 16 ms (coalesce.py). The filters themselves are
present/filters.py's predicates.

``TimelineModel`` is the thread's: imported when first named, after the first frame (whose
list imports this package)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crisp_console.ui.models.coalesce import MAX_INTERVAL_MS, Coalescer
from crisp_console.ui.models.conversations import ConversationListModel, display_name
from crisp_console.ui.models.filter_counts import FilterCounts
from crisp_console.ui.models.roles import ITEM_ROLE, ConversationRole, MessageRole

if TYPE_CHECKING:
    from crisp_console.ui.models.timeline import TimelineModel


def __getattr__(name: str) -> Any:
    if name == "TimelineModel":
        from crisp_console.ui.models.timeline import TimelineModel

        return TimelineModel
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

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
