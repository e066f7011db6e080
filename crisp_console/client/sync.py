"""Keeping the store in step with Crisp: start-up, website changes, catch-up after a reconnect."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

from crisp_console.api import secure_url
from crisp_console.client.base import ClientBase, ConversationDetails, now_ms
from crisp_console.core import MessageStatus
from crisp_console.errors import NotFoundError, NotSubscribedError

log = logging.getLogger("crisp_console.client")


class SyncMixin(ClientBase):
    _websites_since: datetime | None = None
    _rtm_url: str = ""

    async def start(self) -> None:
        """The start-up sequence; returns once the live feed is authenticated.

        Events between the REST snapshot and the first authentication would be lost, so the
        first CONNECTED runs a catch-up from the moment loading began, like any reconnect.
        """
        self._disconnected_at = now_ms()
        await self.api.check_session()
        self.plugin_id = str((await self.api.connect_account())["plugin_id"])
        self._websites_since = datetime.now(UTC)
        connected = [site async for site in self.api.iter_connect_websites(plan=True)]
        websites = [await self._website_payload(site) for site in connected]
        self.store.set_websites(websites)
        for site in websites:
            await self._load_first_pages(site["website_id"])
        await self._load_operators()
        endpoints = await self.api.connect_endpoints()
        self._rtm_url = str(endpoints["socket"]["app"])
        urls = [self._rtm_url, *_rescue_url(endpoints)]
        for url in urls:
            # The RTM password travels over this socket: same rule as REST (TLS unless loopback).
            secure_url(url.replace("wss://", "https://", 1).replace("ws://", "http://", 1))
        # rooms=None: every subscribed website (Crisp refuses rooms it does not consider bound).
        await asyncio.wait_for(self.gateway.connect(urls, None), self.config.rtm_connect_timeout)
        self.tasks.spawn(self._poll_websites(), "websites-poll")

    def website_ids(self) -> list[str]:
        return [w.website_id for w in self.store.websites.values() if w.subscribed]

    async def _website_payload(self, connected: dict[str, Any]) -> dict[str, Any]:
        """Connect-websites item + website details + its subscription settings."""
        website_id = str(connected["website_id"])
        details = await self.api.get_website(website_id)
        settings = await self.api.subscription_settings(website_id, self.plugin_id)
        return {**details, "website_id": website_id, "subscribed": True,
                "settings": settings.get("settings", connected.get("settings", {})),
                "plan": connected.get("plan")}

    async def _load_first_pages(self, website_id: str) -> None:
        for page in range(1, self.config.first_pages + 1):
            batch = await self.api.list_conversations(website_id, page,
                                                      per_page=self.config.per_page)
            if not batch:
                break
            self.store.upsert_conversations(batch)

    async def _load_operators(self) -> None:
        seen: dict[str, dict[str, Any]] = {}
        for website_id in self.website_ids():
            for op in await self.api.list_operators(website_id):
                user_id = (op.get("details") or {}).get("user_id")
                if user_id:
                    seen.setdefault(user_id, op)
        self.store.set_operators(list(seen.values()))

    async def fetch_conversation(self, website_id: str, session_id: str) -> None:
        """A conversation the store heard of over RTM before it knew it."""
        try:
            payload = await self.api.get_conversation(website_id, session_id)
        except (NotFoundError, NotSubscribedError):
            return
        self.store.upsert_conversations([payload])

    # ---- websites ----------------------------------------------------------------------

    def schedule_websites_refresh(self) -> None:
        self.tasks.spawn(self.refresh_websites(), "websites-refresh", key="websites-refresh")

    async def _poll_websites(self) -> None:
        while True:
            await asyncio.sleep(self.config.websites_refresh)
            try:
                await self.refresh_websites()
            except Exception as exc:  # noqa: BLE001 - whatever failed, polling must go on
                log.warning("websites refresh failed: %r", exc)

    async def refresh_websites(self) -> None:
        """List Connect Websites Since: apply added, updated and removed websites, rebind."""
        since = self._websites_since or datetime.now(UTC)
        checked = datetime.now(UTC)
        changes = await self.api.connect_websites_since(since)
        for item in changes:
            website_id = str(item.get("website_id", ""))
            if not website_id:
                continue
            if item.get("difference") == "removed":
                self.store.remove_website(website_id)
                continue
            self.store.upsert_website(await self._website_payload(item))
            # New, or unbound earlier (the store kept the website, not its conversations) and
            # bound again: list its conversations.
            site = self.store.websites.get(website_id)
            if site is not None and site.subscribed and not any(
                    c.website_id == website_id for c in self.store.conversations.values()):
                await self._load_first_pages(website_id)
        self._websites_since = checked
        self.gateway.set_rooms(None)  # not narrowed: Crisp follows the bindings itself

    # ---- catch-up ------------------------------------------------------------------------

    async def catch_up(self, since_ms: int) -> None:
        """Fill the gap of a disconnect: conversations updated since, then their new messages."""
        since = since_ms - self.config.catchup_margin_ms
        await self.refresh_websites()
        for website_id in self.website_ids():
            updated: list[dict[str, Any]] = []
            async for conv in self.api.iter_conversations(website_id, per_page=50,
                                                          order_date_updated=True):
                if int(conv.get("updated_at", 0)) < since:
                    break
                updated.append(conv)
            self.store.upsert_conversations(updated)
            for conv in updated:
                session_id = conv["session_id"]
                if session_id in self.loaded_timelines:
                    await self._messages_since(website_id, session_id, since)
        self.catchups += 1
        log.info("caught up since %d", since)

    async def _messages_since(self, website_id: str, session_id: str, since: int) -> None:
        sent = [m.timestamp for m in self.store.messages(session_id)
                if m.status is MessageStatus.SENT]
        # One millisecond back: messages sharing the last timestamp are merged, not skipped.
        after = min(max(sent, default=since), since) - 1
        # Paged back from the newest with timestamp_before: which batch timestamp_after
        # answers is unspecified (crisp-api.md §10 row 5).
        batch: list[dict[str, Any]] = []
        async for older in self.api.iter_messages_before(website_id, session_id, None):
            stamps = [m.get("timestamp") for m in older]
            batch[:0] = [m for m, ts in zip(older, stamps, strict=True)
                         if not isinstance(ts, int | float) or ts > after]
            if any(isinstance(ts, int | float) and ts <= after for ts in stamps):
                break
        if batch:
            self.store.upsert_messages(session_id, batch)

    # ---- lazy loading --------------------------------------------------------------------

    async def open_conversation(self, session_id: str) -> ConversationDetails:
        """Load the timeline's latest batch and everything the people panel shows."""
        conv = self.store.conversations[session_id]
        website_id = conv.website_id
        if session_id not in self.loaded_timelines:
            self._history(session_id, await self.api.get_messages(website_id, session_id))
            self.loaded_timelines.add(session_id)
        details = ConversationDetails(
            pages=await self.api.list_pages(website_id, session_id),
            events=await self.api.list_events(website_id, session_id))
        if conv.people_id:
            people_id = conv.people_id
            try:
                details.profile = await self.api.get_person(website_id, people_id)
            except NotFoundError:
                details.profile = None
            else:
                self.store.upsert_person({**details.profile, "website_id": website_id})
                details.person_data = await self.api.get_person_data(website_id, people_id)
                details.person_events = await self.api.list_person_events(website_id,
                                                                          people_id)
                details.past_conversations = await self.api.list_person_conversations(
                    website_id, people_id)
        self.details[session_id] = details
        return details

    async def load_older(self, session_id: str) -> int:
        """The batch before the oldest loaded message; returns how many arrived (0: the start)."""
        conv = self.store.conversations[session_id]
        # The cursor is the oldest message a REST page gave, not the oldest in the store: live
        # messages may hold part of a run of equal timestamps that a page must not skip.
        before = self._history_cursor.get(session_id, now_ms())
        batch = await self.api.get_messages(conv.website_id, session_id, before=before)
        self._history(session_id, batch)
        self.loaded_timelines.add(session_id)
        return len(batch)

    def _history(self, session_id: str, batch: list[dict[str, Any]]) -> None:
        if not batch:
            return
        self.store.upsert_messages(session_id, batch)
        oldest = min(int(m.get("timestamp", 0)) for m in batch)
        self._history_cursor[session_id] = min(oldest,
                                               self._history_cursor.get(session_id, oldest))


def _rescue_url(endpoints: dict[str, Any]) -> list[str]:
    """``[rescue.socket.app]`` when Get Connect Endpoints names one, else ``[]``."""
    rescue = endpoints.get("rescue")
    socket = rescue.get("socket") if isinstance(rescue, dict) else None
    app = socket.get("app") if isinstance(socket, dict) else None
    return [app] if isinstance(app, str) and app else []
