"""The User-Agent of the console's requests, REST and media alike."""

from __future__ import annotations

import crisp_console


def default_user_agent() -> str:
    """``crisp-console/VERSION``: read with the first request (the version comes from the
    installed metadata, which the first frame does without)."""
    return f"crisp-console/{crisp_console.__version__}"
