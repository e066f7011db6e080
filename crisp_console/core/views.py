"""The inbox's views as queries: the quick filters (``Filter``), what each takes locally
(``matches``), and what each asks Crisp (``ListQuery``, one List Conversations query minus
its page).

A view's rows are the store's conversations its predicate takes; the server query only feeds
the store. Where Crisp has no exact filter the closest query is asked and the predicate
refines it: Pending is "not resolved" refined to pending, Mentions is ``filter_mention``
(which may mean any mention, crisp-api.md §2.1) refined to mentions of me. A server that
ignored a filter would only cost requests, never a wrong row.

Saved views (``SavedView``) are Crisp's segment and custom-filter searches
(``search_type=segment|filter``). A segment view's predicate is local (the conversation's
segments); a custom filter's criteria are Crisp's to evaluate, so its rows are the ones
Crisp answered for it (client/views.py keeps them) and their live changes.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from crisp_console.core.models import Conversation


class Filter(enum.Enum):
    PENDING = "pending"  # no operator reply yet (Crisp's meaning)
    UNRESOLVED = "unresolved"  # not resolved: pending or unresolved (Crisp's filter_not_resolved)
    MINE = "mine"  # assigned to me
    UNASSIGNED = "unassigned"
    MENTIONS = "mentions"  # I am mentioned; with no user id, any mention
    UNREAD = "unread"  # visitor messages no operator has read
    RESOLVED = "resolved"
    ALL = "all"


# The Conversation fields the filters read: an update touching none of them changes no count.
FILTER_FIELDS = frozenset(("state", "assigned", "mentions", "unread_operator"))


def matches(kind: Filter, conv: Conversation, user_id: str | None) -> bool:
    """Whether ``conv`` belongs under the quick filter ``kind`` for operator ``user_id``."""
    if kind is Filter.ALL:
        return True
    if kind is Filter.UNRESOLVED:
        return conv.state != "resolved"
    if kind is Filter.PENDING:
        return conv.state == "pending"
    if kind is Filter.RESOLVED:
        return conv.state == "resolved"
    if kind is Filter.UNREAD:
        return conv.unread_operator > 0
    if kind is Filter.UNASSIGNED:
        return conv.assigned is None
    if kind is Filter.MINE:
        return user_id is not None and conv.assigned == user_id
    # MENTIONS
    return user_id in conv.mentions if user_id is not None else bool(conv.mentions)


@dataclass(frozen=True, slots=True)
class ListQuery:
    """One List Conversations query without its page: sorted (name, value) pairs, so equal
    queries are equal keys. The empty query lists every conversation."""

    params: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, **params: str) -> ListQuery:
        return cls(tuple(sorted(params.items())))

    def as_params(self) -> dict[str, str]:
        return dict(self.params)

    def get(self, name: str) -> str | None:
        return dict(self.params).get(name)


ALL_QUERY = ListQuery()
NOT_RESOLVED = ListQuery.of(filter_not_resolved="1")
_QUICK = {
    Filter.PENDING: NOT_RESOLVED,
    Filter.UNRESOLVED: NOT_RESOLVED,
    Filter.UNASSIGNED: ListQuery.of(filter_unassigned="1"),
    Filter.MENTIONS: ListQuery.of(filter_mention="1"),
    Filter.UNREAD: ListQuery.of(filter_unread="1"),
    Filter.RESOLVED: ListQuery.of(filter_resolved="1"),
    Filter.ALL: ALL_QUERY,
}


def quick_query(kind: Filter, user_id: str | None) -> ListQuery | None:
    """What Crisp is asked for ``kind``; None when there is nothing to ask (Mine while who
    "me" is stays unknown: no conversation can be mine)."""
    if kind is Filter.MINE:
        return ListQuery.of(filter_assigned=user_id) if user_id else None
    return _QUICK[kind]


def query_takes(query: ListQuery, conv: Conversation) -> bool | None:
    """Whether Crisp's answer to ``query`` should hold ``conv`` as far as can be told
    locally (the pessimistic reading of each filter), None when it cannot be told (text
    and custom-filter searches). Paging uses it to notice rows leaving a query it pages."""
    takes = True
    for name, value in query.params:
        if name == "filter_not_resolved":
            takes &= conv.state != "resolved"
        elif name == "filter_resolved":
            takes &= conv.state == "resolved"
        elif name == "filter_unread":
            takes &= conv.unread_operator > 0
        elif name == "filter_unassigned":
            takes &= conv.assigned is None
        elif name == "filter_assigned":
            takes &= conv.assigned == value
        elif name == "filter_mention":
            takes &= bool(conv.mentions)
        elif name == "search_type" and value == "segment":
            takes &= has_segment(conv, query.get("search_query") or "")
        elif name in ("search_type", "search_query", "search_operator"):
            if query.get("search_type") != "segment":
                return None
        else:
            return None
    return takes


def has_segment(conv: Conversation, segment: str) -> bool:
    wanted = segment.strip().casefold()
    return any(s.casefold() == wanted for s in conv.segments)


class SavedKind(enum.Enum):
    SEGMENT = "segment"
    FILTER = "filter"


@dataclass(frozen=True, slots=True)
class SavedView:
    """A segment or custom-filter search the operator saved: ``query`` is the segment's
    name, or the JSON array of ``{criterion, query[], model, operator}`` Crisp takes."""

    name: str
    kind: SavedKind
    query: str
    operator: str = "and"  # custom filters: how criteria combine ("and" | "or")

    def list_query(self) -> ListQuery:
        params = {"search_type": self.kind.value, "search_query": self.query}
        if self.kind is SavedKind.FILTER:
            params["search_operator"] = self.operator
        return ListQuery.of(**params)

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "kind": self.kind.value, "query": self.query,
                "operator": self.operator}

    @classmethod
    def from_json(cls, raw: Any) -> SavedView:
        """Raises ValueError for anything that is not a well-formed saved view."""
        if not isinstance(raw, Mapping):
            raise ValueError("a saved view is an object")
        name, kind, query = raw.get("name"), raw.get("kind"), raw.get("query")
        operator = raw.get("operator", "and")
        if not (isinstance(name, str) and name.strip() and isinstance(query, str)
                and query.strip()):
            raise ValueError("a saved view needs a name and a query")
        if operator not in ("and", "or"):
            raise ValueError("a saved view's operator is 'and' or 'or'")
        view = cls(name.strip()[:80], SavedKind(kind), query.strip(), operator)
        if view.kind is SavedKind.FILTER:
            check_criteria(view.query)
        return view


_OPERATORS = frozenset(("eq", "neq", "has", "has_not", "gt", "gte", "lt", "lte"))


def check_criteria(text: str) -> list[dict[str, Any]]:
    """The custom filter's criteria, checked as Crisp's schema asks (a JSON array of
    ``{criterion: str, query: [..], model: str, operator: str}``); ValueError says what is
    wrong, in words."""
    try:
        criteria = json.loads(text)
    except ValueError:
        raise ValueError("the filter is not JSON") from None
    if not isinstance(criteria, list) or not criteria:
        raise ValueError("the filter is a non-empty list of criteria")
    for n, item in enumerate(criteria, start=1):
        if not isinstance(item, dict):
            raise ValueError(f"criterion {n} is not an object")
        if not isinstance(item.get("criterion"), str) or not item["criterion"]:
            raise ValueError(f"criterion {n} names no field")
        if item.get("operator") not in _OPERATORS:
            raise ValueError(f"criterion {n}'s operator is not one of "
                             f"{', '.join(sorted(_OPERATORS))}")
        if not isinstance(item.get("query"), list):
            raise ValueError(f"criterion {n}'s query is not a list")
        if not item["query"] and item["operator"] not in ("has", "has_not"):
            raise ValueError(f"criterion {n} ({item['criterion']}) needs a value")
        if not isinstance(item.get("model", "session"), str):
            raise ValueError(f"criterion {n}'s model is not a string")
    return criteria
