"""TypedDict shapes of Crisp wire payloads (REST `data` objects and RTM events). No logic.

Field names follow shared/docs/crisp-api.md sections 2 and 4. Every key is optional on the
wire (Crisp omits empty fields), hence ``total=False`` throughout.
"""

from crisp_console.types.credentials import Credentials
from crisp_console.types.payloads import (
    ComposeAtom,
    ConversationMeta,
    ConversationPayload,
    ConversationPreview,
    MessagePayload,
    MessageUser,
    OperatorDetails,
    OperatorPayload,
    PeopleProfilePayload,
    WebsitePayload,
)
from crisp_console.types.sandbox import SandboxInfo

__all__ = [
    "ComposeAtom",
    "ConversationMeta",
    "ConversationPayload",
    "ConversationPreview",
    "Credentials",
    "MessagePayload",
    "MessageUser",
    "OperatorDetails",
    "OperatorPayload",
    "PeopleProfilePayload",
    "SandboxInfo",
    "WebsitePayload",
]
