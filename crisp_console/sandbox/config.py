"""Sandbox settings: sizes of the seeded world, fault injection, and the server's own knobs."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from crisp_console.sandbox.profile import Behaviours
from crisp_console.sandbox.scopes import Grants, all_grants


@dataclass(frozen=True)
class Sizes:
    """How big the seeded world is. The same seed and sizes always give the same world."""

    websites: int = 3
    unsubscribed: int = 1  # how many of ``websites`` the plugin is NOT bound to
    operators: int = 5
    conversations: int = 300
    messages: int = 3000  # in total, spread unevenly over the conversations
    people: int | None = None  # default: about 70% of the conversations

    @classmethod
    def tiny(cls) -> Sizes:
        """What the tests use: every state and message type, built in milliseconds."""
        return cls(websites=3, unsubscribed=1, operators=4, conversations=60, messages=600)


@dataclass
class FaultConfig:
    """Fault injection; every field can be changed at run time through /_sandbox/faults."""

    latency_ms: float = 0.0  # added to every /v1 request
    error_rate: float = 0.0  # fraction of /v1 requests answered 5xx
    reset_rate: float = 0.0  # fraction of /v1 requests whose connection is reset unanswered
    # fraction of those 5xx and resets that come AFTER the request was carried out (faults.py)
    late_fraction: float = 0.0
    burst_429: int = 0  # the next N /v1 requests are answered 429
    burst_status: int = 429  # 429, or 420 "Enhance Your Calm"
    retry_after: float | None = None  # seconds in Retry-After during a burst; None: no header
    daily_quota: int = 5000  # requests per token per UTC day; 0 disables the quota
    quota_status: int = 429  # a spent quota under opaque_quota: 429, or 420 (crisp-api.md §6)
    rtm_main_down: bool = False  # the main RTM path refuses handshakes (503); rescue works

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SandboxConfig:
    host: str = "127.0.0.1"
    port: int = 0  # 0: a free port
    seed: int = 1
    sizes: Sizes = field(default_factory=Sizes)
    faults: FaultConfig = field(default_factory=FaultConfig)
    simulator_rate: float = 0.0  # visitor actions per second; 0: off
    auth_timeout: float = 10.0  # seconds an RTM socket may stay unauthenticated
    rtm_path: str = "/rtm/"
    state_file: Path | None = None  # load from it if present; snapshots are written to it
    base_time: int | None = None  # epoch ms the dataset is built around; default: now
    identifier: str | None = None  # token pair override; default: derived from the seed
    key: str | None = None
    tier: str = "plugin"  # the token's tier: "plugin", or "website" to try a website token
    # Where the sandbox is kinder than Crisp may be (profile.py); strict by default.
    behaviours: Behaviours = field(default_factory=Behaviours)
    grants: Grants = field(default_factory=all_grants)  # the token's scopes (scopes.py)
    # The admin API (admin_guard.py): X-Sandbox-Token value (default: random per run), and
    # whether a host off loopback may be bound (the admin API then faces the network).
    admin_token: str | None = None
    allow_remote: bool = False
    state_dir: Path | None = None  # snapshots go only here; default: state_file's directory
