"""The conversation list: ids kept sorted by a unique key, announcing paired Changes.

A flat sorted list costs O(n) per move (``list.insert``/``pop`` shift every later pointer):
at 100k conversations that memmove was 2/3 of a message event. So the rows live in blocks of
up to ``2 * block`` ids (the layout of sortedcontainers' SortedList): a move touches two small
blocks, and a row number is two bisections plus the first row of its block, which a Fenwick
tree over the block sizes gives in O(log blocks). The tree is updated in O(log blocks) when a
block grows or shrinks, and rebuilt only when blocks are split, merged or dropped.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable
from itertools import chain, groupby

from crisp_console.core.changes import Change, ChangeKind
from crisp_console.core.ordering import SortKey, moved_index
from crisp_console.core.rows import runs

Emit = Callable[[Change], None]


class SortedRows:
    __slots__ = ("_block", "_emit", "_ids", "_keys", "_len", "_maxes", "_tree", "collection",
                 "key_of")

    def __init__(self, emit: Emit, collection: str, block: int = 1000) -> None:
        self._emit = emit
        self.collection = collection
        self._block = max(2, block)
        self.key_of: dict[str, SortKey] = {}
        self._keys: list[list[SortKey]] = []
        self._ids: list[list[str]] = []
        self._maxes: list[SortKey] = []  # last key of each block
        self._tree: list[int] | None = None  # Fenwick tree of block sizes; None: to rebuild
        self._len = 0

    # ---- reading ---------------------------------------------------------------------------

    def __len__(self) -> int:
        return self._len

    def all_ids(self) -> list[str]:
        return list(chain.from_iterable(self._ids))

    def id_at(self, row: int) -> str:
        if not 0 <= row < self._len:
            raise IndexError(row)
        i, offset = self._find(row)
        return self._ids[i][offset]

    def row_of(self, item_id: str) -> int:
        key = self.key_of.get(item_id)
        return -1 if key is None else self._rank(key)

    # ---- Fenwick tree over the block sizes -------------------------------------------------

    def _fenwick(self) -> list[int]:
        tree = self._tree
        if tree is None:
            tree = self._tree = [0, *map(len, self._keys)]
            n = len(tree)
            for j in range(1, n):
                parent = j + (j & -j)
                if parent < n:
                    tree[parent] += tree[j]
        return tree

    def _grow(self, i: int, delta: int) -> None:
        """Block ``i`` gained ``delta`` rows (negative: lost)."""
        tree = self._tree
        if tree is None:
            return  # rebuilt when next needed
        j, n = i + 1, len(tree)
        while j < n:
            tree[j] += delta
            j += j & -j

    def _first_row(self, i: int) -> int:
        """The row of block ``i``'s first id (the sizes of blocks 0..i-1)."""
        tree = self._fenwick()
        total = 0
        while i > 0:
            total += tree[i]
            i -= i & -i
        return total

    def _find(self, row: int) -> tuple[int, int]:
        """(block, offset in block) of a row, by descending the tree."""
        tree = self._fenwick()
        n = len(tree) - 1
        pos = 0
        step = 1 << n.bit_length()
        while step:
            nxt = pos + step
            if nxt <= n and tree[nxt] <= row:
                pos = nxt
                row -= tree[nxt]
            step >>= 1
        return pos, row

    def _locate(self, key: SortKey) -> tuple[int, int]:
        """(block, index in block) where ``key`` is or would be inserted."""
        maxes = self._maxes
        if not maxes:
            return 0, 0
        i = bisect_left(maxes, key)
        if i == len(maxes):
            i -= 1
            return i, len(self._keys[i])
        return i, bisect_left(self._keys[i], key)

    def _rank(self, key: SortKey) -> int:
        """How many keys are smaller than ``key``: its row if present."""
        i, j = self._locate(key)
        return self._first_row(i) + j

    # ---- raw edits (no notification) -------------------------------------------------------

    def _insert(self, key: SortKey, item_id: str) -> None:
        self.key_of[item_id] = key
        self._len += 1
        if not self._keys:
            self._keys.append([key])
            self._ids.append([item_id])
            self._maxes.append(key)
            self._tree = None
            return
        i, j = self._locate(key)
        keys = self._keys[i]
        keys.insert(j, key)
        self._ids[i].insert(j, item_id)
        if j == len(keys) - 1:
            self._maxes[i] = key
        if len(keys) > 2 * self._block:
            self._split(i)
        else:
            self._grow(i, 1)

    def _split(self, i: int) -> None:
        keys, ids = self._keys[i], self._ids[i]
        half = len(keys) // 2
        self._keys.insert(i + 1, keys[half:])
        self._ids.insert(i + 1, ids[half:])
        del keys[half:], ids[half:]
        self._maxes[i] = keys[-1]
        self._maxes.insert(i + 1, self._keys[i + 1][-1])
        self._tree = None

    def _delete(self, item_id: str) -> None:
        key = self.key_of.pop(item_id)
        i, j = self._locate(key)
        keys, ids = self._keys[i], self._ids[i]
        del keys[j], ids[j]
        self._len -= 1
        if not keys:
            del self._keys[i], self._ids[i], self._maxes[i]
            self._tree = None
            return
        self._maxes[i] = keys[-1]
        self._grow(i, -1)
        if len(keys) < self._block // 4 and i + 1 < len(self._keys):
            # Fold a shrunken block into the next one, so blocks stay few and full.
            keys.extend(self._keys.pop(i + 1))
            ids.extend(self._ids.pop(i + 1))
            del self._maxes[i + 1]
            self._maxes[i] = keys[-1]
            self._tree = None
            if len(keys) > 2 * self._block:
                self._split(i)

    # ---- changes with notifications --------------------------------------------------------

    def insert_many(self, items: list[tuple[SortKey, str]],
                    mutate: Callable[[list[str]], None]) -> None:
        """Insert new ids, one INSERTING/INSERTED pair per run that lands in one place.
        ``mutate`` gets each run's ids inside its pair."""
        if not items:
            return
        items.sort()
        positions = [self._rank(k) for k, _ in items]  # before any insertion
        offset = start = 0
        for pos, grp in groupby(positions):
            count = len(list(grp))
            chunk = items[start:start + count]
            first = pos + offset
            ids = tuple(i for _, i in chunk)
            self._emit(Change(ChangeKind.INSERTING, self.collection,
                              first=first, last=first + count - 1, ids=ids))
            mutate(list(ids))
            if not self._len:
                self._fill(chunk)
            else:
                for k, i in chunk:
                    self._insert(k, i)
            self._emit(Change(ChangeKind.INSERTED, self.collection,
                              first=first, last=first + count - 1, ids=ids))
            offset += count
            start += count

    def rekey(self, item_id: str, new_key: SortKey) -> int:
        """Give an id its new key; MOVING/MOVED when that changes its row. Returns the row."""
        old_key = self.key_of[item_id]
        src = self._rank(old_key)
        dest = self._rank(new_key)  # Qt's destinationChild: the rank in the list as it is
        if dest in (src, src + 1):  # same neighbours: the row stays, only its key changes
            i, j = self._locate(old_key)
            self._keys[i][j] = new_key
            if j == len(self._keys[i]) - 1:
                self._maxes[i] = new_key
            self.key_of[item_id] = new_key
            return src
        ids = (item_id,)
        self._emit(Change(ChangeKind.MOVING, self.collection, first=src, last=src, dest=dest,
                          ids=ids))
        self._delete(item_id)
        self._insert(new_key, item_id)
        self._emit(Change(ChangeKind.MOVED, self.collection, first=src, last=src, dest=dest,
                          ids=ids))
        return moved_index(src, dest)

    def remove_many(self, item_ids: Iterable[str], mutate: Callable[[list[str]], None]) -> None:
        """Remove ids, one REMOVING/REMOVED pair per run of consecutive rows (last run first,
        so the rows of the others stay valid). ``mutate`` gets each run's ids."""
        rows = [r for r in map(self.row_of, item_ids) if r >= 0]
        for first, last in reversed(runs(rows)):
            gone = tuple(self.id_at(r) for r in range(first, last + 1))
            self._emit(Change(ChangeKind.REMOVING, self.collection, first=first, last=last,
                              ids=gone))
            for item_id in gone:
                self._delete(item_id)
            mutate(list(gone))
            self._emit(Change(ChangeKind.REMOVED, self.collection, first=first, last=last,
                              ids=gone))

    def replace(self, items: list[tuple[SortKey, str]]) -> None:
        """Replace every row (no notification: the caller emits RESET when done)."""
        self.key_of = {}
        self._keys, self._ids, self._maxes = [], [], []
        self._len = 0
        self._fill(items)

    def _fill(self, items: list[tuple[SortKey, str]]) -> None:
        """Lay out sorted ``items`` into an empty structure, block by block."""
        items.sort()
        size = self._block
        for lo in range(0, len(items), size):
            chunk = items[lo:lo + size]
            self._keys.append([k for k, _ in chunk])
            self._ids.append([i for _, i in chunk])
            self._maxes.append(chunk[-1][0])
        self.key_of.update((i, k) for k, i in items)
        self._len = len(items)
        self._tree = None
