"""What a FAILED reply says, in words an operator acts on (the thread shows ``error``).

Two things matter to the operator: whether the reply may have reached the visitor, and what
happens next (it will be sent by itself, or Retry sends it). Crisp's reasons stay in the log.
"""

from __future__ import annotations

from crisp_console.client.send_lookup import LookupIncomplete
from crisp_console.client.words import local_hhmm
from crisp_console.errors import (
    AuthError,
    ClosedError,
    NotAllowedError,
    NotFoundError,
    NotSubscribedError,
    ProtocolError,
    QuotaExceededError,
    RateLimitError,
    ServerError,
    TransportError,
    ValidationError,
)

SAFE_RETRY = "Retry checks first, so it cannot be sent twice"


def quota_spent(exc: QuotaExceededError) -> str:
    return (f"Not sent: the daily API quota is spent; it resets at {local_hhmm(exc.resets_at)}"
            " — it will be sent then")


def refused(exc: BaseException, *, ambiguous: bool) -> str:
    """A refusal no retry would change."""
    if isinstance(exc, ValidationError):
        detail = f" ({exc.message})" if exc.message else ""
        return f"Not sent: Crisp refused this message{detail}"
    if isinstance(exc, NotSubscribedError):
        return "Not sent: the plugin is no longer connected to this website"
    if isinstance(exc, NotFoundError):
        return "Not sent: this conversation no longer exists on Crisp"
    if isinstance(exc, NotAllowedError):
        return "Not sent: this plugin token is not allowed to send messages here"
    if isinstance(exc, AuthError):
        return "Not sent: Crisp refused the token; sign in again, then Retry"
    if isinstance(exc, ProtocolError):
        return ("Perhaps sent: Crisp accepted it but answered something this console cannot "
                f"read; {SAFE_RETRY}")
    if isinstance(exc, ClosedError):
        return _maybe(ambiguous, "the console was closing")
    return _maybe(ambiguous, f"Crisp refused it ({exc})")


def cannot_check(exc: BaseException) -> str:
    """The read before a retry was refused for good (a scope to read messages, say)."""
    return ("Perhaps sent: an earlier attempt may have reached Crisp, and the console cannot "
            f"read the conversation to check ({exc}); look in Crisp before sending it again")


def window_over(window: float, exc: BaseException | None, *, ambiguous: bool) -> str:
    """The send window ended with the reply unconfirmed; ``exc`` is the last failure."""
    span = f"{window / 60:g} min" if window >= 60 else f"{window:g} s"
    why = _why(exc)
    if ambiguous:
        return f"Perhaps not sent: not confirmed within {span} ({why}); {SAFE_RETRY}"
    return f"Not sent: {why} for {span}; Retry to send it"


def _why(exc: BaseException | None) -> str:
    if isinstance(exc, RateLimitError):
        return "Crisp kept asking to slow down"
    if isinstance(exc, ServerError):
        return f"Crisp kept failing ({exc.status})"
    if isinstance(exc, TransportError):
        return "Crisp could not be reached"
    if isinstance(exc, LookupIncomplete):
        return "the conversation could not be read back far enough to check"
    if exc is None or not str(exc):
        return "no answer came"
    return str(exc)


def interrupted(*, ambiguous: bool) -> str:
    return _maybe(ambiguous, "sending was interrupted")


def _maybe(ambiguous: bool, why: str) -> str:
    if ambiguous:
        return f"Perhaps not sent: {why}; {SAFE_RETRY}"
    return f"Not sent: {why}; Retry to send it"
