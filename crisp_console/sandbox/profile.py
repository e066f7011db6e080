"""Where the sandbox may be kinder than Crisp: the ten behaviours of crisp-api.md §10.

Each behaviour is a switch. ``strict`` (the default profile) turns on every pessimistic
reading, so the console is built against the worst Crisp may do; ``lenient`` keeps the
sandbox's original, kinder choices. Any mix is allowed, so that a test can pin one
behaviour: ``--profile lenient --behaviour strict_rooms=on``, or ``PATCH /_sandbox/profile``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

ProfileName = Literal["strict", "lenient"]
PROFILES: tuple[ProfileName, ...] = ("strict", "lenient")


@dataclass(frozen=True)
class Behaviour:
    """One row of crisp-api.md §10: what is strict when the switch is on, and how sure we are."""

    row: int
    strict: str
    evidence: Literal["confirmed", "pessimistic"]


# name -> the row of §10 it implements. "confirmed": a source says Crisp does this;
# "pessimistic": no source says either way, so the sandbox does the worse thing.
BEHAVIOURS: dict[str, Behaviour] = {
    "website_tier_refused": Behaviour(
        1, "plugin routes (/plugin/*, /plugins/*) answer 403 not_allowed to a website-tier "
        "token", "confirmed"),
    "opaque_quota": Behaviour(
        2, "a spent daily quota answers 429 (or 420) reason rate_limited, no Retry-After: "
        "the same as a burst", "pessimistic"),
    "strict_rooms": Behaviour(
        3, "RTM rooms naming a website the plugin is not bound to, or an empty list, are "
        "refused with unauthorized", "confirmed"),
    "duplicate_fingerprints": Behaviour(
        4, "a repeated client fingerprint stores a second message", "pessimistic"),
    "after_newest": Behaviour(
        5, "timestamp_after answers the newest batch after the cursor, not the oldest",
        "pessimistic"),
    "scopes": Behaviour(
        6, "per-token scopes: a route outside them answers 403 not_allowed, an event "
        "outside them is never sent", "confirmed"),
    "specific_not_found": Behaviour(
        7, "a missing resource answers 404 with a specific reason (session_not_found, "
        "people_not_found...), not not_found", "pessimistic"),
    "rtm_root": Behaviour(
        8, "RTM is served at the root path, and Get Connect Endpoints names a separate "
        "rescue endpoint", "confirmed"),
    "partial_content": Behaviour(
        9, "Get Messages answers 206 while older messages exist, 200 at the start",
        "confirmed"),
    "crisp_wording": Behaviour(
        10, "validation messages use Crisp's wording: data should have required property "
        "'.origin'", "confirmed"),
}


@dataclass
class Behaviours:
    """The live switches (mutated in place by the admin route, like FaultConfig)."""

    website_tier_refused: bool = True
    opaque_quota: bool = True
    strict_rooms: bool = True
    duplicate_fingerprints: bool = True
    after_newest: bool = True
    scopes: bool = True
    specific_not_found: bool = True
    rtm_root: bool = True
    partial_content: bool = True
    crisp_wording: bool = True

    @classmethod
    def of(cls, profile: ProfileName) -> Behaviours:
        if profile not in PROFILES:
            raise ValueError(f"unknown profile {profile!r}; use one of {', '.join(PROFILES)}")
        return cls(**dict.fromkeys(BEHAVIOURS, profile == "strict"))

    @property
    def profile(self) -> str:
        """``strict`` or ``lenient`` when every switch agrees, else ``custom``."""
        values = set(self.to_dict().values())
        if values == {True}:
            return "strict"
        if values == {False}:
            return "lenient"
        return "custom"

    def to_dict(self) -> dict[str, bool]:
        return dataclasses.asdict(self)

    def update(self, changes: dict[str, Any]) -> None:
        """Set switches by name (already validated as booleans by the caller)."""
        for name, value in changes.items():
            if name not in BEHAVIOURS:
                raise ValueError(f"unknown behaviour: {name}")
            setattr(self, name, bool(value))

    def use(self, profile: ProfileName) -> None:
        """Every switch as ``profile`` sets it."""
        self.update(Behaviours.of(profile).to_dict())


def strict_except(*names: str) -> Behaviours:
    """Every switch on but ``names``: pins a test to one lenient behaviour."""
    behaviours = Behaviours.of("strict")
    behaviours.update(dict.fromkeys(names, False))
    return behaviours


def parse_switch(raw: str) -> tuple[str, bool]:
    """``name=on`` / ``name=off`` (also true/false, 1/0; a bare ``name`` means on)."""
    name, sep, value = raw.partition("=")
    name = name.strip().replace("-", "_")
    if name not in BEHAVIOURS:
        raise ValueError(f"unknown behaviour {name!r}; known: {', '.join(BEHAVIOURS)}")
    low = value.strip().lower() if sep else "on"
    if low in ("on", "true", "1", "yes"):
        return name, True
    if low in ("off", "false", "0", "no"):
        return name, False
    raise ValueError(f"{name}: expected on or off, got {value!r}")
