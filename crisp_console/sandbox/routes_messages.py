"""Message routes of crisp-api.md §2.1/§2.2: history, send, get/edit/remove, compose, acks.

UNCONFIRMED choices (see sandbox/README.md):
- History batches hold ``MESSAGE_BATCH`` messages, oldest first. A batch never splits a run
  of messages sharing one timestamp (it grows instead), so paging with strict
  ``timestamp_before``/``timestamp_after`` cursors never skips a message.
  ``timestamp_around`` gives every message at that time plus up to ``AROUND_SIDE`` on each
  side; ``timestamp_after`` together with ``timestamp_before`` gives the oldest batch strictly
  between the two; ``timestamp_around`` cannot be combined with the others.
- A visitor (``from: user``) cannot post to a blocked conversation: 403 ``not_allowed``;
  operators still can. A ``note`` must come from an operator (``invalid_data``).
- Sender: ``from: operator`` without ``user.user_id`` is the first operator (its nickname and
  avatar may be overridden by ``user``); ``from: user`` is always the conversation's visitor.
- A client ``fingerprint`` makes the send idempotent: a repeat (recorded in
  ``state.client_fingerprints``, or colliding with a message already in the conversation)
  creates nothing, emits nothing and answers the same 202 ``{fingerprint}``. Under the
  ``duplicate_fingerprints`` behaviour it stores and emits a second message instead (no
  source says Crisp de-duplicates); get/edit/remove by fingerprint then act on the first of
  them in history order (``Conversation.by_fp``).
- Fidelity behaviours (profile.py): ``after_newest`` makes ``timestamp_after`` alone answer
  the newest batch after the cursor; ``partial_content`` answers 206 while messages older
  than the batch exist, 200 when the batch reaches the start of the conversation.
- ``original`` is validated and then dropped (the model does not keep it).
"""

from __future__ import annotations

import bisect
from typing import Any

from aiohttp import web

from crisp_console.sandbox import schemas_conversation as schemas
from crisp_console.sandbox.model import Conversation, Message
from crisp_console.sandbox.route_scopes import resource
from crisp_console.sandbox.state import SandboxState
from crisp_console.sandbox.web import (
    STATE,
    Handler,
    SandboxError,
    behaviours_of,
    conversation_of,
    envelope,
    int_param,
    invalid_data,
    json_body,
    not_found,
    validate,
)

MESSAGE_BATCH = 40  # messages per Get Messages In Conversation answer (UNCONFIRMED)
AROUND_SIDE = MESSAGE_BATCH // 2

_CONV = "/website/{website_id}/conversation/{session_id}"


def _ts(m: Message) -> int:
    return m.timestamp


def updated() -> web.Response:
    return envelope({}, "updated")


# ---- history --------------------------------------------------------------------------------


def history_bounds(msgs: list[Message], *, before: int | None = None, after: int | None = None,
                   around: int | None = None, newest_after: bool = False) -> tuple[int, int]:
    """``(start, stop)`` in an ordered history of the batch the cursors select (see the
    module docstring); an empty batch starts where it would have. ``newest_after``:
    ``after`` alone selects the newest batch after the cursor."""
    n = len(msgs)
    if around is not None:
        lo = bisect.bisect_left(msgs, around, key=_ts)
        hi = bisect.bisect_right(msgs, around, key=_ts)
        return (_extend_down(msgs, max(0, lo - AROUND_SIDE)),
                _extend_up(msgs, min(n, hi + AROUND_SIDE)))
    upper = n if before is None else bisect.bisect_left(msgs, before, key=_ts)
    if after is not None:
        lo = bisect.bisect_right(msgs, after, key=_ts)
        if lo >= upper:
            return lo, lo
        if newest_after and before is None:
            # _extend_down stops at lo: msgs[lo - 1] is at or before the cursor, msgs[lo] after.
            return max(lo, _extend_down(msgs, max(0, upper - MESSAGE_BATCH))), upper
        return lo, min(upper, _extend_up(msgs, lo + MESSAGE_BATCH))
    return _extend_down(msgs, max(0, upper - MESSAGE_BATCH)), upper


def _extend_down(msgs: list[Message], lo: int) -> int:
    """Move a lower bound down so it does not split a run of equal timestamps."""
    while 0 < lo < len(msgs) and msgs[lo - 1].timestamp == msgs[lo].timestamp:
        lo -= 1
    return lo


def _extend_up(msgs: list[Message], hi: int) -> int:
    """Move an upper bound up so it does not split a run of equal timestamps."""
    n = len(msgs)
    while 0 < hi < n and msgs[hi].timestamp == msgs[hi - 1].timestamp:
        hi += 1
    return min(hi, n)


async def list_messages(request: web.Request) -> web.Response:
    conv = conversation_of(request)
    before = int_param(request, "timestamp_before", minimum=0)
    after = int_param(request, "timestamp_after", minimum=0)
    around = int_param(request, "timestamp_around", minimum=0)
    if around is not None and (before is not None or after is not None):
        raise invalid_data("timestamp_around cannot be combined with timestamp_before "
                           "or timestamp_after")
    behaviours = behaviours_of(request)
    newest_after = behaviours is not None and behaviours.after_newest
    start, stop = history_bounds(conv.messages, before=before, after=after, around=around,
                                 newest_after=newest_after)
    batch = [m.to_payload(conv.website_id, conv.session_id) for m in conv.messages[start:stop]]
    # 206 "partial": older messages remain before this batch (crisp-im/ruby-crisp-api#16).
    partial = behaviours is not None and behaviours.partial_content and start > 0
    return envelope(batch, status=206 if partial else 200)


