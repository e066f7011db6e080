"""A command Crisp refused with 403, said as the action the token may not do."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from crisp_console.errors import NotAllowedError


class CommandNotAllowedError(NotAllowedError):
    """Crisp refused a command with 403: the plugin token lacks the permission (a scope)
    for ``action`` ("resolve or reopen conversations"). The message says so in words."""

    def __init__(self, action: str, cause: NotAllowedError) -> None:
        super().__init__(cause.status, cause.reason,
                         f"This plugin token is not allowed to {action} (Crisp answered "
                         f"{cause.status} {cause.reason}); the plugin needs that permission",
                         cause.data)
        self.action = action


@contextlib.contextmanager
def allowed(action: str) -> Iterator[None]:
    """Turn a 403 inside the block into CommandNotAllowedError naming ``action``."""
    try:
        yield
    except CommandNotAllowedError:
        raise
    except NotAllowedError as exc:
        raise CommandNotAllowedError(action, exc) from exc
