"""A Qt-rules replica of the store's lists, fed only by its Change notifications.

This is what a QAbstractListModel adapter does, checked the way pytest-qt's qtmodeltester
will check it: pairs are well nested, ranges are valid, a MOVING destination follows
``beginMoveRows`` (the index in the list *before* the move, never ``src`` or ``src + 1``),
the store has not changed yet at an ``-ING`` and has finished at the ``-ED``, and after
every notification each replica equals the store's own list. Every Change names exactly the
ids (fingerprints, for messages) of the rows it concerns, and a RESET names none.
"""

from __future__ import annotations

from collections.abc import Callable

from crisp_console.core import Change, ChangeKind, Store
from crisp_console.core.changes import CONVERSATIONS, MESSAGES, OPERATORS, PEOPLE, WEBSITES

Ids = list[object]

OPENS = {ChangeKind.INSERTING: ChangeKind.INSERTED, ChangeKind.MOVING: ChangeKind.MOVED,
         ChangeKind.REMOVING: ChangeKind.REMOVED}


class QtMirror:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.lists: dict[tuple[str, str | None], Ids] = {}
        self.pending: Change | None = None
        self.log: list[Change] = []
        for collection in (CONVERSATIONS, WEBSITES, OPERATORS, PEOPLE):
            self.lists[(collection, None)] = self.truth(collection, None)
        self.unsubscribe = store.subscribe(self.on_change)

    # ---- what the store says now --------------------------------------------------------------

    def truth(self, collection: str, key: str | None) -> Ids:
        s = self.store
        if collection == MESSAGES:
            assert key is not None
            return [m.fingerprint for m in s.messages(key)]
        getter: dict[str, Callable[[], list[str]]] = {
            CONVERSATIONS: s.conversation_ids, WEBSITES: s.website_ids,
            OPERATORS: s.operator_ids, PEOPLE: s.people_ids}
        return list(getter[collection]())

    def item_at(self, collection: str, key: str | None, row: int) -> object:
        """What a Qt model reads for a new row (the data, not the store's list)."""
        s = self.store
        if collection == MESSAGES:
            assert key is not None
            return s.message_at(key, row).fingerprint
        if collection == CONVERSATIONS:
            return s.conversation_at(row).session_id
        return self.truth(collection, key)[row]

    def mirror(self, change: Change) -> Ids:
        ident = (change.collection, change.key)
        if ident not in self.lists:
            assert change.collection == MESSAGES
            # A timeline the mirror has not seen: it was empty until this change.
            self.lists[ident] = []
        return self.lists[ident]

    # ---- replay -------------------------------------------------------------------------------

    @staticmethod
    def named(c: Change) -> tuple[object, ...]:
        """The ids a Change names: fingerprints for messages (their ``ids`` stay empty)."""
        if c.collection == MESSAGES:
            assert c.ids == (), c
            return c.fingerprints
        assert c.fingerprints == (), c
        return c.ids

    def on_change(self, c: Change) -> None:
        self.log.append(c)
        ids = self.mirror(c) if c.kind is not ChangeKind.RESET else []
        named = self.named(c)
        if c.kind in OPENS:
            assert self.pending is None, f"{c} opened inside {self.pending}"
            self.pending = c
            # Nothing has moved yet in the store's list.
            assert ids == self.truth(c.collection, c.key), c
            n = len(ids)
            if c.kind is ChangeKind.INSERTING:
                assert 0 <= c.first <= n and c.last >= c.first, (c, n)
                assert len(named) == c.last - c.first + 1, c
            elif c.kind is ChangeKind.REMOVING:
                assert 0 <= c.first <= c.last < n, (c, n)
                assert named == tuple(ids[c.first:c.last + 1]), c
            else:
                assert c.first == c.last and 0 <= c.first < n, (c, n)
                assert 0 <= c.dest <= n and c.dest not in (c.first, c.first + 1), (c, n)
                assert named == (ids[c.first],), c
            return
        if c.kind in OPENS.values():
            opened = self.pending
            assert opened is not None and OPENS[opened.kind] is c.kind, (opened, c)
            assert (opened.collection, opened.key, opened.first, opened.last, opened.dest,
                    self.named(opened)) == (c.collection, c.key, c.first, c.last, c.dest,
                                            named), (opened, c)
            self.pending = None
            if c.kind is ChangeKind.INSERTED:
                ids[c.first:c.first] = [self.item_at(c.collection, c.key, r)
                                        for r in range(c.first, c.last + 1)]
                assert named == tuple(ids[c.first:c.last + 1]), c
            elif c.kind is ChangeKind.REMOVED:
                del ids[c.first:c.last + 1]
            else:  # Qt: insert before ``dest`` in the old list, then drop the old slot
                item = ids[c.first]
                ids.insert(c.dest, item)
                del ids[c.first + 1 if c.dest < c.first else c.first]
        elif c.kind is ChangeKind.CHANGED:
            assert self.pending is None, f"{c} inside {self.pending}"
            assert 0 <= c.first <= c.last < len(ids), (c, len(ids))
            assert c.fields, c
            assert named == tuple(ids[c.first:c.last + 1]), c
        else:
            assert c.kind is ChangeKind.RESET and self.pending is None, c
            assert named == (), c
            if c.collection == MESSAGES and c.key is None:
                for ident in [i for i in self.lists if i[0] == MESSAGES]:
                    self.lists[ident] = self.truth(MESSAGES, ident[1])
            else:
                self.lists[(c.collection, c.key)] = self.truth(c.collection, c.key)
            return
        assert ids == self.truth(c.collection, c.key), c

    def check(self) -> None:
        """Between operations: no open pair, every replica equals the store."""
        assert self.pending is None
        for (collection, key), ids in self.lists.items():
            assert ids == self.truth(collection, key), (collection, key)

    def kinds(self, collection: str | None = None) -> list[ChangeKind]:
        return [c.kind for c in self.log if collection is None or c.collection == collection]

    def take(self) -> list[Change]:
        out, self.log = self.log, []
        return out
