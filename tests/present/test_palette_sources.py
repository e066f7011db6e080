"""What the command palette searches, without Qt: the prefixes, the index over conversations,
people and commands, and the folded lines kept current from store changes (the palette
widget, keys and pick(): tests/ui/widgets/test_command_palette.py)."""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass

import pytest

from crisp_console.core import Store
from crisp_console.present import palette_lines
from crisp_console.present.fuzzy import TAIL, score_terms, terms_of
from crisp_console.present.palette_lines import ConversationLines, conversation_line
from crisp_console.present.palette_sources import (
    CAP,
    LIMIT,
    PaletteIndex,
    PaletteItem,
    Result,
    parse,
    search_item,
)
from tests.core import factories as f
from tests.present.seeded import T, burst, seeded_store

GRACE = "7d5c3a1e-0000-4000-8000-00000000a001"
LINUS = "7d5c3a1e-0000-4000-8000-00000000a002"


def world() -> Store:
    store = seeded_store(24)
    store.upsert_conversation(f.conversation(
        "session_elodie", updated_at=T - 5 * 60_000, state="unresolved",
        meta={"nickname": "Élodie Müller", "email": "elodie@example.fr"},
        last_message="Où est ma commande ?"))
    store.upsert_person(f.profile(GRACE, email="grace@navy.example",
                                  person={"nickname": "Grace Hopper"}), f.WEBSITE)
    store.upsert_person(f.profile(LINUS, email="linus@kernel.example",
                                  person={"nickname": "Linus Torvalds"}), f.OTHER_WEBSITE)
    return store


@dataclass(frozen=True)
class Command:
    id: str
    title: str
    category: str = "Conversation"
    listed_in_palette: bool = True


class Commands:
    """A CommandSource without Qt: what the palette reads of ui/commands.py's registry."""

    table = (Command("conversation.resolve", "Resolve"), Command("app.palette", "Palette"),
             Command("conversation.block", "Block the visitor"),
             Command("composer.newline", "New line", listed_in_palette=False))

    def all(self) -> tuple[Command, ...]:
        return self.table

    def available(self, command_id: str) -> bool:
        return command_id != "conversation.block"


def test_parse_prefixes() -> None:
    assert [parse(t)[0].value for t in (">x", "@x", "x", "")] == [
        "commands", "people", "mixed", "mixed"]
    assert parse(">res")[1] == "res"


def test_index_search_without_qt_widgets() -> None:
    store = world()
    index = PaletteIndex(store, Commands())
    index.refresh()
    assert index.search("visitor 13")[0].item.title == "Visitor 13"
    assert index.website_of(LINUS) == f.OTHER_WEBSITE
    index.detach()


def test_conversation_lines_without_qt() -> None:
    store = world()
    lines = ConversationLines(store)
    calls: list[int] = []
    lines.on_dirty = lambda: calls.append(lines.dirty())
    assert lines.fold_dirty(10) == store.conversation_count() - 10
    lines.refresh()
    assert lines.dirty() == 0 and len(lines.haystack) == store.conversation_count()
    sid = store.conversation_ids()[0]
    store.apply("session:set_email", f.session_event(
        sid, website_id=store.conversations[sid].website_id, email="new@example.org"))
    store.apply("session:set_email", f.session_event(
        sid, website_id=store.conversations[sid].website_id, email="newer@example.org"))
    assert calls == [1]  # once: from clean to dirty
    changed, snapshot = lines.sections()  # the change is searched without a new layout
    assert lines.dirty() == 0 and changed.ids == [sid] and snapshot.skip == {sid}
    assert "newer@example.org" in changed.haystack.line(0)
    assert "newer@example.org" not in snapshot.haystack.line(snapshot.ids.index(sid))
    store.clear()
    lines.refresh()
    assert len(lines.haystack) == 0
    lines.detach()


