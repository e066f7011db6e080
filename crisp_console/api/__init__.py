"""Crisp REST v1 over httpx: one request() (auth, retry, rate limit, quota gate, error
mapping), one-line typed route methods that check what Crisp answered, and paged async
iterators. Knows nothing of core, realtime or the UI."""

from crisp_console.api.http import CrispApi
from crisp_console.api.media import Progress
from crisp_console.api.policy import QuotaMeter, RetryPolicy
from crisp_console.api.quota import QuotaGate
from crisp_console.api.wire import normalise_base_url, secure_url

__all__ = ["CrispApi", "Progress", "QuotaGate", "QuotaMeter", "RetryPolicy",
           "normalise_base_url", "secure_url"]
