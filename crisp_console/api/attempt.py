"""One attempt of a CrispApi request, and what it tells the client's meters.

``CrispApi._call`` (http.py) decides what is repeated, when, and what an answer means; an
attempt is one ``client.request`` with its bookkeeping, apart from that loop because it
follows a rule of its own: a Crisp request is counted under its purpose (api/purpose.py)
unless it surely never left, and its wait for the answer goes to ``reach`` (api/reach.py).
httpx is imported when first used, as in http.py: never on the first frame's path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crisp_console.api.purpose import RequestMeter, current_purpose
from crisp_console.api.reach import Reach, Settled

if TYPE_CHECKING:  # httpx is imported with the first request, never on the first frame's path
    import httpx


def not_sent() -> tuple[type[Exception], ...]:
    """Raised before any byte of the request left: repeating cannot duplicate anything."""
    import httpx

    return (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


async def attempt(client: httpx.AsyncClient, method: str, url: str, crisp: bool,
                  reach: Reach, requests: RequestMeter, **kwargs: Any) -> httpx.Response:
    """One attempt. A Crisp request is counted on ``requests`` unless it surely never left:
    it may have reached Crisp even when it fails or is cancelled on its way. Its wait for
    the answer goes to ``reach`` (the health's "not responding")."""
    import httpx

    counted = crisp
    waiting = reach.sent() if crisp else None
    how, status = Settled.OTHER, 0
    unsent: tuple[type[Exception], ...] = (*not_sent(), RuntimeError)
    try:
        response = await client.request(method, url, **kwargs)
        how, status = Settled.ANSWERED, response.status_code
        return response
    except unsent as exc:  # RuntimeError: the client closed first
        counted = False
        if not isinstance(exc, RuntimeError):
            how = Settled.REFUSED
        raise
    except httpx.TimeoutException:  # it left (the others are not_sent()): no answer
        how = Settled.TIMED_OUT
        raise
    finally:
        if waiting is not None:
            reach.settled(waiting, how, status)
        if counted:
            requests.record(current_purpose())
