"""REST pages of messages into a timeline, and the timeline's history bookkeeping.

``upsert_messages`` merges any REST answer (a page, the catch-up's batches); a page of the
conversation's history goes through ``add_history_page``, which also keeps the timeline's
bookkeeping (loaded, cursor, at_start: timeline.py) so that it lives and dies with the
timeline. Functions over the Store's public parts (port.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crisp_console.core import echo
from crisp_console.core.counting import Arrival
from crisp_console.core.models import Conversation, Message
from crisp_console.core.optimistic import CONTENT
from crisp_console.core.parse import is_int
from crisp_console.core.port import StorePort
from crisp_console.core.results import ApplyResult, result


def upsert_messages(store: StorePort, session_id: str, payloads: Any) -> ApplyResult:
    """Load REST messages (oldest first, as Crisp sends them): new ones are inserted in
    runs (a page of older history is one range), known ones updated, pending local
    echoes merged. The history bookkeeping is ``add_history_page``'s."""
    conv = store.rows.get(session_id)
    if conv is None:
        return ApplyResult.UNKNOWN_TARGET
    msgs = store.intake.parse_list("rest:message", Message.from_payload, payloads)
    if msgs is None:
        return ApplyResult.MALFORMED
    tl = store.threads.open(conv.session_id)
    new: dict[int, Message] = {}
    page: list[Message] = []  # the page's order, known messages included (anchors)
    changed = 0
    bad = len(payloads) - len(msgs)
    for msg in msgs:
        known = tl.by_fp.get(msg.fingerprint)
        if known is None:
            if msg.fingerprint in new:
                continue  # twice in one page: the first copy stands
            echo.adopt(conv, msg)
            new[msg.fingerprint] = msg
            page.append(msg)
            continue
        if known.is_pending:
            changed += echo.merge(store, conv, known, msg)
        else:  # REST is the fresher copy (read/delivered/edited may have moved)...
            values = msg.field_values()
            # ...but not of a content this console changed since: a page read before the
            # edit reached Crisp would show the old words until the edit's echo.
            if store.optimistic.holds(CONTENT, conv.session_id, known.fingerprint,
                                      values["content"]):
                del values["content"], values["edited"]
            changed += bool(tl.update(known, values))
        page.append(known)
    tl.insert_page(page)
    if new:
        newest = max(reversed(new.values()), key=Message.sort_key)  # the last of equals
        if _newer_than_preview(store, conv, newest):
            store.bump(conv, newest, Arrival.HISTORY)
    if bad and not new and not changed:
        return ApplyResult.MALFORMED
    return result(bool(new) or bool(changed))


def add_history_page(store: StorePort, session_id: str, payloads: Any, *,
                     older: bool) -> ApplyResult:
    """A REST page of the conversation's messages: the newest (``older=False``: the
    timeline is loaded) or the one before ``history_cursor`` (``older=True``; an empty
    one means the start is reached). The cursor moves to the page's oldest timestamp."""
    conv = store.rows.get(session_id)
    if conv is None:
        return ApplyResult.UNKNOWN_TARGET
    if not isinstance(payloads, list):
        store.intake.reporter.report("rest:message", "not a list")
        return ApplyResult.MALFORMED
    outcome = upsert_messages(store, session_id, payloads) if payloads else result(False)
    # Every timestamp the page gave, parsed or not: a page whose messages were all
    # dropped must still move the cursor, or the same page would be asked for again.
    stamps = [ts for m in payloads if isinstance(m, Mapping)
              and is_int(ts := m.get("timestamp"))]
    store.threads.open(conv.session_id).note_page(stamps, older=older)
    return outcome


def _newer_than_preview(store: StorePort, conv: Conversation, msg: Message) -> bool:
    """Whether a REST message is newer than the row's preview: an older page (or a jump
    into the past) must not replace the preview the REST row gave."""
    if msg.timestamp > conv.updated_at:
        return True
    shown = store.threads.message(conv.session_id, conv.last_fingerprint)
    return shown is not None and not shown.is_pending and shown.sort_key() < msg.sort_key()
