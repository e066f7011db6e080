"""The sandbox's directory: websites, operators, people and the plugin token, with the clock
and the identifiers every mutation uses, and the mutations of that directory.

Each mutation emits the RTM events Crisp would send for it (``emit(name, payload)``, which the
RTM server filters per socket); state.py's SandboxState adds the conversations.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from crisp_console.sandbox.model import Operator, Person, Website

Emit = Callable[[str, dict[str, Any]], None]


def now_ms() -> int:
    return int(time.time() * 1000)


def seeded_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


@dataclass(slots=True)
class PluginToken:
    identifier: str
    key: str
    plugin_id: str
    tier: str = "plugin"


@dataclass
class World:
    token: PluginToken
    plugin_schema: dict[str, Any]
    websites: dict[str, Website] = field(default_factory=dict)
    operators: list[Operator] = field(default_factory=list)
    people: dict[str, Person] = field(default_factory=dict)
    # people_id by (website_id, lower-cased email), for "email already taken" checks.
    people_by_email: dict[tuple[str, str], str] = field(default_factory=dict)
    # Websites whose subscription was removed, with the time, for Connect Websites Since.
    removed_websites: dict[str, int] = field(default_factory=dict)
    # Websites (re)bound while the sandbox ran, with the time: Connect Websites Since reports
    # them as "added" even when the website itself is older than `date_since`.
    bound_websites: dict[str, int] = field(default_factory=dict)
    emit: Emit = field(default=lambda name, payload: None, repr=False)
    clock: Callable[[], int] = field(default=now_ms, repr=False)
    rng: random.Random = field(default_factory=lambda: random.Random(0), repr=False)

    def uuid(self) -> str:
        # Seeded so that simulator runs are reproducible when the clock is.
        return seeded_uuid(self.rng)

    def subscribed_website_ids(self) -> list[str]:
        return [w.website_id for w in self.websites.values() if w.subscribed]

    def operator(self, user_id: str) -> Operator | None:
        return next((o for o in self.operators if o.user_id == user_id), None)

    # ---- people -------------------------------------------------------------------------

    def _people_event(self, name: str, person: Person, **extra: Any) -> None:
        payload: dict[str, Any] = {"website_id": person.website_id, "people_id": person.people_id}
        payload.update(extra)
        self.emit(name, payload)

    def add_person(self, person: Person) -> None:
        self.people[person.people_id] = person
        if person.email:
            self.people_by_email[(person.website_id, person.email.lower())] = person.people_id
        self._people_event("people:profile:created", person, email=person.email)

    def update_person(self, person: Person, fields: dict[str, Any], *, replace: bool) -> None:
        if person.email:
            self.people_by_email.pop((person.website_id, person.email.lower()), None)
        for key in ("email", "segments", "notepad", "company"):
            if key in fields:
                setattr(person, key, fields[key])
            elif replace and key in ("segments", "notepad", "company"):
                setattr(person, key, [] if key == "segments" else {} if key == "company" else "")
        if "person" in fields:
            person.person = fields["person"] if replace else {**person.person, **fields["person"]}
        if "active" in fields and isinstance(fields["active"], dict):
            person.active_last = int(fields["active"].get("last", person.active_last))
        if person.email:
            self.people_by_email[(person.website_id, person.email.lower())] = person.people_id
        person.updated_at = self.clock()
        self._people_event("people:profile:updated", person, email=person.email,
                           update={"updated_at": person.updated_at, "person": person.person})

    def remove_person(self, person: Person) -> None:
        del self.people[person.people_id]
        if person.email:
            self.people_by_email.pop((person.website_id, person.email.lower()), None)
        self._people_event("people:profile:removed", person, email=person.email)

    def set_person_data(self, person: Person, data: dict[str, Any], *, replace: bool) -> None:
        person.data = dict(data) if replace else {**person.data, **data}
        person.updated_at = self.clock()
        self._people_event("people:profile:updated", person, email=person.email,
                           update={"updated_at": person.updated_at, "data": person.data})

    def add_person_event(self, person: Person, event: dict[str, Any]) -> dict[str, Any]:
        """Append ``{text, data, color}`` stamped now. Crisp sends no RTM event for this."""
        stamped = {**event, "timestamp": self.clock()}
        person.events.append(stamped)
        return stamped

    # ---- websites and plugin --------------------------------------------------------------

    def save_settings(self, website: Website, settings: dict[str, Any]) -> None:
        website.settings = settings
        website.updated_at = self.clock()
        self.emit("plugin:settings:saved", {"website_id": website.website_id,
                                            "plugin_id": self.token.plugin_id,
                                            "settings": settings})

    def set_subscribed(self, website: Website, bound: bool) -> None:
        if website.subscribed == bound:
            return
        now = self.clock()
        website.subscribed = bound
        website.updated_at = now
        if bound:
            self.removed_websites.pop(website.website_id, None)
            self.bound_websites[website.website_id] = now
        else:
            self.bound_websites.pop(website.website_id, None)
            self.removed_websites[website.website_id] = now
        self.emit("plugin:subscription:updated", {"website_id": website.website_id,
                                                  "plugin_id": self.token.plugin_id,
                                                  "bound": bound,
                                                  "target": website.website_id})

    def set_visitors_count(self, website: Website, count: int) -> None:
        website.visitors_count = count
        self.emit("website:update_visitors_count", {"website_id": website.website_id,
                                                    "visitors_count": count})

    def set_operator_availability(self, website_id: str, op: Operator, availability: str) -> None:
        op.availability = availability
        op.availability_since = self.clock()
        self.emit("website:update_operators_availability",
                  {"website_id": website_id, "user_id": op.user_id,
                   "availability": {"type": availability}})
