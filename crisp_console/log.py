"""Logging setup with a last line of defence: secrets never reach a log record.

Code never logs credentials on purpose; this filter also scrubs the Basic auth header, the
token key and RTM passwords should one slip into a message, an argument or a traceback.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

_BASIC = re.compile(r"(Basic\s+)[A-Za-z0-9+/=]{8,}")
_PASSWORD = re.compile(r"""(['"]?(?:password|key)['"]?\s*[:=]\s*['"]?)[^'",\s}]+""", re.I)


class SecretFilter(logging.Filter):
    """Replaces known secrets and secret-shaped fields with ``***`` in every record."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets: set[str] = {s for s in secrets if len(s) >= 4}

    def add(self, secret: str) -> None:
        if len(secret) >= 4:
            self._secrets.add(secret)

    def scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        text = _BASIC.sub(r"\1***", text)
        return _PASSWORD.sub(r"\1***", text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = self.scrub(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.scrub(record.exc_text)
        if scrubbed != message or record.args:
            record.msg, record.args = scrubbed, None
        return True


def install_secret_filter(secrets: Iterable[str] = ()) -> SecretFilter:
    """Attach one SecretFilter to every handler of the root logger (and future basicConfig)."""
    flt = SecretFilter(secrets)
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=logging.INFO,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in root.handlers:
        handler.addFilter(flt)
    return flt
