"""What the command palette searches, without Qt: the prefixes, the index over conversations,
people and commands, and the folded lines kept current from store changes (the palette
widget, keys and pick(): tests/ui/widgets/test_command_palette.py)."""

from __future__ import annotations

from dataclasses import dataclass

from crisp_console.core import Store
from crisp_console.present.palette_sources import (
    ConversationLines,
    PaletteIndex,
    PaletteItem,
    parse,
    search_item,
)
from tests.core import factories as f
from tests.present.seeded import T, seeded_store

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
    lines.refresh()
    assert "newer@example.org" in lines.haystack.lines[lines.ids.index(sid)]
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
