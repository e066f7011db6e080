"""Errors in words an operator can read, and the error ``start()`` raises.

The server's own reason and message are peer text: they are cut to one short line before
they reach any words here.
"""

from __future__ import annotations

from datetime import datetime

from crisp_console.errors import (
    ApiError,
    AuthError,
    ClosedError,
    ConflictError,
    CrispError,
    InsecureHostError,
    NotAllowedError,
    NotFoundError,
    NotSubscribedError,
    ProtocolError,
    QuotaExceededError,
    RateLimitError,
    RealtimeUnauthorized,
    ServerError,
    TransportError,
    ValidationError,
)

MAX_PEER_TEXT = 120


def clip(text: str, limit: int = MAX_PEER_TEXT) -> str:
    """One line of at most ``limit`` characters, control characters dropped."""
    flat = "".join(ch if ch.isprintable() else " " for ch in text).strip()
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"


def _status(exc: ApiError) -> str:
    return f"{clip(exc.reason, 40)}, {exc.status}"


def answered(exc: ApiError) -> str:
    """"Crisp answered 403 not_allowed": the refusal's code, for words that already say what
    was refused."""
    return f"Crisp answered {exc.status} {clip(exc.reason, 40)}"


def local_hhmm(when: datetime) -> str:
    """``when`` (aware) as HH:MM on this computer's clock: operators read local time."""
    return when.astimezone().strftime("%H:%M")


def quota_reset(resets_at: datetime) -> str:
    """"it resets at 01:00 (midnight UTC)": local time, and UTC's name for it when it is
    the usual daily reset."""
    midnight = (resets_at.hour, resets_at.minute) == (0, 0) and resets_at.utcoffset() is not None \
        and not resets_at.utcoffset()
    return f"it resets at {local_hhmm(resets_at)}" + (" (midnight UTC)" if midnight else "")


def describe(exc: BaseException) -> str:
    """What went wrong, in words (no traceback, no secrets, peer text clipped)."""
    if isinstance(exc, StartupError):
        return exc.message
    if isinstance(exc, QuotaExceededError):
        return f"the daily API quota is spent; {quota_reset(exc.resets_at)}"
    if isinstance(exc, RateLimitError):
        return "Crisp is limiting the rate of requests; try again in a moment"
    if isinstance(exc, AuthError):
        return (f"Crisp refused the token ({_status(exc)}); it may have been revoked or "
                "rotated")
    if isinstance(exc, NotAllowedError):
        return f"this token is not allowed to do that (Crisp answered {exc.status} " \
               f"{clip(exc.reason, 40)})"
    if isinstance(exc, NotSubscribedError):
        return "the plugin is no longer subscribed to that website"
    if isinstance(exc, NotFoundError):
        return f"Crisp does not know it (anymore) ({_status(exc)})"
    if isinstance(exc, ValidationError):
        detail = f": {clip(exc.message)}" if exc.message else ""
        return f"Crisp refused the request as invalid{detail}"
    if isinstance(exc, ConflictError):
        return f"it already exists ({_status(exc)})"
    if isinstance(exc, ServerError):
        return f"Crisp answered with a server error ({_status(exc)}); it may be down"
    if isinstance(exc, ApiError):
        return f"Crisp answered with an error ({_status(exc)})"
    if isinstance(exc, ProtocolError):
        return clip(str(exc), 240)
    if isinstance(exc, TransportError):
        return "Crisp could not be reached (network error or timeout)"
    if isinstance(exc, RealtimeUnauthorized):
        return clip(str(exc), 240)
    if isinstance(exc, InsecureHostError):
        return clip(str(exc), 240)
    if isinstance(exc, ClosedError):
        return "the console is closing"
    if isinstance(exc, TimeoutError):
        return "Crisp did not answer in time"
    return clip(str(exc) or type(exc).__name__, 240)


class StartupError(CrispError):
    """``start()`` could not bring the console up. ``message``: what failed, in words
    ("Could not check the token: Crisp refused the token …"); ``step``: what it was doing;
    ``error``: the typed error behind it (also ``__cause__``).

    A refused token raises ``StartupAuthError``, which is also an ``AuthError``."""

    def __init__(self, step: str, error: BaseException) -> None:
        self._init(step, error)
        CrispError.__init__(self, self.message)

    def _init(self, step: str, error: BaseException) -> None:
        self.step = step
        self.error = error
        self.message = f"Could not {step}: {describe(error)}."

    def __str__(self) -> str:
        return self.message


class StartupAuthError(StartupError, AuthError):
    """The token was refused at start-up: a StartupError that ``except AuthError`` catches."""

    def __init__(self, step: str, error: AuthError) -> None:
        self._init(step, error)
        AuthError.__init__(self, error.status, error.reason, self.message, error.data)
        self.message = f"Could not {step}: {describe(error)}."


def startup_error(step: str, error: BaseException) -> StartupError:
    if isinstance(error, AuthError):
        return StartupAuthError(step, error)
    return StartupError(step, error)
