"""Websites in the console: the switcher's entries, the names rows show, the choice of one
website or the unified inbox (ui/last_view.py brings it back at start), and a notice when a
website is added or removed while the console runs (the plugin was subscribed or
unsubscribed).

The client applies website changes to the store (List Connect Websites Since, and a rebind
on ``plugin:subscription:updated``); this follows the store's ``websites`` notifications.
The first sync's RESET sets the baseline: only later differences are announced.

It also follows the client's health for what Crisp refuses per website: a website whose
conversations are refused gets the words above the list instead of rows; one whose details
are refused is named by its id (the client's fallback), the words in its tooltip.

The console wires it: the list pane's ``website_changed`` to ``chosen``, the media loader's
``loaded`` to ``logo_loaded``, and the two websites commands.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from crisp_console.client import Health, conversations_of, website_details_of
from crisp_console.core import WEBSITES, Change, ChangeKind, Store
from crisp_console.present.labels import website_name
from crisp_console.present.palette_sources import PaletteItem
from crisp_console.ui.media import MediaLoader
from crisp_console.ui.ports import HealthSource, Pick
from crisp_console.ui.widgets.list_pane import ListPane
from crisp_console.ui.widgets.website_switcher import ALL_TITLE, WebsiteEntry

log = logging.getLogger(__name__)

ALL_KEY = ""  # the palette's key for the unified inbox


class WebsiteScope:
    """``notify(title, body)`` tells the operator of a website added or removed; ``notices``
    keeps them all (for tests)."""

    def __init__(self, store: Store, health: HealthSource, list_pane: ListPane,
                 media: MediaLoader, *, pick: Pick, notify: Callable[[str, str], None],
                 message: Callable[[str, int], None],
                 labels: Callable[[Mapping[str, str]], None]) -> None:
        """``message(text, ms)``: the status bar; ``labels(names)``: the websites' names for
        the thread's header (the list pane gets them here too)."""
        self._store, self._health_source = store, health
        self._list, self._media = list_pane, media
        self._pick, self._notify, self._message, self._labels = pick, notify, message, labels
        self._known: dict[str, str] = {}  # website id -> name, as last announced
        self._ready = False
        self._logo_urls: dict[str, str] = {}  # logo URL -> website id
        self.notices: list[str] = []
        self._health = health.health
        self._unsubscribe: Callable[[], None] | None = store.subscribe(self._on_change)
        self._unobserve = health.add_health_observer(self._on_health)

    def handlers(self) -> dict[str, Callable[[], object]]:
        """The registry's handlers it provides, by command id."""
        return {"websites.switch": self.pick, "websites.all": lambda: self.show(None)}

    # ---- life ------------------------------------------------------------------------------

    def ready(self) -> None:
        """After the first sync: names everywhere, and from now on every added or removed
        website is announced."""
        self._on_health(self._health_source.health)
        self._refresh()
        self._known = self._names()
        self._ready = True

    def detach(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._unobserve()

    # ---- choosing ------------------------------------------------------------------------------

    def show(self, website_id: str | None) -> None:
        self._list.set_website(website_id)

    async def pick(self) -> None:
        """Ctrl+Shift+K: the websites in the palette, unread counts beside them."""
        names = self._names()
        if not names:
            self._message("No website is subscribed to this plugin", 8000)
            return
        unread = self._list.unread_by_website()
        current = self._list.website_id()

        def detail(key: str | None) -> str:
            n = unread.get(key, 0)
            refused = key is not None and self._refused(conversations_of, key) is not None
            parts = [f"{n} unread" if n else "", "conversations unavailable" if refused else "",
                     "shown" if key == current else ""]
            return " · ".join(p for p in parts if p)

        items = [PaletteItem("choice", ALL_KEY, f"{ALL_TITLE} (unified inbox)", detail(None))]
        items += [PaletteItem("choice", wid, name, detail(wid))
                  for wid, name in sorted(names.items(), key=lambda kv: kv[1].casefold())]
        item = await self._pick("Show the conversations of…", items,
                                placeholder="Website name")
        if item is not None:
            self.show(item.key or None)
            self._list.view.setFocus()  # next: pick a conversation of that inbox

    # ---- internals -----------------------------------------------------------------------------

    def _names(self) -> dict[str, str]:
        return {wid: website_name(site) for wid, site in self._store.websites.items()
                if site.subscribed}

    def _refresh(self) -> None:
        """Switcher entries, row labels and logos from the store's websites."""
        store = self._store
        entries = [WebsiteEntry(wid, website_name(site), site.domain,
                                self._refused(website_details_of, wid) or "")
                   for wid, site in store.websites.items() if site.subscribed]
        self._list.switcher.set_websites(entries)
        labels = {wid: website_name(site) for wid, site in store.websites.items()}
        self._list.set_website_labels(labels)
        self._labels(labels)
        for wid, site in store.websites.items():
            if site.logo and site.logo not in self._logo_urls:
                self._logo_urls[site.logo] = wid
                self._media.request(site.logo)  # loads only from trusted hosts (Crisp storage)
                self.logo_loaded(site.logo)  # already cached

    def _refused(self, key: Callable[[str], str], website_id: str) -> str | None:
        return self._health.denied_for(key(website_id))

    def _on_health(self, health: Health) -> None:
        """Refusals per website: the list's note, and the switcher's tooltips."""
        websites = self._store.websites
        details = [self._refused(website_details_of, wid) for wid in websites]
        self._health = health
        self._list.set_unavailable(
            {wid: words for wid in websites
             if (words := health.denied_for(conversations_of(wid))) is not None})
        if details != [self._refused(website_details_of, wid) for wid in websites]:
            self._refresh()

    def _on_change(self, change: Change) -> None:
        if change.collection != WEBSITES or change.kind is ChangeKind.REMOVING:
            return
        self._on_health(self._health)  # a website came or went: its refusals with it
        self._refresh()
        if not self._ready:
            return
        now = self._names()
        added = [now[w] for w in now if w not in self._known]
        removed = {w: self._known[w] for w in self._known if w not in now}
        self._known = now
        for name in added:
            self._announce("Website added",
                           f"{name} subscribed to the plugin: its conversations are in the "
                           "inbox now.")
        for wid, name in removed.items():
            shown = self._list.website_id() == wid
            if shown:
                self.show(None)
            self._announce("Website removed",
                           f"{name} is no longer subscribed to the plugin: its conversations "
                           "left the inbox" + (", which now shows every website." if shown
                                               else "."))

    def _announce(self, title: str, body: str) -> None:
        log.info("%s: %s", title, body)
        self.notices.append(f"{title}: {body}")
        self._notify(title, body)

    def chosen(self, website_id: object) -> None:
        name = self._names().get(website_id) if isinstance(website_id, str) else None
        self._message(f"Showing {name}'s conversations" if name
                      else "Showing every website's conversations", 4000)

    def logo_loaded(self, url: str) -> None:
        wid = self._logo_urls.get(url)
        image = self._media.image(url)
        if wid is not None and image is not None:
            self._list.switcher.set_logo(wid, image)
