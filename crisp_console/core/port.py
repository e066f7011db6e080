"""What the event handlers, the local echo and the console's own edits use of the Store.

They are functions over this Protocol, not over ``Store`` itself: store.py imports them to
dispatch, and they import nothing of store.py, so the three are no longer a circle. The
Protocol is also the list of what they may touch: the Store's parts (each with its public
API) and the few rules that span parts.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from crisp_console.core.conversations import ConversationRows
from crisp_console.core.counting import Arrival
from crisp_console.core.directory import Directory
from crisp_console.core.intake import Intake
from crisp_console.core.live import VisitedPage
from crisp_console.core.models import Conversation, Message
from crisp_console.core.optimistic import Expectations
from crisp_console.core.presence import Presence
from crisp_console.core.threads import Threads


class StorePort(Protocol):
    intake: Intake
    rows: ConversationRows
    threads: Threads
    directory: Directory
    optimistic: Expectations
    presence: Presence

    def bump(self, conv: Conversation, msg: Message, arrival: Arrival) -> frozenset[str]:
        """Update the row for a message now in its timeline (counting.py's rules)."""
        ...

    def refresh_preview(self, conv: Conversation) -> frozenset[str]:
        """After the preview's message left the timeline: show the latest one left."""
        ...

    def remove_conversations(self, session_ids: Iterable[Any]) -> bool:
        """Remove conversations and, with them, their timelines."""
        ...

    def remove_website_conversations(self, website_id: str) -> bool:
        """Remove the website's conversations (not the website)."""
        ...

    def note_live(self, *, message: Message | None = None,
                  pages: tuple[VisitedPage, ...] = ()) -> None:
        """What the live event being applied brought (live.py)."""
        ...
