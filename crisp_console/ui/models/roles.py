"""Item roles of the conversation list and the timeline, and which fields feed which role.

Delegates read ``ITEM_ROLE`` only: the row's core object (napari's ``ItemRole``), a
``core.Conversation`` in the list and a ``core.Message`` in the timeline, whose fields they
read instead of querying one role per field (style-anchors.md §5.2). The other roles exist
for tests, accessibility and simple views; a ``dataChanged`` names the roles of the fields
that changed (always ``ITEM``, since the object changed), so a view repaints only what it
must.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping

from PySide6.QtCore import QByteArray, Qt

_USER = int(Qt.ItemDataRole.UserRole)
DISPLAY = int(Qt.ItemDataRole.DisplayRole)
ALL_ROLES = -1  # marker in a role set: "every role" (an empty list in ``dataChanged``)


class ConversationRole(enum.IntEnum):
    ITEM = _USER + 1  # the core.Conversation
    SESSION_ID = _USER + 2
    NAME = _USER + 3  # nickname, else email, else "Visitor" (also DisplayRole)
    EXCERPT = _USER + 4  # the last message's excerpt
    UPDATED_AT = _USER + 5
    UNREAD = _USER + 6  # visitor messages no operator has read
    STATE = _USER + 7  # "pending" | "unresolved" | "resolved"
    ASSIGNED = _USER + 8  # user_id or None
    TYPING = _USER + 9  # the visitor's MagicType excerpt, None when not typing
    WEBSITE_ID = _USER + 10
    AVATAR = _USER + 11


class MessageRole(enum.IntEnum):
    ITEM = _USER + 1  # the core.Message
    FINGERPRINT = _USER + 2
    TEXT = _USER + 3  # the excerpt (also DisplayRole)
    SENDER = _USER + 4  # "user" | "operator"
    TIMESTAMP = _USER + 5
    STATUS = _USER + 6  # core.MessageStatus
    TYPE = _USER + 7
    READ = _USER + 8  # the acknowledging origin, "" until read
    EDITED = _USER + 9
    MARK = _USER + 10  # present.find_text.Mark: the find's or a reveal's highlight, or None


ITEM_ROLE = int(ConversationRole.ITEM)
assert int(MessageRole.ITEM) == ITEM_ROLE  # delegates read one role of both models


def _invert(by_role: Mapping[int, Iterable[str]]) -> dict[str, frozenset[int]]:
    out: dict[str, set[int]] = {}
    for role, names in by_role.items():
        for name in names:
            out.setdefault(name, {ITEM_ROLE}).add(int(role))
    return {name: frozenset(roles) for name, roles in out.items()}


CONVERSATION_FIELD_ROLES = _invert({
    ConversationRole.NAME: ("nickname", "email"),
    DISPLAY: ("nickname", "email"),
    ConversationRole.EXCERPT: ("last_message",),
    ConversationRole.UPDATED_AT: ("updated_at",),
    ConversationRole.UNREAD: ("unread_operator",),
    ConversationRole.STATE: ("state",),
    ConversationRole.ASSIGNED: ("assigned",),
    ConversationRole.TYPING: ("compose_visitor",),
    ConversationRole.WEBSITE_ID: ("website_id",),
    ConversationRole.AVATAR: ("avatar",),
})

MESSAGE_FIELD_ROLES = _invert({
    MessageRole.TEXT: ("content", "type"),
    DISPLAY: ("content", "type"),
    MessageRole.SENDER: ("from_",),
    MessageRole.TIMESTAMP: ("timestamp",),
    MessageRole.STATUS: ("status", "error"),
    int(Qt.ItemDataRole.ToolTipRole): ("status", "error"),
    int(Qt.ItemDataRole.AccessibleTextRole): ("content", "type", "status", "error"),
    MessageRole.TYPE: ("type",),
    MessageRole.READ: ("read", "delivered"),
    MessageRole.EDITED: ("edited",),
})

_ITEM_ONLY = frozenset((ITEM_ROLE,))


def roles_for(fields: Iterable[str], table: Mapping[str, frozenset[int]]) -> frozenset[int]:
    """The roles that read ``fields``: ITEM always, plus the fields' own roles."""
    roles = _ITEM_ONLY
    for name in fields:
        roles = roles | table.get(name, _ITEM_ONLY)
    return roles


def role_names(roles: type[enum.IntEnum]) -> dict[int, QByteArray]:
    """``roleNames()`` entries for a role enum: lower-case names (QML and debugging)."""
    return {int(r): QByteArray(r.name.lower().encode()) for r in roles}
