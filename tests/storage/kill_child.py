"""Run by test_database_durability.py: writes outbox rows, waits for the last future, and
kills itself with SIGKILL at once (no close, no checkpoint, no atexit)."""

from __future__ import annotations

import os
import signal
import sqlite3
import sys
from pathlib import Path

from crisp_console.storage.database import open_database


def main() -> None:
    folder, key, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    db = open_database(folder, key)

    def add(n: int) -> None:
        def fn(conn: sqlite3.Connection) -> None:
            conn.execute("INSERT INTO outbox (kind, website_id, session_id, body, state, "
                         "created_ms, updated_ms) VALUES ('text', 'w1', 's1', ?, 'queued', "
                         "1, 1)", (f'{{"n": {n}}}',))
        last = db.write(fn)
        if n == count - 1:
            last.result()  # committed: from here on the row must survive anything
            os.kill(os.getpid(), signal.SIGKILL)

    for n in range(count):
        add(n)


if __name__ == "__main__":
    main()
