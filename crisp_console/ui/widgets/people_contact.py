"""The people panel's contact: its profile header (identity and context) and its notepad,
for the bound conversation.

Apart from people_panel.py, which binds a conversation, builds the sections and routes the
store's changes to them: this reads who the contact is (the store's person, else the profile
the shown panel loaded), fills the header and the notepad with it, and remembers what it
showed, so that a change of the contact re-renders them only when something shown changed.
Not a widget: the header and the notepad are the panel's. Loaded with the panel, after the
first frame.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crisp_console.client import ConversationDetails
from crisp_console.core import Conversation, Store
from crisp_console.core.models import Person
from crisp_console.present import people_info as info
from crisp_console.present.avatars import visitor_key
from crisp_console.present.timefmt import Clock
from crisp_console.ui.locale_names import country_name, language_name
from crisp_console.ui.widgets.notepad_editor import NotepadEditor
from crisp_console.ui.widgets.profile_header import ProfileHeader


class ContactParts:
    """``details``: what the shown panel loaded for the conversation (None: nothing yet)."""

    def __init__(self, store: Store, header: ProfileHeader, notepad: NotepadEditor,
                 clock: Clock) -> None:
        self._store, self._header, self._notepad, self._clock = store, header, notepad, clock
        self.note_target: tuple[str, str] | None = None  # (website_id, people_id)
        self.shown_new = False  # the notepad says the conversation is not described yet
        self._seen: tuple[Any, ...] = ()  # what the contact looked like when shown

    def person(self, conv: Conversation) -> Person | None:
        return self._store.people.get(conv.people_id) if conv.people_id else None

    def profile(self, conv: Conversation,
                details: ConversationDetails | None) -> Mapping[str, Any]:
        """The contact's ``person`` object: the store's, else the one details loaded."""
        person = self.person(conv)
        if person is not None:
            return person.person
        profile = details.profile if details else None
        found = profile.get("person") if isinstance(profile, Mapping) else None
        return found if isinstance(found, Mapping) else {}

    def show_identity(self, conv: Conversation, details: ConversationDetails | None) -> None:
        person, profile = self.person(conv), self.profile(conv, details)
        name = conv.nickname or (person.nickname if person else "") or conv.email or "Visitor"
        email = conv.email or (person.email if person else "")
        phone = conv.meta.get("phone") or profile.get("phone")
        self._header.set_identity(visitor_key(conv.people_id, conv.session_id), name, email,
                                  phone if isinstance(phone, str) else "",
                                  online=conv.availability == "online")

    def show_context(self, conv: Conversation, details: ConversationDetails | None) -> None:
        meta, profile = conv.meta, self.profile(conv, details)
        codes = info.locales_of(meta, profile)
        self._header.set_context(
            info.place_line(meta, profile, country_name),
            info.device_line(meta), info.locales_line(codes, language_name),
            info.network_line(meta), local_time=info.local_time_line(meta, profile, self._clock()),
            device_tip=info.user_agent(meta), languages_tip=", ".join(codes))

    def changed(self, conv: Conversation | None) -> bool:
        """Whether the contact differs from what the last ``show_notepad`` saw of it."""
        return self._state(conv) != self._seen

    def _state(self, conv: Conversation | None) -> tuple[Any, ...]:
        person = self.person(conv) if conv else None
        if person is None:
            return (conv.people_id if conv else None,)
        return (person.nickname, person.email, person.notepad, person.person)

    def show_notepad(self, conv: Conversation | None, loading: bool) -> None:
        """The contact's notepad, or why there is none (``loading``: the extras are being
        asked for)."""
        person = self.person(conv) if conv else None
        self._seen = self._state(conv)
        target = (conv.website_id, conv.people_id) if conv and conv.people_id else None
        if target != self.note_target:
            self.note_target = target
            self._notepad.clear()
        if person is not None:
            self._notepad.show_stored(person.notepad, "Notes about this contact, for your team")
        else:  # anonymous, or the profile is not (yet, or no longer) loaded
            new = self.shown_new = conv is not None and self._store.is_provisional(
                conv.session_id)
            words = ("A new conversation: its contact is not known yet" if new
                     else "No contact profile for this visitor" if target is None
                     else "Loading the contact's notepad…" if loading
                     else "The contact's profile could not be loaded (offline, or Crisp "
                     "did not answer)")
            self._notepad.show_stored(None, words)
