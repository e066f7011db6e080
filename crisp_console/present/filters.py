"""The conversation list's filters as predicates: the quick filters (``Filter``) and what each
one takes (``matches``) are core's (core/views.py: the client pages them from Crisp too), and
``ConversationFilter``, one quick filter plus a text search and a
website, callable on a Conversation in O(1) (field reads and three substring tests).

ui/models/ applies them: ``ConversationListModel(accept=...)`` keeps only matching rows, and
``FilterCounts`` keeps every filter's count, re-testing a conversation only when an update
touches one of ``FILTER_FIELDS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from crisp_console.core import Conversation
from crisp_console.core.views import (
    FILTER_FIELDS,
    Filter,
    SavedKind,
    SavedView,
    has_segment,
    matches,
)

__all__ = ["FILTER_FIELDS", "ConversationFilter", "Filter", "matches"]


@dataclass(frozen=True, slots=True)
class ConversationFilter:
    """A quick filter, a case-insensitive text search over name, email and last message, and
    the website shown (None: every website, the unified inbox). Call it on a Conversation."""

    kind: Filter = Filter.ALL
    user_id: str | None = None
    text: str = ""
    website_id: str | None = None
    # A saved view instead of ``kind``: a segment's are the conversations in it; a custom
    # filter's are those Crisp answered for it (``member``, the pager's, by session id).
    saved: SavedView | None = None
    member: Callable[[str], bool] | None = field(default=None, compare=False)
    needle: str = field(init=False, repr=False, compare=False)  # ``text``, casefolded once

    def __post_init__(self) -> None:
        object.__setattr__(self, "needle", self.text.strip().casefold())

    def __call__(self, conv: Conversation) -> bool:
        if self.website_id is not None and conv.website_id != self.website_id:
            return False
        saved = self.saved
        if saved is None:
            if not matches(self.kind, conv, self.user_id):
                return False
        elif saved.kind is SavedKind.SEGMENT:
            if not has_segment(conv, saved.query):
                return False
        elif self.member is None or not self.member(conv.session_id):
            return False
        needle = self.needle
        return not needle or (needle in conv.nickname.casefold()
                              or needle in conv.email.casefold()
                              or needle in conv.last_message.casefold())
