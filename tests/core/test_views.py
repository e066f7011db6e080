"""core/views.py: what each quick filter asks Crisp, what a query takes locally, saved views."""

from __future__ import annotations

import json

import pytest

from crisp_console.core import Conversation
from crisp_console.core.views import (
    ALL_QUERY,
    Filter,
    ListQuery,
    SavedKind,
    SavedView,
    check_criteria,
    query_takes,
    quick_query,
)


def conv(**fields: object) -> Conversation:
    return Conversation.from_payload({"session_id": "session_1", "website_id": "w", **fields})


def test_each_quick_filter_asks_its_closest_server_filter() -> None:
    asked = {kind: quick_query(kind, "me") for kind in Filter}
    assert asked[Filter.ALL] == ALL_QUERY == ListQuery()
    assert asked[Filter.PENDING] == asked[Filter.UNRESOLVED] == \
        ListQuery.of(filter_not_resolved="1")  # refined locally to pending
    assert asked[Filter.MINE] == ListQuery.of(filter_assigned="me")
    assert asked[Filter.MENTIONS] == ListQuery.of(filter_mention="1")
    assert asked[Filter.UNREAD].as_params() == {"filter_unread": "1"}
    assert quick_query(Filter.MINE, None) is None
    assert ListQuery.of(b="1", a="2") == ListQuery.of(a="2", b="1")  # a key, whatever order


def test_query_takes_is_the_pessimistic_reading_or_unknown() -> None:
    resolved = conv(state="resolved", meta={"segments": ["VIP"]}, mentions=["x"])
    assert query_takes(ListQuery.of(filter_not_resolved="1"), resolved) is False
    assert query_takes(ListQuery.of(filter_resolved="1"), resolved) is True
    assert query_takes(ListQuery.of(filter_mention="1"), resolved) is True  # any mention
    segment = SavedView("v", SavedKind.SEGMENT, "vip").list_query()
    assert query_takes(segment, resolved) is True
    custom = SavedView("f", SavedKind.FILTER, '[{"criterion":"x","operator":"has",'
                       '"query":[]}]').list_query()
    assert query_takes(custom, resolved) is None
    assert query_takes(ListQuery.of(search_type="text", search_query="vat"), resolved) is None


def test_saved_views_round_trip_and_refuse_what_crisp_would() -> None:
    view = SavedView("Open FR", SavedKind.FILTER, json.dumps(
        [{"criterion": "country", "operator": "eq", "query": ["FR"]}]), "or")
    assert SavedView.from_json(view.to_json()) == view
    assert view.list_query().get("search_operator") == "or"
    for raw, words in ((7, "an object"), ({"name": "", "kind": "segment", "query": "x"},
                                          "a name"),
                       ({"name": "a", "kind": "nope", "query": "x"}, "not a valid"),
                       ({"name": "a", "kind": "segment", "query": "x", "operator": "xor"},
                        "'and' or 'or'"),
                       ({"name": "a", "kind": "filter", "query": "[]"}, "non-empty")):
        with pytest.raises(ValueError, match=words):
            SavedView.from_json(raw)
    for bad, words in (("{", "not JSON"), ("[1]", "not an object"),
                       ('[{"operator":"eq","query":["a"]}]', "names no field"),
                       ('[{"criterion":"a","operator":"like","query":["a"]}]', "operator"),
                       ('[{"criterion":"a","operator":"eq","query":[]}]', "needs a value")):
        with pytest.raises(ValueError, match=words):
            check_criteria(bad)
