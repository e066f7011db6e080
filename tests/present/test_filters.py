"""The quick filters as predicates, and ConversationFilter: a quick filter, a text search and a
website, tested on plain Conversations."""

from __future__ import annotations

from typing import Any

from crisp_console.core import Conversation
from crisp_console.present.filters import ConversationFilter, Filter, matches
from tests.core import factories as f
from tests.present.seeded import COLLEAGUE, ME, seeded_store


def test_what_each_filter_takes() -> None:
    def conv(**kw: Any) -> Conversation:
        return Conversation.from_payload(f.conversation(**kw))

    pending = conv(state="pending", unread={"operator": 2}, assigned={}, mentions=[ME])
    mine = conv(state="unresolved", assigned={"user_id": ME}, unread={"operator": 0},
                mentions=[COLLEAGUE])
    done = conv(state="resolved", assigned={"user_id": COLLEAGUE}, unread={"operator": 0})
    table = {
        Filter.PENDING: (True, False, False), Filter.UNRESOLVED: (True, True, False),
        Filter.MINE: (False, True, False), Filter.UNASSIGNED: (True, False, False),
        Filter.MENTIONS: (True, False, False), Filter.UNREAD: (True, False, False),
        Filter.RESOLVED: (False, False, True), Filter.ALL: (True, True, True),
    }
    for kind, want in table.items():
        assert tuple(matches(kind, c, ME) for c in (pending, mine, done)) == want, kind
    # Without my user id: nothing is mine, and any mention counts.
    assert not matches(Filter.MINE, mine, None)
    assert matches(Filter.MENTIONS, mine, None) and not matches(Filter.MENTIONS, done, None)


def test_a_conversation_filter_is_a_quick_filter_a_search_and_a_website() -> None:
    store = seeded_store()
    convs = list(store.conversations.values())

    def taken(flt: ConversationFilter) -> set[str]:
        return {c.session_id for c in convs if flt(c)}

    everything = taken(ConversationFilter())
    assert everything == set(store.conversations)
    # The search is case-insensitive over nickname, email and last message, and trimmed.
    assert taken(ConversationFilter(text="  VISITOR 1")) == {
        c.session_id for c in convs if c.nickname.startswith("Visitor 1")}
    assert taken(ConversationFilter(text="visitor7@EXAMPLE")) == {
        c.session_id for c in convs if c.email == "visitor7@example.com"}
    assert len(taken(ConversationFilter(text="question number 2"))) == 5  # 2 and 20..23
    # All of them apply together.
    both = ConversationFilter(Filter.RESOLVED, ME, "question number 2")
    assert taken(both) == {c.session_id for c in convs if c.state == "resolved"
                           and "question number 2" in c.last_message.lower()}
    site = ConversationFilter(website_id=f.OTHER_WEBSITE)
    assert taken(site) == {c.session_id for c in convs if c.website_id == f.OTHER_WEBSITE}
    assert taken(site) and taken(site) != everything
    # The needle is derived, not compared: equal filters are equal whatever was typed.
    assert ConversationFilter(Filter.MINE, ME, "x") == ConversationFilter(Filter.MINE, ME, "x")
    assert ConversationFilter(text="a") != ConversationFilter(text="b")
