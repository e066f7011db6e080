"""The visitor simulator: a background task that makes the sandbox feel alive.

Every change goes through ``SandboxState`` methods, so RTM events and the REST view agree.
Randomness comes from ``state.rng``: with the same world, seed and clock, a run is reproducible.
A visitor message is typed like the Crisp chatbox does it: ``message:compose:send`` start, a few
MagicType ``start`` updates whose ``excerpt`` grows, ``message:send``, then compose ``stop``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from crisp_console.sandbox.model import Conversation, Person, Website
from crisp_console.sandbox.state import SandboxState

log = logging.getLogger("crisp_console.sandbox.simulator")

MAX_RATE = 50.0  # actions per second; above that the sandbox would mostly measure itself
ACTIONS = ("conversation", "message", "pages", "availability", "visitors", "operator")
# Per tick: mostly messages, some new conversations, browsing noise, rare operator changes.
WEIGHTS = (2.0, 6.0, 2.0, 1.5, 1.0, 0.3)
REOPEN_CHANCE = 0.15  # a message goes to a resolved conversation, reopening it
TYPING_CHANCE = 0.85  # background messages typed visibly; the rest are pasted at once
MAX_IN_FLIGHT = 100  # typing sequences at once; beyond that new messages are sent untyped

_ARG_NAMES: dict[str, frozenset[str]] = {
    "conversation": frozenset({"website_id", "text", "typing", "duration"}),
    "message": frozenset({"website_id", "session_id", "text", "typing", "duration"}),
    "pages": frozenset({"website_id", "session_id"}),
    "availability": frozenset({"website_id", "session_id", "availability"}),
    "visitors": frozenset({"website_id", "count"}),
    "operator": frozenset({"website_id", "user_id", "availability"}),
}

FIRST_NAMES = ("Alice", "Bruno", "Chloé", "Daniel", "Emma", "Farid", "Giulia", "Hugo", "Ines",
               "Jonas", "Keiko", "Lucas", "Maya", "Noah", "Olga", "Pedro", "Rania", "Sven")
LAST_NAMES = ("Martin", "Rossi", "Schmidt", "Dubois", "Tanaka", "Silva", "Novak", "Kowalski",
              "Haddad", "Jensen", "Moreau", "Garcia", "Okafor", "Lindqvist")
PLACES = (("FR", "Île-de-France", "Paris", 48.8566, 2.3522, "fr", 60),
          ("DE", "Berlin", "Berlin", 52.52, 13.405, "de", 60),
          ("US", "California", "San Francisco", 37.7749, -122.4194, "en", -480),
          ("GB", "England", "London", 51.5074, -0.1278, "en", 0),
          ("JP", "Tokyo", "Tokyo", 35.6762, 139.6503, "ja", 540),
          ("BR", "São Paulo", "São Paulo", -23.5505, -46.6333, "pt", -180))
BROWSERS = (("Chrome", "124.0", "Windows", "10", "Blink"),
            ("Firefox", "125.0", "Linux", "", "Gecko"),
            ("Safari", "17.4", "Mac OS", "14.4", "WebKit"),
            ("Safari", "17.4", "iOS", "17.4", "WebKit"))
OPENERS = ("Hi! I have a question about my order.", "Hello, is anyone there?",
           "Hey, I can't log in to my account.", "Good morning, do you ship to Canada?",
           "Hi there, how do I change my plan?", "Bonjour, I was charged twice this month.")
FOLLOW_UPS = ("Thanks, that helps a lot!", "Order number is 48213.", "Still not working :(",
              "Could you check again please?", "I tried that already.", "Great, thank you 🙏",
              "Is there a discount for yearly billing?", "Where can I find the invoice?",
              "It says 'payment declined' but my card is fine.", "ok", "One more thing...")
PAGES = (("Home", "/"), ("Pricing", "/pricing"), ("Checkout", "/checkout"),
         ("Help center", "/help"), ("My account", "/account"), ("Blog", "/blog/release-notes"))


class Simulator:
    """``sleep`` is every wait of the simulation (between ticks, between typed excerpts): an
    attribute, so a test can put the simulation on its own clock."""

    def __init__(self, state: SandboxState, rate: float = 0.0) -> None:
        self.state = state
        self.rate = _clamp_rate(rate)
        self.sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep
        self._task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._wake: asyncio.Event | None = None
        self._typing: set[str] = set()  # session_ids with a typing sequence in flight

    # ---- lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        """Start the tick loop (idle while the rate is 0). Call inside the running loop."""
        if self._task is not None and not self._task.done():
            return
        self._wake = asyncio.Event()
        self._task = asyncio.get_running_loop().create_task(self._run(), name="simulator")

    async def stop(self) -> None:
        tasks = list(self._tasks)
        if self._task is not None:
            tasks.append(self._task)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._task = None
        self._tasks.clear()
        self._typing.clear()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done() and self.rate > 0

    def set_rate(self, rate: float) -> float:
        """Change the rate live (capped at ``MAX_RATE``); returns the rate now in force."""
        self.rate = _clamp_rate(rate)
        if self._wake is not None:
            self._wake.set()
        return self.rate

    async def _run(self) -> None:
        assert self._wake is not None
        rng = self.state.rng
        while True:
            if self.rate <= 0:
                await self._wake.wait()
                self._wake.clear()
                continue
            # Jittered spacing: regular enough to plan for, irregular enough to look human.
            interval = rng.uniform(0.5, 1.5) / self.rate
            if await self._woken_within(interval):  # the rate changed: start over
                continue
            action = rng.choices(ACTIONS, WEIGHTS)[0]
            typing = len(self._tasks) < MAX_IN_FLIGHT and rng.random() < TYPING_CHANCE
            kw: dict[str, Any] = {"typing": typing} if action in ("conversation", "message") \
                else {}
            self._spawn(self._safe_act(action, kw))

    async def _woken_within(self, seconds: float) -> bool:
        """Sleep ``seconds``; True (and cleared) if ``set_rate()`` woke the loop first."""
        assert self._wake is not None
        woken = asyncio.ensure_future(self._wake.wait())
        nap = asyncio.ensure_future(self.sleep(seconds))
        try:
            await asyncio.wait({woken, nap}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            woken.cancel()
            nap.cancel()
        if woken.cancelled() or not woken.done():
            return False
        self._wake.clear()
        return True

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _safe_act(self, action: str, kw: dict[str, Any]) -> None:
        try:
            await self.act(action, **kw)
        except LookupError as exc:  # nothing to act on (yet), or removed meanwhile: skip a beat
            log.debug("simulated %s skipped: %s", action, exc)
        except Exception:  # one broken action must not stop the simulation
            log.exception("simulated %s failed", action)

    # ---- actions --------------------------------------------------------------------------

    async def act(self, action: str, **kw: Any) -> dict[str, Any]:
        """Perform one visitor action now; returns the ids it touched.

        Raises ValueError for an unknown action or argument, LookupError for unknown ids.
        A typed message (``typing=True``) returns once it has been sent.
        """
        allowed = _ARG_NAMES.get(action)
        if allowed is None:
            raise ValueError(f"unknown action '{action}'")
        unknown = sorted(set(kw) - allowed)
        if unknown:
            raise ValueError(f"action '{action}' takes no argument '{unknown[0]}'")
        if action == "conversation":
            return await self._new_conversation(**kw)
        if action == "message":
            return await self._message(**kw)
        if action == "pages":
            return self._pages(**kw)
        if action == "availability":
            return self._availability(**kw)
        if action == "visitors":
            return self._visitors(**kw)
        return self._operator(**kw)

    def _website(self, website_id: str | None) -> Website:
        if website_id is not None:
            website = self.state.websites.get(website_id)
            if website is None:
                raise LookupError(f"website {website_id} not found")
            return website
        subscribed = self.state.subscribed_website_ids()
        if not subscribed:
            raise LookupError("no subscribed website to simulate on")
        return self.state.websites[self.state.rng.choice(subscribed)]

    def _conversation(self, session_id: str | None, website_id: str | None, *,
                      reopen: bool = False) -> Conversation | None:
        """The named conversation, else a random open one (or a resolved one if ``reopen``)."""
        if session_id is not None:
            conv = self.state.conversations.get(session_id)
            if conv is None:
                raise LookupError(f"conversation {session_id} not found")
            return conv
        website = self._website(website_id)
        wanted = ("resolved",) if reopen else ("pending", "unresolved")
        pool = [c for c in self.state.website_conversations(website.website_id)
                if c.state in wanted and not c.is_blocked and c.session_id not in self._typing]
        return self.state.rng.choice(pool) if pool else None

    async def _new_conversation(self, website_id: str | None = None, text: str | None = None,
                                typing: bool = False,
                                duration: float | None = None) -> dict[str, Any]:
        state, rng = self.state, self.state.rng
        website = self._website(website_id)
        nickname, meta = self._visitor_meta(website)
        people_id = ""
        roll = rng.random()
        known = [p for p in state.people.values() if p.website_id == website.website_id]
        if roll < 0.3 and known:  # a returning contact
            person = rng.choice(known)
            people_id = person.people_id
            meta["nickname"] = person.person.get("nickname", nickname)
            meta["email"] = person.email
        elif roll < 0.7:  # a visitor who leaves an email becomes a contact
            person = self._new_person(website, nickname, meta)
            people_id = person.people_id
            meta["email"] = person.email
        conv = state.create_conversation(website.website_id, people_id=people_id or None,
                                         meta=meta)
        state.set_availability(conv, "online")
        first = text if text is not None else rng.choice(OPENERS)
        result = await self._send(conv, first, typing, duration)
        result["people_id"] = people_id or None
        return result

    async def _message(self, website_id: str | None = None, session_id: str | None = None,
                       text: str | None = None, typing: bool = False,
                       duration: float | None = None) -> dict[str, Any]:
        rng = self.state.rng
        conv = None
        if session_id is not None or rng.random() >= REOPEN_CHANCE:
            conv = self._conversation(session_id, website_id)
        if conv is None:
            conv = self._conversation(None, website_id, reopen=True)
        if conv is None:  # an empty website: the visitor starts a conversation instead
            return await self._new_conversation(website_id, text, typing, duration)
        return await self._send(conv, text if text is not None else rng.choice(FOLLOW_UPS),
                                typing, duration)

    async def _send(self, conv: Conversation, text: str, typing: bool,
                    duration: float | None) -> dict[str, Any]:
        state = self.state
        if typing and text:
            if duration is None:  # ~1-2 s at 1 action/s, quicker as the rate grows
                duration = state.rng.uniform(1.0, 2.0) / max(1.0, self.rate)
            self._typing.add(conv.session_id)
            try:
                if not await self._type(conv, text, duration):
                    raise LookupError(f"conversation {conv.session_id} was removed")
            finally:
                self._typing.discard(conv.session_id)
        msg = state.add_message(conv, type="text", from_="user", origin="chat", content=text,
                                user=conv.visitor)
        if typing and text:
            state.compose(conv, kind="stop", from_="user", excerpt=None)
        return {"website_id": conv.website_id, "session_id": conv.session_id,
                "fingerprint": msg.fingerprint}

    async def _type(self, conv: Conversation, text: str, duration: float) -> bool:
        """Compose start, then 1-3 growing excerpts; False if the conversation vanished."""
        state = self.state
        count = state.rng.randint(1, min(3, len(text)))
        cuts = sorted(state.rng.sample(range(1, len(text) + 1), count))
        step = duration / (count + 1)
        state.compose(conv, kind="start", from_="user", excerpt=None)
        for cut in cuts:
            await self.sleep(step)
            if state.conversations.get(conv.session_id) is not conv:
                return False
            state.compose(conv, kind="start", from_="user", excerpt=text[:cut])
        await self.sleep(step)
        return state.conversations.get(conv.session_id) is conv

    def _pages(self, website_id: str | None = None,
               session_id: str | None = None) -> dict[str, Any]:
        state, rng = self.state, self.state.rng
        conv = self._conversation(session_id, website_id)
        if conv is None:
            raise LookupError("no open conversation to browse in")
        website = state.websites.get(conv.website_id)
        domain = website.domain if website else "example.com"
        title, path = rng.choice(PAGES)
        referrer = conv.pages[-1]["page_url"] if conv.pages else "https://www.google.com/"
        page = {"page_title": f"{title} | {website.name if website else domain}",
                "page_url": f"https://{domain}{path}", "page_referrer": referrer,
                "timestamp": state.clock()}
        state.sync_pages(conv, [page])
        return {"website_id": conv.website_id, "session_id": conv.session_id,
                "page_url": page["page_url"]}

    def _availability(self, website_id: str | None = None, session_id: str | None = None,
                      availability: str | None = None) -> dict[str, Any]:
        conv = self._conversation(session_id, website_id)
        if conv is None:
            raise LookupError("no open conversation whose visitor could come or go")
        value = availability or ("offline" if conv.availability == "online" else "online")
        if value not in ("online", "offline"):
            raise ValueError("availability should be 'online' or 'offline'")
        self.state.set_availability(conv, value)
        return {"website_id": conv.website_id, "session_id": conv.session_id,
                "availability": value}

    def _visitors(self, website_id: str | None = None,
                  count: int | None = None) -> dict[str, Any]:
        website = self._website(website_id)
        if count is None:
            count = max(0, website.visitors_count + self.state.rng.randint(-3, 4))
        if count < 0:
            raise ValueError("count should be >= 0")
        self.state.set_visitors_count(website, count)
        return {"website_id": website.website_id, "visitors_count": count}

    def _operator(self, website_id: str | None = None, user_id: str | None = None,
                  availability: str | None = None) -> dict[str, Any]:
        state, rng = self.state, self.state.rng
        website = self._website(website_id)
        if user_id is not None:
            op = state.operator(user_id)
            if op is None:
                raise LookupError(f"operator {user_id} not found")
        elif state.operators:
            op = rng.choice(state.operators)
        else:
            raise LookupError("no operator")
        choices = [a for a in ("online", "away", "offline") if a != op.availability]
        value = availability or rng.choice(choices)
        if value not in ("online", "away", "offline"):
            raise ValueError("availability should be 'online', 'away' or 'offline'")
        state.set_operator_availability(website.website_id, op, value)
        return {"website_id": website.website_id, "user_id": op.user_id, "availability": value}

    # ---- fake visitors --------------------------------------------------------------------

    def _visitor_meta(self, website: Website) -> tuple[str, dict[str, Any]]:
        rng = self.state.rng
        nickname = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        country, region, city, lat, lon, locale, offset = rng.choice(PLACES)
        browser, version, os_name, os_version, engine = rng.choice(BROWSERS)
        meta: dict[str, Any] = {
            "nickname": nickname,
            "email": "",
            "phone": "",
            "address": "",
            "subject": "",
            "ip": f"{rng.randint(11, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}."
                  f"{rng.randint(1, 254)}",
            "origin": "chat",
            "segments": [],
            "data": {},
            "device": {
                "capabilities": ["browsing", "call"],
                "geolocation": {"country": country, "region": region, "city": city,
                                "coordinates": {"latitude": lat, "longitude": lon}},
                "system": {"os": {"name": os_name, "version": os_version},
                           "engine": {"name": engine},
                           "browser": {"name": browser, "version": version,
                                       "major": version.split(".")[0]},
                           "useragent": f"Mozilla/5.0 ({os_name}) {browser}/{version}"},
                "timezone": offset,
                "locales": [locale],
            },
        }
        return nickname, meta

    def _new_person(self, website: Website, nickname: str, meta: dict[str, Any]) -> Person:
        state, rng = self.state, self.state.rng
        local = nickname.lower().replace(" ", ".").encode("ascii", "ignore").decode()
        email = f"{local}@example.com"
        while (website.website_id, email) in state.people_by_email:
            email = f"{local}.{rng.randint(2, 9999)}@example.com"
        now = state.clock()
        geo = meta["device"]["geolocation"]
        person = Person(
            people_id=state.uuid(), website_id=website.website_id, email=email,
            person={"nickname": nickname, "avatar": "",
                    "geolocation": {"country": geo["country"], "city": geo["city"]},
                    "locales": list(meta["device"]["locales"])},
            company={}, segments=[], notepad="", score=0,
            created_at=now, updated_at=now, active_last=now,
        )
        state.add_person(person)
        return person


def _clamp_rate(rate: float) -> float:
    if not isinstance(rate, int | float) or math.isnan(rate) or rate < 0:
        raise ValueError("rate should be a number >= 0")
    return min(float(rate), MAX_RATE)