def test_commands_are_listed_ranked_and_greyed() -> None:
    index = PaletteIndex(world(), Commands(), lambda cid: f"key of {cid}")
    index.refresh()
    items = index.command_items()
    # Not the palette itself, not the unlisted one; shortcut text and availability kept.
    assert [i.key for i in items] == ["conversation.resolve", "conversation.block"]
    assert items[0].shortcut == "key of conversation.resolve" and items[0].enabled
    assert not items[1].enabled
    assert [r.item.key for r in index.search(">block")] == ["conversation.block"]
    best, scattered = index.search(">res")  # "r…e…s" is scattered in "visitor Conversation"
    assert (best.item.title, scattered.item.title) == ("Resolve", "Block the visitor")
    assert best.highlights == (0, 1, 2) and best.score > scattered.score
    index.detach()


def test_search_item_offers_the_typed_text_unless_it_is_a_command() -> None:
    item = search_item("  VAT   number ", "Ctrl+Shift+F")
    assert item == PaletteItem("search", "VAT number", "Search messages for “VAT number”",
                               "Messages, notes, files, names and emails", "Ctrl+Shift+F")
    assert search_item(">resolve") is None and search_item("@ada") is None
    assert search_item("   ") is None
    long = search_item("x" * 200)
    assert long is not None and long.key == "x" * 200 and long.title.endswith("…”")
    hostile = search_item("\u202eevil\n<b>")
    assert hostile is not None and "\u202e" not in hostile.title


# ---- typing, live changes, and the ranking by bounds -----------------------------------------


def rows(results: list[Result]) -> list[tuple[str, str, int, tuple[int, ...]]]:
    return [(r.item.kind, r.item.key, r.score, r.highlights) for r in results]


def fresh_search(store: Store, text: str, cap: int = CAP) -> list[Result]:
    index = PaletteIndex(store, Commands(), cap=cap)
    index.refresh()
    try:
        return index.search(text)
    finally:
        index.detach()


def crowded() -> Store:
    """Many look-alike visitors, so that a small cap cuts every tier short."""
    store = seeded_store(200)
    rng = random.Random(5)
    names = ["Grace Hopper", "Grace Kelly", "Ada Lovelace", "Alan Turing", "Linus Pauling"]
    for n in range(200):
        name = rng.choice(names)
        store.upsert_conversation(f.conversation(
            f"session_crowd_{n:03d}", updated_at=T - rng.randint(0, 10**7),
            state=rng.choice(["pending", "unresolved", "resolved"]),
            meta={"nickname": name, "email": name.lower().replace(" ", ".") + "@x.org"},
            last_message=rng.choice(["grace period", "hop on", "a turing test", "ok"])))
    return store


@pytest.mark.parametrize("cap", [7, CAP])
def test_typing_backspace_and_edits_give_what_a_fresh_index_gives(cap: int) -> None:
    store = crowded()
    index = PaletteIndex(store, Commands(), cap=cap)
    index.refresh()
    script = ["g", "gr", "gra", "grac", "grace", "grace ", "grace h", "grace ho", "grace h",
              "grace", "gace", "grace", "grce", "alan t", "alan tu", "tu alan", "ala tu",
              "visitor 1", "visitor 12", "visitor 1", "@gra", "@grace", "@grace h", ">res",
              "grace period", "grace perio", "qq", "qqz"]
    for text in script:
        assert rows(index.search(text)) == rows(fresh_search(store, text, cap)), text
    index.detach()


