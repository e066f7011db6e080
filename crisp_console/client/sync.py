"""Keeping the store in step with Crisp: start-up, website changes, history, the live feed's
refusals. The catch-up after a reconnect is catchup.py's; the people panel, details.py's.

A 403 on one route disables that feature (health.py's ``denied``), never start-up: website
details (the name falls back to the id), subscription settings (no team settings),
operators (no "me"), a website's conversations (that website shows the words), connect
endpoints (no live feed). Any other failure of a start-up step raises StartupError, whose
``message`` says what failed in words.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from datetime import UTC, datetime
from typing import Any, TypeVar

from crisp_console.api import secure_url
from crisp_console.client import details, health
from crisp_console.client.base import ClientBase, ConversationDetails, now_ms
from crisp_console.client.words import answered, clip, describe, startup_error
from crisp_console.errors import (
    CrispError,
    NotAllowedError,
    NotFoundError,
    NotSubscribedError,
    RealtimeUnauthorized,
)

log = logging.getLogger("crisp_console.client")

T = TypeVar("T")
_GONE = (NotFoundError, NotSubscribedError)


class SyncMixin(ClientBase):
    _websites_since: datetime | None = None

    async def start(self) -> None:
        """The start-up sequence; returns once the live feed is authenticated (or known to
        be refused: ``health.denied[LIVE_FEED]``). Raises StartupError (StartupAuthError for
        a refused token) with the failed step in words.

        Events between the REST snapshot and the first authentication would be lost, so a
        catch-up is owed from the moment loading began and paid once connected.
        """
        self.catchup.owe(now_ms())
        await self._step("check the token", self.api.check_session())
        account = await self._step("read the plugin's account", self.api.connect_account())
        self.plugin_id = str(account["plugin_id"])
        self._websites_since = datetime.now(UTC)
        connected = await self._step("list the websites", self._connected_websites())
        websites = [site for item in connected
                    if (site := await self._step(f"read website {clip(item['website_id'])}",
                                                 self._website_payload(item))) is not None]
        self.store.set_websites(websites)
        for website_id in self.website_ids():
            await self._step(f"list the conversations of {clip(self._website_label(website_id))}",
                             self.load_first_pages(website_id))
        await self._step("list the operators", self._load_operators())
        urls = await self._step("find the live feed's address", self._rtm_urls())
        if urls is None:
            return
        # rooms=None: every subscribed website (Crisp refuses rooms it does not consider bound).
        await self._step("connect the live feed", asyncio.wait_for(
            self.gateway.connect(urls, None), self.config.rtm_connect_timeout))
        self.tasks.spawn(self._poll_websites(), "websites-poll")

    async def _step(self, step: str, work: Awaitable[T]) -> T:
        """``work``'s result; its failure as a StartupError that names ``step``."""
        try:
            return await work
        except (CrispError, TimeoutError) as exc:
            if isinstance(exc, RealtimeUnauthorized):
                self.catchup.forgive()
            raise startup_error(step, exc) from exc

    def website_ids(self) -> list[str]:
        return [w.website_id for w in self.store.websites.values() if w.subscribed]

    async def _connected_websites(self) -> list[dict[str, Any]]:
        return [site async for site in self.api.iter_connect_websites(plan=True)
                if isinstance(site.get("website_id"), str) and site["website_id"]]

    async def _website_payload(self, connected: dict[str, Any]) -> dict[str, Any] | None:
        """Connect-websites item + website details + its subscription settings; a part
        refused (403) is left out and marked denied. None: the website is gone (404)."""
        website_id = str(connected["website_id"])
        site: dict[str, Any] = {"name": website_id}
        try:
            site = await self.api.get_website(website_id)
        except NotAllowedError as exc:
            self.monitor.deny(health.website_details_of(website_id),
                              f"Crisp does not allow this token to read website "
                              f"{website_id}'s details: it is shown by its id "
                              f"({answered(exc)})")
        except _GONE:
            return None
        else:
            self.monitor.allow(health.website_details_of(website_id))
        settings: Any = connected.get("settings", {})
        try:
            answer = await self.api.subscription_settings(website_id, self.plugin_id)
        except NotAllowedError as exc:
            self.deny_team_settings(website_id, exc)
        except _GONE:
            return None
        else:
            self.monitor.allow(health.team_settings_of(website_id))
            settings = answer.get("settings", settings)
        return {**site, "website_id": website_id, "subscribed": True,
                "settings": settings if isinstance(settings, dict) else {},
                "plan": connected.get("plan")}

    def deny_team_settings(self, website_id: str, exc: NotAllowedError) -> None:
        self.monitor.deny(health.team_settings_of(website_id),
                          f"Crisp does not allow this token to read the plugin settings of "
                          f"{self._website_label(website_id)}: the team's canned responses "
                          f"and default reply mode are unavailable ({answered(exc)})")

    async def load_first_pages(self, website_id: str) -> None:
        try:
            for page in range(1, self.config.first_pages + 1):
                batch = await self.api.list_conversations(website_id, page,
                                                          per_page=self.config.per_page)
                if not batch:
                    break
                self.store.upsert_conversations(batch)
        except NotAllowedError as exc:
            self.deny_conversations(website_id, exc)
        except _GONE as exc:  # unbound meanwhile: the next websites refresh removes it
            log.info("conversations of %s not listed: %s", website_id, describe(exc))
        else:
            self.monitor.allow(health.conversations_of(website_id))

    async def _load_operators(self) -> None:
        seen: dict[str, dict[str, Any]] = {}
        refused: NotAllowedError | None = None
        for website_id in self.website_ids():
            try:
                operators = await self.api.list_operators(website_id)
            except NotAllowedError as exc:
                refused = exc
                continue
            except _GONE:
                continue
            for op in operators:
                details_ = op.get("details")
                user_id = details_.get("user_id") if isinstance(details_, dict) else None
                if isinstance(user_id, str) and user_id:
                    seen.setdefault(user_id, op)
        self.store.set_operators(list(seen.values()))
        if refused is not None:
            self.monitor.deny(health.OPERATORS,
                              "Crisp does not allow this token to list the operators: who "
                              "\"me\" is stays unknown and conversations cannot be assigned "
                              f"({answered(refused)})")
        else:
            self.monitor.allow(health.OPERATORS)

    async def _rtm_urls(self) -> list[str] | None:
        """``[socket.app, rescue.socket.app?]``; None when endpoints are refused (403): no
        live feed, and nothing to catch up with."""
        try:
            endpoints = await self.api.connect_endpoints()
        except NotAllowedError as exc:
            self.monitor.deny(health.LIVE_FEED,
                              "Crisp does not allow this token to find the live feed: "
                              "nothing arrives live, the list shows what start-up loaded "
                              f"({answered(exc)})")
            self.catchup.forgive()
            return None
        urls = [str(endpoints["socket"]["app"]), *_rescue_url(endpoints)]
        for url in urls:
            # The RTM password travels over this socket: same rule as REST (TLS unless loopback).
            secure_url(url.replace("wss://", "https://", 1).replace("ws://", "http://", 1))
        return urls

    async def fetch_conversation(self, website_id: str, session_id: str) -> None:
        """One Get A Conversation into the store, now (the UI opening a conversation it has
        not loaded). Gone (404, not subscribed): nothing happens. Other errors propagate;
        conversations heard of live are fetched as owed work instead (fetches.py)."""
        try:
            payload = await self.api.get_conversation(website_id, session_id)
        except _GONE:
            return
        self.store.upsert_conversations([payload])

    # ---- websites ----------------------------------------------------------------------

    def schedule_websites_refresh(self) -> None:
        self.tasks.spawn(self._refresh_quietly(), "websites-refresh", key="websites-refresh")

    async def _poll_websites(self) -> None:
        while True:
            await asyncio.sleep(self.config.websites_refresh)
            await self._refresh_quietly()

    async def _refresh_quietly(self) -> None:
        """A refresh in the background: a failure is said once in the log, and the next poll
        (or catch-up) asks again from the same point (``_websites_since`` stays)."""
        try:
            await self.refresh_websites()
        except CrispError as exc:
            log.warning("websites refresh failed: %s", describe(exc))

    async def refresh_websites(self) -> None:
        """List Connect Websites Since: apply added, updated and removed websites."""
        since = self._websites_since or datetime.now(UTC)
        checked = datetime.now(UTC)
        changes = await self.api.connect_websites_since(since)
        for item in changes:
            website_id = item.get("website_id")
            if not isinstance(website_id, str) or not website_id:
                continue
            if item.get("difference") == "removed":
                self.store.remove_website(website_id)
                continue
            payload = await self._website_payload(item)
            if payload is None:
                self.store.remove_website(website_id)
                continue
            self.store.upsert_website(payload)
            # New, or unbound earlier (the store kept the website, not its conversations) and
            # bound again: list its conversations.
            site = self.store.websites.get(website_id)
            if site is not None and site.subscribed and not any(
                    c.website_id == website_id for c in self.store.conversations.values()):
                await self.load_first_pages(website_id)
        self._websites_since = checked

    async def on_rtm_refused(self) -> None:
        """The gateway's ``on_refused``: RTM refused the authentication, maybe because a
        website was unbound meanwhile. Refresh the websites and try once more with rooms
        left out (None: the console never narrows them). A failed refresh raises, which
        makes the refusal final."""
        await self.refresh_websites()

    # ---- lazy loading --------------------------------------------------------------------

    async def open_conversation(self, session_id: str) -> ConversationDetails:
        """Load the timeline's latest batch (unless the store's timeline is loaded already)
        and everything the people panel shows; each part Crisp refuses (403) is named in
        ``denied`` instead (details.py)."""
        conv = self.store.conversations[session_id]
        found = ConversationDetails()
        if not self.store.timeline_loaded(session_id):
            try:
                batch = await self.api.get_messages(conv.website_id, session_id)
            except NotAllowedError as exc:
                found.denied["messages"] = details.denied_words("messages", exc)
            else:
                self.store.add_history_page(session_id, batch, older=False)
        await details.load(self.api, self.store, conv, found)
        return found

    async def load_older(self, session_id: str) -> int:
        """The batch before the store's history cursor (now, before any page); returns how
        many arrived (0: the start, which the store then knows: ``at_history_start``)."""
        conv = self.store.conversations[session_id]
        cursor = self.store.history_cursor(session_id)
        batch = await self.api.get_messages(conv.website_id, session_id,
                                            before=now_ms() if cursor is None else cursor)
        self.store.add_history_page(session_id, batch, older=True)
        return len(batch)


def _rescue_url(endpoints: dict[str, Any]) -> list[str]:
    """``[rescue.socket.app]`` when Get Connect Endpoints names one, else ``[]``."""
    rescue = endpoints.get("rescue")
    socket = rescue.get("socket") if isinstance(rescue, dict) else None
    app = socket.get("app") if isinstance(socket, dict) else None
    return [app] if isinstance(app, str) and app else []