# ---- one message ----------------------------------------------------------------------------


def _message_of(request: web.Request) -> tuple[Conversation, Message]:
    conv = conversation_of(request)
    raw = request.match_info["fingerprint"]
    msg = conv.by_fp.get(int(raw)) if raw.isdigit() else None
    if msg is None:
        raise not_found("message")
    return conv, msg


def _check_content(kind: str, content: Any) -> None:
    validate(content, schemas.CONTENT_SCHEMAS[kind], root="data.content")


def _sender(state: SandboxState, conv: Conversation, from_: str,
            given: dict[str, Any] | None) -> dict[str, Any]:
    given = given or {}
    if from_ == "user":
        base = dict(conv.visitor)
        base.update({k: given[k] for k in ("nickname", "avatar") if k in given})
        return base
    op = state.operator(given["user_id"]) if "user_id" in given else None
    if op is None and state.operators:
        op = state.operators[0]
    if op is not None:
        user = op.user()
    else:  # a world without operators: the plugin itself speaks
        user = {"type": "website", "user_id": state.token.plugin_id, "nickname": "Operator",
                "avatar": ""}
    user.update({k: given[k] for k in ("type", "user_id", "nickname", "avatar") if k in given})
    return user


async def send_message(request: web.Request) -> web.Response:
    conv = conversation_of(request)
    body = await json_body(request, schemas.SEND_MESSAGE)
    kind, from_ = body["type"], body["from"]
    _check_content(kind, body["content"])
    if kind == "note" and from_ != "operator":
        raise invalid_data("data.from should be operator for a note")
    state = request.app[STATE]
    fingerprint = body.get("fingerprint")
    behaviours = behaviours_of(request)
    idempotent = behaviours is None or not behaviours.duplicate_fingerprints
    if idempotent and fingerprint is not None and (
            (conv.session_id, fingerprint) in state.client_fingerprints
            or fingerprint in conv.by_fp):
        # A retried send: same answer, no second message, no second event.
        return envelope({"fingerprint": fingerprint}, "dispatched", 202)
    if conv.is_blocked and from_ == "user":
        raise SandboxError(403, "not_allowed", "the conversation is blocked")
    msg = state.add_message(
        conv,
        type=kind,
        from_=from_,
        origin=body["origin"],
        content=body["content"],
        user=_sender(state, conv, from_, body.get("user")),
        fingerprint=fingerprint,
        timestamp=body.get("timestamp"),
        mentions=body.get("mentions"),
        automated=body.get("automated", False),
        translated=body.get("translated", False),
        references=body.get("references"),
        properties=body.get("properties"),
        stealth=body.get("stealth", False),
    )
    if fingerprint is not None:
        state.client_fingerprints.add((conv.session_id, fingerprint))
    return envelope({"fingerprint": msg.fingerprint}, "dispatched", 202)


async def get_message(request: web.Request) -> web.Response:
    conv, msg = _message_of(request)
    return envelope(msg.to_payload(conv.website_id, conv.session_id))


async def update_message(request: web.Request) -> web.Response:
    conv, msg = _message_of(request)
    body = await json_body(request, schemas.UPDATE_MESSAGE)
    _check_content(msg.type, body["content"])
    request.app[STATE].update_message(conv, msg, body["content"])
    return updated()


async def remove_message(request: web.Request) -> web.Response:
    conv, msg = _message_of(request)
    request.app[STATE].remove_message(conv, msg)
    return envelope({}, "deleted")


# ---- compose and acknowledgements ------------------------------------------------------------


async def compose(request: web.Request) -> web.Response:
    conv = conversation_of(request)
    body = await json_body(request, schemas.COMPOSE)
    state = request.app[STATE]
    from_ = body["from"]
    user = _sender(state, conv, from_, None) if from_ == "operator" else None
    state.compose(conv, kind=body["type"], from_=from_, excerpt=body.get("excerpt"), user=user,
                  automated=body.get("automated", False), stealth=body.get("stealth", False))
    return updated()


def _acknowledge(kind: str) -> Handler:
    async def handler(request: web.Request) -> web.Response:
        conv = conversation_of(request)
        body = await json_body(request, schemas.ACKNOWLEDGE)
        request.app[STATE].acknowledge(conv, kind=kind, from_=body["from"],
                                       origin=body["origin"],
                                       fingerprints=body.get("fingerprints"))
        return updated()

    return handler


async def mark_unread(request: web.Request) -> web.Response:
    conv = conversation_of(request)
    body = await json_body(request, schemas.MARK_UNREAD)
    request.app[STATE].mark_unread(conv, from_=body["from"])
    return updated()


_MESSAGES = "website:conversation:messages"

RESOURCES = (
    resource(_CONV + "/messages", _MESSAGES, GET=list_messages),
    resource(_CONV + "/message", _MESSAGES, POST=send_message),
    resource(_CONV + "/message/{fingerprint}", _MESSAGES, GET=get_message,
             PATCH=update_message, DELETE=remove_message),
    resource(_CONV + "/compose", _MESSAGES, PATCH=compose),
    resource(_CONV + "/read", _MESSAGES, PATCH=_acknowledge("read")),
    resource(_CONV + "/delivered", _MESSAGES, PATCH=_acknowledge("delivered")),
    resource(_CONV + "/unread", _MESSAGES, PATCH=mark_unread),
)
