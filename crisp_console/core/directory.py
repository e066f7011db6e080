"""Websites, operators and people: small collections in arrival order (Store's base class).

Each is a dict by id plus an InsertionRows list; loads replace them wholesale (RESET), events
update one entry (CHANGED), profiles come and go one by one (INSERTING/…, REMOVING/…).

Also the store's reporting of bad input: ``parse_item`` turns any failure to parse one item
into a count on ``reporter`` (one WARNING line per kind, never a traceback per item).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from crisp_console.core.changes import OPERATORS, PEOPLE, WEBSITES, Change, ChangeKind
from crisp_console.core.models import Operator, Person, Website
from crisp_console.core.parse import PayloadError
from crisp_console.core.results import APPLIED, IGNORED, ApplyResult, result
from crisp_console.core.rows import InsertionRows
from crisp_console.core.updatable import Updatable
from crisp_console.log import ThrottledReporter

T = TypeVar("T")
REPORTER_LOGGER = "crisp_console.core"


class Directory:
    """Attributes (read them, never mutate them):
        websites, operators, people: dicts by id.
        reporter: counts the input the store dropped, by kind ("rest:conversation",
            "rtm:message:send", …); ``reporter.counts()`` for the UI and tests.
    """

    def __init__(self, reporter: ThrottledReporter | None = None) -> None:
        emit = self._emit
        self.reporter = reporter or ThrottledReporter(REPORTER_LOGGER)
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

    # ---- bad input --------------------------------------------------------------------------

    def parse_item(self, kind: str, parse: Callable[[Any], T], payload: Any) -> T | None:
        """``parse(payload)``, or None once the failure is counted under ``kind``. Parsing
        mutates nothing, so even a bug (not a PayloadError) only costs the item."""
        try:
            return parse(payload)
        except PayloadError as exc:
            self.reporter.report(kind, str(exc))
        except Exception as exc:  # noqa: BLE001 - a parser bug: its traceback once, then counts
            self.reporter.report(f"bug:{kind}", repr(type(exc)), exc_info=exc)
        return None

    def parse_list(self, kind: str, parse: Callable[[Any], T], payloads: Any, *,
                   whole: bool = False) -> list[T] | None:
        """Every item that parses (the others counted under ``kind``); None for a non-list,
        and (``whole``: the list replaces a collection) for a list of which none parsed."""
        if not isinstance(payloads, list):
            self.reporter.report(kind, "not a list")
            return None
        parsed = (self.parse_item(kind, parse, payload) for payload in payloads)
        items = [item for item in parsed if item is not None]
        return None if whole and payloads and not items else items

    def checked_update(self, kind: str, target: Updatable, partial: Any) -> frozenset[str]:
        """``target.apply_update(partial)``; a value of the wrong type or range is counted
        under ``kind`` and nothing changes."""
        if not isinstance(partial, Mapping):
            self.reporter.report(kind, "not an object")
            return frozenset()
        try:
            changed = target.apply_update(partial)
        except PayloadError as exc:
            self.reporter.report(kind, str(exc))
            return frozenset()
        return changed

    # ---- websites, operators, people --------------------------------------------------------

    def set_websites(self, payloads: Any) -> ApplyResult:
        """Replace the websites (Connect Websites / Get A Website answers); emits RESET.
        A list of which no item parses is MALFORMED and replaces nothing."""
        sites = self.parse_list("rest:website", Website.from_payload, payloads, whole=True)
        if sites is None:
            return ApplyResult.MALFORMED
        self.websites = {w.website_id: w for w in sites}
        self._website_rows.replace(list(self.websites))
        self._emit(Change(ChangeKind.RESET, WEBSITES))
        return APPLIED

    def upsert_website(self, payload: Any) -> ApplyResult:
        """Add a website or merge the keys a payload carries into the known one."""
        site = self.parse_item("rest:website", Website.from_payload, payload)
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
        fields = self.checked_update("update:website", site, partial)
        self._website_rows.changed(website_id, fields)
        return result(bool(fields))

    def set_operators(self, payloads: Any) -> ApplyResult:
        """Replace the operators (List Website Operators answer); emits RESET.
        A list of which no item parses is MALFORMED and replaces nothing."""
        ops = self.parse_list("rest:operator", Operator.from_payload, payloads, whole=True)
        if ops is None:
            return ApplyResult.MALFORMED
        self.operators = {o.user_id: o for o in ops}
        self._operator_rows.replace(list(self.operators))
        self._emit(Change(ChangeKind.RESET, OPERATORS))
        return APPLIED

    def update_operator(self, user_id: str, partial: Mapping[str, Any]) -> ApplyResult:
        op = self.operators.get(user_id) if isinstance(user_id, str) else None
        if op is None:
            return ApplyResult.UNKNOWN_TARGET
        fields = self.checked_update("update:operator", op, partial)
        self._operator_rows.changed(user_id, fields)
        return result(bool(fields))

    def upsert_person(self, payload: Any, website_id: str = "") -> ApplyResult:
        """Add or update a people profile (REST profiles lack website_id: pass it)."""
        person = self.parse_item("rest:people", lambda d: Person.from_payload(d, website_id),
                                 payload)
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
        fields = self.checked_update("update:people", person, partial)
        self._people_rows.changed(people_id, fields)
        return result(bool(fields))

    def remove_person(self, people_id: str) -> ApplyResult:
        if not isinstance(people_id, str) or people_id not in self.people:
            return IGNORED
        self._people_rows.remove(people_id, lambda: self.people.pop(people_id))
        return APPLIED

