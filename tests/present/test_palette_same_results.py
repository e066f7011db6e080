"""The palette's search, narrowed keystroke after keystroke and with the heads of a term
found ahead between keystrokes (present/holding.py), gives exactly what the ranking rule
gives when it is worked out the slow way: every line of the store as it is now, in the list's
order, tiered, capped, and scored with fuzzy.score_terms (the existing scorer). Over a
generated inbox of Latin, accented, Cyrillic, Greek and CJK names, with queries growing and
shrinking key by key, in any case, and conversations changing between keystrokes."""

from __future__ import annotations

import heapq
import random
import uuid
from collections.abc import Callable, Iterator

import pytest

from crisp_console.core import Store
from crisp_console.present import holding
from crisp_console.present.fuzzy import TAIL, score_terms, terms_of
from crisp_console.present.haystack import longest
from crisp_console.present.palette_lines import conversation_line, person_line
from crisp_console.present.palette_sources import (
    CAP,
    COMMAND_LIMIT,
    ENOUGH,
    LIMIT,
    PEOPLE_LIMIT,
    SCATTERED,
    PaletteIndex,
    Result,
    conversation_item,
    parse,
    person_item,
    rank,
)
from crisp_console.present.palette_sources import _result as result_of
from tests.core import factories as f
from tests.present.seeded import T, burst, seeded_store
from tests.present.test_palette_sources import Commands

FIRST = ["Sione", "Siobhan", "José", "Jose", "Élodie", "Zoë", "Łukasz", "Søren", "Hassan",
         "Дмитрий", "Ольга", "Γιώργος", "王芳", "李娜", "Minh", "Nguyen", "SIMONE", "Grace"]
LAST = ["Nguyen", "Benali", "Müller", "Zhang", "Hopper", "Иванов", "Παπαδόπουλος", "张",
        "Straße", "Sionesson", "Ng", "O'Brien", "Kowalska", "Andersen"]
WORDS = ["refund", "commande", "où", "заказ", "παραγγελία", "订单", "invoice", "seat",
         "MARK", "read", "Ünïcödé", "sione", "ng", "straße", "strasse"]
KIND_ORDER = {"conversation": 0, "person": 1, "command": 2}


def inbox(rng: random.Random, count: int = 400) -> Store:
    store = seeded_store(40)
    for n in range(count):
        store.upsert_conversation(visitor(rng, f"session_gen_{n:04d}", T - rng.randint(0, 10**8)))
    for n in range(60):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        store.upsert_person(f.profile(
            str(uuid.UUID(int=n)), email=f"{first}.{last}@ex.org".lower(),
            person={"nickname": f"{first} {last}"}, segments=[rng.choice(WORDS)],
            active={"now": False, "last": T - rng.randint(0, 10**8)}), f.WEBSITE)
    return store


def visitor(rng: random.Random, sid: str, updated_at: int) -> dict[str, object]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 6)))
    return f.conversation(
        sid, updated_at=updated_at, state=rng.choice(["pending", "unresolved", "resolved"]),
        meta={"nickname": f"{first} {last}" if rng.random() < 0.9 else "",
              "email": f"{first}.{last}{rng.randint(0, 99)}@mail.example".lower()},
        last_message=words)


# ---- the ranking rule, the slow way ------------------------------------------------------


def _matches(term: str, line: str) -> bool:
    """As is anywhere (two characters or more), or scattered in the head."""
    it = iter(line.split(TAIL)[0])
    return (len(term) > 1 and term in line) or all(ch in it for ch in term)


def _tiered(lines: list[tuple[str, str]], terms: tuple[str, ...], cap: int
            ) -> list[tuple[str, str]]:
    """The first ``cap`` strong lines (the longest term as is), then, unless there are
    ENOUGH of those, the first weak ones (it only scattered in the head), in list order."""
    term = terms[longest(terms)]
    others = terms[:longest(terms)] + terms[longest(terms) + 1:]
    rest = [(line, key) for line, key in lines if all(_matches(t, line) for t in others)]
    whole = len(term) > 1
    strong = [(line, key) for line, key in rest if whole and term in line][:cap]
    if len(strong) >= ENOUGH:
        return strong
    room = min(cap - len(strong), SCATTERED)
    weak = [(line, key) for line, key in rest
            if not (whole and term in line) and _matches(term, line)]
    return strong + weak[:max(room, 0)]


def _best(lines: list[tuple[str, str]], query: str, cap: int, limit: int,
          recency: Callable[[str], int], floor: int | None = None) -> list[tuple[int, str]]:
    terms = terms_of(query)
    scored = [(value, recency(key), key) for line, key in _tiered(lines, terms, cap)
              if (value := score_terms(terms, line)) is not None
              and (floor is None or value > floor)]
    return [(value, key) for value, _at, key in heapq.nlargest(limit, scored)]


