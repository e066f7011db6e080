"""What a FAILED reply says, in words an operator acts on (the thread shows ``error``).

Two things matter to the operator: whether the reply may have reached the visitor, and what
happens next (it will be sent by itself, or Retry sends it). Crisp's reasons stay in the log.
"""

from __future__ import annotations

from crisp_console import errors
from crisp_console.client.send_lookup import LookupIncomplete
from crisp_console.client.words import local_hhmm

SAFE_RETRY = "Retry checks first, so it cannot be sent twice"

Table = tuple[tuple[type[BaseException], str], ...]  # the first type that matches wins

# Refusals that say for sure the reply is not on Crisp, after "Not sent: ".
_NOT_SENT: Table = (
    (errors.NotSubscribedError, "the plugin is no longer connected to this website"),
    (errors.NotFoundError, "this conversation no longer exists on Crisp"),
    (errors.NotAllowedError, "this plugin token is not allowed to send messages here"),
    (errors.AuthError, "Crisp refused the token; sign in again, then Retry"),
)
# Why the send window ended, by the last failure.
_WHY: Table = (
    (errors.RateLimitError, "Crisp kept asking to slow down"),
    (errors.TransportError, "Crisp could not be reached"),
    (LookupIncomplete, "the conversation could not be read back far enough to check"),
)


def _lookup(table: Table, exc: BaseException | None) -> str | None:
    return next((words for kind, words in table if isinstance(exc, kind)), None)


def quota_spent(exc: errors.QuotaExceededError) -> str:
    return (f"Queued: the daily API quota is spent; it resets at {local_hhmm(exc.resets_at)}"
            " — it will be sent then")


def unreachable(*, ambiguous: bool) -> str:
    """Waiting for the connection (kept across a quit: it goes at the next start)."""
    checked = " (checked first, so it cannot be sent twice)" if ambiguous else ""
    return ("Queued: Crisp cannot be reached; it will be sent when the connection returns"
            f"{checked}")


def behind() -> str:
    """Waiting behind an earlier action of its conversation that waits."""
    return "Queued: it will be sent after the earlier replies of this conversation"


def upload_waits() -> str:
    return "Queued: the upload did not go through; it will be tried again by itself"


def action_waits(*, offline: bool) -> str:
    """A command (resolve, assign, read...) that waits; shown as it will be."""
    if offline:
        return ("Not done yet: Crisp cannot be reached; it will be done when the connection "
                "returns")
    return "Not done yet: it will be done by itself, in order"


def gone() -> str:
    return "Not sent: this conversation no longer exists on Crisp"


def refused(exc: BaseException, *, ambiguous: bool) -> str:
    """A refusal no retry would change."""
    if isinstance(exc, errors.ValidationError):
        detail = f" ({exc.message})" if exc.message else ""
        return f"Not sent: Crisp refused this message{detail}"
    not_sent = _lookup(_NOT_SENT, exc)
    if not_sent is not None:
        return f"Not sent: {not_sent}"
    if isinstance(exc, errors.ProtocolError):
        return ("Perhaps sent: Crisp accepted it but answered something this console cannot "
                f"read; {SAFE_RETRY}")
    if isinstance(exc, errors.ClosedError):
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
    if isinstance(exc, errors.ServerError):
        return f"Crisp kept failing ({exc.status})"
    known = _lookup(_WHY, exc)
    if known is not None:
        return known
    if exc is None or not str(exc):
        return "no answer came"
    return str(exc)


def interrupted(*, ambiguous: bool) -> str:
    return _maybe(ambiguous, "sending was interrupted")


def _maybe(ambiguous: bool, why: str) -> str:
    if ambiguous:
        return f"Perhaps not sent: {why}; {SAFE_RETRY}"
    return f"Not sent: {why}; Retry to send it"
