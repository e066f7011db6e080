"""A visitor's past conversations the store lacks, fetched for the people panel.

List People Conversations names a contact's conversations by id only. Those the store holds
cost nothing; the people panel asks for the others it shows (a few at a time: ``want``), and
each is fetched once with Get A Conversation (Loader.fetch_conversation) and upserted into
the store, so it joins the inbox like any other conversation, is cached by the persister,
and the panel shows the store's row: there is no second copy here. What is kept here is
only how each lookup went (``lookup``), so that none is asked twice within ``fresh_for``
seconds (the people panel's freshness window, details.py):

- ``loading``: asked, no answer yet;
- ``done``: fetched into the store (if it is not there any more, it was removed since);
- ``gone``: Crisp does not know it (404, or the website is no longer subscribed);
- ``denied``: Crisp does not allow this token to read it (403);
- ``failed``: any other error (``words`` say which);
- ``quota``: not asked, the quota is low (``low()``; by default: the quota gate is closed);
  this one holds only while the quota stays low, then it may be asked again.

Each fetch is an owned task of the client, its requests counted as ``open`` (api/purpose.py).
Observers hear the ids whose lookup changed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Literal, get_args

from crisp_console.api import tagged
from crisp_console.client.tasks import TaskOwner
from crisp_console.client.words import describe
from crisp_console.core import Store
from crisp_console.errors import CrispError, NotAllowedError, QuotaExceededError
from crisp_console.observers import Observers

log = logging.getLogger("crisp_console.client")

LookupState = Literal["loading", "done", "gone", "denied", "failed", "quota"]
LOOKUP_STATES: tuple[LookupState, ...] = get_args(LookupState)
BATCH = 5  # lookups one ``want`` may start
KEEP = 500  # lookups remembered (the oldest answered ones are forgotten first)

LookupObserver = Callable[[Collection[str]], None]
# Loader.fetch_conversation: Get A Conversation into the store; False when it is gone.
Fetch = Callable[[str, str], Awaitable[bool]]


@dataclass(frozen=True, slots=True)
class Lookup:
    """How the lookup of one past conversation went. ``words``: the failure, in words."""

    state: LookupState
    at: float  # clock time it was asked (or skipped)
    words: str = ""


class PastLookups:
    """``fetch(website_id, session_id)``: the loader's; ``low()``: True while the quota is
    too low to spend on this; ``clock``: monotonic seconds (the client's)."""

    def __init__(self, fetch: Fetch, store: Store, tasks: TaskOwner, *,
                 low: Callable[[], bool], clock: Callable[[], float] = time.monotonic,
                 fresh_for: float = 300.0, batch: int = BATCH, keep: int = KEEP) -> None:
        self._fetch_one, self._store, self._tasks = fetch, store, tasks
        self._low, self._clock = low, clock
        self.fresh_for = fresh_for
        self._batch, self._keep = batch, keep
        self._lookups: OrderedDict[str, Lookup] = OrderedDict()
        self._observers: Observers[[Collection[str]]] = Observers(log, "past lookup observer")

    def observe(self, callback: LookupObserver) -> Callable[[], None]:
        """``callback(session_ids)`` after their lookups changed; returns the unsubscribe."""
        return self._observers.add(callback)

    def lookup(self, session_id: str) -> Lookup | None:
        """How ``session_id``'s lookup stands; None: never asked, or long enough ago (or
        skipped for a quota that is no longer low) that ``want`` would ask again."""
        found = self._lookups.get(session_id)
        if found is None or found.state == "loading":
            return found
        if found.state == "quota":
            return found if self._low() else None
        return found if self._clock() - found.at < self.fresh_for else None

    def want(self, website_id: str, session_ids: Iterable[str]) -> list[str]:
        """Fetch those of ``session_ids`` (``website_id``'s) the store lacks and that have
        no standing lookup, at most ``batch`` of them; the ids asked for (while the quota is
        low none are, and they are marked ``quota``)."""
        now, low = self._clock(), self._low()
        changed: list[str] = []
        for session_id in dict.fromkeys(session_ids):
            if len(changed) >= self._batch:
                break
            if session_id in self._store.conversations or self.lookup(session_id) is not None:
                continue
            self._keep_one(session_id, Lookup("quota" if low else "loading", now))
            changed.append(session_id)
        if not low:
            for session_id in changed:
                self._tasks.spawn(self._fetch(website_id, session_id), f"past {session_id}",
                                  key=f"past:{session_id}")
        if changed:
            self._observers.notify(tuple(changed))
        return [] if low else changed

    @tagged("open")
    async def _fetch(self, website_id: str, session_id: str) -> None:
        at = self._clock()
        try:
            found = await self._fetch_one(website_id, session_id)
        except asyncio.CancelledError:  # the client closes: nothing was learnt
            self._lookups.pop(session_id, None)
            raise
        except QuotaExceededError as exc:
            answer = Lookup("quota", at, describe(exc))
        except NotAllowedError as exc:
            answer = Lookup("denied", at, describe(exc))
        except (CrispError, OSError) as exc:
            log.info("past conversation %s not fetched: %s", session_id, describe(exc))
            answer = Lookup("failed", at, describe(exc))
        else:
            answer = Lookup("done" if found else "gone", at)
        self._keep_one(session_id, answer)
        self._observers.notify((session_id,))

    def _keep_one(self, session_id: str, lookup: Lookup) -> None:
        self._lookups[session_id] = lookup
        self._lookups.move_to_end(session_id)
        while len(self._lookups) > self._keep:  # the oldest answered one goes
            oldest = next((sid for sid, kept in self._lookups.items()
                           if kept.state != "loading"), None)
            if oldest is None:
                break
            del self._lookups[oldest]
