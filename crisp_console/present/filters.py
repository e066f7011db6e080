"""The conversation list's filters as predicates: the quick filters (``Filter``), what each
one takes (``matches``), and ``ConversationFilter``, one quick filter plus a text search and a
website, callable on a Conversation in O(1) (field reads and three substring tests).

ui/models/ applies them: ``ConversationListModel(accept=...)`` keeps only matching rows, and
``FilterCounts`` keeps every filter's count, re-testing a conversation only when an update
touches one of ``FILTER_FIELDS``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from crisp_console.core import Conversation


class Filter(enum.Enum):
    PENDING = "pending"  # no operator reply yet (Crisp's meaning)
    UNRESOLVED = "unresolved"  # not resolved: pending or unresolved (Crisp's filter_not_resolved)
    MINE = "mine"  # assigned to me
    UNASSIGNED = "unassigned"
    MENTIONS = "mentions"  # I am mentioned; with no user id, any mention
    UNREAD = "unread"  # visitor messages no operator has read
    RESOLVED = "resolved"
    ALL = "all"


# The Conversation fields the filters read: an update touching none of them changes no count.
FILTER_FIELDS = frozenset(("state", "assigned", "mentions", "unread_operator"))


def matches(kind: Filter, conv: Conversation, user_id: str | None) -> bool:
    """Whether ``conv`` belongs under the quick filter ``kind`` for operator ``user_id``."""
    if kind is Filter.ALL:
        return True
    if kind is Filter.UNRESOLVED:
        return conv.state != "resolved"
    if kind is Filter.PENDING:
        return conv.state == "pending"
    if kind is Filter.RESOLVED:
        return conv.state == "resolved"
    if kind is Filter.UNREAD:
        return conv.unread_operator > 0
    if kind is Filter.UNASSIGNED:
        return conv.assigned is None
    if kind is Filter.MINE:
        return user_id is not None and conv.assigned == user_id
    # MENTIONS
    return user_id in conv.mentions if user_id is not None else bool(conv.mentions)


@dataclass(frozen=True, slots=True)
class ConversationFilter:
    """A quick filter, a case-insensitive text search over name, email and last message, and
    the website shown (None: every website, the unified inbox). Call it on a Conversation."""

    kind: Filter = Filter.ALL
    user_id: str | None = None
    text: str = ""
    website_id: str | None = None
    needle: str = field(init=False, repr=False, compare=False)  # ``text``, casefolded once

    def __post_init__(self) -> None:
        object.__setattr__(self, "needle", self.text.strip().casefold())

    def __call__(self, conv: Conversation) -> bool:
        if self.website_id is not None and conv.website_id != self.website_id:
            return False
        if not matches(self.kind, conv, self.user_id):
            return False
        needle = self.needle
        return not needle or (needle in conv.nickname.casefold()
                              or needle in conv.email.casefold()
                              or needle in conv.last_message.casefold())
