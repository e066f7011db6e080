"""Wire payload shapes shared by the sandbox (producer) and the app (consumer)."""

from typing import Any, Literal, TypedDict

ConversationState = Literal["pending", "unresolved", "resolved"]
MessageFrom = Literal["user", "operator"]


class MessageUser(TypedDict, total=False):
    type: str
    user_id: str
    nickname: str
    avatar: str | None


# The functional form, because "from" is a Python keyword.
MessagePayload = TypedDict(
    "MessagePayload",
    {
        "session_id": str,
        "website_id": str,
        "type": str,
        "from": MessageFrom,
        "origin": str,
        "content": Any,
        "preview": list[dict[str, Any]],
        "mentions": list[str],
        "read": str,
        "delivered": str,
        "edited": bool,
        "translated": bool,
        "automated": bool,
        "stamped": bool,
        "fingerprint": int,
        "timestamp": int,
        "user": MessageUser,
        "references": list[dict[str, Any]],
        "original": dict[str, Any],
        "properties": dict[str, Any],
    },
    total=False,
)

ConversationPreview = TypedDict(
    "ConversationPreview",
    {"type": str, "from": MessageFrom, "excerpt": str, "fingerprint": int},
    total=False,
)


class ComposeAtom(TypedDict, total=False):
    type: str
    excerpt: str
    timestamp: int
    user: MessageUser
    automated: bool


class ConversationMeta(TypedDict, total=False):
    nickname: str
    email: str
    phone: str
    address: str
    subject: str
    ip: str
    origin: str
    avatar: str
    segments: list[str]
    data: dict[str, str | int | float | bool]
    connection: dict[str, Any]
    device: dict[str, Any]


class ConversationPayload(TypedDict, total=False):
    session_id: str
    website_id: str
    inbox_id: str | None
    people_id: str
    state: ConversationState
    status: int
    is_verified: bool
    is_blocked: bool
    availability: Literal["online", "offline"]
    active: dict[str, Any]
    last_message: str
    preview_message: ConversationPreview
    topic: str
    verifications: list[dict[str, Any]]
    participants: list[dict[str, Any]]
    mentions: list[str]
    compose: dict[str, ComposeAtom]
    unread: dict[str, int]
    assigned: dict[str, str]
    meta: ConversationMeta
    created_at: int
    updated_at: int
    waiting_since: int


class PeopleProfilePayload(TypedDict, total=False):
    people_id: str
    email: str
    person: dict[str, Any]
    company: dict[str, Any]
    segments: list[str]
    notepad: str
    active: dict[str, Any]
    score: int
    created_at: int
    updated_at: int


class WebsitePayload(TypedDict, total=False):
    website_id: str
    name: str
    domain: str
    logo: str
    verified: bool
    institutional: bool


class OperatorDetails(TypedDict, total=False):
    user_id: str
    email: str
    avatar: str
    first_name: str
    last_name: str
    role: str
    title: str
    availability: str
    has_token: bool
    identifier: str
    key: str


class OperatorPayload(TypedDict, total=False):
    type: str
    details: OperatorDetails
