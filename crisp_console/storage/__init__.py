"""The local store on disk: what the console keeps between runs.

Small files today, each module owning one file's format, its versions and its tolerance of a
broken copy: drafts (drafts.py), the user keymap (keymap_file.py), preferences
(preferences.py) and the saved accounts (accounts.py), all written by atomic.write_atomic.
The per-account database (architecture.md) will sit beside them. ``storage`` knows ``core``'s
models and nothing above them: callers pass every path in (settings.py says where files live).
"""

from __future__ import annotations

from crisp_console.storage.atomic import write_atomic

__all__ = ["write_atomic"]
