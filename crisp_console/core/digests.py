"""Which conversations are exactly as a REST payload left them, and that payload's digest.

``ConversationRows`` keeps a row's digest from the upsert that set it until anything else
changes the row (a live event, an optimistic change, a removal, a restore): the digest is
dropped with the first change. So an item with the row's digest would change nothing if
applied, and ``unseen`` leaves it out. A row set while an optimistic change held one of its
fields back keeps no digest: it is not as the payload says.

The digest is BLAKE2b (128 bits) over ``marshal`` version 2 (no back-references, so equal
JSON values in the same key order give equal bytes; another order only misses). About 9 us
for a conversation, against about 40 us to parse and check it, and the update's comparison
on top (scripts/bench_store.py --reread-only).
"""

from __future__ import annotations

import hashlib
import marshal
from typing import Any

_MARSHAL_VERSION = 2  # version 3 adds back-references, which depend on object identity


def digest(payload: Any) -> bytes | None:
    """The payload's digest; None for a value marshal cannot write (never from JSON)."""
    try:
        return hashlib.blake2b(marshal.dumps(payload, _MARSHAL_VERSION), digest_size=16).digest()
    except (ValueError, TypeError):
        return None


class Digests:
    def __init__(self) -> None:
        self._by_id: dict[str, bytes] = {}

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, session_id: object) -> bool:
        return session_id in self._by_id

    def unseen(self, payloads: Any) -> tuple[Any, dict[int, bytes]]:
        """``payloads`` without the items whose row holds their digest (a non-list as it
        is), and the digest of each item kept, by ``id(item)``."""
        if not isinstance(payloads, list):
            return payloads, {}
        known = self._by_id
        kept: list[Any] = []
        digests: dict[int, bytes] = {}
        for item in payloads:
            sid = item.get("session_id") if isinstance(item, dict) else None
            found = digest(item) if isinstance(sid, str) else None
            if found is not None and known.get(sid) == found:  # type: ignore[arg-type]
                continue
            kept.append(item)
            if found is not None:
                digests[id(item)] = found
        return kept, digests

    def keep(self, session_id: str, found: bytes | None) -> None:
        """The row ``session_id`` is now exactly as the payload of digest ``found`` says
        (None: no digest, the row is forgotten)."""
        if found is None:
            self._by_id.pop(session_id, None)
        else:
            self._by_id[session_id] = found

    def drop(self, session_id: str) -> None:
        """The row changed otherwise, or left."""
        self._by_id.pop(session_id, None)

    def clear(self) -> None:
        self._by_id.clear()
