"""List People Profiles: sorting, text search and filter search (crisp-api.md §2.3).

Filter semantics are those of the conversations filter (conversation_query.py): every criterion
yields a list of values (empty when absent); ``eq`` = some value equals some query item,
``neq`` = none does, ``has`` = some value contains some query item (empty query: the field is
set), ``has_not`` = the negation, ``gt/gte/lt/lte`` compare with the first query item,
numerically when both sides are numbers. Strings compare case-insensitively.

UNCONFIRMED choices (see sandbox/README.md):
- ``sort_field`` is one of nickname, email, company, created_at, updated_at, score, active;
  without it, profiles come newest first (created_at desc). Without ``sort_order``, text
  fields sort ascending and numbers/dates descending. Ties are broken by people_id.
- Criteria: people_id, email, notepad, score, created_at, updated_at, segments, active,
  nickname, ``person.<path>``, ``company.<path>``, ``data.<key>``; any other name is
  ``invalid_data``. ``model`` is accepted and ignored.
- ``search_text`` matches nickname, email and company name, case-insensitively.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from crisp_console.sandbox.filter_ops import criterion_test
from crisp_console.sandbox.model import Person
from crisp_console.sandbox.schemas_conversation import SEARCH_FILTER
from crisp_console.sandbox.web import invalid_data, validate

Predicate = Callable[[Person], bool]
SortKey = Callable[[Person], Any]


def _nickname(p: Person) -> str:
    return str(p.person.get("nickname") or "").casefold()


def _company(p: Person) -> str:
    return str(p.company.get("name") or "").casefold()


# field -> (key, default order)
SORT_FIELDS: dict[str, tuple[SortKey, str]] = {
    "nickname": (_nickname, "asc"),
    "email": (lambda p: p.email.casefold(), "asc"),
    "company": (_company, "asc"),
    "created_at": (lambda p: p.created_at, "desc"),
    "updated_at": (lambda p: p.updated_at, "desc"),
    "score": (lambda p: p.score, "desc"),
    "active": (lambda p: p.active_last, "desc"),
}

_ATTRIBUTES = ("people_id", "email", "notepad", "score", "created_at", "updated_at",
               "segments")
_NESTED = ("person", "company", "data")


@dataclass
class PeopleQuery:
    key: SortKey = SORT_FIELDS["created_at"][0]
    descending: bool = True
    predicates: list[Predicate] = field(default_factory=list)

    def select(self, people: Iterable[Person], page: int, size: int) -> list[Person]:
        """The profiles of ``page`` (1-based) in order; [] past the end."""
        matching = (p for p in people if all(test(p) for test in self.predicates))
        upto = page * size
        key = self.key

        def full(p: Person) -> tuple[Any, str]:
            return key(p), p.people_id

        if self.descending:
            window = heapq.nlargest(upto, matching, key=full)
        else:
            window = heapq.nsmallest(upto, matching, key=full)
        return window[upto - size:]


def parse_people_query(request: web.Request) -> PeopleQuery:
    """Every List People Profiles parameter, validated; raises invalid_data naming it."""
    q = request.query
    query = PeopleQuery()
    sort_field = q.get("sort_field") or ""
    if sort_field:
        if sort_field not in SORT_FIELDS:
            raise invalid_data("sort_field should be equal to one of the allowed values")
        query.key, default_order = SORT_FIELDS[sort_field]
        query.descending = default_order == "desc"
    sort_order = (q.get("sort_order") or "").lower()
    if sort_order:
        if sort_order not in ("asc", "desc", "ascending", "descending"):
            raise invalid_data("sort_order should be equal to one of the allowed values")
        query.descending = sort_order.startswith("desc")

    text = (q.get("search_text") or "").strip().casefold()
    if text:
        query.predicates.append(lambda p: text in _nickname(p) or text in p.email.casefold()
                                or text in _company(p))
    operator = (q.get("search_operator") or "and").lower()
    if operator not in ("and", "or"):
        raise invalid_data("search_operator should be equal to one of the allowed values")
    raw = q.get("search_filter") or ""
    if raw:
        query.predicates.append(_filter_predicate(raw, operator))
    return query


def _filter_predicate(raw: str, operator: str) -> Predicate:
    try:
        criteria = json.loads(raw)
    except ValueError:
        raise invalid_data("search_filter should be a JSON array of filters") from None
    validate(criteria, SEARCH_FILTER, root="search_filter")
    tests = [_criterion_test(i, f["criterion"], f["operator"], f["query"])
             for i, f in enumerate(criteria)]
    if not tests:
        return lambda p: True
    if operator == "and":
        return lambda p: all(t(p) for t in tests)
    return lambda p: any(t(p) for t in tests)


def _check_criterion(index: int, criterion: str) -> None:
    head, _, rest = criterion.partition(".")
    known = (criterion in _ATTRIBUTES or criterion in ("active", "active.last", "nickname")
             or (head in _NESTED and rest))
    if not known:
        raise invalid_data(f"search_filter[{index}].criterion should be a known profile field "
                           f"(got '{criterion}')")


def criterion_values(p: Person, criterion: str) -> list[Any]:
    """The values a filter criterion names on a profile (a list: segments are many)."""
    head, _, rest = criterion.partition(".")
    value: Any
    if criterion in _ATTRIBUTES:
        value = getattr(p, criterion)
    elif criterion in ("active", "active.last"):
        value = p.active_last
    elif criterion == "nickname":
        value = p.person.get("nickname")
    elif head == "data":
        value = p.data.get(rest)
    else:
        value = p.person if head == "person" else p.company
        for part in rest.split("."):
            value = value.get(part) if isinstance(value, dict) else None
    if value is None or value == "":
        return []
    return list(value) if isinstance(value, list) else [value]


def _criterion_test(index: int, criterion: str, op: str, query: list[Any]) -> Predicate:
    _check_criterion(index, criterion)
    return criterion_test(lambda p: criterion_values(p, criterion), op, query,
                          f"search_filter[{index}].query should have at least 1 item "
                          f"for operator '{op}'")
