"""The ConsoleClient facade: start-up, catch-up, commands, owned background tasks."""

from crisp_console.api import Progress  # the type of send_file's progress callback
from crisp_console.client.base import ClientConfig, ConversationDetails
from crisp_console.client.commands import CommandNotAllowedError
from crisp_console.client.console import ConsoleClient
from crisp_console.client.tasks import TaskOwner
from crisp_console.realtime import ConnectionState  # the UI reads it without reaching realtime/

__all__ = ["ClientConfig", "CommandNotAllowedError", "ConnectionState", "ConsoleClient",
           "ConversationDetails", "Progress", "TaskOwner"]
