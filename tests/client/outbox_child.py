"""A console process for the kill -9 test: a ConsoleClient on a database file that starts,
says READY, and sends one reply per line read from stdin ("<session_id> <text>"); the test
kills it while a POST is inside the server.

Environment: CRISP_REST, CRISP_IDENTIFIER, CRISP_KEY, OUTBOX_DIR (the account's folder)
and OUTBOX_KEY (its database key): the encrypted Database the app runs on, writer thread and
all.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from crisp_console.client import ConsoleClient
from crisp_console.client.config import ClientConfig
from crisp_console.storage.database import StorageMode, open_database
from crisp_console.types import Credentials


async def main() -> None:
    db = open_database(Path(os.environ["OUTBOX_DIR"]), os.environ["OUTBOX_KEY"])
    assert db.mode is StorageMode.ENCRYPTED, db.notices
    client = ConsoleClient(os.environ["CRISP_REST"],
                           Credentials(os.environ["CRISP_IDENTIFIER"], os.environ["CRISP_KEY"]),
                           database=db,
                           config=ClientConfig(backfill=False))  # the next request: the POST
    await client.start()
    idle = asyncio.Event()
    client.add_health_observer(lambda health: idle.set() if not health.catching_up else None)
    if client.health.catching_up:
        await idle.wait()  # the catch-up's requests are done: the next request is the POST
    print("READY", flush=True)
    loop = asyncio.get_running_loop()
    while line := await loop.run_in_executor(None, sys.stdin.readline):
        session_id, text = line.rstrip("\n").split(" ", 1)
        client.tasks.spawn(client.replies.send_text(session_id, text), "send")
        print("SENDING", flush=True)
    await client.aclose()
    db.close()


if __name__ == "__main__":
    asyncio.run(main())
