"""The subscribed websites: listed at start-up, then kept in step with List Connect Websites
Since (a poll, plugin events, each catch-up), with what Crisp refused marked in the health.

A 403 on one route disables that feature (health.py's ``denied``), never start-up: website
details (the name falls back to the id), subscription settings (no team settings), a
website's conversations (that website shows the words).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from crisp_console.api import CrispApi, tagged
from crisp_console.client import health
from crisp_console.client.config import ClientConfig, Clocks
from crisp_console.client.health import HealthMonitor
from crisp_console.client.tasks import TaskOwner
from crisp_console.client.words import answered, describe
from crisp_console.core import Store
from crisp_console.errors import CrispError, NotAllowedError, NotFoundError, NotSubscribedError

log = logging.getLogger("crisp_console.client")

GONE = (NotFoundError, NotSubscribedError)


class Websites:
    """``plugin_id`` is known once start-up read the account; ``ids()`` are the subscribed
    websites the store holds."""

    def __init__(self, api: CrispApi, store: Store, monitor: HealthMonitor, tasks: TaskOwner,
                 config: ClientConfig, clocks: Clocks,
                 first_page: Callable[[str], Awaitable[int]]) -> None:
        """``first_page(website_id)`` reads the next page of the website's conversations
        into the store (views.py's pager, which keeps how far it read)."""
        self._api, self._store = api, store
        self._first_page = first_page
        self._monitor, self._tasks = monitor, tasks
        self._config, self._clocks = config, clocks
        self.plugin_id = ""
        self._since: datetime | None = None  # the next refresh asks for changes since then
        self._refreshing = asyncio.Lock()  # one refresh at a time: each reads after the last
        self._asked = False  # a plugin event asked for a refresh not yet started

    @property
    def since(self) -> datetime | None:
        """Where the next refresh starts (kept in the local cache between runs)."""
        return self._since

    def resume(self, plugin_id: str, since: datetime | None) -> None:
        """A warm start: the account and the last check come from the local cache, so the
        first refresh asks for what changed while the console was away."""
        self.plugin_id = plugin_id
        self._since = since

    def ids(self) -> list[str]:
        return [w.website_id for w in self._store.websites.values() if w.subscribed]

    def label(self, website_id: str) -> str:
        site = self._store.websites.get(website_id)
        return site.name if site is not None and site.name else website_id

    async def connected(self) -> list[dict[str, Any]]:
        """List Connect Websites (start-up); later refreshes ask for changes since now."""
        self._since = self._clocks.utcnow()
        return [site async for site in self._api.iter_connect_websites(plan=True)
                if isinstance(site.get("website_id"), str) and site["website_id"]]

    async def payload(self, connected: dict[str, Any]) -> dict[str, Any] | None:
        """Connect-websites item + website details + its subscription settings; a part
        refused (403) is left out and marked denied. None: the website is gone (404)."""
        website_id = str(connected["website_id"])
        # The details and the plugin's settings are independent reads: one round trip.
        details, answer = await asyncio.gather(
            self._api.get_website(website_id),
            self._api.subscription_settings(website_id, self.plugin_id), return_exceptions=True)
        site: dict[str, Any] = {"name": website_id}
        if isinstance(details, NotAllowedError):
            self._monitor.deny(health.website_details_of(website_id),
                               f"Crisp does not allow this token to read website "
                               f"{website_id}'s details: it is shown by its id "
                               f"({answered(details)})")
        elif isinstance(details, GONE):
            return None
        elif isinstance(details, BaseException):
            raise details
        else:
            site = details
            self._monitor.allow(health.website_details_of(website_id))
        settings: Any = connected.get("settings", {})
        if isinstance(answer, NotAllowedError):
            self.deny_team_settings(website_id, answer)
        elif isinstance(answer, GONE):
            return None
        elif isinstance(answer, BaseException):
            raise answer
        else:
            self._monitor.allow(health.team_settings_of(website_id))
            settings = answer.get("settings", settings)
        return {**site, "website_id": website_id, "subscribed": True,
                "settings": settings if isinstance(settings, dict) else {},
                "plan": connected.get("plan")}

    def deny_team_settings(self, website_id: str, exc: NotAllowedError) -> None:
        self._monitor.deny(health.team_settings_of(website_id),
                           f"Crisp does not allow this token to read the plugin settings of "
                           f"{self.label(website_id)}: the team's canned responses "
                           f"and default reply mode are unavailable ({answered(exc)})")

    def deny_conversations(self, website_id: str, exc: NotAllowedError) -> None:
        self._monitor.deny(health.conversations_of(website_id),
                           f"Crisp does not allow this token to list the conversations of "
                           f"{self.label(website_id)} ({answered(exc)})")

    async def load_first_pages(self, website_id: str) -> None:
        try:
            for _page in range(self._config.first_pages):
                if not await self._first_page(website_id):
                    break
        except NotAllowedError:
            pass  # the pager marked them refused (deny_conversations)
        except GONE as exc:  # unbound meanwhile: the next websites refresh removes it
            log.info("conversations of %s not listed: %s", website_id, describe(exc))
        else:
            self._monitor.allow(health.conversations_of(website_id))

    # ---- keeping in step -----------------------------------------------------------------

    def schedule_refresh(self) -> None:
        """A plugin event: refresh in the background. An event heard while a refresh is
        under way is not dropped: that refresh may have read the changes before it, so
        another one runs after it."""
        self._asked = True
        self._tasks.spawn(self._refresh_while_asked(), "websites-refresh",
                          key="websites-refresh")

    async def _refresh_while_asked(self) -> None:
        while self._asked:
            self._asked = False
            await self._refresh_quietly()

    def start_polling(self) -> None:
        self._tasks.spawn(self._poll(), "websites-poll")

    async def _poll(self) -> None:
        while True:
            await self._clocks.sleep(self._config.websites_refresh)
            await self._refresh_quietly()

    @tagged("poll")
    async def _refresh_quietly(self) -> None:
        """A refresh in the background (the poll, a plugin event): a failure is said once in
        the log, and the next poll (or catch-up) asks again from the same point (``_since``
        stays). Its requests count as ``poll``; the catch-up's refresh as ``reconcile``."""
        try:
            await self.refresh()
        except CrispError as exc:
            log.warning("websites refresh failed: %s", describe(exc))

    async def refresh(self) -> None:
        """List Connect Websites Since: apply added, updated and removed websites. Also the
        gateway's ``on_refused``: RTM refused the authentication, maybe because a website
        was unbound meanwhile; it tries once more after this (rooms left out: the console
        never narrows them), and a refresh that raises makes the refusal final."""
        async with self._refreshing:  # the catch-up's, the poll's, an event's: in turn
            await self._refresh()

    async def _refresh(self) -> None:
        since = self._since or self._clocks.utcnow()
        checked = self._clocks.utcnow()
        changes = await self._api.connect_websites_since(since)
        store = self._store
        for item in changes:
            website_id = item.get("website_id")
            if not isinstance(website_id, str) or not website_id:
                continue
            if item.get("difference") == "removed":
                store.remove_website(website_id)
                continue
            payload = await self.payload(item)
            if payload is None:
                store.remove_website(website_id)
                continue
            store.upsert_website(payload)
            # New, or unbound earlier (the store kept the website, not its conversations) and
            # bound again: list its conversations.
            site = store.websites.get(website_id)
            if site is not None and site.subscribed and not any(
                    c.website_id == website_id for c in store.conversations.values()):
                await self.load_first_pages(website_id)
        self._since = checked
