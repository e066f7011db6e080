"""What ``crisp-sandbox --json`` prints: everything a client needs to connect."""

from typing import NotRequired, TypedDict


class SandboxInfo(TypedDict):
    rest: str  # e.g. http://127.0.0.1:PORT/v1/
    rtm: str  # the main RTM URL, e.g. http://127.0.0.1:PORT/ (lenient rtm_root: .../rtm/)
    identifier: str
    key: str
    tier: str
    plugin_id: str
    websites: list[str]
    admin: str  # the admin API's base URL, http://127.0.0.1:PORT/_sandbox/
    admin_token: str  # send as X-Sandbox-Token with every admin request
    profile: NotRequired[str]  # strict, lenient or custom (crisp-api.md section 10)
