"""FilterCounts: how many conversations each quick filter takes, for the filter bar's tabs.

The filters themselves are predicates (present/filters.py); the list filters its own rows
(``ConversationListModel(accept=...)``). The counts follow the store's notifications: each
conversation's set of matching filters is a small bit mask, recomputed only when an event
touches one of the fields the filters read (``FILTER_FIELDS``); a full pass happens only on
RESET or when the operator or the website changes.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from crisp_console.core import CONVERSATIONS, Change, ChangeKind, Conversation, Store
from crisp_console.present.filters import FILTER_FIELDS, ConversationFilter, Filter, matches
from crisp_console.ui.models.coalesce import MAX_INTERVAL_MS, StoreCoalescer

_KINDS = tuple(Filter)
_TEXT_FIELDS = FILTER_FIELDS | {"nickname", "email", "last_message"}
_BITS = {kind: 1 << i for i, kind in enumerate(_KINDS)}


class FilterCounts(QObject):
    """How many conversations each ``Filter`` takes, kept current incrementally.

    ``count()``/``counts()`` are exact at every moment; ``changed`` is emitted (coalesced
    like the models, at most every 16 ms) when any count moved.
    """

    changed = Signal()

    def __init__(self, store: Store, user_id: str | None = None, *, coalesce: bool = True,
                 interval_ms: int = MAX_INTERVAL_MS, website_id: str | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._user_id = user_id
        self._website_id = website_id  # None: count every website (the unified inbox)
        self._text = ConversationFilter()  # the text filter: counts are of what it takes too
        self._masks: dict[str, int] = {}
        self._counts = dict.fromkeys(_KINDS, 0)
        self._emitted = dict(self._counts)
        self._recount()
        self._emitted = dict(self._counts)
        self._coalescer = StoreCoalescer(store, self._on_change, self.flush, interval_ms,
                                         enabled=coalesce, parent=self)

    @property
    def user_id(self) -> str | None:
        return self._user_id

    def count(self, kind: Filter) -> int:
        return self._counts[kind]

    def counts(self) -> dict[Filter, int]:
        return dict(self._counts)

    def set_user_id(self, user_id: str | None) -> None:
        if user_id != self._user_id:
            self._user_id = user_id
            self._recount()
            self._coalescer.request()

    @property
    def website_id(self) -> str | None:
        return self._website_id

    def set_website_id(self, website_id: str | None) -> None:
        """Count only that website's conversations (None: all of them)."""
        if website_id != self._website_id:
            self._website_id = website_id
            self._recount()
            self._coalescer.request()

    @property
    def text(self) -> str:
        return self._text.text

    def set_text(self, text: str) -> None:
        """Count only the conversations the list's text filter takes (combined with each
        quick filter: what the operator would see on that tab)."""
        if text.strip().casefold() != self._text.needle:
            self._text = ConversationFilter(text=text)
            self._recount()
            self._coalescer.request()

    def flush(self) -> None:
        """Emit ``changed`` now if any count differs from the last emission."""
        self._coalescer.cancel()
        if self._counts != self._emitted:
            self._emitted = dict(self._counts)
            self.changed.emit()

    def detach(self) -> None:
        self._coalescer.detach()

    # ---- bookkeeping -------------------------------------------------------------------------

    def _mask(self, conv: Conversation) -> int:
        if self._website_id is not None and conv.website_id != self._website_id:
            return 0
        if self._text.needle and not self._text(conv):
            return 0
        uid = self._user_id
        mask = 0
        for kind, bit in _BITS.items():
            if matches(kind, conv, uid):
                mask |= bit
        return mask

    def _set(self, sid: str, mask: int) -> bool:
        """Record ``sid``'s new mask (0: gone); True if a count changed."""
        old = self._masks.pop(sid, 0)
        if mask:
            self._masks[sid] = mask
        diff = old ^ mask
        if not diff:
            return False
        counts = self._counts
        for kind, bit in _BITS.items():
            if diff & bit:
                counts[kind] += 1 if mask & bit else -1
        return True

    def _recount(self) -> None:
        self._masks = {sid: self._mask(c) for sid, c in self._store.conversations.items()}
        counts = dict.fromkeys(_KINDS, 0)
        for mask in self._masks.values():
            for kind, bit in _BITS.items():
                if mask & bit:
                    counts[kind] += 1
        self._counts = counts

    def _on_change(self, c: Change) -> None:
        if c.collection != CONVERSATIONS:
            return
        conversations = self._store.conversations
        moved = False
        fields = _TEXT_FIELDS if self._text.needle else FILTER_FIELDS
        if c.kind is ChangeKind.INSERTED or (c.kind is ChangeKind.CHANGED
                                             and not fields.isdisjoint(c.fields)):
            for sid in c.ids:
                conv = conversations.get(sid)
                moved |= self._set(sid, self._mask(conv) if conv is not None else 0)
        elif c.kind is ChangeKind.REMOVING:
            for sid in c.ids:
                moved |= self._set(sid, 0)
        elif c.kind is ChangeKind.RESET:
            self._recount()
            moved = True
        if moved:
            self._coalescer.request()