def test_live_changes_between_keystrokes_are_searched_at_once() -> None:
    """The palette is open while conversations change: the next keystroke sees them, and
    what the earlier keystrokes found (and narrow on) no longer holds their old lines."""
    store = crowded()
    indexes = {cap: PaletteIndex(store, Commands(), cap=cap) for cap in (7, CAP)}
    for index in indexes.values():
        index.refresh()  # the palette opens
        for text in ("a", "al", "ala", "alan"):
            index.search(text)
    alan = [sid for sid, c in store.conversations.items() if c.nickname == "Alan Turing"]
    website = store.conversations[alan[0]].website_id
    store.apply("session:set_nickname", f.session_event(alan[0], website_id=website,
                                                        nickname="Grace Alan"))
    store.apply("session:set_nickname", f.session_event(alan[1], website_id=website,
                                                        nickname="Bob"))
    store.apply("session:set_email", f.session_event(alan[1], website_id=website,
                                                     email="bob@x.org"))
    store.apply("session:set_state", f.session_event(alan[2], website_id=website,
                                                     state="pending"))
    store.apply("session:removed", f.session_event(alan[3], website_id=website))
    store.upsert_conversation(f.conversation("session_alanis", updated_at=T + 10**8,
                                             meta={"nickname": "Alanis Morissette"}))
    for cap, index in indexes.items():
        for text in ("alan ", "alan t", "alani", "grace alan", "bob"):
            assert rows(index.search(text)) == rows(fresh_search(store, text, cap)), text
    index = indexes[CAP]
    keys = {r.item.key for r in index.search("alan")}
    assert "session_alanis" in keys and alan[0] in keys and alan[2] in keys
    assert not keys & {alan[1], alan[3]}
    assert index.search("grace alan")[0].item.key == alan[0]
    burst(store, random.Random(8), 300)  # a reconnect backlog while the palette is open
    for cap, index in indexes.items():
        for text in ("alan t", "message 1", "visitor", "grace"):
            assert rows(index.search(text)) == rows(fresh_search(store, text, cap)), text
        index.detach()


def test_the_idle_layout_follows_what_changes_while_it_runs(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(palette_lines, "RELAYOUT", 100)
    store = crowded()
    index = PaletteIndex(store, Commands(), cap=7)
    lines = index.conversations
    rng = random.Random(3)
    turns = 0
    while lines.prepare(25):  # idle work, a few conversations a turn...
        turns += 1
        if turns % 5 == 0:
            burst(store, rng, 10)  # ...while the store goes on changing
    assert turns > 10 and lines.dirty() == 0
    for text in ("grace", "alan tu", "message", "visitor 3"):
        assert rows(index.search(text)) == rows(fresh_search(store, text, cap=7)), text
    burst(store, rng, 300)  # too much to search apart: laid out again on search
    assert lines.changed() > palette_lines.RELAYOUT
    assert rows(index.search("grace")) == rows(fresh_search(store, "grace", cap=7))
    assert lines.changed() == 0
    index.detach()


def _matches(term: str, line: str) -> bool:
    head = line.split(TAIL)[0]
    it = iter(head)
    return (len(term) > 1 and term in line) or all(ch in it for ch in term)


def _everything(lines: list[tuple[str, str, int]], query: str,
                limit: int) -> list[tuple[int, str]]:
    """Every line matching, scored, the best ``limit`` (ties: the most recent)."""
    terms = terms_of(query)
    scored = [(score_terms(terms, line) or 0, at, key) for line, key, at in lines
              if all(_matches(t, line) for t in terms)]
    return [(value, key) for value, _at, key in heapq.nlargest(limit, scored)]


def test_ranking_by_bounds_gives_what_scoring_every_line_gives() -> None:
    """With no cap in the way, the palette's answer is the best of every matching line:
    the bounds (fuzzy.bound) and the floor under people never drop one that belongs."""
    store = crowded()
    index = PaletteIndex(store, Commands())
    index.refresh()
    convs = [(conversation_line(c), c.session_id, c.updated_at)
             for c in map(store.conversation_at, range(store.conversation_count()))]
    rng = random.Random(9)
    words = [w for line, _k, _a in convs for w in line.replace("\t", " ").split() if w]
    queries = ["g", "gr", "ho", "grace h", "a t", "al tu", "grace period", "per", "qz"]
    queries += ["".join(rng.sample(w, min(3, len(w)))) for w in rng.sample(words, 30)]
    for query in queries:
        convs_best = _everything(convs, query, LIMIT)
        got = [(r.score, r.item.key) for r in index.search(query)
               if r.item.kind == "conversation"]
        assert got == convs_best[:len(got)], query
        assert len(got) == len(convs_best) or len(index.search(query)) == LIMIT, query
    index.detach()
