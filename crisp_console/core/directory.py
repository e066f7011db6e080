"""The directory part of the store: websites, operators and people, in arrival order.

Each is a dict by id plus an InsertionRows list; loads replace them wholesale (RESET), events
update one entry (CHANGED), profiles come and go one by one (INSERTING/…, REMOVING/…). Every
Change names its id (changes.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

from crisp_console.core.changes import OPERATORS, PEOPLE, WEBSITES, Change, ChangeKind
from crisp_console.core.intake import Intake
from crisp_console.core.models import Operator, Person, Website
from crisp_console.core.results import APPLIED, IGNORED, ApplyResult, result
from crisp_console.core.rows import InsertionRows
from crisp_console.core.updatable import Updatable

Emit = Callable[[Change], None]
T = TypeVar("T", bound=Updatable)


class Entries(Generic[T]):
    """One kind of entry: a dict by id (``items``, updated in place) and its rows in arrival
    order. ``kind`` names it in the intake's counts (``rest:<kind>``, ``update:<kind>``)."""

    def __init__(self, intake: Intake, emit: Emit, collection: str, kind: str,
                 key: Callable[[T], str]) -> None:
        self._intake = intake
        self._emit = emit
        self._collection = collection
        self._kind = kind
        self._key = key
        self.items: dict[str, T] = {}
        self.rows = InsertionRows(emit, collection)

    def clear(self) -> None:
        self.items.clear()
        self.rows.replace([])

    def restore(self, items: list[T]) -> None:
        """Replace them all with saved entries, silently (the store announces the RESET);
        the first of an id wins."""
        self.items.clear()
        for item in items:
            self.items.setdefault(self._key(item), item)
        self.rows.replace(list(self.items))

    def replace(self, parse: Callable[[Any], T], payloads: Any) -> ApplyResult:
        """Replace them all; emits RESET. A list of which no item parses is MALFORMED and
        replaces nothing."""
        parsed = self._intake.parse_list(f"rest:{self._kind}", parse, payloads, whole=True)
        if parsed is None:
            return ApplyResult.MALFORMED
        self.items.clear()
        self.items.update((self._key(item), item) for item in parsed)
        self.rows.replace(list(self.items))
        self._emit(Change(ChangeKind.RESET, self._collection))
        return APPLIED

    def upsert(self, parse: Callable[[Any], T], payload: Any,
               partial: Callable[[T, T], Mapping[str, Any]]) -> ApplyResult:
        """Add an entry, or update the known one with ``partial(parsed, known)``."""
        item = self._intake.parse_item(f"rest:{self._kind}", parse, payload)
        if item is None:
            return ApplyResult.MALFORMED
        item_id = self._key(item)
        known = self.items.get(item_id)
        if known is None:
            self.rows.append(item_id, lambda: self.items.__setitem__(item_id, item))
            return APPLIED
        return self.update(item_id, partial(item, known))

    def update(self, item_id: str, partial: Mapping[str, Any]) -> ApplyResult:
        item = self.items.get(item_id) if isinstance(item_id, str) else None
        if item is None:
            return ApplyResult.UNKNOWN_TARGET
        fields = self._intake.checked_update(f"update:{self._kind}", item, partial)
        self.rows.changed(item_id, fields)
        return result(bool(fields))

    def remove(self, item_id: str) -> bool:
        if not isinstance(item_id, str) or item_id not in self.items:
            return False
        self.rows.remove(item_id, lambda: self.items.pop(item_id))
        return True


class Directory:
    """Attributes (read them, never mutate them): websites, operators, people: dicts by id,
    updated in place (the Store hands them out as they are)."""

    def __init__(self, intake: Intake, emit: Emit) -> None:
        self._websites: Entries[Website] = Entries(intake, emit, WEBSITES, "website",
                                                   lambda w: w.website_id)
        self._operators: Entries[Operator] = Entries(intake, emit, OPERATORS, "operator",
                                                     lambda o: o.user_id)
        self._people: Entries[Person] = Entries(intake, emit, PEOPLE, "people",
                                                lambda p: p.people_id)
        self.websites: dict[str, Website] = self._websites.items
        self.operators: dict[str, Operator] = self._operators.items
        self.people: dict[str, Person] = self._people.items

    def website_ids(self) -> list[str]:
        return list(self._websites.rows.ids)

    def operator_ids(self) -> list[str]:
        return list(self._operators.rows.ids)

    def people_ids(self) -> list[str]:
        return list(self._people.rows.ids)

    def clear(self) -> None:
        """Forget everything, silently: the store announces its RESETs once it is all done."""
        self._websites.clear()
        self._operators.clear()
        self._people.clear()

    def restore(self, websites: list[Website], operators: list[Operator],
                people: list[Person]) -> None:
        """Replace everything with saved entries, silently (Store.restore announces)."""
        self._websites.restore(websites)
        self._operators.restore(operators)
        self._people.restore(people)

    # ---- websites --------------------------------------------------------------------------

    def set_websites(self, payloads: Any) -> ApplyResult:
        """Replace the websites (Connect Websites / Get A Website answers); emits RESET."""
        return self._websites.replace(Website.from_payload, payloads)

    def upsert_website(self, payload: Any) -> ApplyResult:
        """Add a website or merge the keys a payload carries into the known one."""
        return self._websites.upsert(Website.from_payload, payload,
                                     lambda site, known: Website.fields_from_payload(payload))

    def update_website(self, website_id: str, partial: Mapping[str, Any]) -> ApplyResult:
        return self._websites.update(website_id, partial)

    def remove_website(self, website_id: str) -> bool:
        """Forget the website itself (its conversations are the store's to remove)."""
        return self._websites.remove(website_id)

    # ---- operators -------------------------------------------------------------------------

    def set_operators(self, payloads: Any) -> ApplyResult:
        """Replace the operators (List Website Operators answer); emits RESET."""
        return self._operators.replace(Operator.from_payload, payloads)

    def update_operator(self, user_id: str, partial: Mapping[str, Any]) -> ApplyResult:
        return self._operators.update(user_id, partial)

    # ---- people ----------------------------------------------------------------------------

    def upsert_person(self, payload: Any, website_id: str = "") -> ApplyResult:
        """Add or update a people profile (REST profiles lack website_id: pass it)."""

        def partial(person: Person, known: Person) -> dict[str, Any]:
            fields = Person.fields_from_payload(payload)
            fields.setdefault("website_id", person.website_id or known.website_id)
            return fields

        return self._people.upsert(lambda d: Person.from_payload(d, website_id), payload,
                                   partial)

    def update_person(self, people_id: str, partial: Mapping[str, Any]) -> ApplyResult:
        return self._people.update(people_id, partial)

    def remove_person(self, people_id: str) -> ApplyResult:
        return APPLIED if self._people.remove(people_id) else IGNORED
