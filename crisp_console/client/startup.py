"""The start-up sequence: the token, the account, the websites and their first conversations,
the operators, then the live feed. The catch-up after a reconnect is catchup.py's.

A warm start (``run(resume)``: the store holds the local cache, warmstart.py) asks only for
the live feed's address and connects: the reconcile is the catch-up owed from the last sync
cursor, paid once the live feed is up (websites changed since, conversations updated since,
the new messages of their loaded timelines). The account, the websites' details and the
operators come from the cache (operators again once older than
``config.operators_freshness``). Without Crisp (network down, 5xx, quota spent) a warm
start does not fail: the console shows its cache and a task keeps trying (``problem``).

A 403 on one route disables that feature (health.py's ``denied``), never start-up: besides the
websites' parts (websites.py), operators (no "me") and connect endpoints (no live feed). Any
other failure of a step raises StartupError, whose ``message`` says what failed in words.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from crisp_console.api import CrispApi, purpose, secure_url, tagged
from crisp_console.client import health
from crisp_console.client.catchup import CatchUp
from crisp_console.client.config import ClientConfig, Clocks
from crisp_console.client.health import HealthMonitor
from crisp_console.client.retry import Retrier
from crisp_console.client.tasks import TaskOwner
from crisp_console.client.websites import GONE, Websites
from crisp_console.client.words import StartupError, answered, clip, describe, startup_error
from crisp_console.core import Store
from crisp_console.errors import (
    AuthError,
    CrispError,
    NotAllowedError,
    QuotaExceededError,
    RateLimitError,
    RealtimeUnauthorized,
    ServerError,
    TransportError,
)
from crisp_console.realtime import RealtimeGateway

log = logging.getLogger("crisp_console.client")

T = TypeVar("T")
# Failures that mean "Crisp cannot be reached now", not "this cannot work".
_UNREACHABLE = (TransportError, ServerError, QuotaExceededError, RateLimitError, TimeoutError)


@dataclass(frozen=True)
class Resume:
    """Where a warm start picks up (warmstart.py reads it from the local cache)."""

    plugin_id: str
    since_ms: int  # the store was in step with Crisp until then
    websites_since: datetime | None
    operators_fresh: bool


class StartUp:
    def __init__(self, api: CrispApi, store: Store, websites: Websites, catchup: CatchUp,
                 gateway: RealtimeGateway, monitor: HealthMonitor, config: ClientConfig,
                 tasks: TaskOwner, retrier: Retrier, clocks: Clocks) -> None:
        self._api, self._store, self._monitor = api, store, monitor
        self._websites, self._catchup = websites, catchup
        self._gateway = gateway
        self._config = config
        self._tasks, self._retrier, self._clocks = tasks, retrier, clocks
        self.operators_at: int | None = None  # epoch ms the operators were last listed
        self.problem = ""  # why a warm start is still offline, in words

    @tagged("start-up")
    async def run(self, resume: Resume | None = None) -> None:
        """Returns once the live feed is authenticated (or known to be refused:
        ``health.denied[LIVE_FEED]``); a warm start (``resume``) also when Crisp cannot be
        reached. Raises StartupError (StartupAuthError for a refused token) with the failed
        step in words.

        Events between the REST snapshot and the first authentication would be lost, so a
        catch-up is owed from the moment loading began and paid once connected.
        """
        if resume is not None:
            await self._warm(resume)
            return
        websites = self._websites
        self._catchup.owe()
        # Independent reads go out together (each round trip is Crisp's latency): the token
        # with the account, the websites' details, then their first pages with the operators
        # and the live feed's address. A failure names the first step, in this order, that failed.
        _, account = await self._together(
            ("check the token", self._api.check_session()),
            ("read the plugin's account", self._api.connect_account()))
        websites.plugin_id = str(account["plugin_id"])
        connected = await self._step("list the websites", websites.connected())
        found = await self._together(*((f"read website {clip(item['website_id'])}",
                                        websites.payload(item)) for item in connected))
        self._store.set_websites([site for site in found if site is not None])
        *_, urls = await self._together(
            *((f"list the conversations of {clip(websites.label(website_id))}",
               websites.load_first_pages(website_id)) for website_id in websites.ids()),
            ("list the operators", self._load_operators()),
            ("find the live feed's address", self._rtm_urls()))
        if urls is None:
            return
        # rooms=None: every subscribed website (Crisp refuses rooms it does not consider bound).
        with purpose("other"):  # the live feed's tasks outlive start-up: not its requests
            await self._step("connect the live feed", asyncio.wait_for(
                self._gateway.connect(urls, None), self._config.rtm_connect_timeout))
        websites.start_polling()

    # ---- warm start ----------------------------------------------------------------------

    async def _warm(self, resume: Resume) -> None:
        self._websites.resume(resume.plugin_id, resume.websites_since)
        self._catchup.owe(resume.since_ms)
        try:
            urls = await self._step("find the live feed's address", self._rtm_urls())
        except StartupError as exc:
            if not isinstance(exc.error, _UNREACHABLE):
                raise
            self._unreachable(exc.error)
            self._tasks.spawn(self._go_live_later(resume), "warm start", key="warm-start")
            return
        await self._go_live(urls, resume)

    def _unreachable(self, exc: BaseException) -> None:
        first, self.problem = not self.problem, describe(exc)
        if first:  # the retrier logs the attempts after this one
            log.warning("warm start: %s; showing the local cache until Crisp answers",
                        self.problem)
        self._monitor.refresh()

    async def _go_live_later(self, resume: Resume) -> None:
        urls = await self._retrier.run(self._rtm_urls, what="the warm start",
                                       final=(AuthError,), on_failure=self._unreachable)
        self.problem = ""
        self._monitor.refresh()
        try:
            await self._go_live(urls, resume)
        except StartupError as exc:
            log.warning("warm start: %s", exc.message)

    async def _go_live(self, urls: list[str] | None, resume: Resume) -> None:
        websites = self._websites
        if urls is None:  # no live feed, so no catch-up: list them as a cold start does
            for website_id in websites.ids():
                await self._step(f"list the conversations of {clip(websites.label(website_id))}",
                                 websites.load_first_pages(website_id))
        else:
            try:
                with purpose("other"):  # as above: the live feed's tasks are not start-up's
                    await self._step("connect the live feed", asyncio.wait_for(
                        self._gateway.connect(urls, None), self._config.rtm_connect_timeout))
            except StartupError as exc:
                if not isinstance(exc.error, TimeoutError):
                    raise
                # The gateway keeps trying on its own; the catch-up is paid once it is up.
                log.warning("warm start: %s", exc.message)
        websites.start_polling()
        if not resume.operators_fresh:
            self._tasks.spawn(self._operators_quietly(), "operators", key="operators")

    async def _operators_quietly(self) -> None:
        try:
            await self._load_operators()
        except CrispError as exc:
            log.warning("operators not refreshed: %s", describe(exc))

    async def _together(self, *steps: tuple[str, Awaitable[Any]]) -> list[Any]:
        """Every step's result, in order, at most ``config.start_concurrency`` at once; when
        any failed, the StartupError of the first in order (as one at a time would raise)."""
        results = await gather_bounded(self._config.start_concurrency,
                                       [self._step(step, work) for step, work in steps])
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return results

    async def _step(self, step: str, work: Awaitable[T]) -> T:
        """``work``'s result; its failure as a StartupError that names ``step``."""
        try:
            return await work
        except (CrispError, TimeoutError) as exc:
            if isinstance(exc, RealtimeUnauthorized):
                self._catchup.forgive()
            raise startup_error(step, exc) from exc

    async def _load_operators(self) -> None:
        seen: dict[str, dict[str, Any]] = {}
        refused: NotAllowedError | None = None
        ids = self._websites.ids()
        answers = await gather_bounded(self._config.start_concurrency,
                                       [self._api.list_operators(w) for w in ids])
        for operators in answers:
            if isinstance(operators, NotAllowedError):
                refused = operators
                continue
            if isinstance(operators, GONE):
                continue
            if isinstance(operators, BaseException):
                raise operators
            for op in operators:
                details = op.get("details")
                user_id = details.get("user_id") if isinstance(details, dict) else None
                if isinstance(user_id, str) and user_id:
                    seen.setdefault(user_id, op)
        self._store.set_operators(list(seen.values()))
        self.operators_at = self._clocks.now_ms()
        if refused is not None:
            self._monitor.deny(health.OPERATORS,
                               "Crisp does not allow this token to list the operators: who "
                               "\"me\" is stays unknown and conversations cannot be assigned "
                               f"({answered(refused)})")
        else:
            self._monitor.allow(health.OPERATORS)

    async def _rtm_urls(self) -> list[str] | None:
        """``[socket.app, rescue.socket.app?]``; None when endpoints are refused (403): no
        live feed, and nothing to catch up with."""
        try:
            endpoints = await self._api.connect_endpoints()
        except NotAllowedError as exc:
            self._monitor.deny(health.LIVE_FEED,
                               "Crisp does not allow this token to find the live feed: "
                               "nothing arrives live, the list shows what start-up loaded "
                               f"({answered(exc)})")
            self._catchup.forgive()
            return None
        urls = [str(endpoints["socket"]["app"]), *_rescue_url(endpoints)]
        for url in urls:
            # The RTM password travels over this socket: same rule as REST (TLS unless loopback).
            secure_url(url.replace("wss://", "https://", 1).replace("ws://", "http://", 1))
        return urls


async def gather_bounded(limit: int, works: list[Awaitable[T]]) -> list[T | BaseException]:
    """Every result or exception, in order, with at most ``limit`` awaited at once."""
    slots = asyncio.Semaphore(max(1, limit))

    async def bounded(work: Awaitable[T]) -> T:
        async with slots:
            return await work

    return await asyncio.gather(*(bounded(work) for work in works), return_exceptions=True)


def _rescue_url(endpoints: dict[str, Any]) -> list[str]:
    """``[rescue.socket.app]`` when Get Connect Endpoints names one, else ``[]``."""
    rescue = endpoints.get("rescue")
    socket = rescue.get("socket") if isinstance(rescue, dict) else None
    app = socket.get("app") if isinstance(socket, dict) else None
    return [app] if isinstance(app, str) and app else []
