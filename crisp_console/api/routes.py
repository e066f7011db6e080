"""One typed line per Crisp REST route the console uses (crisp-api.md §2).

``Routes`` is the mixin CrispApi inherits: every method builds a path and a body and hands them
to ``request()``. W = website_id, S = session_id, P = people_id, F = fingerprint. Mutations
return None (Crisp answers ``{}``; its ``data`` is not read). Reads check the shape of
Crisp's ``data`` before returning it (api/shapes.py): an object where an object belongs, a
list where a list belongs (unreadable items dropped and counted), the keys the console
needs with the right types. Anything else raises ProtocolError, never AttributeError,
KeyError, TypeError or OverflowError.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from datetime import datetime
from typing import Any, Literal
from urllib.parse import quote

from crisp_console.api.paging import iter_before, iter_pages
from crisp_console.api.shapes import ShapeLog, kind, obj, safe_int, text
from crisp_console.api.wire import iso_utc
from crisp_console.errors import ProtocolError

log = logging.getLogger("crisp_console.api")

Json = dict[str, Any]


def q(segment: object) -> str:
    """One path segment, escaped (a people_id may be an email)."""
    return quote(str(segment), safe="@")


def _conv(website_id: str, session_id: str) -> str:
    return f"website/{q(website_id)}/conversation/{q(session_id)}"


def _people(website_id: str, what: str, people_id: str) -> str:
    return f"website/{q(website_id)}/people/{what}/{q(people_id)}"


def _settings(website_id: str, plugin_id: str) -> str:
    return f"plugins/subscription/{q(website_id)}/{q(plugin_id)}/settings"


def _session_key(conversation: Json) -> str | None:
    session_id = conversation.get("session_id")
    return session_id if isinstance(session_id, str) else None


class Routes:
    """Route methods; the subclass provides ``request`` and ``shapes`` (see http.CrispApi)."""

    shapes: ShapeLog

    async def request(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
                      json: Any = None, retry_safe: bool | None = None) -> Any:
        raise NotImplementedError

    async def _object(self, method: str, path: str, *,
                      json: Any = None) -> tuple[Json, str]:
        """Crisp's ``data``, which must be an object, and the request's label."""
        label = f"{method} {path}"
        return obj(await self.request(method, path, json=json), label), label

    async def _objects(self, route: str, path: str,
                       params: Mapping[str, Any] | None = None) -> list[Json]:
        """Crisp's ``data``, which must be a list; its items that are not objects dropped."""
        data = await self.request("GET", path, params=params)
        return self.shapes.objects(data, route, f"GET {path}")

    # ---- plugin connect ------------------------------------------------------------------

    async def check_session(self) -> bool:
        """True when the token pair is valid; AuthError otherwise."""
        await self.request("HEAD", "plugin/connect/session")
        return True

    async def connect_account(self) -> Json:
        """The token's account; ``plugin_id`` is checked to be a non-empty string."""
        data, label = await self._object("GET", "plugin/connect/account")
        text(data, "plugin_id", label)
        return data

    async def connect_websites(self, page: int = 1, *, configured: bool | None = None,
                               plan: bool = False) -> list[Json]:
        params = {"filter_configured": configured, "include_plan": plan or None}
        return await self._objects("connect_websites", f"plugin/connect/websites/all/{page}",
                                   params)

    def iter_connect_websites(self, *, configured: bool | None = None,
                              plan: bool = False) -> AsyncIterator[Json]:
        return iter_pages(lambda page: self.connect_websites(page, configured=configured,
                                                             plan=plan))

    async def connect_websites_since(self, since: datetime, *,
                                     configured: bool | None = None) -> list[Json]:
        params = {"date_since": since, "filter_configured": configured}
        return await self._objects("connect_websites_since", "plugin/connect/websites/since",
                                   params)

    async def connect_endpoints(self) -> Json:
        """``{socket: {app}, rescue?: {socket: {app}}}``: ``socket.app`` is checked to be a
        non-empty string; a ``rescue`` of any other shape is dropped (it is optional)."""
        data, label = await self._object("GET", "plugin/connect/endpoints")
        text(obj(data.get("socket"), label, "socket"), "app", label, parent="socket.")
        rescue = data.get("rescue")
        if rescue is not None:
            socket = rescue.get("socket") if isinstance(rescue, dict) else None
            app = socket.get("app") if isinstance(socket, dict) else None
            if not isinstance(app, str) or not app:
                log.warning("%s: ignoring a rescue endpoint without a socket.app string",
                            label)
                data = {k: v for k, v in data.items() if k != "rescue"}
        return data

    async def subscription_settings(self, website_id: str, plugin_id: str) -> Json:
        return (await self._object("GET", _settings(website_id, plugin_id)))[0]

    async def save_settings(self, website_id: str, plugin_id: str,
                            settings: Mapping[str, Any]) -> None:
        await self.request("PUT", _settings(website_id, plugin_id), json=dict(settings))

    async def update_settings(self, website_id: str, plugin_id: str,
                              partial: Mapping[str, Any]) -> None:
        await self.request("PATCH", _settings(website_id, plugin_id), json=dict(partial))

    # ---- website -------------------------------------------------------------------------

    async def get_website(self, website_id: str) -> Json:
        return (await self._object("GET", f"website/{q(website_id)}"))[0]

    async def list_operators(self, website_id: str) -> list[Json]:
        return await self._objects("list_operators", f"website/{q(website_id)}/operators/list")

    async def operator_availabilities(self, website_id: str) -> list[Json]:
        """List Website Operator Availabilities: ``[{user_id, type, time: {for, since}}]``
        (a read route plugin tokens may use; Crisp has no route for a plugin token to set
        an operator's availability: client/availability.py)."""
        return await self._objects("operator_availabilities",
                                   f"website/{q(website_id)}/availability/operators")

    # ---- conversations -------------------------------------------------------------------

    async def list_conversations(self, website_id: str, page: int = 1, *,
                                 per_page: int | None = None, **filters: Any) -> list[Json]:
        """Filters are List Conversations' query names: ``filter_unread=True``,
        ``search_query="..."``, ``filter_date_start=datetime`` (bools go as 1/0)."""
        params = {"per_page": per_page, **filters}
        return await self._objects("list_conversations",
                                   f"website/{q(website_id)}/conversations/{page}", params)

    def iter_conversations(self, website_id: str, *, per_page: int = 50,
                           **filters: Any) -> AsyncIterator[Json]:
        """Every matching conversation, once, paging until an empty page."""
        return iter_pages(
            lambda page: self.list_conversations(website_id, page, per_page=per_page,
                                                 **filters),
            key=_session_key)

    async def get_conversation(self, website_id: str, session_id: str) -> Json:
        return (await self._object("GET", _conv(website_id, session_id)))[0]

    async def create_conversation(self, website_id: str) -> str:
        """The new conversation's session_id. Not retried: a repeat could create two."""
        data, label = await self._object("POST", f"website/{q(website_id)}/conversation",
                                         json={})
        return text(data, "session_id", label)

    async def remove_conversation(self, website_id: str, session_id: str) -> None:
        await self.request("DELETE", _conv(website_id, session_id))

    # ---- messages ------------------------------------------------------------------------

    async def get_messages(self, website_id: str, session_id: str, *,
                           before: int | None = None, after: int | None = None,
                           around: int | None = None) -> list[Json]:
        """One history batch, oldest first; cursors are epoch ms (no cursor: the latest).

        Which batch ``after`` alone answers (the oldest or the newest after the cursor) is
        unspecified (crisp-api.md §10 row 5): to read everything since a point, page back
        with ``iter_messages_before`` instead."""
        params = {"timestamp_before": before, "timestamp_after": after,
                  "timestamp_around": around}
        return await self._objects("get_messages",
                                   _conv(website_id, session_id) + "/messages", params)

    def iter_messages_before(self, website_id: str, session_id: str,
                             before: int | None) -> AsyncIterator[list[Json]]:
        """History batches going back from ``before`` (None: from the newest), each oldest
        first, until the start of the conversation."""
        return iter_before(lambda cursor: self.get_messages(website_id, session_id,
                                                            before=cursor), before)

    async def send_message(self, website_id: str, session_id: str, *, type: str, content: Any,
                           fingerprint: int, from_: str = "operator", origin: str = "chat",
                           user: Mapping[str, Any] | None = None,
                           mentions: list[str] | None = None, stealth: bool = False) -> int:
        """Send a message; returns the fingerprint Crisp answered (``fingerprint`` if none).

        Never repeated here once it may have reached Crisp: nothing says Crisp de-duplicates
        fingerprints, so a repeat could post the message twice. After an ambiguous failure
        (TransportError with ``sent``, ServerError) the caller looks for it among the
        conversation's latest messages before sending again; a ProtocolError means Crisp
        accepted it but answered unreadably. A 429/420 with a short Retry-After is re-sent
        after its pause: a rate-limited request was not processed.
        """
        body: Json = {"type": type, "from": from_, "origin": origin, "content": content,
                      "fingerprint": fingerprint}
        if user is not None:
            body["user"] = dict(user)
        if mentions:
            body["mentions"] = list(mentions)
        if stealth:
            body["stealth"] = True
        path = _conv(website_id, session_id) + "/message"
        data = obj(await self.request("POST", path, json=body, retry_safe=False),
                   f"POST {path}")
        answered = data.get("fingerprint")
        if answered is None:
            return fingerprint
        checked = safe_int(answered)
        if checked is None:
            raise ProtocolError(f"fingerprint should be an integer within JavaScript's safe "
                                f"range, not {kind(answered)}", where=f"POST {path}")
        return checked

    async def update_message(self, website_id: str, session_id: str, fingerprint: int,
                             content: Any) -> None:
        await self.request("PATCH", f"{_conv(website_id, session_id)}/message/{fingerprint}",
                           json={"content": content})

    async def remove_message(self, website_id: str, session_id: str, fingerprint: int) -> None:
        await self.request("DELETE", f"{_conv(website_id, session_id)}/message/{fingerprint}")

    async def compose(self, website_id: str, session_id: str, kind: Literal["start", "stop"],
                      *, excerpt: str | None = None, from_: str = "operator") -> None:
        body: Json = {"type": kind, "from": from_}
        if excerpt is not None:
            body["excerpt"] = excerpt
        await self.request("PATCH", _conv(website_id, session_id) + "/compose", json=body)

    async def mark_read(self, website_id: str, session_id: str,
                        fingerprints: list[int] | None = None, *, from_: str = "operator",
                        origin: str = "chat") -> None:
        body: Json = {"from": from_, "origin": origin}
        if fingerprints is not None:  # omitted: every message
            body["fingerprints"] = list(fingerprints)
        await self.request("PATCH", _conv(website_id, session_id) + "/read", json=body)

    async def mark_unread(self, website_id: str, session_id: str, *,
                          from_: str = "operator") -> None:
        await self.request("PATCH", _conv(website_id, session_id) + "/unread",
                           json={"from": from_})

    async def schedule_reminder(self, website_id: str, session_id: str, when: datetime,
                                note: str, *, user: Mapping[str, Any] | None = None) -> None:
        """Schedule A Reminder For Conversation at ``when`` (naive: UTC). Not retried: a
        repeat could leave two reminders."""
        body: Json = {"date": iso_utc(when), "note": note}
        if user is not None:
            body["user"] = dict(user)
        await self.request("POST", _conv(website_id, session_id) + "/reminder", json=body)

    # ---- state, routing, meta, block, sub-lists ------------------------------------------

    async def set_state(self, website_id: str, session_id: str, state: str) -> None:
        await self.request("PATCH", _conv(website_id, session_id) + "/state",
                           json={"state": state})

    async def assign(self, website_id: str, session_id: str, user_id: str | None) -> None:
        """Assign to ``user_id``; None unassigns."""
        assigned = {"user_id": user_id} if user_id is not None else None
        await self.request("PATCH", _conv(website_id, session_id) + "/routing",
                           json={"assigned": assigned})

    async def update_meta(self, website_id: str, session_id: str,
                          patch: Mapping[str, Any]) -> None:
        await self.request("PATCH", _conv(website_id, session_id) + "/meta", json=dict(patch))

    async def set_block(self, website_id: str, session_id: str, blocked: bool) -> None:
        await self.request("PATCH", _conv(website_id, session_id) + "/block",
                           json={"blocked": blocked})

    async def list_pages(self, website_id: str, session_id: str, page: int = 1) -> list[Json]:
        return await self._objects("list_pages",
                                   f"{_conv(website_id, session_id)}/pages/{page}")

    async def list_events(self, website_id: str, session_id: str, page: int = 1) -> list[Json]:
        return await self._objects("list_events",
                                   f"{_conv(website_id, session_id)}/events/{page}")

    async def list_files(self, website_id: str, session_id: str, page: int = 1) -> list[Json]:
        return await self._objects("list_files",
                                   f"{_conv(website_id, session_id)}/files/{page}")

    # ---- people --------------------------------------------------------------------------

    async def get_person(self, website_id: str, people_id: str) -> Json:
        return (await self._object("GET", _people(website_id, "profile", people_id)))[0]

    async def update_person(self, website_id: str, people_id: str,
                            patch: Mapping[str, Any]) -> None:
        await self.request("PATCH", _people(website_id, "profile", people_id), json=dict(patch))

    async def get_person_data(self, website_id: str, people_id: str) -> Json:
        """The custom data itself (Crisp nests it as ``{data: {...}}``; none reads as {})."""
        data, label = await self._object("GET", _people(website_id, "data", people_id))
        inner = data.get("data")
        return {} if inner is None else obj(inner, label, "data.data")

    async def list_person_events(self, website_id: str, people_id: str,
                                 page: int = 1) -> list[Json]:
        return await self._objects("list_person_events",
                                   f"{_people(website_id, 'events', people_id)}/list/{page}")

    async def list_person_conversations(self, website_id: str, people_id: str,
                                        page: int = 1) -> list[str]:
        """Session ids of the contact's conversations (items that are not strings dropped)."""
        path = f"{_people(website_id, 'conversations', people_id)}/list/{page}"
        return self.shapes.strings(await self.request("GET", path),
                                   "list_person_conversations", f"GET {path}")

    # ---- bucket --------------------------------------------------------------------------

    async def generate_bucket_url(self, *, namespace: str = "upload", request_id: str,
                                  name: str, mime: str) -> None:
        """Ask for an upload URL; it arrives over RTM as ``bucket:url:<namespace>:generated``
        carrying ``id == request_id``."""
        await self.request("POST", "bucket/url/generate",
                           json={"namespace": namespace, "id": request_id,
                                 "file": {"name": name, "type": mime}})
