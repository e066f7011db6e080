"""Crisp REST v1 over httpx: one request() (auth, retry, rate limit, quota gate, error
mapping), one-line typed route methods that check what Crisp answered, and paged async
iterators. Knows nothing of core, realtime or the UI. Callers tag what their requests are
for with ``purpose``/``tagged``; ``CrispApi.requests`` counts them (purpose.py)."""

from crisp_console.api.http import CrispApi
from crisp_console.api.media import Progress
from crisp_console.api.policy import QuotaMeter, RetryPolicy
from crisp_console.api.purpose import (
    PURPOSES,
    Purpose,
    RequestMeter,
    current_purpose,
    purpose,
    tagged,
)
from crisp_console.api.quota import QuotaGate
from crisp_console.api.wire import normalise_base_url, secure_url

__all__ = ["PURPOSES", "CrispApi", "Progress", "Purpose", "QuotaGate", "QuotaMeter",
           "RequestMeter", "RetryPolicy", "current_purpose", "normalise_base_url", "purpose",
           "secure_url", "tagged"]
