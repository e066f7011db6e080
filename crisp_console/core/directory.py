"""The directory part of the store: websites, operators and people, in arrival order.

Each is a dict by id plus an InsertionRows list; loads replace them wholesale (RESET), events
update one entry (CHANGED), profiles come and go one by one (INSERTING/…, REMOVING/…). Every
Change names its id (changes.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from crisp_console.core.changes import OPERATORS, PEOPLE, WEBSITES, Change, ChangeKind
from crisp_console.core.intake import Intake
from crisp_console.core.models import Operator, Person, Website
from crisp_console.core.results import APPLIED, IGNORED, ApplyResult, result
from crisp_console.core.rows import InsertionRows

Emit = Callable[[Change], None]


class Directory:
    """Attributes (read them, never mutate them): websites, operators, people: dicts by id,
    updated in place (the Store hands them out as they are)."""

    def __init__(self, intake: Intake, emit: Emit) -> None:
        self._intake = intake
        self._emit = emit
        self.websites: dict[str, Website] = {}
        self.operators: dict[str, Operator] = {}
        self.people: dict[str, Person] = {}
        self._website_rows = InsertionRows(emit, WEBSITES)
        self._operator_rows = InsertionRows(emit, OPERATORS)
        self._people_rows = InsertionRows(emit, PEOPLE)

    def website_ids(self) -> list[str]:
        return list(self._website_rows.ids)

    def operator_ids(self) -> list[str]:
        return list(self._operator_rows.ids)

    def people_ids(self) -> list[str]:
        return list(self._people_rows.ids)

    def clear(self) -> None:
        """Forget everything, silently: the store announces its RESETs once it is all done."""
        for items in (self.websites, self.operators, self.people):
            items.clear()
        for rows in (self._website_rows, self._operator_rows, self._people_rows):
            rows.replace([])

    # ---- websites --------------------------------------------------------------------------

    def set_websites(self, payloads: Any) -> ApplyResult:
        """Replace the websites (Connect Websites / Get A Website answers); emits RESET.
        A list of which no item parses is MALFORMED and replaces nothing."""
        sites = self._intake.parse_list("rest:website", Website.from_payload, payloads,
                                        whole=True)
        if sites is None:
            return ApplyResult.MALFORMED
        self.websites.clear()
        self.websites.update((w.website_id, w) for w in sites)
        self._website_rows.replace(list(self.websites))
        self._emit(Change(ChangeKind.RESET, WEBSITES))
        return APPLIED

    def upsert_website(self, payload: Any) -> ApplyResult:
        """Add a website or merge the keys a payload carries into the known one."""
        site = self._intake.parse_item("rest:website", Website.from_payload, payload)
        if site is None:
            return ApplyResult.MALFORMED
        known = self.websites.get(site.website_id)
        if known is None:
            self._website_rows.append(site.website_id,
                                      lambda: self.websites.__setitem__(site.website_id, site))
            return APPLIED
        return self.update_website(site.website_id, Website.fields_from_payload(payload))

    def update_website(self, website_id: str, partial: Mapping[str, Any]) -> ApplyResult:
        site = self.websites.get(website_id) if isinstance(website_id, str) else None
        if site is None:
            return ApplyResult.UNKNOWN_TARGET
        fields = self._intake.checked_update("update:website", site, partial)
        self._website_rows.changed(website_id, fields)
        return result(bool(fields))

    def remove_website(self, website_id: str) -> bool:
        """Forget the website itself (its conversations are the store's to remove)."""
        if not isinstance(website_id, str) or website_id not in self.websites:
            return False
        self._website_rows.remove(website_id, lambda: self.websites.pop(website_id))
        return True

    # ---- operators -------------------------------------------------------------------------

    def set_operators(self, payloads: Any) -> ApplyResult:
        """Replace the operators (List Website Operators answer); emits RESET.
        A list of which no item parses is MALFORMED and replaces nothing."""
        ops = self._intake.parse_list("rest:operator", Operator.from_payload, payloads,
                                      whole=True)
        if ops is None:
            return ApplyResult.MALFORMED
        self.operators.clear()
        self.operators.update((o.user_id, o) for o in ops)
        self._operator_rows.replace(list(self.operators))
        self._emit(Change(ChangeKind.RESET, OPERATORS))
        return APPLIED

    def update_operator(self, user_id: str, partial: Mapping[str, Any]) -> ApplyResult:
        op = self.operators.get(user_id) if isinstance(user_id, str) else None
        if op is None:
            return ApplyResult.UNKNOWN_TARGET
        fields = self._intake.checked_update("update:operator", op, partial)
        self._operator_rows.changed(user_id, fields)
        return result(bool(fields))

    # ---- people ----------------------------------------------------------------------------

    def upsert_person(self, payload: Any, website_id: str = "") -> ApplyResult:
        """Add or update a people profile (REST profiles lack website_id: pass it)."""
        person = self._intake.parse_item(
            "rest:people", lambda d: Person.from_payload(d, website_id), payload)
        if person is None:
            return ApplyResult.MALFORMED
        known = self.people.get(person.people_id)
        if known is None:
            self._people_rows.append(person.people_id,
                                     lambda: self.people.__setitem__(person.people_id, person))
            return APPLIED
        partial = Person.fields_from_payload(payload)
        partial.setdefault("website_id", person.website_id or known.website_id)
        return self.update_person(person.people_id, partial)

    def update_person(self, people_id: str, partial: Mapping[str, Any]) -> ApplyResult:
        person = self.people.get(people_id) if isinstance(people_id, str) else None
        if person is None:
            return ApplyResult.UNKNOWN_TARGET
        fields = self._intake.checked_update("update:people", person, partial)
        self._people_rows.changed(people_id, fields)
        return result(bool(fields))

    def remove_person(self, people_id: str) -> ApplyResult:
        if not isinstance(people_id, str) or people_id not in self.people:
            return IGNORED
        self._people_rows.remove(people_id, lambda: self.people.pop(people_id))
        return APPLIED
