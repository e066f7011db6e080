"""Schedule A Reminder For Conversation (node crisp-api ``scheduleReminderForConversation``)
and the timer that fires reminders when they are due.

``POST /v1/website/{website_id}/conversation/{session_id}/reminder`` with
``{date, note, user?, origin?}`` keeps the reminder on the conversation
(``SandboxState.add_reminder``); when it is due, ``SandboxState.fire_reminder`` adds a note to
the conversation, which reaches RTM as ``message:received`` like any operator note.

UNCONFIRMED choices (see sandbox/README.md):
- The answer is 200 ``updated`` ``{}``; scheduling emits no RTM event.
- ``date`` is ISO 8601 (an offset or ``Z``; none means UTC). A date more than
  ``PAST_GRACE_MS`` in the past is ``invalid_data``; a date within the grace fires at once.
  ``note`` is 1..1000 characters.
- The author is ``user`` (resolved like a message sender: a known ``user_id`` gives that
  operator, else the first operator, with the given keys on top).
- Crisp notifies operators of a due reminder; the sandbox leaves an operator note
  ``"\u23f0 Reminder: <note>"`` from the author that mentions the author, so the console's
  Mentions view and notifications see it. Fired reminders stay listed with ``fired_at``.
- Reminders cannot be cancelled (an older Crisp help page says so of scheduled ones).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from crisp_console.sandbox import schemas_conversation as schemas
from crisp_console.sandbox.context import CONTEXT
from crisp_console.sandbox.model import Conversation
from crisp_console.sandbox.route_scopes import resource
from crisp_console.sandbox.state import SandboxState
from crisp_console.sandbox.web import (
    STATE,
    conversation_of,
    envelope,
    invalid_data,
    json_body,
)

log = logging.getLogger("crisp_console.sandbox")

PAST_GRACE_MS = 60_000  # clock skew and latency: "now" computed by a client arrives late
MAX_NAP = 1.0  # seconds: a test's jump of state.clock is noticed at least this often
MIN_NAP = 0.005  # never spin, even if a reminder somehow stays due


def parse_date(raw: str) -> int:
    """An ISO-8601 date as epoch ms (naive: UTC); invalid_data naming ``data.date``."""
    try:
        when = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise invalid_data("data.date should be an ISO-8601 date") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return int(when.timestamp() * 1000)


def _author(state: SandboxState, given: dict[str, Any] | None) -> dict[str, Any]:
    """The operator a reminder belongs to, as Send A Message resolves an operator sender."""
    given = given or {}
    op = state.operator(given["user_id"]) if "user_id" in given else None
    if op is None and state.operators:
        op = state.operators[0]
    if op is not None:
        user = op.user()
    else:  # a world without operators: the plugin itself
        user = {"type": "website", "user_id": state.token.plugin_id, "nickname": "Operator",
                "avatar": ""}
    user.update({k: given[k] for k in ("type", "user_id", "nickname", "avatar") if k in given})
    return user


class ReminderScheduler:
    """Fires due reminders. One task sleeps until the earliest pending one (at most
    ``MAX_NAP``, so an injected ``state.clock`` that jumps is followed); ``wake()`` makes it
    look at once. Survives restarts: ``start()`` re-indexes what is pending."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self._pending: set[str] = set()  # session_ids holding unfired reminders
        self._task: asyncio.Task[None] | None = None
        self._wake: asyncio.Event | None = None

    # ---- lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        if self._task is not None and not self._task.done():
            return
        # The world may come from a snapshot, or have changed while stopped: index it anew.
        self._pending = {c.session_id for c in self.state.conversations.values()
                         if any(not r["fired_at"] for r in c.reminders)}
        self._wake = asyncio.Event()
        self._task = asyncio.get_running_loop().create_task(self._run(), name="reminders")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._task = None
        self._wake = None

    def wake(self) -> None:
        """Look at the pending reminders now (after a clock jump, a new reminder)."""
        if self._wake is not None:
            self._wake.set()

    async def _run(self) -> None:
        assert self._wake is not None
        wake = self._wake
        while True:
            wake.clear()  # before firing: a wake() while firing is not lost
            try:
                self.fire_due()
            except Exception:  # the timer must outlive a bug in one reminder
                log.exception("firing reminders failed")
            due = self.next_due()
            nap = None if due is None else \
                min(MAX_NAP, max(MIN_NAP, (due - self.state.clock()) / 1000))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), nap)

    # ---- reminders ------------------------------------------------------------------------

    def schedule(self, conv: Conversation, *, date: int, note: str, user: dict[str, Any],
                 origin: str) -> dict[str, Any]:
        reminder = self.state.add_reminder(conv, date=date, note=note, user=user,
                                           origin=origin)
        self._pending.add(conv.session_id)
        self.wake()
        return reminder

    def _waiting(self, session_id: str | None) -> list[tuple[Conversation, dict[str, Any]]]:
        found: list[tuple[Conversation, dict[str, Any]]] = []
        for sid in list(self._pending):
            if session_id is not None and sid != session_id:
                continue
            conv = self.state.conversations.get(sid)
            if conv is None:  # removed with its reminders
                self._pending.discard(sid)
                continue
            found.extend((conv, r) for r in conv.reminders if not r["fired_at"])
        return found

    def next_due(self) -> int | None:
        """The earliest date (epoch ms) of an unfired reminder, or None."""
        return min((r["date"] for _, r in self._waiting(None)), default=None)

    def fire_due(self, *, session_id: str | None = None, everything: bool = False) -> int:
        """Fire the due reminders (with ``everything``: all unfired ones, due or not), earliest
        first; returns how many fired."""
        now = self.state.clock()
        due = [(conv, r) for conv, r in self._waiting(session_id)
               if everything or r["date"] <= now]
        due.sort(key=lambda pair: pair[1]["date"])
        for conv, reminder in due:
            if conv.session_id in self.state.conversations:
                self.state.fire_reminder(conv, reminder)
        for conv, _ in due:
            if all(r["fired_at"] for r in conv.reminders):
                self._pending.discard(conv.session_id)
        return len(due)

    def listing(self, session_id: str | None = None) -> list[dict[str, Any]]:
        """Every reminder (fired ones too) with its ids, by date: what the admin route shows."""
        convs = self.state.conversations.values() if session_id is None else \
            [c for c in (self.state.conversations.get(session_id),) if c is not None]
        rows = [{"website_id": c.website_id, "session_id": c.session_id, **r}
                for c in convs for r in c.reminders]
        rows.sort(key=lambda row: (row["date"], row["created_at"]))
        return rows


# ---- the REST route --------------------------------------------------------------------------


async def schedule_reminder(request: web.Request) -> web.Response:
    conv = conversation_of(request)
    body = await json_body(request, schemas.REMINDER)
    state = request.app[STATE]
    date = parse_date(body["date"])
    if date < state.clock() - PAST_GRACE_MS:
        raise invalid_data("data.date should not be in the past")
    request.app[CONTEXT].reminders.schedule(conv, date=date, note=body["note"],
                                            user=_author(state, body.get("user")),
                                            origin=body.get("origin", "chat"))
    return envelope({}, "updated")


RESOURCES = (
    resource("/website/{website_id}/conversation/{session_id}/reminder",
             "website:conversation:reminders", POST=schedule_reminder),
)
