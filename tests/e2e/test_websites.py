"""Websites end to end: the switcher (Ctrl+Shift+K, Ctrl+0, the combo) narrows the list to one
website or shows them all, and a website bound or unbound while the console runs appears or
disappears with a notice."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from crisp_console.client.team_settings import load_validator, parse_settings
from crisp_console.present.filters import Filter
from crisp_console.sandbox.server import Sandbox
from crisp_console.ui.console import Console
from tests.e2e.conftest import e2e, focused, press, until
from tests.e2e.test_actions import picker_open

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def listed_websites(console: Console) -> set[str]:
    model = console.panes.list_pane.model
    store = console.client.store
    return {store.conversations[model.session_id_at(r)].website_id
            for r in range(model.rowCount())}


@e2e()
async def test_ctrl_shift_k_shows_one_website_and_ctrl_0_all(console: Console,
                                                            sandbox: Sandbox) -> None:
    lp = console.panes.list_pane
    lp.set_filter(Filter.ALL)
    lp.flush()
    store = console.client.store
    subscribed = {w.website_id: w.name for w in sandbox.state.websites.values() if w.subscribed}
    assert lp.switcher.isVisibleTo(console.window) and len(subscribed) == 2
    assert listed_websites(console) == set(subscribed)
    target, name = sorted(subscribed.items())[0]
    press(focused(), Qt.Key.Key_K, CTRL | SHIFT)
    await picker_open(console)
    QTest.keyClicks(focused(), name)
    console.panes.palette.flush()
    assert console.panes.palette.current_item().key == target  # type: ignore[union-attr]
    press(focused(), Qt.Key.Key_Return)
    await until(lambda: lp.website_id() == target, what="the website to be shown")
    lp.flush()
    assert listed_websites(console) == {target}
    assert lp.switcher.current() == target
    await until(lambda: focused() is lp.view, what="the list to take the focus")
    mine = sum(1 for c in store.conversations.values() if c.website_id == target)
    assert lp.counts.count(Filter.ALL) == mine < len(store.conversations)
    press(focused(), Qt.Key.Key_0, CTRL)
    await until(lambda: lp.website_id() is None, what="every website again")
    lp.flush()
    assert listed_websites(console) == set(subscribed)
    assert lp.counts.count(Filter.ALL) == len(store.conversations)


@e2e()
async def test_the_combo_chooses_a_website_from_the_keyboard(console: Console,
                                                            sandbox: Sandbox) -> None:
    lp = console.panes.list_pane
    lp.set_filter(Filter.ALL)
    combo = lp.switcher
    combo.setFocus()
    press(combo, Qt.Key.Key_Down)  # the next item of a closed combo: the first website
    await until(lambda: lp.website_id() is not None, what="a website from the combo")
    assert lp.website_id() == combo.current()
    lp.flush()
    assert listed_websites(console) == {combo.current()}


@e2e()
async def test_websites_bound_and_unbound_at_run_time_are_announced(console: Console,
                                                                    sandbox: Sandbox) -> None:
    lp = console.panes.list_pane
    lp.set_filter(Filter.ALL)
    store = console.client.store
    state = sandbox.state
    added = next(w for w in state.websites.values() if not w.subscribed)
    state.set_subscribed(added, True)
    await until(lambda: added.website_id in {e.website_id for e in lp.switcher.entries()},
                timeout=10, what="the bound website in the switcher")
    assert any(n.startswith("Website added") and added.name in n
               for n in console.websites.notices)

    # A website with conversations, shown on its own, is unbound: its rows go, the notice
    # says so, and the list falls back to every website.
    removed = next(w for w in state.websites.values() if w.subscribed and w is not added
                   and any(c.website_id == w.website_id for c in store.conversations.values()))
    lp.set_website(removed.website_id)
    state.set_subscribed(removed, False)
    await until(lambda: lp.website_id() is None, what="the unified inbox again")
    assert any(n.startswith("Website removed") and removed.name in n and "every website" in n
               for n in console.websites.notices)
    assert removed.website_id not in {e.website_id for e in lp.switcher.entries()}
    assert not any(c.website_id == removed.website_id for c in store.conversations.values())
    lp.flush()
    assert removed.website_id not in listed_websites(console)
    assert "Website removed" in console.window.statusBar().currentMessage()

    # Bound again: its conversations are listed again.
    state.set_subscribed(removed, True)
    await until(lambda: any(c.website_id == removed.website_id
                            for c in store.conversations.values()),
                timeout=10, what="the website's conversations back")


@e2e()
async def test_start_up_reads_each_websites_team_settings_once(console: Console,
                                                              sandbox: Sandbox) -> None:
    """The websites' payloads read the subscription settings; the team settings (the
    canned responses, the default reply mode) take them from the store, at no cost."""
    plugin_id = console.client.websites.plugin_id
    ids = sandbox.state.subscribed_website_ids()
    reads = [r.path for r in sandbox.requests.entries
             if r.method == "GET" and r.path.startswith("plugins/subscription/")]
    assert sorted(reads) == sorted(f"plugins/subscription/{w}/{plugin_id}/settings"
                                   for w in ids)
    team = console.team_canned.team
    validator = load_validator()
    for website_id in ids:
        assert team.get(website_id) == parse_settings(
            website_id, sandbox.state.websites[website_id].settings, validator)


@e2e()
async def test_the_team_default_reply_mode_opens_conversations_as_notes(
        console: Console, sandbox: Sandbox) -> None:
    store = console.client.store
    lp = console.panes.list_pane
    lp.set_filter(Filter.ALL)
    lp.flush()
    first = store.conversations[lp.model.session_id_at(0)]
    site = sandbox.state.websites[first.website_id]
    sandbox.state.save_settings(site, {**site.settings, "default_reply_mode": "note"})
    team = console.team_canned.team
    await until(lambda: (s := team.get(site.website_id)) is not None
                and s.default_reply_mode == "note", what="the settings to refresh")
    others = [lp.model.session_id_at(r) for r in range(lp.model.rowCount())]
    other_site = next(sid for sid in others if store.conversations[sid].website_id
                      != site.website_id)
    console.controller.open(other_site)
    assert console.panes.composer.mode() == "reply"
    console.controller.open(first.session_id)
    assert console.panes.composer.mode() == "note"
    # A draft keeps the operator's own choice: it wins over the team default next time.
    console.panes.composer.set_text("Answering the visitor directly")
    console.panes.composer.set_mode("reply")
    console.controller.open(other_site)
    console.controller.open(first.session_id)
    assert console.panes.composer.mode() == "reply"
