"""The RTM event names the console subscribes to (crisp-api.md section 4).

Every name the sandbox emits (sandbox/README.md, "Every change emits its RTM events") plus the
bucket answer for uploads. Names Crisp documents but the console has no use for yet
(``website:users:available``, ``message:acknowledge:unread:ignored``, the other
``session:sync:*``) are left out: subscribing costs bandwidth on busy websites.
"""

from __future__ import annotations

DEFAULT_EVENTS: tuple[str, ...] = (
    # messages
    "message:send",
    "message:received",
    "message:updated",
    "message:removed",
    "message:compose:send",
    "message:compose:receive",
    "message:acknowledge:read:send",
    "message:acknowledge:read:received",
    "message:acknowledge:delivered",
    "message:acknowledge:unread:send",
    # conversations
    "session:set_state",
    "session:set_routing",
    "session:set_block",
    "session:set_inbox",
    "session:set_email",
    "session:set_nickname",
    "session:set_phone",
    "session:set_address",
    "session:set_subject",
    "session:set_avatar",
    "session:set_origin",
    "session:set_segments",
    "session:set_data",
    "session:removed",
    "session:update_availability",
    "session:sync:pages",
    "session:sync:geolocation",
    # people profiles
    "people:profile:created",
    "people:profile:updated",
    "people:profile:removed",
    # websites and their operators
    "website:update_visitors_count",
    "website:update_operators_availability",
    # the plugin, and the bucket's upload answers
    "plugin:settings:saved",
    "plugin:subscription:updated",
    "bucket:url:upload:generated",
)
