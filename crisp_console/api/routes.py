"""One typed line per Crisp REST route the console uses (crisp-api.md §2).

``Routes`` is the mixin CrispApi inherits: every method builds a path and a body and hands them
to ``request()``. W = website_id, S = session_id, P = people_id, F = fingerprint. Mutations
return None (Crisp answers ``{}``); reads return Crisp's ``data`` unchanged.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from datetime import datetime
from typing import Any, Literal
from urllib.parse import quote

from crisp_console.api.paging import iter_after, iter_before, iter_pages
from crisp_console.api.wire import iso_utc
from crisp_console.errors import NotFoundError

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


class Routes:
    """Route methods; the subclass provides ``request`` (see http.CrispApi)."""

    async def request(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
                      json: Any = None, retry_safe: bool | None = None) -> Any:
        raise NotImplementedError

    # ---- plugin connect ------------------------------------------------------------------

    async def check_session(self) -> bool:
        """True when the token pair is valid; AuthError otherwise."""
        await self.request("HEAD", "plugin/connect/session")
        return True

    async def connect_account(self) -> Json:
        return await self.request("GET", "plugin/connect/account")

    async def connect_websites(self, page: int = 1, *, configured: bool | None = None,
                               plan: bool = False) -> list[Json]:
        params = {"filter_configured": configured, "include_plan": plan or None}
        return await self.request(
            "GET", f"plugin/connect/websites/all/{page}", params=params)

    def iter_connect_websites(self, *, configured: bool | None = None,
                              plan: bool = False) -> AsyncIterator[Json]:
        return iter_pages(lambda page: self.connect_websites(page, configured=configured,
                                                             plan=plan))

    async def connect_websites_since(self, since: datetime, *,
                                     configured: bool | None = None) -> list[Json]:
        params = {"date_since": since, "filter_configured": configured}
        return await self.request(
            "GET", "plugin/connect/websites/since", params=params)

    async def connect_endpoints(self) -> Json:
        return await self.request("GET", "plugin/connect/endpoints")

    async def subscription_settings(self, website_id: str, plugin_id: str) -> Json:
        return await self.request(
            "GET", _settings(website_id, plugin_id))

    async def save_settings(self, website_id: str, plugin_id: str,
                            settings: Mapping[str, Any]) -> None:
        await self.request("PUT", _settings(website_id, plugin_id), json=dict(settings))

    async def update_settings(self, website_id: str, plugin_id: str,
                              partial: Mapping[str, Any]) -> None:
        await self.request("PATCH", _settings(website_id, plugin_id), json=dict(partial))

    # ---- website -------------------------------------------------------------------------

    async def get_website(self, website_id: str) -> Json:
        return await self.request("GET", f"website/{q(website_id)}")

    async def list_operators(self, website_id: str) -> list[Json]:
        return await self.request(
            "GET", f"website/{q(website_id)}/operators/list")

    async def availability_status(self, website_id: str) -> Json:
        return await self.request(
            "GET", f"website/{q(website_id)}/availability/status")

    async def operator_availabilities(self, website_id: str) -> list[Json]:
        return await self.request(
            "GET", f"website/{q(website_id)}/availability/operators")

    # ---- conversations -------------------------------------------------------------------

    async def list_conversations(self, website_id: str, page: int = 1, *,
                                 per_page: int | None = None, **filters: Any) -> list[Json]:
        """Filters are List Conversations' query names: ``filter_unread=True``,
        ``search_query="..."``, ``filter_date_start=datetime`` (bools go as 1/0)."""
        params = {"per_page": per_page, **filters}
        return await self.request(
            "GET", f"website/{q(website_id)}/conversations/{page}", params=params)

    def iter_conversations(self, website_id: str, *, per_page: int = 50,
                           **filters: Any) -> AsyncIterator[Json]:
        """Every matching conversation, once, paging until an empty page."""
        return iter_pages(
            lambda page: self.list_conversations(website_id, page, per_page=per_page,
                                                 **filters),
            key=lambda conv: conv.get("session_id"))

    async def get_conversation(self, website_id: str, session_id: str) -> Json:
        return await self.request("GET", _conv(website_id, session_id))

    async def conversation_exists(self, website_id: str, session_id: str) -> bool:
        try:
            await self.request("HEAD", _conv(website_id, session_id))
        except NotFoundError:
            return False
        return True

    async def create_conversation(self, website_id: str) -> str:
        data = await self.request("POST", f"website/{q(website_id)}/conversation", json={})
        return str(data["session_id"])

    async def remove_conversation(self, website_id: str, session_id: str) -> None:
        await self.request("DELETE", _conv(website_id, session_id))

    # ---- messages ------------------------------------------------------------------------

    async def get_messages(self, website_id: str, session_id: str, *,
                           before: int | None = None, after: int | None = None,
                           around: int | None = None) -> list[Json]:
        """One history batch, oldest first; cursors are epoch ms (no cursor: the latest)."""
        params = {"timestamp_before": before, "timestamp_after": after,
                  "timestamp_around": around}
        return await self.request(
            "GET", _conv(website_id, session_id) + "/messages", params=params)

    def iter_messages_after(self, website_id: str, session_id: str,
                            after: int) -> AsyncIterator[Json]:
        """Every message strictly after ``after`` (ms), oldest first."""
        return iter_after(lambda cursor: self.get_messages(website_id, session_id,
                                                           after=cursor), after)

    def iter_messages_before(self, website_id: str, session_id: str,
                             before: int | None) -> AsyncIterator[list[Json]]:
        """History batches going back from ``before`` (None: from the newest)."""
        return iter_before(lambda cursor: self.get_messages(website_id, session_id,
                                                            before=cursor), before)

    async def send_message(self, website_id: str, session_id: str, *, type: str, content: Any,
                           fingerprint: int, from_: str = "operator", origin: str = "chat",
                           user: Mapping[str, Any] | None = None,
                           mentions: list[str] | None = None, stealth: bool = False) -> int:
        """Send; retried safely, since Crisp keeps one message per client fingerprint."""
        body: Json = {"type": type, "from": from_, "origin": origin, "content": content,
                      "fingerprint": fingerprint}
        if user is not None:
            body["user"] = dict(user)
        if mentions:
            body["mentions"] = list(mentions)
        if stealth:
            body["stealth"] = True
        data = await self.request("POST", _conv(website_id, session_id) + "/message",
                                  json=body, retry_safe=True)
        return int(data.get("fingerprint", fingerprint))

    async def get_message(self, website_id: str, session_id: str, fingerprint: int) -> Json:
        return await self.request(
            "GET", f"{_conv(website_id, session_id)}/message/{fingerprint}")

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

    async def _acknowledge(self, kind: str, website_id: str, session_id: str,
                           fingerprints: list[int] | None, from_: str, origin: str) -> None:
        body: Json = {"from": from_, "origin": origin}
        if fingerprints is not None:  # omitted: every message
            body["fingerprints"] = list(fingerprints)
        await self.request("PATCH", f"{_conv(website_id, session_id)}/{kind}", json=body)

    async def mark_read(self, website_id: str, session_id: str,
                        fingerprints: list[int] | None = None, *, from_: str = "operator",
                        origin: str = "chat") -> None:
        await self._acknowledge("read", website_id, session_id, fingerprints, from_, origin)

    async def mark_delivered(self, website_id: str, session_id: str,
                             fingerprints: list[int] | None = None, *,
                             from_: str = "operator", origin: str = "chat") -> None:
        await self._acknowledge("delivered", website_id, session_id, fingerprints, from_,
                                origin)

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

    async def get_state(self, website_id: str, session_id: str) -> str:
        data = await self.request("GET", _conv(website_id, session_id) + "/state")
        return str(data["state"])

    async def set_state(self, website_id: str, session_id: str, state: str) -> None:
        await self.request("PATCH", _conv(website_id, session_id) + "/state",
                           json={"state": state})

    async def get_routing(self, website_id: str, session_id: str) -> str | None:
        """The assigned operator's user_id, or None."""
        data = await self.request("GET", _conv(website_id, session_id) + "/routing")
        user_id = (data.get("assigned") or {}).get("user_id")
        return str(user_id) if user_id else None

    async def assign(self, website_id: str, session_id: str, user_id: str | None) -> None:
        """Assign to ``user_id``; None unassigns."""
        assigned = {"user_id": user_id} if user_id is not None else None
        await self.request("PATCH", _conv(website_id, session_id) + "/routing",
                           json={"assigned": assigned})

    async def get_meta(self, website_id: str, session_id: str) -> Json:
        return await self.request(
            "GET", _conv(website_id, session_id) + "/meta")

    async def update_meta(self, website_id: str, session_id: str,
                          patch: Mapping[str, Any]) -> None:
        await self.request("PATCH", _conv(website_id, session_id) + "/meta", json=dict(patch))

    async def get_block(self, website_id: str, session_id: str) -> bool:
        data = await self.request("GET", _conv(website_id, session_id) + "/block")
        return bool(data["blocked"])

    async def set_block(self, website_id: str, session_id: str, blocked: bool) -> None:
        await self.request("PATCH", _conv(website_id, session_id) + "/block",
                           json={"blocked": blocked})

    async def list_pages(self, website_id: str, session_id: str, page: int = 1) -> list[Json]:
        return await self.request(
            "GET", f"{_conv(website_id, session_id)}/pages/{page}")

    async def list_events(self, website_id: str, session_id: str, page: int = 1) -> list[Json]:
        return await self.request(
            "GET", f"{_conv(website_id, session_id)}/events/{page}")

    async def list_files(self, website_id: str, session_id: str, page: int = 1) -> list[Json]:
        return await self.request(
            "GET", f"{_conv(website_id, session_id)}/files/{page}")

    # ---- people --------------------------------------------------------------------------

    async def get_person(self, website_id: str, people_id: str) -> Json:
        return await self.request(
            "GET", _people(website_id, "profile", people_id))

    async def update_person(self, website_id: str, people_id: str,
                            patch: Mapping[str, Any]) -> None:
        await self.request("PATCH", _people(website_id, "profile", people_id), json=dict(patch))

    async def get_person_data(self, website_id: str, people_id: str) -> Json:
        """The custom data itself (Crisp nests it as ``{data: {...}}``)."""
        data = await self.request("GET", _people(website_id, "data", people_id))
        inner = data.get("data")
        return inner if isinstance(inner, dict) else {}

    async def update_person_data(self, website_id: str, people_id: str,
                                 data: Mapping[str, Any]) -> None:
        """Merge ``data`` into the custom data."""
        await self.request("PATCH", _people(website_id, "data", people_id),
                           json={"data": dict(data)})

    async def list_person_events(self, website_id: str, people_id: str,
                                 page: int = 1) -> list[Json]:
        return await self.request(
            "GET", f"{_people(website_id, 'events', people_id)}/list/{page}")

    async def list_person_conversations(self, website_id: str, people_id: str,
                                        page: int = 1) -> list[str]:
        """Session ids of the contact's conversations."""
        data = await self.request(
            "GET", f"{_people(website_id, 'conversations', people_id)}/list/{page}")
        return [str(session_id) for session_id in data]

    # ---- bucket --------------------------------------------------------------------------

    async def generate_bucket_url(self, *, namespace: str = "upload", request_id: str,
                                  name: str, mime: str) -> None:
        """Ask for an upload URL; it arrives over RTM as ``bucket:url:<namespace>:generated``
        carrying ``id == request_id``."""
        await self.request("POST", "bucket/url/generate",
                           json={"namespace": namespace, "id": request_id,
                                 "file": {"name": name, "type": mime}})
