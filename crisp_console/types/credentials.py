"""The token pair every layer needs. Its repr never shows the key."""

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Credentials:
    identifier: str
    key: str = field(repr=False)
    tier: str = "plugin"

    def __repr__(self) -> str:
        return f"Credentials(identifier={self.identifier!r}, key=***, tier={self.tier!r})"
