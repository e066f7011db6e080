"""List Conversations: query-string parsing, filtering, search and ordering.

Parsing is separate from matching so a bad parameter is rejected before any conversation is
looked at. Ordering uses ``heapq`` on the requested window only, so page 1 of 100k
conversations costs one linear pass, not a full sort.

UNCONFIRMED choices (see sandbox/README.md):
- ``order_date_waiting`` wins over ``order_date_created``, which wins over
  ``order_date_updated``; created and updated order newest first, waiting longest first.
- Ties are broken by session_id so paging is stable.
- ``filter_assigned`` takes a user_id; ``1``/``true`` (what go sends) means "assigned to
  anyone", ``0``/``false`` means no filter.
- Segment search matches a whole segment, case-insensitively.
- Filter search (``search_type=filter``): every criterion yields a list of values (empty when
  absent); ``eq`` = some value equals some query item, ``neq`` = none does, ``has`` = some
  value contains some query item (with an empty query: the field is set), ``has_not`` = the
  negation, ``gt/gte/lt/lte`` compare with the first query item, numerically when both sides
  are numbers. Strings compare case-insensitively. ``model`` is accepted and ignored.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from crisp_console.sandbox.filter_ops import criterion_test
from crisp_console.sandbox.model import Conversation
from crisp_console.sandbox.schemas_conversation import SEARCH_FILTER
from crisp_console.sandbox.web import flag, int_param, invalid_data, validate

PER_PAGE_MIN = 20
PER_PAGE_MAX = 50
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

Predicate = Callable[[Conversation], bool]
# Conversation attributes a filter criterion may name directly; other names read the meta.
_ATTRIBUTES = ("state", "availability", "people_id", "inbox_id", "session_id", "assigned",
               "is_blocked", "is_verified", "created_at", "updated_at", "waiting_since")


@dataclass
class ConversationQuery:
    per_page: int = PER_PAGE_MIN
    predicates: list[Predicate] = field(default_factory=list)
    order: str = "updated"  # "updated" | "created" | "waiting"

    def select(self, conversations: Iterable[Conversation], page: int) -> list[Conversation]:
        """The conversations of ``page`` (1-based), in order; [] past the end."""
        matching = (c for c in conversations if all(p(c) for p in self.predicates))
        upto = page * self.per_page
        if self.order == "waiting":
            window = heapq.nsmallest(upto, matching, key=_waiting_key)
        elif self.order == "created":
            window = heapq.nlargest(upto, matching, key=_created_key)
        else:
            window = heapq.nlargest(upto, matching, key=_updated_key)
        return window[upto - self.per_page:]


def _waiting_key(c: Conversation) -> tuple[int, str]:
    return c.waiting_since, c.session_id


def _created_key(c: Conversation) -> tuple[int, str]:
    return c.created_at, c.session_id


def _updated_key(c: Conversation) -> tuple[int, str]:
    return c.updated_at, c.session_id


def parse_query(request: web.Request) -> ConversationQuery:
    """Every List Conversations parameter, validated; raises invalid_data naming the culprit."""
    q = request.query
    per_page = int_param(request, "per_page", default=PER_PAGE_MIN, minimum=PER_PAGE_MIN,
                         maximum=PER_PAGE_MAX)
    query = ConversationQuery(per_page=per_page or PER_PAGE_MIN)
    preds = query.predicates

    if not flag(request, "include_empty"):
        preds.append(lambda c: bool(c.messages))
    inbox = q.get("filter_inbox_id")
    if inbox:
        preds.append(lambda c: c.inbox_id == inbox)
    if flag(request, "filter_unread"):
        preds.append(lambda c: c.unread_operator > 0)
    if flag(request, "filter_resolved"):
        preds.append(lambda c: c.state == "resolved")
    if flag(request, "filter_not_resolved"):
        preds.append(lambda c: c.state != "resolved")
    if flag(request, "filter_mention"):
        preds.append(lambda c: bool(c.mentions))
    _assigned_filter(q.get("filter_assigned"), preds)
    if flag(request, "filter_unassigned"):
        preds.append(lambda c: c.assigned is None)
    start = _date_param(request, "filter_date_start")
    end = _date_param(request, "filter_date_end")
    if start is not None:
        preds.append(lambda c: c.updated_at >= start)
    if end is not None:
        preds.append(lambda c: c.updated_at <= end)

    search = q.get("search_query", "")
    if search:
        preds.append(_search_predicate(search, q.get("search_type") or "text",
                                       q.get("search_operator") or "and"))

    if flag(request, "order_date_waiting"):
        query.order = "waiting"
        preds.append(lambda c: c.waiting_since > 0)
    elif flag(request, "order_date_created"):
        query.order = "created"
    flag(request, "order_date_updated")  # the default order; parsed only to reject junk
    return query


def _assigned_filter(raw: str | None, preds: list[Predicate]) -> None:
    if not raw:
        return
    low = raw.strip().lower()
    if low in ("1", "true"):
        preds.append(lambda c: c.assigned is not None)
    elif low not in ("0", "false"):
        preds.append(lambda c: c.assigned == raw)


def _date_param(request: web.Request, name: str) -> int | None:
    """An ISO-8601 query date as epoch ms (naive dates are UTC)."""
    raw = request.query.get(name)
    if not raw:
        return None
    text = raw.strip()
    # An unescaped "+" in a query string arrives as a space: "...T10:00:00 00:00".
    if len(text) > 6 and text[-6] == " " and text[-3] == ":":
        text = text[:-6] + "+" + text[-5:]
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise invalid_data(f"{name} should be an ISO-8601 date") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    # Integer arithmetic: float seconds * 1000 can land one millisecond short.
    return (when - _EPOCH) // timedelta(milliseconds=1)


# ---- search --------------------------------------------------------------------------------


def _search_predicate(search: str, kind: str, operator: str) -> Predicate:
    if kind == "text":
        return _text_predicate(search.casefold())
    if kind == "segment":
        wanted = search.casefold()
        return lambda c: any(str(s).casefold() == wanted for s in c.meta.get("segments") or ())
    if kind == "filter":
        return _filter_predicate(search, operator)
    raise invalid_data("search_type should be equal to one of the allowed values")


_TEXT_META = ("nickname", "email", "subject", "phone")


def _text_predicate(needle: str) -> Predicate:
    def match(c: Conversation) -> bool:
        meta = c.meta
        if any(needle in str(meta.get(k) or "").casefold() for k in _TEXT_META):
            return True
        last = c.last()
        if last is not None and needle in last.excerpt().casefold():
            return True
        return any(m.type in ("text", "note") and isinstance(m.content, str)
                   and needle in m.content.casefold() for m in c.messages)

    return match


def _filter_predicate(search: str, operator: str) -> Predicate:
    if operator not in ("and", "or"):
        raise invalid_data("search_operator should be equal to one of the allowed values")
    try:
        criteria = json.loads(search)
    except ValueError:
        raise invalid_data("search_query should be a JSON array of filters") from None
    validate(criteria, SEARCH_FILTER, root="search_query")
    tests = [_criterion_test(f["criterion"], f["operator"], f["query"]) for f in criteria]
    if not tests:
        return lambda c: True
    if operator == "and":
        return lambda c: all(t(c) for t in tests)
    return lambda c: any(t(c) for t in tests)


def criterion_values(conv: Conversation, criterion: str) -> list[Any]:
    """The values a filter criterion names on a conversation (a list: segments are many)."""
    if criterion.startswith("data."):
        value = (conv.meta.get("data") or {}).get(criterion[5:])
    elif criterion in _ATTRIBUTES:
        value = getattr(conv, criterion)
    else:
        value = conv.meta.get(criterion)
    if value is None or value == "":
        return []
    return list(value) if isinstance(value, list) else [value]


def _criterion_test(criterion: str, op: str, query: list[Any]) -> Predicate:
    return criterion_test(lambda c: criterion_values(c, criterion), op, query,
                          f"search_query: {criterion} {op} needs a query value")
