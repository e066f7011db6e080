"""What opening a conversation loads for the people panel, section by section.

Each section is its own request, and a 403 on one (the token lacks that scope) leaves that
section empty and named in ``ConversationDetails.denied`` with words; the others load as
usual. Other errors propagate (the UI says the conversation could not be loaded).
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from crisp_console.api import CrispApi
from crisp_console.client.words import answered
from crisp_console.core import Conversation, Store
from crisp_console.errors import NotAllowedError, NotFoundError

T = TypeVar("T")


@dataclass
class ConversationDetails:
    """What opening a conversation loads lazily for the people panel.

    ``denied``: section -> words for each part Crisp refused (403), the others loaded as
    usual. Sections (health.SECTIONS): ``messages`` (the thread's latest batch), ``pages``,
    ``events`` (the conversation's), ``profile``, ``data``, ``person_events``,
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


def denied_words(section: str, exc: NotAllowedError) -> str:
    return (f"Crisp does not allow this token to read {WHAT.get(section, section)} "
            f"({answered(exc)})")


async def _section(found: ConversationDetails, section: str, call: Awaitable[T],
                   default: T) -> T:
    try:
        return await call
    except NotAllowedError as exc:
        found.denied[section] = denied_words(section, exc)
        return default


async def load(api: CrispApi, store: Store, conv: Conversation,
               found: ConversationDetails) -> None:
    """Fill ``found`` with the people panel's sections of ``conv``."""
    website_id, session_id = conv.website_id, conv.session_id
    found.pages = await _section(found, "pages", api.list_pages(website_id, session_id), [])
    found.events = await _section(found, "events", api.list_events(website_id, session_id), [])
    people_id = conv.people_id
    if not people_id:
        return
    try:
        found.profile = await _section(found, "profile", api.get_person(website_id, people_id),
                                       None)
    except NotFoundError:  # no such contact (any 404 reason): nothing else to ask about it
        return
    if found.profile is not None:
        store.upsert_person({**found.profile, "website_id": website_id})
    # Asked even when the profile was refused: the contact may exist all the same.
    try:
        found.person_data = await _section(found, "data",
                                           api.get_person_data(website_id, people_id), {})
        found.person_events = await _section(
            found, "person_events", api.list_person_events(website_id, people_id), [])
        found.past_conversations = await _section(
            found, "past_conversations", api.list_person_conversations(website_id, people_id),
            [])
    except NotFoundError:  # the profile was refused and there is no such contact
        return
