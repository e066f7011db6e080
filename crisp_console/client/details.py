"""The people panel's extras: loaded when the panel shows them, then kept fresh a while.

Opening a conversation loads its messages (loader.py). Each extra costs a request: the pages
the visitor browsed, the conversation's events, the contact's profile, custom data, events
and past conversations. ``PeopleDetails`` loads them only when asked (the people panel asks
while it is shown), and does not ask again for what it loaded less than ``fresh_for``
seconds ago (5 minutes), unless a live event says it changed:

- ``session:sync:pages``: that conversation's pages;
- ``people:profile:created|updated|removed``: the contact's profile and custom data;
- a new conversation of the contact in the store: the contact's past conversations (unless
  the loaded list names it already: a past conversation fetched into the store, past.py);
- ``session:removed``: everything of that conversation.

The contact's sections are kept per contact: a second conversation of the same person costs
only its own two. An answer that was under way when such an event came is returned, but not
kept as fresh. What is kept is bounded (``keep`` conversations and contacts, least recently
asked dropped first).

Each section is its own request, and a 403 on one (the token lacks that scope) leaves that
section empty and named in ``ConversationDetails.denied`` with words; the others load as
usual. Other errors propagate (the UI says the details could not be loaded).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter, OrderedDict
from collections.abc import Awaitable, Callable, Collection, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from crisp_console.api import CrispApi, tagged
from crisp_console.client.events import EventListener
from crisp_console.client.words import answered
from crisp_console.core import CONVERSATIONS, Change, ChangeKind, Conversation, Store
from crisp_console.errors import NotAllowedError, NotFoundError

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)

FRESH_FOR = 300.0  # seconds a loaded section is not asked for again
KEEP = 500  # conversations, and contacts, whose sections are kept
CONVERSATION_SECTIONS = ("pages", "events")
CONTACT_SECTIONS = ("profile", "data", "person_events", "past_conversations")
EXTRAS = CONVERSATION_SECTIONS + CONTACT_SECTIONS
# What each section is when empty (or refused): a new one each time.
_EMPTY: dict[str, Callable[[], Any]] = {
    "pages": list, "events": list, "profile": lambda: None, "data": dict,
    "person_events": list, "past_conversations": list}
PROFILE_EVENTS = ("people:profile:created", "people:profile:updated",
                  "people:profile:removed")

Listen = Callable[[EventListener], Callable[[], None]]  # EventSink.add_listener


@dataclass
class ConversationDetails:
    """What the people panel shows beyond the store.

    ``denied``: section -> words for each part Crisp refused (403), the others loaded as
    usual. Sections (health.SECTIONS): ``messages`` (the thread's latest batch, loader.py),
    ``pages``, ``events`` (the conversation's), ``profile``, ``data``, ``person_events``,
    ``past_conversations``."""

    pages: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    profile: dict[str, Any] | None = None
    person_data: dict[str, Any] = field(default_factory=dict)
    person_events: list[dict[str, Any]] = field(default_factory=list)
    past_conversations: list[str] = field(default_factory=list)
    denied: dict[str, str] = field(default_factory=dict)


# What each section shows, for "Crisp does not allow this token to read …".
WHAT = {
    "messages": "the messages of this conversation",
    "pages": "the pages the visitor browsed",
    "events": "the events of this conversation",
    "profile": "the contact's profile",
    "data": "the contact's custom data",
    "person_events": "the contact's events",
    "past_conversations": "the contact's other conversations",
}
_FIELDS = {"pages": "pages", "events": "events", "profile": "profile", "data": "person_data",
           "person_events": "person_events", "past_conversations": "past_conversations"}


def denied_words(section: str, exc: NotAllowedError) -> str:
    return (f"Crisp does not allow this token to read {WHAT.get(section, section)} "
            f"({answered(exc)})")


@dataclass
class _Loaded:
    value: Any
    at: float  # clock time the request was asked
    denied: str = ""


@dataclass
class _Sections:
    """One conversation's or contact's loaded sections. ``changes`` counts the live events
    per section: an answer asked before one of them is not kept."""

    loaded: dict[str, _Loaded] = field(default_factory=dict)
    changes: Counter[str] = field(default_factory=Counter)

    def changed(self, sections: Collection[str]) -> None:
        for section in sections:
            self.loaded.pop(section, None)
            self.changes[section] += 1


class PeopleDetails:
    """The one owner of what the people panel loaded and when. ``listen`` subscribes to
    the live feed's raw events (EventSink.add_listener); ``clock`` is monotonic seconds."""

    def __init__(self, api: CrispApi, store: Store, *, listen: Listen,
                 clock: Callable[[], float] = time.monotonic, fresh_for: float = FRESH_FOR,
                 keep: int = KEEP) -> None:
        self._api, self._store = api, store
        self._clock = clock
        self.fresh_for = fresh_for
        self._keep = keep
        self._conversations: OrderedDict[str, _Sections] = OrderedDict()
        self._contacts: OrderedDict[tuple[str, str], _Sections] = OrderedDict()
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}  # session_id -> (lock, users)
        self._offs: tuple[Callable[[], None], ...] = (listen(self._on_event),
                                                      store.subscribe(self._on_change))

    def close(self) -> None:
        """Stop listening (idempotent)."""
        for off in self._offs:
            off()
        self._offs = ()

    def stale(self, session_id: str, sections: Collection[str] = EXTRAS) -> list[str]:
        """Which of ``sections`` a ``load`` of ``session_id`` would ask Crisp for now."""
        conv = self._store.conversations.get(session_id)
        if conv is None:
            return []
        now = self._clock()
        out = [s for s in CONVERSATION_SECTIONS if s in sections
               and not self._fresh(self._conversations.get(session_id), s, now)]
        if conv.people_id:
            box = self._contacts.get((conv.website_id, conv.people_id))
            out += [s for s in CONTACT_SECTIONS if s in sections
                    and not self._fresh(box, s, now)]
        return out

    @tagged("open")
    async def load(self, session_id: str,
                   sections: Collection[str] = EXTRAS) -> ConversationDetails:
        """``sections`` of ``session_id``'s people panel: what is fresh as it was, the rest
        asked for now (one request each). KeyError for a conversation the store lacks."""
        if session_id not in self._store.conversations:
            raise KeyError(session_id)
        lock, users = self._locks.get(session_id, (asyncio.Lock(), 0))
        self._locks[session_id] = (lock, users + 1)
        try:
            async with lock:  # a second caller waits, then finds it fresh
                # Read after the wait: the visitor may have been identified meanwhile.
                return await self._load(self._store.conversations[session_id], sections)
        finally:
            lock, users = self._locks[session_id]
            if users > 1:
                self._locks[session_id] = (lock, users - 1)
            else:
                del self._locks[session_id]

    async def _load(self, conv: Conversation, sections: Collection[str]) -> ConversationDetails:
        website_id, session_id, people_id = conv.website_id, conv.session_id, conv.people_id
        api, got = self._api, ConversationDetails()
        box = self._box(self._conversations, session_id)
        if "pages" in sections:
            await self._section(got, box, "pages", lambda: api.list_pages(website_id, session_id))
        if "events" in sections:
            await self._section(got, box, "events",
                                lambda: api.list_events(website_id, session_id))
        if not people_id or not set(CONTACT_SECTIONS) & set(sections):
            return got
        box = self._box(self._contacts, (website_id, people_id))
        calls: dict[str, Callable[[], Awaitable[Any]]] = {
            "profile": lambda: api.get_person(website_id, people_id),
            "data": lambda: api.get_person_data(website_id, people_id),
            "person_events": lambda: api.list_person_events(website_id, people_id),
            "past_conversations": lambda: api.list_person_conversations(website_id, people_id),
        }
        for section in CONTACT_SECTIONS:
            if section not in sections:
                continue
            try:
                fetched = await self._section(got, box, section, calls[section])
            except NotFoundError:  # no such contact (any 404 reason): nothing else to ask
                now = self._clock()
                for gone in CONTACT_SECTIONS:
                    if not self._fresh(box, gone, now):
                        box.loaded[gone] = _Loaded(_EMPTY[gone](), now)
                return got
            if fetched and section == "profile" and got.profile is not None:
                self._store.upsert_person({**got.profile, "website_id": website_id})
        return got

    async def _section(self, got: ConversationDetails, box: _Sections, section: str,
                       call: Callable[[], Awaitable[Any]]) -> bool:
        """Fill ``section`` of ``got``, from ``box`` if fresh, else from Crisp (True)."""
        now = self._clock()
        kept = box.loaded.get(section)
        fetched = kept is None or not self._fresh(box, section, now)
        if fetched:
            changes = box.changes[section]
            try:
                kept = _Loaded(await call(), now)
            except NotAllowedError as exc:
                kept = _Loaded(_EMPTY[section](), now, denied_words(section, exc))
            if box.changes[section] == changes:  # no live event said it changed meanwhile
                box.loaded[section] = kept
        assert kept is not None
        setattr(got, _FIELDS[section], kept.value)
        if kept.denied:
            got.denied[section] = kept.denied
        return fetched

    def _fresh(self, box: _Sections | None, section: str, now: float) -> bool:
        kept = box.loaded.get(section) if box is not None else None
        return kept is not None and now - kept.at < self.fresh_for

    def _box(self, boxes: OrderedDict[K, _Sections], key: K) -> _Sections:
        box = boxes.get(key)
        if box is None:
            box = boxes[key] = _Sections()
            while len(boxes) > self._keep:
                boxes.popitem(last=False)
        boxes.move_to_end(key)
        return box

    # ---- what live events say changed --------------------------------------------------

    def _on_event(self, name: str, payload: Any) -> None:
        if not isinstance(payload, dict):
            return
        session_id, people_id = payload.get("session_id"), payload.get("people_id")
        if name == "session:sync:pages" and isinstance(session_id, str):
            if (box := self._conversations.get(session_id)) is not None:
                box.changed(("pages",))
        elif name == "session:removed" and isinstance(session_id, str):
            self._conversations.pop(session_id, None)
        elif name in PROFILE_EVENTS and isinstance(people_id, str):
            website_id = payload.get("website_id")
            for (wid, pid), box in self._contacts.items():
                if pid == people_id and website_id in (None, wid):
                    box.changed(("profile", "data"))

    def _on_change(self, change: Change) -> None:
        """A conversation new to the store, or newly tied to its contact (a provisional row
        gets its people_id with Crisp's copy): the contact may have one more past
        conversation (not when the list loaded names it: a past conversation fetched into the
        store)."""
        if change.collection != CONVERSATIONS or not (
                change.kind is ChangeKind.INSERTED
                or (change.kind is ChangeKind.CHANGED and "people_id" in change.fields)):
            return
        for session_id in change.ids:
            conv = self._store.conversations.get(session_id)
            box = self._contacts.get((conv.website_id, conv.people_id)) if conv else None
            listed = box.loaded.get("past_conversations") if box is not None else None
            if box is not None and (listed is None or session_id not in listed.value):
                box.changed(("past_conversations",))
