"""Token scopes: what a production plugin token may read or write (behaviour ``scopes``).

docs.crisp.chat/guides/plugins/token-scopes lists scopes with read and/or write permissions,
"depending on the REST API route that you need to access, or the RTM API event that you want
to receive". The names seen there are ``bucket:url``, ``website:availability``,
``website:operators``, ``website:settings``, ``website:verify``, ``website:visitors``,
``website:conversation:initiate``, ``website:conversation:sessions`` and
``website:conversation:suggest``; the others below follow the same pattern and are our
guess (UNCONFIRMED). Plugin connect and subscription routes need no scope: they are the
plugin's own.

A token's grants are ``{scope: {"read", "write"}}``; by default it holds every scope in both
modes. Which scope a route needs is declared with the route (route_scopes.Resource); which
scope an event needs is ``event_scope``. The live grants are ``SandboxConfig.grants``
(``SandboxContext.grants``): the admin route and ``set_grants`` change that dict in place, so
a reference held by the RTM server stays current.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

Mode = Literal["read", "write"]
MODES: tuple[Mode, ...] = ("read", "write")
Grants = dict[str, frozenset[str]]

SCOPES: dict[str, str] = {
    "bucket:url": "generate file upload URLs",
    "website:availability": "website and operator availability",
    "website:operators": "website operators",
    "website:settings": "website details and settings",
    "website:visitors": "live visitors",
    "website:conversation:initiate": "create conversations",
    "website:conversation:sessions": "conversations, their metas, block and inbox",
    "website:conversation:messages": "messages, typing and read/delivered marks",
    "website:conversation:states": "conversation state (pending, unresolved, resolved)",
    "website:conversation:routing": "conversation assignment",
    "website:conversation:pages": "pages the visitor browsed",
    "website:conversation:events": "conversation events",
    "website:conversation:files": "files shared in a conversation",
    "website:conversation:reminders": "conversation reminders",
    "website:people:profiles": "contact profiles",
    "website:people:data": "contact custom data",
    "website:people:events": "contact events",
    "website:people:conversations": "a contact's conversations",
    "website:people:statistics": "contact statistics",
}


def all_grants() -> Grants:
    """Every scope, read and write."""
    return {scope: frozenset(MODES) for scope in SCOPES}


def parse_grant(raw: str) -> tuple[str, frozenset[str]]:
    """``scope`` (read and write), ``scope:read`` or ``scope:write``."""
    text = raw.strip()
    for mode in MODES:
        if text.endswith(":" + mode):
            scope = text[: -len(mode) - 1]
            modes: frozenset[str] = frozenset({mode})
            break
    else:
        scope, modes = text, frozenset(MODES)
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}; known: {', '.join(SCOPES)}")
    return scope, modes


def revoke(grants: Mapping[str, frozenset[str]], items: Iterable[str]) -> Grants:
    """``grants`` without the ``scope[:mode]`` items."""
    out = dict(grants)
    for item in items:
        scope, modes = parse_grant(item)
        left = out.get(scope, frozenset()) - modes
        if left:
            out[scope] = left
        else:
            out.pop(scope, None)
    return out


def grant(grants: Mapping[str, frozenset[str]], items: Iterable[str]) -> Grants:
    """``grants`` with the ``scope[:mode]`` items added."""
    out = dict(grants)
    for item in items:
        scope, modes = parse_grant(item)
        out[scope] = out.get(scope, frozenset()) | modes
    return out


def set_grants(target: Grants, new: Mapping[str, frozenset[str]]) -> None:
    """Make ``target`` hold ``new``, in place (whoever holds ``target`` sees the change)."""
    target.clear()
    target.update(new)


def describe(grants: Mapping[str, frozenset[str]]) -> dict[str, list[str]]:
    """JSON-friendly grants: ``{scope: ["read", "write"]}``, scopes and modes sorted."""
    return {scope: sorted(modes) for scope, modes in sorted(grants.items()) if modes}


def allows(grants: Mapping[str, frozenset[str]], scope: str, mode: Mode) -> bool:
    return mode in grants.get(scope, frozenset())


# ---- RTM events ------------------------------------------------------------------------------

_EVENT_PREFIXES: tuple[tuple[str, str], ...] = (
    ("message:", "website:conversation:messages"),
    ("session:set_state", "website:conversation:states"),
    ("session:set_routing", "website:conversation:routing"),
    ("session:sync:pages", "website:conversation:pages"),
    ("session:", "website:conversation:sessions"),
    ("people:", "website:people:profiles"),
    ("website:update_visitors_count", "website:visitors"),
    ("website:update_operators_availability", "website:availability"),
    ("website:users:available", "website:availability"),
    ("bucket:url:", "bucket:url"),
)


def event_scope(name: str) -> tuple[str, Mode] | None:
    """The scope and mode an RTM event needs; None for the plugin's own events. Reading a
    stream needs read, except a bucket answer: it answers the write that asked for it."""
    for prefix, scope in _EVENT_PREFIXES:
        if name.startswith(prefix):
            return scope, "write" if scope == "bucket:url" else "read"
    return None
