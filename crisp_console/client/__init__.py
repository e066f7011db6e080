"""The ConsoleClient facade and its parts: start-up, catch-up, replies, commands, owned
background tasks, health."""

from crisp_console.api import Progress  # the type of send_file's progress callback
from crisp_console.client.allowed import CommandNotAllowedError
from crisp_console.client.config import ClientConfig
from crisp_console.client.console import ConsoleClient
from crisp_console.client.details import ConversationDetails
from crisp_console.client.health import (
    LIVE_FEED,
    OPERATORS,
    SECTIONS,
    Health,
    conversations_of,
    team_settings_of,
    website_details_of,
)
from crisp_console.client.tasks import TaskOwner
from crisp_console.client.waiting import QueuedError
from crisp_console.client.words import StartupAuthError, StartupError, describe
from crisp_console.realtime import ConnectionState  # the UI reads it without reaching realtime/

__all__ = ["LIVE_FEED", "OPERATORS", "SECTIONS", "ClientConfig", "CommandNotAllowedError",
           "ConnectionState", "ConsoleClient", "ConversationDetails", "Health", "Progress",
           "QueuedError", "StartupAuthError", "StartupError", "TaskOwner", "conversations_of",
           "describe", "team_settings_of", "website_details_of"]
