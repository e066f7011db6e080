"""The ConsoleClient facade: start-up, catch-up, commands, owned background tasks."""

from crisp_console.client.base import ClientConfig, ConversationDetails
from crisp_console.client.console import ConsoleClient
from crisp_console.client.tasks import TaskOwner

__all__ = ["ClientConfig", "ConsoleClient", "ConversationDetails", "TaskOwner"]
