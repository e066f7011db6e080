"""Websites, operators and people: small collections in arrival order (Store's base class).

Each is a dict by id plus an InsertionRows list; loads replace them wholesale (RESET), events
update one entry (CHANGED), profiles come and go one by one (INSERTING/…, REMOVING/…).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from crisp_console.core.changes import OPERATORS, PEOPLE, WEBSITES, Change, ChangeKind
from crisp_console.core.models import Operator, Person, Website
from crisp_console.core.parse import PayloadError
from crisp_console.core.results import APPLIED, IGNORED, ApplyResult, result
from crisp_console.core.rows import InsertionRows

log = logging.getLogger(__name__)
T = TypeVar("T")


class Directory:
    """Attributes (read them, never mutate them):
        websites, operators, people: dicts by id.
    """

    def __init__(self) -> None:
        emit = self._emit
        self.websites: dict[str, Website] = {}
        self.operators: dict[str, Operator] = {}
        self.people: dict[str, Person] = {}
        self._website_rows = InsertionRows(emit, WEBSITES)
        self._operator_rows = InsertionRows(emit, OPERATORS)
        self._people_rows = InsertionRows(emit, PEOPLE)

    def _emit(self, change: Change) -> None:
        raise NotImplementedError

    def website_ids(self) -> list[str]:
        return list(self._website_rows.ids)

    def operator_ids(self) -> list[str]:
        return list(self._operator_rows.ids)

    def people_ids(self) -> list[str]:
        return list(self._people_rows.ids)

    def _clear_directory(self) -> None:
        self.websites, self.operators, self.people = {}, {}, {}
        for rows in (self._website_rows, self._operator_rows, self._people_rows):
            rows.replace([])

    def set_websites(self, payloads: Any) -> ApplyResult:
        """Replace the websites (Connect Websites / Get A Website answers); emits RESET."""
        sites = _parse_all(payloads, Website.from_payload, "website")
        if sites is None:
            return ApplyResult.MALFORMED
        self.websites = {w.website_id: w for w in sites}
        self._website_rows.replace(list(self.websites))
        self._emit(Change(ChangeKind.RESET, WEBSITES))
        return APPLIED

    def upsert_website(self, payload: Any) -> ApplyResult:
        """Add a website or merge the keys a payload carries into the known one."""
        try:
            site = Website.from_payload(payload)
        except PayloadError as exc:
            log.warning("dropped malformed website: %s", exc)
            return ApplyResult.MALFORMED
        known = self.websites.get(site.website_id)
        if known is None:
            self._website_rows.append(site.website_id,
                                      lambda: self.websites.__setitem__(site.website_id, site))
            return APPLIED
        return self.update_website(site.website_id, Website.fields_from_payload(payload))

    def update_website(self, website_id: str, partial: Mapping[str, Any]) -> ApplyResult:
        site = self.websites.get(website_id)
        if site is None:
            return ApplyResult.UNKNOWN_TARGET
        fields = site.apply_update(partial)
        self._website_rows.changed(website_id, fields)
        return result(bool(fields))

    def set_operators(self, payloads: Any) -> ApplyResult:
        """Replace the operators (List Website Operators answer); emits RESET."""
        ops = _parse_all(payloads, Operator.from_payload, "operator")
        if ops is None:
            return ApplyResult.MALFORMED
        self.operators = {o.user_id: o for o in ops}
        self._operator_rows.replace(list(self.operators))
        self._emit(Change(ChangeKind.RESET, OPERATORS))
        return APPLIED

    def update_operator(self, user_id: str, partial: Mapping[str, Any]) -> ApplyResult:
        op = self.operators.get(user_id)
        if op is None:
            return ApplyResult.UNKNOWN_TARGET
        fields = op.apply_update(partial)
        self._operator_rows.changed(user_id, fields)
        return result(bool(fields))

    def upsert_person(self, payload: Any, website_id: str = "") -> ApplyResult:
        """Add or update a people profile (REST profiles lack website_id: pass it)."""
        try:
            person = Person.from_payload(payload, website_id)
        except PayloadError as exc:
            log.warning("dropped malformed people profile: %s", exc)
            return ApplyResult.MALFORMED
        if person.people_id not in self.people:
            self._people_rows.append(person.people_id,
                                     lambda: self.people.__setitem__(person.people_id, person))
            return APPLIED
        partial = Person.fields_from_payload(payload)
        if website_id:
            partial.setdefault("website_id", website_id)
        return self.update_person(person.people_id, partial)

    def update_person(self, people_id: str, partial: Mapping[str, Any]) -> ApplyResult:
        person = self.people.get(people_id)
        if person is None:
            return ApplyResult.UNKNOWN_TARGET
        fields = person.apply_update(partial)
        self._people_rows.changed(people_id, fields)
        return result(bool(fields))

    def remove_person(self, people_id: str) -> ApplyResult:
        if people_id not in self.people:
            return IGNORED
        self._people_rows.remove(people_id, lambda: self.people.pop(people_id))
        return APPLIED


def _parse_all(payloads: Any, parse: Callable[[Any], T], what: str) -> list[T] | None:
    if not isinstance(payloads, list):
        log.warning("dropped %ss: not a list", what)
        return None
    out: list[T] = []
    for payload in payloads:
        try:
            out.append(parse(payload))
        except PayloadError as exc:
            log.warning("dropped malformed %s: %s", what, exc)
    return out