def slow_search(store: Store, text: str, cap: int) -> list[Result]:
    """PaletteIndex.search for a query that is not empty, from scratch and in full."""
    mode, query = parse(text)
    convs, people = store.conversations, store.people
    people_lines = [(person_line(people[pid]), pid) for pid in store.people_ids()]

    def found_people(limit: int, floor: int | None) -> list[Result]:
        best = _best(people_lines, query, cap, limit, lambda pid: people[pid].active_last,
                     floor)
        return [result_of(person_item(people[pid]), value, query) for value, pid in best]

    if mode.value == "people":
        return found_people(LIMIT, None)
    lines = [(conversation_line(convs[sid]), sid) for sid in store.conversation_ids()]
    best = _best(lines, query, cap, LIMIT, lambda sid: convs[sid].updated_at)
    found = [result_of(conversation_item(convs[sid]), value, query) for value, sid in best]
    floor = found[-1].score if len(found) == LIMIT else None
    commands = PaletteIndex(store, Commands())
    commands.refresh()
    commands.detach()
    merged = (found + found_people(PEOPLE_LIMIT, floor)
              + rank(commands.command_items(), query, COMMAND_LIMIT))
    merged.sort(key=lambda r: (-r.score, KIND_ORDER[r.item.kind]))
    return merged[:LIMIT]


def rows(results: list[Result]) -> list[tuple[str, str, int, tuple[int, ...]]]:
    return [(r.item.kind, r.item.key, r.score, r.highlights) for r in results]


# ---- typing --------------------------------------------------------------------------------


def typed(rng: random.Random, store: Store) -> Iterator[str]:
    """Queries key by key: names, e-mails, message words, in any case, with typos,
    backspaces and a second term; "@" people too."""
    convs = list(store.conversations.values())
    for _ in range(14):
        conv = rng.choice(convs)
        whole = rng.choice([conv.nickname, conv.email.split("@")[0], conv.last_message,
                            f"{conv.nickname.split(' ')[0][:3]} {conv.nickname[-3:]}",
                            rng.choice(WORDS) + " " + rng.choice(FIRST)]) or "sione"
        whole = rng.choice([whole, whole.upper(), whole.lower()])
        if rng.random() < 0.2:
            whole = "@" + whole
        text = ""
        for ch in whole[:16]:
            text += ch
            yield text
            if rng.random() < 0.15:  # a typo, then its backspace
                yield text + "q"
        for _ in range(rng.randint(0, 4)):  # backspaces
            text = text[:-1]
            if text.strip("@ "):
                yield text


@pytest.mark.parametrize(("cap", "seed"), [(12, 1), (CAP, 2), (40, 3)])
def test_keystrokes_give_what_the_ranking_rule_gives(
        cap: int, seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # Small steps: the lines of a term are found over many turns, and filtered from an
    # older term's part of the way (every state holding.py can be in).
    monkeypatch.setattr(holding, "SCAN_STEP", 37)
    monkeypatch.setattr(holding, "FILTER_STEP", 5)
    rng = random.Random(seed)
    store = inbox(rng)
    index = PaletteIndex(store, Commands(), cap=cap)
    index.refresh()
    checked = 0
    for n, text in enumerate(typed(rng, store)):
        if not text.strip("@ "):
            continue
        assert rows(index.search(text)) == rows(slow_search(store, text, cap)), text
        checked += 1
        for _ in range(rng.choice([0, 0, 1, 3, 50])):  # idle turns before the next key
            index.ahead(text)
        if n % 9 == 4:  # conversations change between keystrokes
            change(store, rng)
    assert checked > 100
    index.detach()


def change(store: Store, rng: random.Random) -> None:
    """A visitor renamed, a conversation removed, a new one, and live messages."""
    sid = rng.choice(store.conversation_ids())
    website = store.conversations[sid].website_id
    first, last = rng.choice(FIRST), rng.choice(LAST)
    store.apply("session:set_nickname", f.session_event(sid, website_id=website,
                                                        nickname=f"{first} {last}"))
    gone = rng.choice(store.conversation_ids())
    store.apply("session:removed", f.session_event(
        gone, website_id=store.conversations[gone].website_id))
    store.upsert_conversation(visitor(rng, f"session_new_{rng.randrange(10**9)}",
                                      T + rng.randint(0, 10**6)))
    burst(store, rng, 5)


def test_the_heads_found_ahead_follow_a_new_layout() -> None:
    """A layout after changes is a new snapshot: what was found ahead over the old one is
    not used on the new one (a heads' list is the Haystack's own)."""
    rng = random.Random(4)
    store = inbox(rng, 100)
    index = PaletteIndex(store, Commands(), cap=20)
    index.refresh()
    for text in ("sion", "sione", "sione n"):
        index.search(text)
        while index.ahead(text):
            pass
    old = index.conversations.haystack
    for n in range(2100):  # past palette_lines.RELAYOUT: laid out anew on the next search
        store.upsert_conversation(visitor(rng, f"session_more_{n}", T + n))
    for text in ("sione ng", "sione ngu", "siobhan"):
        assert rows(index.search(text)) == rows(slow_search(store, text, 20)), text
    assert index.conversations.haystack is not old
    index.detach()
