"""The pure domain layer: models, the Store, its RTM event handlers and change notifications.

No I/O, no asyncio, no Qt: everything here is synchronous and tested without a server.
"""

from crisp_console.core.changes import (
    CONVERSATIONS,
    MESSAGES,
    OPERATORS,
    PEOPLE,
    WEBSITES,
    Change,
    ChangeKind,
)
from crisp_console.core.handlers import HANDLERS
from crisp_console.core.live import LiveEvent, VisitedPage
from crisp_console.core.models import (
    Conversation,
    Message,
    MessageStatus,
    Operator,
    Person,
    Website,
    excerpt_of,
)
from crisp_console.core.optimistic import Optimistic
from crisp_console.core.ordering import Ordering
from crisp_console.core.parse import PayloadError
from crisp_console.core.results import ApplyResult
from crisp_console.core.snapshot import SavedTimeline, Snapshot
from crisp_console.core.store import Store

__all__ = [
    "CONVERSATIONS",
    "HANDLERS",
    "MESSAGES",
    "OPERATORS",
    "PEOPLE",
    "WEBSITES",
    "ApplyResult",
    "Change",
    "ChangeKind",
    "Conversation",
    "LiveEvent",
    "Message",
    "MessageStatus",
    "Operator",
    "Optimistic",
    "Ordering",
    "PayloadError",
    "Person",
    "SavedTimeline",
    "Snapshot",
    "Store",
    "VisitedPage",
    "Website",
    "excerpt_of",
]
