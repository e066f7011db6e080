"""The thread's reading logic, without Qt.

Oldest unread (``ThreadPane.scroll_to_oldest_unread``): the oldest visitor message of the run
of visitor messages at the end of the thread that no operator has read (``read == ""``),
scanning back from the latest message and stopping at the first operator message (a reply
means the messages before it were seen) or at a read visitor message. Notes and events are
skipped. Without such a message the pane goes to the latest one.
"""

from __future__ import annotations

from collections.abc import Sequence

from crisp_console.core import Message


def oldest_unread_row(messages: Sequence[Message]) -> int:
    """The row of the oldest unread visitor message at the end of the thread, -1 if none."""
    found = -1
    for row in range(len(messages) - 1, -1, -1):
        msg = messages[row]
        if msg.type in ("note", "event"):
            continue
        if msg.from_ != "user" or msg.read:
            break
        found = row
    return found
