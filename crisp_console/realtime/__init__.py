"""Crisp RTM (Socket.IO) client: one gateway that authenticates, rebinds and reconnects.

No Qt, no REST, no store: events go to a synchronous sink the client layer provides.
"""

from crisp_console.realtime.attempt import ConnectionState, RefusalHandler
from crisp_console.realtime.backoff import NO_LIVENESS, Backoff, Liveness, ReconnectPolicy
from crisp_console.realtime.events import DEFAULT_EVENTS
from crisp_console.realtime.gateway import RealtimeGateway

__all__ = ["DEFAULT_EVENTS", "NO_LIVENESS", "Backoff", "ConnectionState", "Liveness",
           "RealtimeGateway", "ReconnectPolicy", "RefusalHandler"]
