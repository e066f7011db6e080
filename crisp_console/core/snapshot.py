"""What a warm start puts back into the store in one go: ``Store.restore(snapshot)``.

The objects are models as the store keeps them (storage/codec.py builds them from the local
database and checks every value as ``apply_update`` does). A timeline comes back with its
history bookkeeping (timeline.py), so that older pages continue from its cursor.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from crisp_console.core.models import Conversation, Message, Operator, Person, Website


@dataclass(slots=True)
class SavedTimeline:
    """One conversation's messages (any order: restore sorts them) and its bookkeeping."""

    session_id: str
    messages: list[Message] = field(default_factory=list)
    loaded: bool = True
    cursor: int | None = None
    at_start: bool = False


@dataclass(slots=True)
class Snapshot:
    """Everything a warm start restores; the lists' order is the rows' arrival order
    (websites, operators, people). Conversations are sorted by the store itself."""

    websites: list[Website] = field(default_factory=list)
    operators: list[Operator] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    conversations: list[Conversation] = field(default_factory=list)
    timelines: list[SavedTimeline] = field(default_factory=list)
