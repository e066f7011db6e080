"""Saved accounts: which token pairs the operator signed in with, and which one is active.

``accounts.json`` (the caller passes its path, normally under the config directory) holds the
identifier, tier, host and a label per account, never the key: the key is in the keyring,
under the identifier (credentials/store.py). The identifier is the account's identity (it is
the keyring username), so adding an account with a known identifier updates it. Loading never
raises: a missing file is an empty book, a corrupt file or a bad entry is skipped with a
warning the UI shows.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crisp_console.storage.atomic import write_atomic

log = logging.getLogger(__name__)

FILE_NAME = "accounts.json"
DEFAULT_HOST = "https://api.crisp.chat"
PLUGIN_TIER = "plugin"  # the only tier the console signs in with (client/signin.py says why)
# The tiers an accounts file may name: earlier versions saved website-tier accounts, which
# still load (and then lead to the sign-in dialog) rather than being dropped as corrupt.
TIERS = (PLUGIN_TIER, "website")
_VERSION = 1


@dataclass(frozen=True)
class Account:
    identifier: str
    tier: str = PLUGIN_TIER
    host: str = DEFAULT_HOST
    label: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.identifier, str) or not self.identifier.strip():
            raise ValueError("the token identifier is empty")
        if self.tier not in TIERS:
            raise ValueError(f"tier must be one of {', '.join(TIERS)}, not {self.tier!r}")
        parts = urlsplit(self.host) if isinstance(self.host, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"host must be an http(s) URL, not {self.host!r}")
        if not isinstance(self.label, str):
            raise ValueError("label must be text")

    @property
    def display_name(self) -> str:
        """Label, or identifier; the host is added when it is not Crisp's own."""
        name = self.label or self.identifier
        return name if self.host == DEFAULT_HOST else f"{name} ({urlsplit(self.host).netloc})"

    def to_json(self) -> dict[str, str]:
        # An explicit whitelist: whatever is added to Account later, no secret slips in.
        return {"identifier": self.identifier, "tier": self.tier, "host": self.host,
                "label": self.label}


class AccountBook:
    """The saved accounts, in the order they were added, with at most one active."""

    def __init__(self, path: Path, accounts: tuple[Account, ...] = (),
                 active: str | None = None, warnings: tuple[str, ...] = ()) -> None:
        self.path = path
        self._accounts: dict[str, Account] = {a.identifier: a for a in accounts}
        self._active = active if active in self._accounts else None
        self.warnings = warnings  # what load() could not read, for the UI to show

    @classmethod
    def load(cls, path: Path) -> AccountBook:
        """Read the book; never raises. Problems become ``warnings``."""
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls(path)
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            warning = f"{path} could not be read ({type(exc).__name__}); no saved accounts"
            log.warning("%s: %s", warning, exc)
            return cls(path, warnings=(warning,))
        if not isinstance(raw, dict) or not isinstance(raw.get("accounts"), list):
            warning = f"{path} is not an accounts file; no saved accounts"
            log.warning("%s", warning)
            return cls(path, warnings=(warning,))
        accounts: list[Account] = []
        warnings: list[str] = []
        for index, entry in enumerate(raw["accounts"]):
            account = _account_of(entry)
            if isinstance(account, str):
                warnings.append(f"account {index + 1}: {account}; skipped")
            elif any(a.identifier == account.identifier for a in accounts):
                warnings.append(f"account {index + 1}: {account.identifier} is listed twice;"
                                " the first one is kept")
            else:
                accounts.append(account)
        active = raw.get("active")
        if active is not None and not any(a.identifier == active for a in accounts):
            warnings.append("the active account is not among the saved ones; none is active")
            active = None
        for warning in warnings:
            log.warning("%s: %s", path, warning)
        return cls(path, tuple(accounts), active, tuple(warnings))

    def save(self) -> None:
        """Write the file atomically (owner-only). Raises OSError if the disk refuses, so the
        caller can tell the operator."""
        payload = {"version": _VERSION, "active": self._active,
                   "accounts": [a.to_json() for a in self._accounts.values()]}
        write_atomic(self.path, (json.dumps(payload, indent=2) + "\n").encode("utf-8"))

    @property
    def accounts(self) -> tuple[Account, ...]:
        return tuple(self._accounts.values())

    @property
    def active(self) -> Account | None:
        return self._accounts.get(self._active) if self._active is not None else None

    def get(self, identifier: str) -> Account | None:
        return self._accounts.get(identifier)

    def add(self, account: Account, *, activate: bool = True) -> None:
        """Add, or update in place when the identifier is known."""
        self._accounts[account.identifier] = account
        if activate:
            self._active = account.identifier

    def remove(self, identifier: str) -> Account | None:
        """Forget an account; removing the active one leaves none active."""
        account = self._accounts.pop(identifier, None)
        if self._active == identifier:
            self._active = None
        return account

    def set_active(self, identifier: str | None) -> None:
        """Make a saved account the active one (None: none). Unknown identifiers raise
        KeyError, since that is a programming error, not a file problem."""
        if identifier is not None and identifier not in self._accounts:
            raise KeyError(identifier)
        self._active = identifier

    def __len__(self) -> int:
        return len(self._accounts)

    def __repr__(self) -> str:
        return f"AccountBook({self.path}, {len(self)} account(s), active={self._active!r})"


def _account_of(entry: Any) -> Account | str:
    """An Account, or why the entry cannot be one."""
    if not isinstance(entry, dict):
        return "not an object"
    unknown = set(entry) - {"identifier", "tier", "host", "label"}
    try:
        # Unknown keys (a newer version's fields) are ignored rather than fatal.
        account = Account(**{k: v for k, v in entry.items() if k not in unknown})
    except (TypeError, ValueError) as exc:
        return str(exc)
    return account
